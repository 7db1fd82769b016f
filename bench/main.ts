// The benchmark suite: `npm run bench` (ops/main.ts starts Temporal, Kafka and PostgreSQL and runs this).
// Every figure is printed beside a baseline measured on the same data, in the same run, on the same
// servers — absolute rates on a shared 2-core machine move with the neighbours, ratios much less.
//
//   npm run bench                                  everything (about 10–15 minutes)
//   npm run bench -- --only projector,verify       some sections: projector verify lifecycle memory timers latency
//   npm run bench -- --events 30000 --timers 2000 --open 200,400 --seconds 10   a quick pass
//
// Against running servers: TEMPORAL_ADDRESS, KAFKA_BROKERS, DATABASE_URL (then `npx tsx bench/main.ts`).
import { fork, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, type WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import type { CaseCommand } from '../domain/case/commands.js';
import { LogVerifier } from '../audit/verify.js';
import { ThreadedLogVerifier } from '../audit/verify-threads.js';
import { decodeRecord } from '../audit/records.js';
import { startProjector } from '../readmodels/consumer.js';
import { openDb, type Db } from '../readmodels/db.js';
import { publishHistory } from './history-topic.js';
import { postgresCpuMicros } from './postgres-cpu.js';
import { testKeyring } from '../testkit/payload-keys.js';
import { temporalClient as connectTemporalClient } from '../runtime/clients.js';
import { benchConfig, setting } from './config.js';
import { caseViewQuery, commandUpdates } from '../workflows/messages.js';
import { clerk, mediator, receiveInput, request } from '../testkit/cases.js';

// ------------------------------------------------------------------ options

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
// What worker/main.ts and npm start choose for the default 2 GiB budget (runtime/worker-cache.ts), where
// this code has it: the cache size and the worker's heap limit. On code before it, the SDK's defaults.
const workerFor2GiB: { cachedWorkflows: number; heapMiB?: number } = await import('../runtime/worker-cache.js').then(
  (m: { workerMemory?: (mib: number) => { cachedWorkflows: number; heapMiB: number }; workflowCacheSize: (mib: number) => number }) =>
    m.workerMemory ? m.workerMemory(2048) : { cachedWorkflows: m.workflowCacheSize(2048) },
  () => ({ cachedWorkflows: 0 }),
);
const workerCacheFor2GiB = workerFor2GiB.cachedWorkflows;
const SECTIONS = ['projector', 'verify', 'lifecycle', 'memory', 'timers', 'latency'] as const;
const only = option('only', SECTIONS.join(',')).split(',');
for (const s of only) if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`--only: unknown section '${s}' (one of ${SECTIONS.join(', ')})`);
const opts = {
  events: Number(option('events', '100000')),
  partitions: Number(option('partitions', '6')),
  cases: Number(option('cases', '30')),
  parallel: Number(option('parallel', '10')),
  open: option('open', '250,500,1000,2000').split(',').map(Number),
  cache: Number(option('cache', String(defaultCacheForBench()))),
  timers: Number(option('timers', '10000')),
  rate: Number(option('rate', '20')),
  seconds: Number(option('seconds', '30')),
};
const brokers = benchConfig.KAFKA_BROKERS;
const temporalAddress = benchConfig.TEMPORAL_ADDRESS;
const databaseUrl = benchConfig.DATABASE_URL;
const stamp = Date.now().toString(36);
const say = (line: string) => process.stderr.write(`${line}\n`);
const log = pino({ level: 'warn' });
const kafkaQuiet = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.ERROR });

function defaultCacheForBench(): number {
  // What worker/main.ts chooses for a 2 GiB budget (runtime/worker-cache.ts) where that exists; on code
  // before it (the "before" column), the SDK's default. --cache N overrides.
  const cached = setting('BENCH_MAX_CACHED');
  if (cached) return cached;
  return workerCacheFor2GiB;
}

// ------------------------------------------------------------------ the report

interface Row {
  section: string;
  measurement: string;
  figure: string;
  baseline: string;
  ratio: string;
  goal: string;
}
const rows: Row[] = [];
function report(row: Row): void {
  rows.push(row);
  say(`  ${row.measurement}: ${row.figure} | baseline ${row.baseline} | ratio ${row.ratio} | goal ${row.goal}`);
}
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ratio = (a: number, b: number) => (a / b).toFixed(3);

// ------------------------------------------------------------------ helpers

async function createTopic(topic: string, partitions: number): Promise<void> {
  const admin = kafkaQuiet.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
  await admin.disconnect();
}
async function deleteTopic(topic: string): Promise<void> {
  const admin = kafkaQuiet.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}

