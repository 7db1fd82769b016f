// GET /health: each piece the engine stands on, checked now, with the projector's lag per partition.
import type { ConnectionLike } from '@temporalio/client';
import type { Admin } from 'kafkajs';
import type { Db } from '../readmodels/db.js';
import type { PartitionLag } from '../readmodels/consumer.js';

export interface HealthDeps {
  temporal: ConnectionLike;
  kafkaAdmin: Admin;
  db: Db;
  projectorLag: () => Promise<PartitionLag[]>;
}

interface PieceHealth {
  ok: boolean;
  ms: number;
  detail?: unknown;
  error?: string;
}

async function check(fn: () => Promise<unknown>, timeoutMs = 3_000): Promise<PieceHealth> {
  const t0 = performance.now();
  try {
    const detail = await Promise.race([
      fn(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
    return { ok: true, ms: Math.round(performance.now() - t0), ...(detail === undefined ? {} : { detail }) };
  } catch (err) {
    return { ok: false, ms: Math.round(performance.now() - t0), error: err instanceof Error ? err.message : String(err) };
  }
}

export async function health(deps: HealthDeps): Promise<{ status: number; body: unknown }> {
  const [temporal, kafka, database, projector] = await Promise.all([
    check(async () => {
      const info = await deps.temporal.workflowService.getSystemInfo({});
      return { serverVersion: info.serverVersion };
    }),
    check(async () => {
      const cluster = await deps.kafkaAdmin.describeCluster();
      return { brokers: cluster.brokers.length };
    }),
    check(async () => {
      await deps.db.query('select 1');
      return { kind: deps.db.kind };
    }),
    check(async () => {
      const partitions = await deps.projectorLag();
      return { lag: partitions.reduce((sum, p) => sum + p.lag, 0), partitions };
    }),
  ]);
  const ok = temporal.ok && kafka.ok && database.ok && projector.ok;
  return { status: ok ? 200 : 503, body: { status: ok ? 'ok' : 'degraded', temporal, kafka, database, projector } };
}
