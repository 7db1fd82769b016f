// The fault drill's own stack (bench/drill.ts drives it): Temporal (dev server with its SQLite file),
// Kafka, PostgreSQL for the read models, the OpenID provider, and the worker and the API+projector as
// processes of their own — each watched by the same supervisor as `npm start` (ops/supervise.ts), so a
// piece the drill kills is started again as it would be in production-like use. Ports are the drill
// profile's (ops/config.ts: dev + 3,000) unless TEMPORAL_PORT etc. say otherwise; data in .data/drill (or
// MEDIATION_DATA_DIR), thrown away at the start.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { loadStackConfig, type StackConfig } from './config.js';
import { installStack } from './install.js';
import { appEnvironment, httpOk, startApp, startOidcProvider, startServers, stopInReverse, stopStaleServers } from './apps.js';
import { isAlive, stopService, waitFor, type Service } from './proc.js';
import { ensureTopics, startKafka, startPostgres, startTemporal } from './services.js';
import { createSupervisor, type Supervisor } from './supervise.js';
import type { Logger } from '../runtime/log.js';

/** What the drill can kill: the servers, the worker, and the API process (which runs the projector). */
export type DrillPiece = 'temporal' | 'kafka' | 'postgresql' | 'worker' | 'api';

export interface DrillStack {
  config: StackConfig;
  apiUrl: string;
  databaseUrl: string;
  topic: string;
  /** The environment the worker and the API run with (addresses, keyring files). */
  appEnv: NodeJS.ProcessEnv;
  /** SIGKILL to the piece's whole process group; the supervisor starts it again. The moment of the kill. */
  kill(piece: DrillPiece): number;
  /** Resolves with the moment the piece killed at `killedAt` was started again and answered. */
  backUp(piece: DrillPiece, killedAt: number, timeoutMs?: number): Promise<number>;
  stop(): Promise<void>;
}

/** Settings that would point the drill at servers it does not own: it always runs its own. */
export const EXTERNAL_SETTINGS = [
  'TEMPORAL_ADDRESS', 'KAFKA_BROKERS', 'DATABASE_URL', 'PGLITE_PATH', 'OIDC_ISSUER', 'OIDC_JWKS_URI',
  'PAYLOAD_KEYS', 'PAYLOAD_KEYS_FILE', 'PERSONAL_DATA_MASTER_KEYS', 'PERSONAL_DATA_MASTER_KEYS_FILE',
  'KAFKA_TOPIC', 'TASK_QUEUE', 'READMODEL_SCHEMA', 'PROJECTOR_GROUP_ID', 'WORKER_METRICS_ADDRESS',
] as const;