/** Reads a whole topic with a bare kafkajs consumer group; `keep` gets every message. Events/s. */
async function rawConsume(topic: string, expected: number, keep?: (key: string, value: Buffer, partition: number, offset: string) => void): Promise<number> {
  const consumer = kafkaQuiet.consumer({ groupId: `bench-raw-${Date.now()}-${Math.random()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((r) => (done = r));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      if (keep) for (const m of batch.messages) keep(m.key?.toString() ?? '', m.value as Buffer, batch.partition, m.offset);
      seen += batch.messages.length;
      if (seen >= expected) done();
    },
  });
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  rawCpuMicros.push(cpuMicros(cpu0) / expected);
  await consumer.disconnect();
  return expected / seconds;
}

/** CPU time of this process since `from`, in µs: on a shared machine it moves less than the wall clock. */
function cpuMicros(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return used.user + used.system;
}
const rawCpuMicros: number[] = [];
const projectorCpuMicros = new Map<string, number>();
const postgresServerCpuPerEvent = new Map<string, number>();

const postgresCpuMicrosNow = () => postgresCpuMicros(databaseUrl);

async function project(db: Db, topic: string, events: number, label: string): Promise<number> {
  const schema = `bench_${label}_${stamp}`;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const pg0 = db.kind === 'postgres' ? postgresCpuMicrosNow() : undefined;
  const projector = await startProjector({ db, schema, brokers, topic, groupId: `bench-projector-${label}-${stamp}`, log });
  let lastSay = t0;
  for (;;) {
    const lag = (await projector.lag()).reduce((sum, p) => sum + p.lag, 0);
    if (lag === 0) break;
    if (performance.now() - lastSay > 10_000) {
      say(`  ${label}: ${fmt(events - lag)} of ${fmt(events)} projected`);
      lastSay = performance.now();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - t0) / 1000;
  await projector.stop();
  projectorCpuMicros.set(label, cpuMicros(cpu0) / events);
  const pg1 = pg0 === undefined ? undefined : postgresCpuMicrosNow();
  if (pg0 !== undefined && pg1 !== undefined) postgresServerCpuPerEvent.set(label, (pg1 - pg0) / events);
  const applied = await db.query<{ n: number }>(`select count(*)::integer as n from ${schema}.event_archive`);
  if (applied.rows[0]?.n !== events) throw new Error(`${label}: ${applied.rows[0]?.n} of ${events} events applied`);
  if (db.kind === 'postgres') await db.exec(`drop schema ${schema} cascade`);
  return events / seconds;
}

// ------------------------------------------------------------------ projector and verify (one topic)

async function projectorAndVerify(): Promise<void> {
  const topic = `bench.history-${stamp}`;
  await createTopic(topic, opts.partitions);
  try {
    say(`generating and publishing a history of at least ${fmt(opts.events)} events (${opts.partitions} partitions)`);
    const events = await publishHistory(brokers, topic, opts.events, (n) => {
      if (n % 50_000 < 5_000) say(`  published ${fmt(n)} events`);
    });
    say(`  ${fmt(events)} events on ${topic}`);
    // The baseline is read before and after the projector runs; the mean is the baseline.
    const values: { key: string; value: Buffer; partition: number; offset: string }[] = [];
    if (only.includes('verify')) await rawConsume(topic, events, (key, value, partition, offset) => values.push({ key, value, partition, offset }));
    const raw1 = await rawConsume(topic, events);

    if (only.includes('projector')) {
      say('projector');
      const pgRate = databaseUrl ? await withDb({ url: databaseUrl }, (db) => project(db, topic, events, 'postgres')) : NaN;
      const pgliteRate = await withDb({ memory: true }, (db) => project(db, topic, events, 'pglite'));
      const raw2 = await rawConsume(topic, events);
      const raw = (raw1 + raw2) / 2;
      const rawCpu = rawCpuMicros.reduce((a, b) => a + b, 0) / rawCpuMicros.length;
      const base = `raw kafkajs consume, count only: ${fmt(raw)} ev/s (${fmt(raw1)} before, ${fmt(raw2)} after; ${rawCpu.toFixed(1)} µs CPU/event)`;
      // CPU per event in this process beside the wall-clock rate: on a loaded machine the wall clock measures
      // the neighbours as much as the code. (PostgreSQL's own CPU is in its server processes, not here;
      // PGlite's is here.)
      const serverCpu = (label: string) => (postgresServerCpuPerEvent.has(label) ? ` + PostgreSQL server ${postgresServerCpuPerEvent.get(label)!.toFixed(1)} µs` : '');
      const cpu = (label: string) => `${(projectorCpuMicros.get(label) ?? NaN).toFixed(1)} µs CPU/event${serverCpu(label)}`;
      report({ section: 'projector', measurement: `projector → PostgreSQL (${fmt(events)} events)`, figure: `${fmt(pgRate)} ev/s (${cpu('postgres')})`, baseline: base, ratio: ratio(pgRate, raw), goal: '≥ 0.70' });
      report({ section: 'projector', measurement: `projector → PGlite (${fmt(events)} events)`, figure: `${fmt(pgliteRate)} ev/s (${cpu('pglite')})`, baseline: base, ratio: ratio(pgliteRate, raw), goal: '≥ 0.50' });
    }

    if (only.includes('verify')) {
      say('audit verify --all');
      const texts = values.map((v) => v.value.toString('utf8'));
      let checksum = 0;
      // Three rounds, each running every loop once on the same values, interleaved so that a neighbour's
      // burst on this shared machine hits all of them alike; the fastest pass of each counts (the first
      // warms up; neighbours slow a pass down, never speed one up).
      const parseLoop = () => {
        for (const t of texts) checksum += (JSON.parse(t) as { sequence: number }).sequence;
      };
      const parseHashLoop = () => {
        for (const t of texts) {
          checksum += (JSON.parse(t) as { sequence: number }).sequence;
          checksum += createHash('sha256').update(t, 'utf8').digest()[0]!;
        }
      };
      // The verification itself, in this thread, on the same values (no Kafka read).
      let verdict: ReturnType<LogVerifier['verdict']> | undefined;
      const singleLoop = () => {
        const verifier = new LogVerifier();
        values.forEach((v, i) => verifier.add(decodeRecord(texts[i]!, v.key, { kind: 'kafka', topic, partition: v.partition, offset: v.offset })));
        verdict = verifier.verdict();
      };
      // The same on worker threads (audit/verify-threads.ts), as verify --all runs on a large log: one
      // thread per core, fed nothing but the stored bytes (thread start included).
      const threadCount = os.availableParallelism();
      const threadedLoop = async () => {
        const threaded = new ThreadedLogVerifier(threadCount);
        for (let i = 0; i < values.length; i++) {
          const v = values[i]!;
          threaded.add([texts[i]!, v.key, { kind: 'kafka', topic, partition: v.partition, offset: v.offset }, undefined]);
          if (i % 2_000 === 0) await threaded.whenReady();
        }
        const threadedVerdict = await threaded.verdict();
        if (!threadedVerdict.ok) throw new Error(`verify (threads): ${threadedVerdict.faults.length} faults on a sound log`);
      };
      const best = { parse: Infinity, parseHash: Infinity, single: Infinity, threaded: Infinity };
      for (let round = 0; round < 3; round++) {
        for (const [name, loop] of [['parse', parseLoop], ['parseHash', parseHashLoop], ['single', singleLoop], ['threaded', threadedLoop]] as const) {
          const t0 = performance.now();
          await loop();
          best[name] = Math.min(best[name], performance.now() - t0);
        }
        say(`  round ${round + 1}: ${Object.entries(best).map(([k, ms]) => `${k} ${fmt(texts.length / (ms / 1000))} ev/s`).join(', ')} (load ${os.loadavg()[0]!.toFixed(1)})`);
      }
      const rate = (ms: number) => texts.length / (ms / 1000);
      const parseRate = rate(best.parse);
      const parseHashRate = rate(best.parseHash);
      const inProcessRate = rate(best.single);
      const threadedRate = rate(best.threaded);
      if (!verdict) throw new Error('verify: no verdict');
      if (!verdict.ok) throw new Error(`verify: ${verdict.faults.length} faults on a sound log: ${JSON.stringify(verdict.faults[0])}`);
      // The auditor's command as a user runs it (reads the topic from Kafka itself): with its default
      // (worker threads on a log this size) and in one thread (--threads 0), alternately, the faster of two.
      const commandRuns: Record<'threads' | 'one', { rate: number; wallRate: number }[]> = { threads: [], one: [] };
      for (let round = 0; round < 2; round++) {
        commandRuns.threads.push(await runVerifyCommand(topic));
        commandRuns.one.push(await runVerifyCommand(topic, ['--threads', '0']));
      }
      const fastest = (runs: { rate: number; wallRate: number }[]) => runs.reduce((a, b) => (b.rate > a.rate ? b : a));
      const command = fastest(commandRuns.threads);
      const commandOne = fastest(commandRuns.one);
      const baseline = `JSON.parse + SHA-256 of each value: ${fmt(parseHashRate)} ev/s; JSON.parse alone: ${fmt(parseRate)} ev/s`;
      report({ section: 'verify', measurement: `verify --all, one thread on the same values (${fmt(texts.length)})`, figure: `${fmt(inProcessRate)} ev/s`, baseline, ratio: ratio(inProcessRate, parseHashRate), goal: '≥ 0.50' });
      report({ section: 'verify', measurement: `verify --all, ${threadCount} worker threads on the same values (thread start included)`, figure: `${fmt(threadedRate)} ev/s`, baseline, ratio: ratio(threadedRate, parseHashRate), goal: '≥ 0.50' });
      report({
        section: 'verify',
        measurement: 'mediation audit verify --all (reads Kafka itself)',
        figure: `${fmt(command.rate)} ev/s (whole command ${fmt(command.wallRate)} ev/s), ${os.availableParallelism()} threads`,
        baseline: `${baseline}; the same command with --threads 0: ${fmt(commandOne.rate)} ev/s (whole command ${fmt(commandOne.wallRate)} ev/s); raw consume ${fmt(raw1)} ev/s`,
        ratio: ratio(command.rate, parseHashRate),
        goal: '≥ 0.50',
      });
      say(`  (checksum ${checksum})`);
    }
  } finally {
    await deleteTopic(topic);
  }
}

async function withDb<T>(options: { url: string } | { memory: true }, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDb(options);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function runVerifyCommand(topic: string, extra: string[] = []): Promise<{ rate: number; wallRate: number }> {
  const bin = fileURLToPath(new URL('../bin/mediation.mjs', import.meta.url));
  const t0 = performance.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, 'audit', 'verify', '--all', '--json', ...extra], { env: { ...process.env, KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC: topic } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
  });
  const wallMs = performance.now() - t0;
  if (code !== 0) throw new Error(`verify --all exited with ${code}: ${stderr.slice(0, 2000)}`);
  const result = JSON.parse(stdout) as { records: number; recordsPerSecond: number };
  return { rate: result.recordsPerSecond, wallRate: (result.records / wallMs) * 1000 };
}

// ------------------------------------------------------------------ the worker (a process of its own)

let bundlePath: string | undefined;
async function bundle(): Promise<string> {
  if (bundlePath) return bundlePath;
  // As the worker bundles them (runtime/workflow-bundle.ts: the core evaluated once per workflow thread)
  // where this code has it; BENCH_SHARED_CORE=0 bundles them as before it (the core evaluated per workflow),
  // so the same checkout measures both sides.
  const sharedCore = setting('BENCH_SHARED_CORE') !== '0';
  type BundlerOptions = { preloadModules?: string[]; webpackConfigHook?: (typeof import('../runtime/workflow-bundle.js'))['workflowBundlerOptions']['webpackConfigHook'] };
  const production: BundlerOptions = await import('../runtime/workflow-bundle.js').then((m: { workflowBundlerOptions: BundlerOptions }) => m.workflowBundlerOptions, () => ({}));
  // Either way the command verify keys are compiled in (the workflows refuse unsigned commands).
  const bundlerOptions: BundlerOptions = sharedCore ? production : production.webpackConfigHook ? { webpackConfigHook: production.webpackConfigHook } : {};
  say(`bundling the workflows (production workflows + baselines; ${bundlerOptions.preloadModules ? 'core shared by the workflows of a thread' : 'core evaluated per workflow'})`);
  const noop = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
    logger: { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop },
    ...bundlerOptions,
  });
  bundlePath = path.join(os.tmpdir(), `bench-bundle-${stamp}.js`);
  fs.writeFileSync(bundlePath, code);
  return bundlePath;
}

interface WorkerProcess {
  pid: number;
  maxCachedWorkflows: number;
  stats(): Promise<{ rss: number; heapUsed: number; cached: number }>;
  wakes(): Promise<number[]>;
  stop(): Promise<void>;
}

async function startWorker(taskQueue: string, topic: string, maxCached?: number): Promise<WorkerProcess> {
  const child = fork(fileURLToPath(new URL('./worker-process.ts', import.meta.url)), [], {
    // BENCH_WORKER_PROFILE=dir: a CPU profile of the worker (one file per thread) in that directory.
    execArgv: [...(workerFor2GiB.heapMiB ? [`--max-old-space-size=${workerFor2GiB.heapMiB}`] : []), '--import', 'tsx', ...(setting('BENCH_WORKER_PROFILE') ? ['--cpu-prof', `--cpu-prof-dir=${setting('BENCH_WORKER_PROFILE')}`] : [])],
    env: {
      ...process.env,
      BENCH_TASK_QUEUE: taskQueue,
      BENCH_TOPIC: topic,
      BENCH_BUNDLE: await bundle(),
      TEMPORAL_ADDRESS: temporalAddress,
      KAFKA_BROKERS: brokers.join(','),
      ...(maxCached ? { BENCH_MAX_CACHED: String(maxCached) } : { BENCH_MAX_CACHED: '' }),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.setMaxListeners(0);
  const next = (type: string) => new Promise<Record<string, unknown>>((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>) => {
      if (m['type'] !== type) return;
      child.off('message', onMessage);
      resolve(m);
    };
    child.on('message', onMessage);
    child.once('exit', (c) => reject(new Error(`the bench worker exited (${c})`)));
  });
  const ready = await next('ready');
  return {
    pid: child.pid!,
    maxCachedWorkflows: ready['maxCachedWorkflows'] as number,
    async stats() {
      const reply = next('stats');
      child.send({ type: 'stats' });
      return (await reply) as unknown as { rss: number; heapUsed: number; cached: number };
    },
    async wakes() {
      const reply = next('wakes');
      child.send({ type: 'wakes' });
      return (await reply)['wakes'] as number[];
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ type: 'stop' });
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
      child.kill('SIGKILL');
    },
  };
}

// Payloads encrypted as in production (the test-only keyring; the bench's worker uses the same).
const temporalClient = () => connectTemporalClient(benchConfig, { keyring: testKeyring });

/** ReceiveCase (the start) and the agreement path's 12 updates, as staff would send them. */
async function runLifecycle(client: Client, workflowType: 'caseWorkflow' | 'noopCaseWorkflow', taskQueue: string, caseId: string): Promise<WorkflowHandle> {
  const handle = await client.workflow.start(workflowType, { workflowId: caseId, taskQueue, args: [receiveInput(caseId)] });
  const run = (command: CaseCommand, actor = mediator) => handle.executeUpdate(commandUpdates[command.type], { args: [request(command, actor)] });
  const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();
  await run({ type: 'AcceptCase', caseId, data: {} }, clerk);
  await run({ type: 'ClassifyCase', caseId, data: { disputeType: 'wage-arrears' } }, clerk);
  const routeSent = performance.now();
  await run({ type: 'RouteCase', caseId, data: {} }, clerk);
  // A session is held only once its time has come: scheduled a moment ahead (three times the last
  // update's round trip, doubled while the core finds it already past), and (real workflow only) waited
  // for. The no-op baseline does not wait, which counts against the real workflow.
  let lead = 3 * (performance.now() - routeSent) + 50;
  let scheduled: Awaited<ReturnType<typeof run>> | undefined;
  let sessionAt = 0;
  while (!scheduled) {
    sessionAt = Date.now() + lead;
    try {
      scheduled = await run({ type: 'ScheduleSession', caseId, data: { at: new Date(sessionAt).toISOString(), place: '调解室', departments: ['union'] } });
    } catch (error) {
      if (!String((error as { cause?: unknown }).cause).includes('in the past') || lead > 60_000) throw error;
      lead *= 2;
    }
  }
  const session = scheduled.events.find((e) => e.type === 'SessionScheduled');
  if (workflowType === 'caseWorkflow') await new Promise((r) => setTimeout(r, Math.max(0, sessionAt + 100 - Date.now())));
  await run({ type: 'HoldSession', caseId, data: { sessionId: session?.type === 'SessionScheduled' ? session.data.sessionId : 'noop', outcome: 'progress', minutes: '双方陈述', departmentOpinions: [] } });
  await run({ type: 'RecordAgreement', caseId, data: { totalAmountFen: 600_000, items: [{ kind: 'wages', amountFen: 600_000 }], schedule: [{ dueOn: day(30).slice(0, 10), amountFen: 600_000 }], terms: '一次性支付' } });
  await run({ type: 'RequestJudicialConfirmation', caseId, data: { court: '县人民法院', jointApplication: true } });
  await run({ type: 'GrantJudicialConfirmation', caseId, data: { rulingRef: `RULING-${caseId}` } }, { id: 'court-1', role: 'department-liaison', department: 'court' });
  await run({ type: 'RecordPayment', caseId, data: { amountFen: 600_000, paidOn: new Date().toISOString().slice(0, 10) } });
  await run({ type: 'SendReply', caseId, data: { method: 'written', summary: '协议已履行' } }, clerk);
  await run({ type: 'RecordFeedback', caseId, data: { score: 5 } }, clerk);
  await run({ type: 'CloseCase', caseId, data: {} });
  if (workflowType === 'caseWorkflow') {
    // Complete = every event on Kafka.
    let view = await handle.query(caseViewQuery);
    while (view.state.status === 'none' || view.publishedSequence < view.state.version) {
      await new Promise((r) => setTimeout(r, 10));
      view = await handle.query(caseViewQuery);
    }
  } else {
    await handle.result();
  }
  return handle;
}

interface LifecycleRun {
  rate: number;
  historyEvents: number;
  /** Workflow tasks, activities and timers in the first case's history: what a command costs the server. */
  workflowTasks: number;
  activities: number;
  timers: number;
}

async function casesPerSecond(client: Client, type: 'caseWorkflow' | 'noopCaseWorkflow', taskQueue: string, label: string): Promise<LifecycleRun> {
  let next = 0;
  let firstHandle: WorkflowHandle | undefined;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: opts.parallel }, async () => {
      while (next < opts.cases) {
        const i = next++;
        const handle = await runLifecycle(client, type, taskQueue, `BENCH-${label}-${stamp}-${i}`);
        firstHandle ??= handle;
      }
    }),
  );
  const rate = opts.cases / ((performance.now() - t0) / 1000);
  const history = await firstHandle!.fetchHistory();
  const events = history.events ?? [];
  const count = (type: number) => events.filter((e) => e.eventType === type).length;
  const { EventType } = proto.temporal.api.enums.v1;
  return {
    rate,
    historyEvents: events.length,
    workflowTasks: count(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    activities: count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
    timers: count(EventType.EVENT_TYPE_TIMER_STARTED),
  };
}

async function lifecycle(): Promise<void> {
  say(`lifecycle: ${opts.cases} cases, ${opts.parallel} in parallel, agreement path (ReceiveCase + 12 updates)`);
  const taskQueue = `bench-lifecycle-${stamp}`;
  const topic = `bench.lifecycle-${stamp}`;
  await createTopic(topic, 3);
  const worker = await startWorker(taskQueue, topic);
  const { client, close } = await temporalClient();
  try {
    // Warm-up (bundle load, connections), then baseline, the real workflow, baseline again.
    await runLifecycle(client, 'caseWorkflow', taskQueue, `BENCH-warm-${stamp}`);
    await runLifecycle(client, 'noopCaseWorkflow', taskQueue, `BENCH-warmnoop-${stamp}`);
    const noop1 = await casesPerSecond(client, 'noopCaseWorkflow', taskQueue, 'noop1');
    const real = await casesPerSecond(client, 'caseWorkflow', taskQueue, 'case');
    const noop2 = await casesPerSecond(client, 'noopCaseWorkflow', taskQueue, 'noop2');
    const noop = (noop1.rate + noop2.rate) / 2;
    report({
      section: 'lifecycle',
      measurement: `complete case, ${opts.parallel} in parallel (${opts.cases} cases)`,
      figure: `${real.rate.toFixed(2)} cases/s`,
      baseline: `no-op workflow, same updates: ${noop.toFixed(2)} cases/s (${noop1.rate.toFixed(2)}, ${noop2.rate.toFixed(2)})`,
      ratio: ratio(real.rate, noop),
      goal: '≥ 0.50',
    });
    const tasks = (r: LifecycleRun) => `${r.workflowTasks} workflow tasks, ${r.activities} activities, ${r.timers} timers`;
    report({
      section: 'lifecycle',
      measurement: 'Temporal history events per case',
      figure: `${real.historyEvents} (${tasks(real)})`,
      baseline: `no-op workflow: ${noop1.historyEvents} (${tasks(noop1)})`,
      ratio: `${(real.historyEvents / noop1.historyEvents).toFixed(2)}×`,
      goal: 'reported',
    });
  } finally {
    await close();
    await worker.stop();
    await deleteTopic(topic);
  }
}

// ------------------------------------------------------------------ worker memory against open cases

let openFailures = 0;
async function openCase(client: Client, taskQueue: string, caseId: string): Promise<void> {
  const handle = await client.workflow.start('caseWorkflow', { workflowId: caseId, taskQueue, args: [receiveInput(caseId)] });
  // Under load a workflow task can fail (e.g. the SDK's 2 s deadlock check on a starved CPU) and is
  // retried by the server; an update sent meanwhile is refused. Counted and sent again — the same request,
  // so that one the workflow did apply (its answer lost to a timeout) is answered as a repeat, not refused
  // as an AcceptCase of an accepted case.
  const accept = request({ type: 'AcceptCase', caseId, data: {} }, clerk);
  for (let attempt = 1; ; attempt++) {
    try {
      await handle.executeUpdate(commandUpdates.AcceptCase, { args: [accept] });
      return;
    } catch (error) {
      openFailures++;
      if (attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 2_000 * attempt));
    }
  }
}

async function memory(): Promise<void> {
  const taskQueue = `bench-memory-${stamp}`;
  const topic = `bench.memory-${stamp}`;
  await createTopic(topic, 3);
  const worker = await startWorker(taskQueue, topic, opts.cache || undefined);
  const { client, close } = await temporalClient();
  say(`memory: worker RSS against open cases (received + accepted, clocks running); maxCachedWorkflows ${worker.maxCachedWorkflows}`);
  try {
    await openCase(client, taskQueue, `BENCH-memwarm-${stamp}`);
    await new Promise((r) => setTimeout(r, 2_000));
    const idle = await worker.stats();
    let open = 1;
    const curve: { open: number; rssMiB: number; cached: number; startsPerSecond: number; load: string }[] = [];
    for (const target of opts.open) {
      const t0 = performance.now();
      const before = open;
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          while (open < target) {
            const i = open++;
            await openCase(client, taskQueue, `BENCH-mem-${stamp}-${i}`);
          }
        }),
      );
      const startsPerSecond = (open - before) / ((performance.now() - t0) / 1000);
      await new Promise((r) => setTimeout(r, 3_000));
      const s = await worker.stats();
      const load = os.loadavg()[0]!.toFixed(1);
      curve.push({ open, rssMiB: s.rss / 2 ** 20, cached: s.cached, startsPerSecond, load });
      say(`  ${open} open: RSS ${Math.round(s.rss / 2 ** 20)} MiB, ${s.cached} cached, heap ${Math.round(s.heapUsed / 2 ** 20)} MiB, ${startsPerSecond.toFixed(1)} opened/s, load ${load}, ${openFailures} updates refused and sent again`);
    }
    const last = curve[curve.length - 1]!;
    const idleMiB = idle.rss / 2 ** 20;
    // Per cached workflow: the slope over the points where every open case was still cached.
    const filling = curve.filter((c) => c.cached >= c.open - 1);
    const slope =
      filling.length >= 2
        ? (filling[filling.length - 1]!.rssMiB - filling[0]!.rssMiB) / (filling[filling.length - 1]!.cached - filling[0]!.cached)
        : (last.rssMiB - idleMiB) / Math.max(1, last.cached - 1);
    // Beyond the cache: the cache is full, each new case evicts one, RSS stays where the full cache put it.
    const beyond = curve.filter((c) => c.open > worker.maxCachedWorkflows);
    const flat = beyond.length > 0 ? Math.max(...beyond.map((c) => c.rssMiB)) : idleMiB + slope * worker.maxCachedWorkflows;
    report({
      section: 'memory',
      measurement: `worker RSS against open cases, maxCachedWorkflows ${worker.maxCachedWorkflows}`,
      figure: `${Math.round(last.rssMiB)} MiB at ${last.open} open (${last.cached} cached); curve open:RSS@opened/s(load) ${curve.map((c) => `${c.open}:${Math.round(c.rssMiB)}MiB@${c.startsPerSecond.toFixed(1)}/s(${c.load})`).join(' ')}`,
      baseline: `idle worker: ${Math.round(idleMiB)} MiB`,
      ratio: `${slope.toFixed(2)} MiB per cached workflow; 100,000 open → ${Math.round(flat)} MiB (${beyond.length > 0 ? `flat beyond the cache, measured up to ${last.open}` : 'cache not yet full: idle + slope × cache size'})`,
      goal: '100,000 open ≤ 2,048 MiB',
    });
  } finally {
    await terminateAll(client, `BENCH-mem`);
    await close();
    await worker.stop();
    await deleteTopic(topic);
  }
}

async function terminateAll(client: Client, prefix: string): Promise<void> {
  // Open workflows would keep their timers (and the server busy) for the rest of the run.
  let n = 0;
  const pending: Promise<unknown>[] = [];
  for await (const w of client.workflow.list({ query: `ExecutionStatus = 'Running' AND WorkflowId STARTS_WITH '${prefix}'` })) {
    pending.push(client.workflow.getHandle(w.workflowId).terminate('bench done').catch(() => undefined));
    if (pending.length >= 50) await Promise.all(pending.splice(0));
    n++;
  }
  await Promise.all(pending);
  say(`  terminated ${n} open workflows`);
}

// ------------------------------------------------------------------ timer lateness

async function timers(): Promise<void> {
  const taskQueue = `bench-timers-${stamp}`;
  const worker = await startWorker(taskQueue, `unused-${stamp}`, opts.cache || undefined);
  const { client, close } = await temporalClient();
  say(`timers: ${fmt(opts.timers)} clocks due within one minute, each beside a sleep-only twin due at the same moment (dev server, real time); maxCachedWorkflows ${worker.maxCachedWorkflows}`);
  const clockId = (i: number) => `BENCH-clock-${stamp}-${i}`;
  const sleepId = (i: number) => `BENCH-sleep-${stamp}-${i}`;
  try {
    // Start rate measured on a first slice decides when the minute begins, so that every timer is set
    // before it is due.
    const startPair = (i: number, dueAt: number) =>
      Promise.all([
        client.workflow.start('clockWorkflow', { workflowId: clockId(i), taskQueue, args: [dueAt] }),
        client.workflow.start('sleepWorkflow', { workflowId: sleepId(i), taskQueue, args: [dueAt] }),
      ]);
    const probe = Math.min(100, opts.timers);
    const t0 = Date.now();
    const far = Date.now() + 3_600_000;
    await Promise.all(Array.from({ length: probe }, (_, i) => startPair(i, far)));
    const pairRate = probe / ((Date.now() - t0) / 1000);
    const minuteStarts = Date.now() + ((opts.timers - probe) / pairRate) * 1.6 * 1000 + 15_000;
    say(`  start rate ${pairRate.toFixed(0)} pairs/s; the minute begins in ${Math.round((minuteStarts - Date.now()) / 1000)} s (load ${os.loadavg()[0]!.toFixed(1)})`);
    // The probe's workflows are left out of the count (their timers are an hour away).
    let next = probe;
    const dues = new Map<number, number>();
    await Promise.all(
      Array.from({ length: 40 }, async () => {
        while (next < opts.timers + probe) {
          const i = next++;
          const dueAt = minuteStarts + Math.floor(Math.random() * 60_000);
          dues.set(i, dueAt);
          await startPair(i, dueAt);
        }
      }),
    );
    const setBy = Date.now();
    if (setBy > minuteStarts) say(`  warning: the last timer was set ${setBy - minuteStarts} ms after the minute began`);
    await new Promise((r) => setTimeout(r, Math.max(0, minuteStarts + 60_000 - Date.now())));
    const loadInMinute = os.loadavg()[0]!.toFixed(1);
    // The clocks report through their activity; the twins are read from their close time once closed.
    const lateness: number[] = [];
    let lastProgress = Date.now();
    let lastCount = 0;
    while (lateness.length < opts.timers && Date.now() - lastProgress < 60_000) {
      lateness.push(...(await worker.wakes()));
      if (lateness.length > lastCount) {
        lastCount = lateness.length;
        lastProgress = Date.now();
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const s = await worker.stats();
    const sleeperLateness: number[] = [];
    for (let attempt = 0; attempt < 60 && sleeperLateness.length < opts.timers; attempt++) {
      sleeperLateness.length = 0;
      for await (const w of client.workflow.list({ query: `WorkflowType = 'sleepWorkflow' AND ExecutionStatus = 'Completed' AND WorkflowId STARTS_WITH 'BENCH-sleep-${stamp}-'` })) {
        const i = Number(w.workflowId.slice(w.workflowId.lastIndexOf('-') + 1));
        const due = dues.get(i);
        if (due !== undefined && w.closeTime) sleeperLateness.push(w.closeTime.getTime() - due);
      }
      if (sleeperLateness.length < opts.timers) await new Promise((r) => setTimeout(r, 5_000));
    }
    const sorted = (l: number[]) => [...l].sort((a, b) => a - b);
    const p = (l: number[], q: number) => l[Math.min(l.length - 1, Math.floor(q * l.length))] ?? NaN;
    const clocks = sorted(lateness);
    const twins = sorted(sleeperLateness);
    const within1s = (l: number[]) => `${((l.filter((x) => x <= 1000).length / Math.max(1, l.length)) * 100).toFixed(1)}% within 1 s`;
    report({
      section: 'timers',
      measurement: `timer lateness, ${fmt(clocks.length)} of ${fmt(opts.timers)} clocks due in one minute (timer → workflow task → activity, as a case clock fires; woke = the activity ran), ${fmt(opts.timers * 2)} timers in all; load ${loadInMinute}`,
      figure: `p50 ${fmt(p(clocks, 0.5))} ms, p99 ${fmt(p(clocks, 0.99))} ms, max ${fmt(clocks[clocks.length - 1] ?? NaN)} ms; ${within1s(clocks)}`,
      baseline: `sleep-only twin due at the same moments, same server and worker (${fmt(twins.length)} closed): p50 ${fmt(p(twins, 0.5))} ms, p99 ${fmt(p(twins, 0.99))} ms, ${within1s(twins)}; worker RSS ${Math.round(s.rss / 2 ** 20)} MiB with ${s.cached} cached`,
      ratio: `p99 ${(p(clocks, 0.99) / p(twins, 0.99)).toFixed(2)}× the twin's, p50 ${(p(clocks, 0.5) / p(twins, 0.5)).toFixed(2)}×`,
      goal: 'p99 ≤ 1,000 ms',
    });
  } finally {
    await terminateAll(client, `BENCH-clock-${stamp}`);
    await terminateAll(client, `BENCH-sleep-${stamp}`);
    await close();
    await worker.stop();
  }
}

