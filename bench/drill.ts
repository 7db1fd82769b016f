// The fault drill: `npm run drill`. A steady load of cases runs through the real stack — the agreement
// path through the HTTP API with real access tokens (eleven commands a case, each retried with its
// Idempotency-Key as a careful client would) — while the drill kills, N times each:
//   worker      the worker process (SIGKILL) mid-case;
//   kafka       the broker (SIGKILL) while events are being published;
//   projector   the API process, which runs the projector, while it has a batch to consume (SIGKILL);
//   postgresql  the read models' server under the projector (SIGKILL of its process group: a crash restart);
//   temporal    the Temporal dev server (SIGKILL) mid-case; its SQLite file keeps the state.
// Every piece is started again by the stack's supervisor (ops/supervise.ts, as under `npm start`), after a
// one-second pause. Then, for every case: the topic holds sequences 1..N exactly once (read from offset 0,
// by key; N = the workflow's version, and every event a command's answer listed is there); the read models
// equal a rebuild from offset 0; `mediation audit verify --all` is green; `audit compare` finds no
// difference for a sample; no case is stuck. A table on stdout, pino logs (progress) on stderr; exit 1
// when any check fails.
//
//   npm run drill                                     5 injections of each fault, 6 cases in flight
//   npm run drill -- --injections 1 --only worker,kafka --cases 4 --report drill.json
//
// Time to recover (one injection): from the SIGKILL until (1) a probe — a new case created and accepted
// through the API — has succeeded, (2) the read models hold the probe's events, and (3) the projector's
// checkpoint has reached, on every partition, the topic's end as it stood when (2) was seen. The supervisor
// restarts every piece, so the clock starts at the kill; "back up" is kill → the piece started again and
// answering its health check.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { runAudit } from '../cli/main.js';
import { chinaDateOf } from '../domain/calendar/index.js';
import { startDrillStack, type DrillPiece, type DrillStack } from '../ops/drill.js';
import { openDb, type Db } from '../readmodels/db.js';
import { dumpReadModels } from '../readmodels/dump.js';
import { rebuildProjections, rebuildStamp } from '../readmodels/rebuild.js';
import { createLogger } from '../runtime/log.js';
import { temporalClient } from '../runtime/clients.js';
import { newCaseBody } from '../testkit/cases.js';
import { loadAppConfig } from '../runtime/config.js';
import { tokenFor } from '../test/support/tokens.js';
import { caseViewQuery } from '../workflows/messages.js';
import { checkCaseLog, dumpDifferences, lostCount, renderTable, stuckReason, type CaseLogCheck, type FaultRow, type TopicRecord } from './drill-checks.js';

// ------------------------------------------------------------------ options

export const FAULTS = ['worker', 'kafka', 'projector', 'postgresql', 'temporal'] as const;
export type Fault = (typeof FAULTS)[number];
const PIECE: Record<Fault, DrillPiece> = { worker: 'worker', kafka: 'kafka', projector: 'api', postgresql: 'postgresql', temporal: 'temporal' };
const FAULT_LABEL: Record<Fault, string> = {
  worker: 'worker SIGKILL mid-case',
  kafka: 'Kafka broker SIGKILL while publishing',
  projector: 'API+projector SIGKILL mid-batch',
  postgresql: 'PostgreSQL crash restart under the projector',
  temporal: 'Temporal dev server SIGKILL mid-case',
};

