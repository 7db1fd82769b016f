// Health, as an operator and a load balancer need it:
// - GET /health/live: the process answers (restart it when it does not);
// - GET /health/ready (and GET /health, with the same body): each piece the engine stands on, checked now —
//   Temporal, a worker polling the case task queue, Kafka, the database — and the projector's lag per
//   partition. 503 when a piece is down or the read models lag past the limit: commands or reads would fail
//   or mislead. A projector still joining its consumer group is reported, but does not make the API unready
//   for that reason alone: commands do not need it.
// - alerts that do not make the API unready but need an operator: parked events, cases whose events keep
//   failing to reach Kafka (PublishStalled), cases whose clock check the core keeps rejecting
//   (ClockCheckFailing) — counted through Temporal visibility, by the workflows' search attributes.
import type { ConnectionLike } from '@temporalio/client';
// The default import: @temporalio/proto is CommonJS whose named exports Node's ESM loader cannot detect.
import protoPackage from '@temporalio/proto';
import type { Admin } from 'kafkajs';
import type { Db } from '../readmodels/db.js';
import type { PartitionLag } from '../readmodels/consumer.js';

/** Running cases whose events keep failing to reach Kafka, and whose clock check keeps being rejected. */
export interface FailingCases {
  publishStalled: number;
  clockCheckFailing: number;
}

/**
 * Counts the failing cases through visibility (search attributes set by the case workflow), of this
 * deployment's task queue: another engine sharing the namespace reports its own.
 */
export async function countFailingCases(temporal: ConnectionLike, namespace: string, taskQueue: string): Promise<FailingCases> {
  const count = async (attribute: string) => {
    const query = `ExecutionStatus = "Running" AND TaskQueue = ${JSON.stringify(taskQueue)} AND ${attribute} = true`;
    const res = await temporal.workflowService.countWorkflowExecutions({ namespace, query });
    return Number(res.count ?? 0);
  };
  const [publishStalled, clockCheckFailing] = await Promise.all([count('PublishStalled'), count('ClockCheckFailing')]);
  return { publishStalled, clockCheckFailing };
}

export interface HealthDeps {
  temporal: ConnectionLike;
  namespace: string;
  taskQueue: string;
  kafkaAdmin: Admin;
  db: Db;
  /** Rejects with ProjectorJoiningError while the projector has not joined its group yet. */
  projectorLag: () => Promise<PartitionLag[]>;
  /** Parked events (the dead-letter table): an operator's alert, not a reason to be unready. */
  deadLetters?: () => Promise<{ events: number; cases: number; oldestParkedAt: string | null }>;
  /** Events behind, summed over partitions, past which the API is not ready (its reads would be stale). */
  maxProjectorLag?: number;
}