// ------------------------------------------------------------------ command → read model

async function latency(): Promise<void> {
  if (!databaseUrl) throw new Error('latency: DATABASE_URL is needed (npm run bench starts PostgreSQL)');
  const taskQueue = `bench-latency-${stamp}`;
  const topic = `bench.latency-${stamp}`;
  await createTopic(topic, opts.partitions);
  const worker = await startWorker(taskQueue, topic, opts.cache || undefined);
  const { client, close } = await temporalClient();
  const db = await openDb({ url: databaseUrl });
  const schema = `bench_latency_${stamp}`;
  const projector = await startProjector({ db, schema, brokers, topic, groupId: `bench-latency-${stamp}`, log });
  const sentAt = new Map<string, number>();
  const onKafka = new Map<string, number>();
  const inReadModel = new Map<string, number>();
  const answered = new Map<string, number>();
  const consumer = kafkaQuiet.consumer({ groupId: `bench-latency-raw-${stamp}`, maxWaitTimeInMs: 20 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => {
    const key = message.key?.toString() ?? '';
    if (!onKafka.has(key)) onKafka.set(key, Date.now());
  } });
  say(`latency: ReceiveCase at ${opts.rate} cases/s for ${opts.seconds} s; command → on Kafka → in the read model (PostgreSQL)`);
  let polling = true;
  let stopAt = Infinity;
  const poller = (async () => {
    while (polling || inReadModel.size < sentAt.size) {
      const pending = [...sentAt.keys()].filter((k) => !inReadModel.has(k));
      if (pending.length > 0) {
        const found = await db.query<{ case_id: string }>(`select case_id from ${schema}.case_summary where case_id = any($1::text[])`, [pending]);
        const now = Date.now();
        for (const r of found.rows) inReadModel.set(r.case_id, now);
      }
      await new Promise((r) => setTimeout(r, 10));
      if (!polling && Date.now() - stopAt > 60_000) break;
    }
  })();
  try {
    const total = opts.rate * opts.seconds;
    const t0 = Date.now();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / opts.rate;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const caseId = `BENCH-lat-${stamp}-${i}`;
      sentAt.set(caseId, Date.now());
      sends.push(client.workflow.start('caseWorkflow', { workflowId: caseId, taskQueue, args: [receiveInput(caseId)] }).then(() => answered.set(caseId, Date.now())));
    }
    await Promise.all(sends);
    stopAt = Date.now();
    polling = false;
    await poller;
    const pct = (m: Map<string, number>, q: number) => {
      const l = [...sentAt].flatMap(([k, t]) => (m.has(k) ? [m.get(k)! - t] : [])).sort((a, b) => a - b);
      return l[Math.min(l.length - 1, Math.floor(q * l.length))] ?? NaN;
    };
    report({
      section: 'latency',
      measurement: `command → visible in the read model at ${opts.rate} cases/s (${inReadModel.size} of ${sentAt.size})`,
      figure: `p50 ${fmt(pct(inReadModel, 0.5))} ms, p99 ${fmt(pct(inReadModel, 0.99))} ms`,
      baseline: `the command's own round trip (start answered by the server): p50 ${fmt(pct(answered, 0.5))} ms, p99 ${fmt(pct(answered, 0.99))} ms; command → its event on Kafka: p50 ${fmt(pct(onKafka, 0.5))} ms, p99 ${fmt(pct(onKafka, 0.99))} ms; load ${os.loadavg()[0]!.toFixed(1)}`,
      ratio: `workflow + publish add p50 ${fmt(pct(onKafka, 0.5) - pct(answered, 0.5))} ms, the projector p50 ${fmt(pct(inReadModel, 0.5) - pct(onKafka, 0.5))} ms`,
      goal: 'reported',
    });
  } finally {
    polling = false;
    await consumer.disconnect();
    await projector.stop();
    await db.exec(`drop schema ${schema} cascade`).catch(() => undefined);
    await db.close();
    await terminateAll(client, `BENCH-lat-${stamp}`);
    await close();
    await worker.stop();
    await deleteTopic(topic);
  }
}

// ------------------------------------------------------------------ main

say(`bench ${stamp}: ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; sections ${only.join(', ')}`);
const started = performance.now();
if (only.includes('projector') || only.includes('verify')) await projectorAndVerify();
if (only.includes('lifecycle')) await lifecycle();
if (only.includes('memory')) await memory();
if (only.includes('timers')) await timers();
if (only.includes('latency')) await latency();
if (bundlePath) fs.rmSync(bundlePath, { force: true });

const lines = [
  '',
  `| measurement | figure | baseline (same data, same run) | ratio | goal |`,
  `|---|---|---|---|---|`,
  ...rows.map((r) => `| ${r.measurement} | ${r.figure} | ${r.baseline} | ${r.ratio} | ${r.goal} |`),
  '',
  `${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at the end; ${((performance.now() - started) / 1000).toFixed(0)} s in all.`,
];
console.log(lines.join('\n'));
process.exit(0);