const argv = process.argv.slice(2);
function option(name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
  return value;
}
function count(name: string, fallback: number, min: number): number {
  const n = Number(option(name, String(fallback)));
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: expected a whole number of at least ${min}`);
  return n;
}
const opts = {
  injections: count('injections', 5, 1),
  cases: count('cases', 6, 1),
  only: option('only', FAULTS.join(',')).split(',').map((f) => {
    if (!(FAULTS as readonly string[]).includes(f)) throw new Error(`--only: unknown fault '${f}' (one of ${FAULTS.join(', ')})`);
    return f as Fault;
  }),
  compare: count('compare', 5, 0),
  report: argv.includes('--report') ? option('report', '') : undefined,
  /** Pause after each recovery before the next injection (ms): the load runs undisturbed meanwhile. */
  gapMs: count('gap-ms', 3_000, 0),
  /** An injection not recovered after this long fails the drill (and ends the injections). */
  recoverLimitMs: count('recover-limit-ms', 300_000, 10_000),
};

const log = createLogger('drill', undefined, pino.destination(2));
const stamp = Date.now().toString(36).toUpperCase();
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ the load

interface CaseRun {
  caseId: string;
  probe: boolean;
  startedAt: number;
  endedAt?: number;
  /** Event id → sequence of every event a 2xx answer listed. */
  acknowledged: Map<string, number>;
  commands: number;
  retries: number;
  failure?: string;
}

class CommandError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const cases = new Map<string, CaseRun>();
let caseCounter = 0;
let totalRetries = 0;

function newRun(probe: boolean): CaseRun {
  const caseId = `DR-${stamp}-${probe ? 'P' : 'C'}${++caseCounter}`;
  const run: CaseRun = { caseId, probe, startedAt: Date.now(), acknowledged: new Map(), commands: 0, retries: 0 };
  cases.set(caseId, run);
  return run;
}

function api(stack: DrillStack) {
  const issuer = stack.config.oidc.issuer;
  // Staff sign in as the console does: its callback is registered at the drill's API port (test/support/tokens.ts).
  process.env.API_PORT = String(stack.config.api.port);
  // The seeded accounts' tokens live 15 minutes: a new one after ten.
  const token = (who: string) => tokenFor(who, issuer, 10 * 60_000);

  /** One attempt; status 0 when no answer came (refused, reset, timed out). */
  async function once(who: string, method: string, url: string, body: unknown, key: string | undefined, timeoutMs: number): Promise<{ status: number; body: unknown }> {
    try {
      const res = await fetch(`${stack.apiUrl}${url}`, {
        method,
        headers: { authorization: `Bearer ${await token(who)}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: kept as text */
      }
      return { status: res.status, body: parsed };
    } catch (err) {
      return { status: 0, body: err instanceof Error ? err.message : String(err) };
    }
  }

  const record = (run: CaseRun, body: unknown) => {
    const events = (body as { events?: { eventId: string; sequence: number }[] } | undefined)?.events ?? [];
    for (const e of events) run.acknowledged.set(e.eventId, e.sequence);
    return events as { eventId: string; sequence: number; type: string; data: Record<string, unknown> }[];
  };

  /**
   * A command as a careful client sends it: no answer, 429 or 5xx → the same request again (same
   * Idempotency-Key) until it is answered, for up to five minutes. A POST /cases answered 409 after an
   * unanswered attempt is the case that attempt created.
   */
  async function send(run: CaseRun, who: string, method: string, url: string, body: unknown, key?: string) {
    const until = Date.now() + 300_000;
    run.commands++;
    for (let attempt = 1; ; attempt++) {
      const res = await once(who, method, url, body, key, 60_000);
      if (res.status >= 200 && res.status < 300) return record(run, res.body);
      if (res.status === 409 && url === '/cases' && attempt > 1) return [];
      const transient = res.status === 0 || res.status === 429 || res.status >= 500;
      if (!transient || Date.now() > until) throw new CommandError(res.status, `${method} ${url}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      run.retries++;
      totalRetries++;
      await sleep(Math.min(250 * attempt, 3_000));
    }
  }

  const command = (run: CaseRun, who: string, type: string, data: unknown) => send(run, who, 'POST', `/cases/${run.caseId}/commands/${type}`, data, crypto.randomUUID());

  /** ReceiveCase and the agreement path: eleven commands, a session held once its time has come. */
  async function agreementPath(run: CaseRun): Promise<void> {
    const id = run.caseId;
    await send(run, 'clerk', 'POST', '/cases', newCaseBody(id));
    await command(run, 'clerk', 'AcceptCase', {});
    await command(run, 'clerk', 'ClassifyCase', { disputeType: 'wage-arrears' });
    await command(run, 'clerk', 'RouteCase', {});
    // The session a moment ahead; a retry that arrives after that moment is refused as in the past: a new
    // moment (and a new key, since it is a new command).
    let sessionAt = 0;
    let sessionId: string | undefined;
    for (let lead = 3_000; !sessionId; lead *= 2) {
      sessionAt = Date.now() + lead;
      try {
        const events = await command(run, 'mediator', 'ScheduleSession', { at: new Date(sessionAt).toISOString(), place: '城关镇调解室', departments: ['union'] });
        sessionId = events.find((e) => e.type === 'SessionScheduled')?.data.sessionId as string | undefined;
        if (!sessionId) throw new Error(`${id}: ScheduleSession answered without a SessionScheduled event`);
      } catch (err) {
        if (!(err instanceof CommandError) || err.status === 0 || err.status >= 500 || lead > 60_000) throw err;
        log.warn({ caseId: id, status: err.status, err: err.message }, 'session refused; scheduling it later');
      }
    }
    await sleep(Math.max(0, sessionAt + 1_000 - Date.now()));
    await command(run, 'mediator', 'HoldSession', { sessionId, outcome: 'progress', minutes: '双方陈述', departmentOpinions: [] });
    const dueOn = chinaDateOf(new Date(Date.now() + 30 * 86_400_000).toISOString());
    await command(run, 'mediator', 'RecordAgreement', { totalAmountFen: 600_000, items: [{ kind: 'wages', amountFen: 600_000 }], schedule: [{ dueOn, amountFen: 600_000 }], terms: '一次性支付' });
    await command(run, 'mediator', 'RecordPayment', { amountFen: 600_000, paidOn: chinaDateOf(new Date().toISOString()) });
    await command(run, 'clerk', 'SendReply', { method: 'written', summary: '协议已履行' });
    await command(run, 'clerk', 'RecordFeedback', { score: 5 });
    await command(run, 'mediator', 'CloseCase', {});
  }

  /** The probe of "commands succeed again": a new case created and accepted, one attempt at a time. */
  async function probeCommands(limitAt: number): Promise<CaseRun | undefined> {
    const run = newRun(true);
    let created = false;
    const key = crypto.randomUUID();
    let attempts = 0;
    while (Date.now() < limitAt) {
      attempts++;
      if (!created) {
        const res = await once('clerk', 'POST', '/cases', newCaseBody(run.caseId), undefined, 10_000);
        created = res.status === 201 || (res.status === 409 && attempts > 1);
        if (created) run.commands++;
      }
      if (created) {
        const res = await once('clerk', 'POST', `/cases/${run.caseId}/commands/AcceptCase`, {}, key, 10_000);
        if (res.status === 200) {
          run.commands++;
          record(run, res.body);
          run.endedAt = Date.now();
          return run;
        }
      }
      await sleep(250);
    }
    run.failure = 'the probe did not succeed before the limit';
    run.endedAt = Date.now();
    return undefined;
  }

  return { agreementPath, probeCommands };
}

// ------------------------------------------------------------------ Kafka and the read models

function quietKafka(stack: DrillStack): Kafka {
  return new Kafka({ clientId: 'drill', brokers: stack.config.kafka.brokers, logLevel: logLevel.NOTHING, connectionTimeout: 2_000, retry: { retries: 1 } });
}

/** The topic's end offset per partition, or undefined while Kafka does not answer. */
async function highWatermarks(stack: DrillStack): Promise<Map<number, bigint> | undefined> {
  const admin = quietKafka(stack).admin();
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(stack.topic);
    return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } catch {
    return undefined;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The projector's checkpoint per partition, or undefined while PostgreSQL does not answer. */
async function checkpoints(db: Db, topic: string): Promise<Map<number, bigint> | undefined> {
  try {
    const rows = await db.query<{ partition: number; next_offset: string }>(`select partition, next_offset::text as next_offset from rm.projector_checkpoint where topic = $1`, [topic]);
    return new Map(rows.rows.map((r) => [r.partition, BigInt(r.next_offset)]));
  } catch {
    return undefined;
  }
}

const reached = (done: Map<number, bigint>, target: Map<number, bigint>) => [...target].every(([p, high]) => high === 0n || (done.get(p) ?? 0n) >= high);

async function readModelHas(db: Db, caseId: string, sequence: number): Promise<boolean> {
  try {
    const found = await db.query<{ last_sequence: number }>(`select last_sequence from rm.case_progress where case_id = $1`, [caseId]);
    return (found.rows[0]?.last_sequence ?? 0) >= sequence;
  } catch {
    return false;
  }
}

/** Waits until the read models have reached the topic's end as it is now (read again while Kafka is away). */
async function readModelsCaughtUp(stack: DrillStack, db: Db, limitAt: number): Promise<boolean> {
  let target: Map<number, bigint> | undefined;
  while (Date.now() < limitAt) {
    target ??= await highWatermarks(stack);
    const done = target && (await checkpoints(db, stack.topic));
    if (target && done && reached(done, target)) return true;
    await sleep(200);
  }
  return false;
}

/** Every record of the topic from offset 0, by key (the case id). */
async function readWholeTopic(stack: DrillStack): Promise<Map<string, TopicRecord[]>> {
  const target = await highWatermarks(stack);
  if (!target) throw new Error('Kafka does not answer: cannot read the topic');
  const byCase = new Map<string, TopicRecord[]>();
  const kafka = new Kafka({ clientId: 'drill-reader', brokers: stack.config.kafka.brokers, logLevel: logLevel.ERROR });
  const consumer = kafka.consumer({ groupId: `drill-reader-${stamp}-${Date.now()}`, maxWaitTimeInMs: 200 });
  const position = new Map<number, bigint>();
  let done: () => void = () => undefined;
  const finished = new Promise<void>((r) => (done = r));
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: stack.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const value = JSON.parse(message.value?.toString() ?? 'null') as { sequence: number; eventId: string };
        const key = message.key?.toString() ?? '';
        let list = byCase.get(key);
        if (!list) byCase.set(key, (list = []));
        list.push({ sequence: value.sequence, eventId: value.eventId });
        position.set(partition, BigInt(message.offset) + 1n);
        if (reached(position, target)) done();
      },
    });
    if (!reached(position, target)) await Promise.race([finished, sleep(120_000).then(() => Promise.reject(new Error('reading the topic: not at its end after 120 s')))]);
  } finally {
    await consumer.disconnect();
  }
  return byCase;
}

// ------------------------------------------------------------------ the drill

interface Injection {
  fault: Fault;
  n: number;
  killedAt: number;
  upAt: number;
  recoveredAt: number;
}

async function main(): Promise<number> {
  const started = Date.now();
  log.info({ ...opts, cores: os.cpus().length, load: os.loadavg() }, 'drill: starting its own stack');
  const stack = await startDrillStack({ log });
  const onSignal = () => {
    log.warn('drill: interrupted; stopping its stack');
    void stack.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const db = await openDb({ url: stack.databaseUrl }, { onConnectionError: () => undefined });
  const client = api(stack);
  const injections: Injection[] = [];
  const failures: string[] = [];
  try {
    log.info({ api: stack.apiUrl, temporal: stack.config.temporal.address, kafka: stack.config.kafka.brokers, postgres: stack.config.database.localPostgresPort }, 'drill: stack up; starting the load');
    // The load: `--cases` lanes, each running cases one after the other until the injections are done.
    let loadOn = true;
    const lanes = Array.from({ length: opts.cases }, async (_, lane) => {
      await sleep(lane * 700); // staggered, so the lanes' cases are at different commands at any moment
      while (loadOn) {
        const run = newRun(false);
        try {
          await client.agreementPath(run);
        } catch (err) {
          run.failure = err instanceof Error ? err.message : String(err);
          log.error({ caseId: run.caseId, err: run.failure }, 'drill: a case of the load failed');
        }
        run.endedAt = Date.now();
      }
    });
    await sleep(8_000);

    const faults = FAULTS.filter((f) => opts.only.includes(f));
    const total = faults.length * opts.injections;
    let stopInjecting = false;
    for (const fault of faults) {
      for (let n = 1; n <= opts.injections && !stopInjecting; n++) {
        // Mid-case: some case of the load has started and not finished.
        for (let i = 0; i < 100 && ![...cases.values()].some((c) => !c.probe && c.endedAt === undefined && c.acknowledged.size > 0); i++) await sleep(100);
        if (fault === 'projector') {
          // Mid-batch: the projector has records to consume.
          for (let i = 0; i < 100; i++) {
            const [high, done] = [await highWatermarks(stack), await checkpoints(db, stack.topic)];
            if (high && done && !reached(done, high)) break;
            await sleep(50);
          }
        }
        const killedAt = stack.kill(PIECE[fault]);
        const limitAt = killedAt + opts.recoverLimitMs;
        const up = stack.backUp(PIECE[fault], killedAt, opts.recoverLimitMs).catch((err: unknown) => {
          failures.push(`${fault} #${n}: ${err instanceof Error ? err.message : String(err)}`);
          return NaN;
        });
        const probe = await client.probeCommands(limitAt);
        let recoveredAt = NaN;
        if (probe) {
          const probeSeq = Math.max(...probe.acknowledged.values());
          while (Date.now() < limitAt && !(await readModelHas(db, probe.caseId, probeSeq))) await sleep(200);
          if (await readModelHas(db, probe.caseId, probeSeq)) {
            if (await readModelsCaughtUp(stack, db, limitAt)) recoveredAt = Date.now();
          }
        }
        const upAt = await up;
        injections.push({ fault, n, killedAt, upAt, recoveredAt });
        if (Number.isNaN(recoveredAt)) {
          failures.push(`${fault} #${n}: not recovered within ${opts.recoverLimitMs / 1000} s`);
          stopInjecting = true;
        }
        log.info(
          { fault, injection: `${injections.length} of ${total}`, backUpSeconds: (upAt - killedAt) / 1000, recoveredSeconds: (recoveredAt - killedAt) / 1000, cases: cases.size, retries: totalRetries },
          `drill: ${FAULT_LABEL[fault]} #${n} ${Number.isNaN(recoveredAt) ? 'NOT recovered' : 'recovered'}`,
        );
        await sleep(opts.gapMs);
      }
    }

    log.info({ inFlight: [...cases.values()].filter((c) => c.endedAt === undefined).length }, 'drill: injections done; letting the cases in flight finish');
    loadOn = false;
    await Promise.all(lanes);

    // ---------------------------------------------------------------- checks
    // A check that cannot run (e.g. Kafka's group coordinator never came back) fails the drill, and the
    // table of what was measured is still printed.
    const checks = await runChecks(stack, db).catch((err: unknown) => ({
      failures: [`the checks could not run: ${err instanceof Error ? err.message : String(err)}`],
      summary: ['checks: could not run (see the failures below)'],
      logs: new Map<string, { check: CaseLogCheck; lost: number }>(),
    }));
    failures.push(...checks.failures);
    for (const run of cases.values()) if (run.failure) failures.push(`case ${run.caseId}: ${run.failure}`);

    const rows: FaultRow[] = faults.map((fault) => {
      const mine = injections.filter((i) => i.fault === fault);
      const touched = [...cases.values()].filter((c) => mine.some((i) => c.startedAt <= (Number.isNaN(i.recoveredAt) ? Infinity : i.recoveredAt) && (c.endedAt ?? Infinity) >= i.killedAt));
      return rowFor(FAULT_LABEL[fault], mine, touched, checks.logs);
    });
    rows.push(rowFor('all cases of the run', injections, [...cases.values()], checks.logs));

    const runs = [...cases.values()];
    const lines = [
      '',
      renderTable(rows),
      '',
      `cases: ${runs.filter((c) => !c.probe).length} of the load (${runs.filter((c) => !c.probe && !c.failure).length} completed the agreement path) + ${runs.filter((c) => c.probe).length} probes; ` +
        `${runs.reduce((s, c) => s + c.commands, 0)} commands, ${totalRetries} retries after no answer, 429 or 5xx (same Idempotency-Key)`,
      `"cases" of a fault: the cases in flight during at least one of its injections (kill → recovered); "events": theirs on the topic.`,
      `lost: sequences missing from 1..N (N = the workflow's version) or events a command's answer listed that are not on the topic; duplicated: a sequence on the topic more than once.`,
      `back up: kill → the piece started again by the supervisor (1 s pause) and answering. time to recover: kill → a new case created and accepted through the API, its events in the read models, and the projector's checkpoint at the topic's end as it stood then.`,
      ...checks.summary,
      `${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} at the end; ${((Date.now() - started) / 1000).toFixed(0)} s in all.`,
      failures.length === 0 ? 'drill: all checks green' : `drill: ${failures.length} check(s) FAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    if (opts.report) {
      fs.writeFileSync(opts.report, JSON.stringify({ ok: failures.length === 0, failures, rows, injections, checks: checks.summary, options: opts }, null, 2));
    }
    return failures.length === 0 ? 0 : 1;
  } finally {
    await db.close().catch(() => undefined);
    await stack.stop();
  }
}

function rowFor(label: string, mine: readonly Injection[], touched: readonly CaseRun[], logs: ReadonlyMap<string, { check: CaseLogCheck; lost: number }>): FaultRow {
  let events = 0;
  let lost = 0;
  let duplicated = 0;
  for (const c of touched) {
    const l = logs.get(c.caseId);
    if (!l) continue;
    events += l.check.events;
    lost += l.lost;
    duplicated += l.check.duplicated.length;
  }
  return {
    fault: label,
    injections: mine.length,
    cases: touched.length,
    events,
    lost,
    duplicated,
    downMs: mine.map((i) => i.upAt - i.killedAt).filter(Number.isFinite),
    recoverMs: mine.map((i) => i.recoveredAt - i.killedAt).filter(Number.isFinite),
    notRecovered: mine.filter((i) => Number.isNaN(i.recoveredAt)).length,
  };
}

async function runChecks(stack: DrillStack, db: Db): Promise<{ failures: string[]; summary: string[]; logs: Map<string, { check: CaseLogCheck; lost: number }> }> {
  const failures: string[] = [];
  const summary: string[] = [];
  // The client the stack's own processes would build from their environment.
  const { client: temporal, close: closeTemporal } = await temporalClient(loadAppConfig(stack.appEnv));
  const logs = new Map<string, { check: CaseLogCheck; lost: number }>();
  try {
    // 1. Every workflow has published what it wrote (or is stuck: see 5), then the topic from offset 0.
    log.info({ cases: cases.size }, 'checks: waiting for every case to publish its events');
    const versions = new Map<string, number>();
    const settleUntil = Date.now() + 180_000;
    for (const run of cases.values()) {
      for (;;) {
        try {
          const view = await temporal.workflow.getHandle(run.caseId).query(caseViewQuery);
          const version = view.state.status === 'none' ? 0 : view.state.version;
          versions.set(run.caseId, version);
          if (view.publishedSequence >= version || Date.now() > settleUntil) break;
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) break; // never created (its POST failed): no events expected
          if (Date.now() > settleUntil) {
            failures.push(`case ${run.caseId}: caseView query failed: ${err instanceof Error ? err.message : String(err)}`);
            break;
          }
        }
        await sleep(500);
      }
    }
    log.info('checks: reading the topic from offset 0');
    const topic = await readWholeTopic(stack);
    for (const key of topic.keys()) if (!cases.has(key)) failures.push(`the topic holds events of an unknown case ${key}`);
    let lost = 0;
    let duplicated = 0;
    for (const run of cases.values()) {
      const check = checkCaseLog(run.caseId, topic.get(run.caseId) ?? [], versions.get(run.caseId) ?? 0, run.acknowledged);
      const l = lostCount(check, run.acknowledged);
      logs.set(run.caseId, { check, lost: l });
      lost += l;
      duplicated += check.duplicated.length;
      if (l > 0) failures.push(`case ${run.caseId}: lost sequences ${check.lost.join(',')}${check.acknowledgedMissing.length ? `; acknowledged events missing ${check.acknowledgedMissing.join(',')}` : ''}`);
      if (check.duplicated.length > 0) failures.push(`case ${run.caseId}: duplicated sequences ${check.duplicated.join(',')}`);
    }
    const events = [...topic.values()].reduce((s, l) => s + l.length, 0);
    summary.push(`topic from offset 0: ${events} events of ${topic.size} cases; ${lost} lost, ${duplicated} duplicated — ${lost + duplicated === 0 ? 'ok' : 'FAILED'}`);

    // 2. The read models against a rebuild from offset 0 (beside the live schema, not swapped in).
    if (!(await readModelsCaughtUp(stack, db, Date.now() + 180_000))) failures.push('the live projector did not reach the topic end within 180 s');
    const rebuilt = await rebuildProjections({ db, schema: 'rm', brokers: stack.config.kafka.brokers, topic: stack.topic, log, swap: false, stamp: rebuildStamp(), clientId: 'drill-rebuild' });
    try {
      const differences = dumpDifferences(await dumpReadModels(db, 'rm'), await dumpReadModels(db, rebuilt.rebuiltSchema));
      for (const d of differences) failures.push(`read model ${d.table} differs from the rebuild: ${d.onlyLive.length} rows only live, ${d.onlyRebuilt.length} only rebuilt (e.g. ${(d.onlyLive[0] ?? d.onlyRebuilt[0] ?? '').slice(0, 200)})`);
      summary.push(`read models = rebuild from offset 0 (${rebuilt.read} events): ${differences.length === 0 ? 'ok' : `FAILED in ${differences.map((d) => d.table).join(', ')}`}`);
    } finally {
      await db.exec(`drop schema if exists ${rebuilt.rebuiltSchema} cascade`);
    }

    // 3. mediation audit verify --all, as the CLI runs it (its own function, in this process).
    const auditEnv = { ...process.env, ...stack.appEnv };
    const out: string[] = [];
    const err: string[] = [];
    const verifyCode = await runAudit(['verify', '--all', '--json'], { out: (l) => out.push(l), err: (l) => err.push(l) }, { env: auditEnv });
    if (verifyCode !== 0) failures.push(`audit verify --all exited ${verifyCode}: ${(out.join('\n') + err.join('\n')).slice(0, 500)}`);
    summary.push(`mediation audit verify --all: ${verifyCode === 0 ? 'ok' : `FAILED (exit ${verifyCode})`}`);

    // 4. audit compare for a sample: the cases in flight during injections first.
    const sample = [...cases.values()].filter((c) => c.acknowledged.size > 0 && !c.probe).sort((a, b) => b.retries - a.retries).slice(0, opts.compare);
    let same = 0;
    for (const run of sample) {
      const o: string[] = [];
      const e: string[] = [];
      const code = await runAudit(['compare', run.caseId, '--json'], { out: (l) => o.push(l), err: (l) => e.push(l) }, { env: auditEnv });
      if (code === 0) same++;
      else failures.push(`audit compare ${run.caseId} exited ${code}: ${(o.join('\n') + e.join('\n')).slice(0, 500)}`);
    }
    summary.push(`mediation audit compare on ${sample.length} cases (those retried most): ${same} without difference — ${same === sample.length ? 'ok' : 'FAILED'}`);

    // 5. No case stuck: each workflow finished or waits on a person or a clock.
    let stuck = 0;
    for (const run of cases.values()) {
      try {
        const d = await temporal.workflow.getHandle(run.caseId).describe();
        const raw = d.raw;
        const reason = stuckReason({
          caseId: run.caseId,
          status: d.status.name,
          pendingActivities: (raw.pendingActivities ?? []).map((a) => ({ activityType: a.activityType?.name ?? '?', attempt: a.attempt ?? 0, ...(a.lastFailure?.message ? { lastFailure: a.lastFailure.message } : {}) })),
          workflowTaskAttempt: raw.pendingWorkflowTask?.attempt ?? 0,
          unpublished: Math.max(0, (versions.get(run.caseId) ?? 0) - (logs.get(run.caseId)?.check.events ?? 0)),
        });
        if (reason) {
          stuck++;
          failures.push(`case ${run.caseId} is stuck: ${reason}`);
        }
      } catch (e) {
        if (!(e instanceof WorkflowNotFoundError)) throw e;
      }
    }
    summary.push(`stuck cases (failed workflow, an activity past attempt 3, a failing workflow task, events unpublished): ${stuck} — ${stuck === 0 ? 'ok' : 'FAILED'}`);
  } finally {
    await closeTemporal();
  }
  return { failures, summary, logs };
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`drill failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\nretry with: npm run drill\n`);
    process.exit(1);
  },
);