/** The projector has not joined its consumer group yet (after a start or a crash). */
export class ProjectorJoiningError extends Error {
  constructor(since: Date) {
    super(`the projector is joining its consumer group (since ${since.toISOString()})`);
  }
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

// A worker long-polls for up to a minute, and the server keeps a poller in its list for minutes after it
// left: a poller not seen for this long is gone.
const POLLER_GONE_MS = 75_000;
// The server drops a poller from its list five minutes after it last polled (matching's poller history).
// A listed poller that looks older than that (plus a margin) says this process's clock runs ahead of the
// server's, not that the worker is gone: it counts as present, and the detail says the clocks differ.
const SERVER_FORGETS_POLLER_MS = 6 * 60_000;

/** The workers polling the case task queue for workflow and for activity tasks, as the server sees them now. */
async function pollers(deps: HealthDeps): Promise<{ workflow: number; activity: number; identities: string[]; clockAheadOfTemporal?: true }> {
  const now = Date.now();
  let skewed = false;
  const { TaskQueueType } = protoPackage.temporal.api.enums.v1;
  const count = async (taskQueueType: (typeof TaskQueueType)[keyof typeof TaskQueueType]) => {
    const res = await deps.temporal.workflowService.describeTaskQueue({ namespace: deps.namespace, taskQueue: { name: deps.taskQueue }, taskQueueType });
    return (res.pollers ?? []).filter((p) => {
      const at = p.lastAccessTime;
      const ms = at ? Number(at.seconds ?? 0) * 1000 + Math.floor((at.nanos ?? 0) / 1e6) : 0;
      if (ms > 0 && now - ms > SERVER_FORGETS_POLLER_MS) skewed = true;
      return now - ms <= POLLER_GONE_MS || (ms > 0 && now - ms > SERVER_FORGETS_POLLER_MS);
    });
  };
  const [workflow, activity] = await Promise.all([
    count(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
    count(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
  ]);
  if (workflow.length === 0) throw new Error(`no worker polls task queue ${deps.taskQueue}: commands would wait; start the worker`);
  if (activity.length === 0) throw new Error(`no worker runs activities on task queue ${deps.taskQueue}: events would not be published; start the worker`);
  return { workflow: workflow.length, activity: activity.length, identities: [...new Set(workflow.map((p) => p.identity ?? '?'))], ...(skewed ? { clockAheadOfTemporal: true as const } : {}) };
}

export async function health(deps: HealthDeps): Promise<{ status: number; body: unknown }> {
  const maxLag = deps.maxProjectorLag ?? 10_000;
  const [temporal, worker, kafka, database, projector, parked, failing] = await Promise.all([
    check(async () => {
      const info = await deps.temporal.workflowService.getSystemInfo({});
      return { serverVersion: info.serverVersion };
    }),
    check(() => pollers(deps)),
    check(async () => {
      const cluster = await deps.kafkaAdmin.describeCluster();
      return { brokers: cluster.brokers.length };
    }),
    check(async () => {
      await deps.db.query('select 1');
      return { kind: deps.db.kind };
    }),
    check(async () => {
      let partitions: PartitionLag[];
      try {
        partitions = await deps.projectorLag();
      } catch (err) {
        if (err instanceof ProjectorJoiningError) return { joining: true, note: err.message };
        throw err;
      }
      const lag = partitions.reduce((sum, p) => sum + p.lag, 0);
      if (lag > maxLag) throw new Error(`the read models are ${lag} events behind (limit ${maxLag}): reads are stale until the projector catches up`);
      return { lag, partitions };
    }),
    deps.deadLetters ? check(deps.deadLetters) : Promise.resolve(undefined),
    check(() => countFailingCases(deps.temporal, deps.namespace, deps.taskQueue)),
  ]);
  const ok = temporal.ok && worker.ok && kafka.ok && database.ok && projector.ok;
  // Parked events do not stop commands or reads of other cases, but their cases' read models stand still
  // until someone fixes the cause: an alert with the count and the age of the oldest.
  const summary = parked?.detail as { events: number; cases: number; oldestParkedAt: string | null } | undefined;
  const oldestAgeSeconds = summary?.oldestParkedAt ? Math.round((Date.now() - Date.parse(summary.oldestParkedAt)) / 1000) : null;
  const deadLetters = parked && summary ? { ...parked, detail: { ...summary, oldestAgeSeconds } } : parked;
  const alerts: string[] = [];
  if (summary && summary.events > 0) alerts.push(`${summary.events} event(s) of ${summary.cases} case(s) parked, the oldest ${oldestAgeSeconds} s ago: see GET /dead-letters`);
  // A publish that keeps failing holds up every later event of its case (nothing is lost: the workflow keeps
  // trying); a clock check the core keeps rejecting is a bug whose due moments go unchecked.
  const counts = failing.detail as FailingCases | undefined;
  if (counts && counts.publishStalled > 0) {
    alerts.push(`${counts.publishStalled} case(s) cannot publish their events to Kafka (PublishStalled = true): check the broker, the topic and its permissions; the worker's log says why`);
  }
  if (counts && counts.clockCheckFailing > 0) {
    alerts.push(`${counts.clockCheckFailing} case(s) have their clock check rejected by the core (ClockCheckFailing = true): see the worker's log`);
  }
  return {
    status: ok ? 200 : 503,
    body: { status: ok ? 'ok' : 'degraded', temporal, worker, kafka, database, projector, ...(deadLetters ? { deadLetters } : {}), failingCases: failing, alerts },
  };
}