export async function startDrillStack(opts: { log: Logger; partitions?: number; restartPauseMs?: number }): Promise<DrillStack> {
  const { log } = opts;
  for (const name of EXTERNAL_SETTINGS) delete process.env[name];
  const config = loadStackConfig('drill');
  await stopStaleServers(config);
  fs.rmSync(config.dataDir, { recursive: true, force: true });
  const running: Service[] = [];
  let supervisor: Supervisor | undefined;
  // When each piece was last started again by the supervisor (and answered).
  const lastUp = new Map<DrillPiece, number>();
  try {
    const databaseUrl = `postgres://postgres@${config.host}:${config.database.localPostgresPort}/mediation_drill`;
    const { installed } = await installStack(config, log, { temporalCli: true, testServer: false, kafka: true, postgres: true });
    await startServers(config, installed, running, databaseUrl);
    // As root the PostgreSQL cluster lives outside the data directory (ops/services.ts) and outlives a run:
    // the drill's database starts empty each time, as its topic does.
    await freshDatabase(databaseUrl);
    running.push(await startOidcProvider(config));
    const topic = 'mediation.case-events';
    await ensureTopics(config.kafka.brokers, opts.partitions ?? 3, log);
    const appEnv: NodeJS.ProcessEnv = {
      ...appEnvironment(config, databaseUrl),
      KAFKA_TOPIC: topic,
      // The drill's load is a few staff accounts sending many commands: the per-user write limit is for people.
      API_WRITE_RATE_LIMIT: '100000',
      // Info at least: the worker's "worker started" line is how the drill knows it is back (their own log files).
      LOG_LEVEL: 'info',
    };
    // Started = its workflow bundle built and the worker about to poll ("worker started" in its log).
    const workerLog = path.join(config.dataDir, 'logs', 'worker.log');
    const startWorker = async () => {
      const from = fs.existsSync(workerLog) ? fs.statSync(workerLog).size : 0;
      const worker = await startApp('worker', 'worker/main.ts', config, appEnv);
      await waitFor('worker', async () => logSince(workerLog, from).includes('"msg":"worker started"'), { timeoutMs: 180_000, service: worker }).catch(async (err: unknown) => {
        await stopService(worker);
        throw err;
      });
      return worker;
    };
    const apiUrl = `http://${config.host}:${config.api.port}`;
    const startApi = async () => {
      const api = await startApp('api', 'api/main.ts', config, appEnv);
      await waitFor('HTTP API', () => httpOk(`${apiUrl}/health/live`), { timeoutMs: 120_000, service: api }).catch(async (err: unknown) => {
        await stopService(api);
        throw err;
      });
      return api;
    };
    running.push(await startWorker());
    running.push(await startApi());
    await waitFor('HTTP API ready', () => httpOk(`${apiUrl}/health`), { timeoutMs: 120_000 });

    const restarters: Record<DrillPiece, () => Promise<Service>> = {
      temporal: () => startTemporal(config, installed, log),
      kafka: () => startKafka(config, installed, log),
      postgresql: () => startPostgres(config, installed, new URL(databaseUrl), log),
      worker: startWorker,
      api: startApi,
    };
    // Every kill is a crash to the supervisor: a constant pause (no doubling) and no giving up, since the
    // drill crashes each piece on purpose N times within minutes.
    const pause = opts.restartPauseMs ?? 1_000;
    let gaveUp: string | undefined;
    supervisor = createSupervisor({ log, onGiveUp: (s) => (gaveUp = s), maxCrashes: 1_000_000, firstPauseMs: pause, maxPauseMs: pause });
    for (const s of running) {
      const restart = restarters[s.name as DrillPiece] as (() => Promise<Service>) | undefined;
      if (!restart) continue;
      let previous = s.child.pid;
      supervisor.watch(s, async () => {
        // A killed process lingers until its parent reaps it (here: init, once runuser is gone): PostgreSQL
        // refuses to start while the old postmaster's pid still exists ("lock file already exists").
        if (previous !== undefined) await processGroupGone(previous, 60_000);
        const started = await restart();
        previous = started.child.pid;
        lastUp.set(s.name as DrillPiece, Date.now());
        return started;
      });
    }
    const sup = supervisor;
    // The OpenID provider is not killed and not watched: stopped with the rest.
    const unwatched = running.filter((s) => !(s.name in restarters));
    const current = (piece: DrillPiece) => {
      const found = sup.services().find((s) => s.name === piece);
      if (!found?.child.pid) throw new Error(`drill: no running ${piece}`);
      return found;
    };
    return {
      config,
      apiUrl,
      databaseUrl,
      topic,
      appEnv,
      kill(piece) {
        const service = current(piece);
        const pid = service.child.pid!;
        if (!isAlive(pid)) throw new Error(`drill: ${piece} (pid ${pid}) is not running`);
        const at = Date.now();
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          process.kill(pid, 'SIGKILL');
        }
        log.warn({ piece, pid }, `drill: SIGKILL sent to ${piece}`);
        return at;
      },
      async backUp(piece, killedAt, timeoutMs = 300_000) {
        const until = Date.now() + timeoutMs;
        for (;;) {
          if (gaveUp) throw new Error(`drill: the supervisor gave up on ${gaveUp}`);
          const at = lastUp.get(piece);
          if (at !== undefined && at > killedAt) return at;
          if (Date.now() > until) throw new Error(`drill: ${piece} not back ${Math.round(timeoutMs / 1000)} s after the kill (see ${current(piece).logFile})`);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      async stop() {
        sup.stop();
        await stopInReverse([...sup.services(), ...unwatched]);
      },
    };
  } catch (err) {
    supervisor?.stop();
    await stopInReverse(supervisor ? [...supervisor.services(), ...running.filter((s) => s.name === 'oidc')] : running);
    throw err;
  }
}

/** Waits until no process of the group (a zombie included) is left, or the timeout has passed. */
async function processGroupGone(pgid: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  const inGroup = () => {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses: read after the last ')'.
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(fields[2]) === pgid) return true;
      } catch {
        /* gone meanwhile */
      }
    }
    return false;
  };
  while (inGroup() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
}

function logSince(file: string, offset: number): string {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const buffer = Buffer.alloc(Math.max(0, size - offset));
      fs.readSync(fd, buffer, 0, buffer.length, offset);
      return buffer.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

async function freshDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
}

/**
 * The drill's ports when `npm test` runs it (test/e2e/drill.e2e.spec.ts): each of the test stack's ports +
 * 50, so that a developer's custom ports carry over and nothing meets the test stack (its Kafka SSL and
 * SASL_SSL listeners at KAFKA_PORT+2/+3, the browser tests' API_PORT and API_PORT+1).
 */
export function drillPortsFor(test: StackConfig): Record<string, string> {
  const plus = (p: number) => String(p + 50);
  return {
    TEMPORAL_PORT: plus(test.temporal.port),
    TEMPORAL_UI_PORT: plus(test.temporal.uiPort),
    KAFKA_PORT: plus(test.kafka.port),
    KAFKA_CONTROLLER_PORT: plus(test.kafka.controllerPort),
    POSTGRES_PORT: plus(test.database.localPostgresPort),
    API_PORT: plus(test.api.port),
    OIDC_PORT: plus(test.oidc.port),
    WORKER_METRICS_PORT: plus(test.workerMetrics.port),
  };
}
