// Two of everything (issue 14): two worker processes on one task queue, and two API processes (each with
// its projector) in one consumer group, on the test stack's PostgreSQL — as a deployment beyond one machine
// runs them. Cases are driven through both APIs over HTTP, as staff would, and
// (a) the load spreads: both workers run workflow and activity tasks and publish events (their Prometheus
//     exporters say so), both projectors own partitions and apply events (/metrics);
// (b) a rebalance under load loses and duplicates nothing: one API is stopped (SIGTERM) and another one
//     started while cases are being driven, so the group rebalances twice;
// (c) a death is absorbed: one worker and one API are killed (SIGKILL) mid-load; the clients retry on the
//     API that is left, with the same Idempotency-Key, and every case still reaches its end.
// After (b) and after (c): every case's events are on the topic once each, in order; the read models hold
// each exactly once, nothing parked; and they equal a rebuild from offset 0.
import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDb, type Db } from '../../readmodels/db.js';
import { dumpReadModels } from '../../readmodels/dump.js';
import { rebuildProjections } from '../../readmodels/rebuild.js';
import { caseViewQuery } from '../../workflows/messages.js';
import { testDataConverter } from '../../testkit/payload-keys.js';
import { newCaseBody } from '../../testkit/cases.js';
import { freePort, startApiProcess, startWorkerProcess, type EngineProcess } from '../support/processes.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { createTopic, readTopic } from '../support/temporal.js';
import { tokenFor } from '../support/tokens.js';

const PARTITIONS = 4;
/** Cases per phase, and how many are driven at once. */
const CASES = 12;
const AT_ONCE = 8;

type Api = EngineProcess & { base: string };
type Worker = EngineProcess & { metrics: string };

describeWithStack('two workers and two API+projector processes on one task queue and one consumer group', () => {
  const taskQueue = uniqueName('scale-tq');
  const topic = uniqueName('scale_events');
  const groupId = uniqueName('scale-projector');
  const schema = uniqueName('rm_scale');
  const accessLogSchema = uniqueName('access_scale');
  const keyStoreSchema = uniqueName('keys_scale');
  const run = crypto.randomBytes(3).toString('hex').toUpperCase();
  const workers = new Map<string, Worker>();
  const apis = new Map<string, Api>();
  /** The APIs the clients know of (a load balancer's list): a dead one stays until they find out. */
  let pool: string[] = [];
  const cases: string[] = [];
  let db: Db;
  let connection: Connection;
  let temporal: Client;
  const tokens = new Map<string, Promise<string>>();
  const token = (who: string) => {
    if (!tokens.has(who)) tokens.set(who, tokenFor(who));
    return tokens.get(who)!;
  };

  const startWorker = async (name: string) => {
    const metrics = `127.0.0.1:${await freePort()}`;
    workers.set(name, { ...(await startWorkerProcess(name, { taskQueue, topic, metricsAddress: metrics })), metrics });
  };
  const startApi = async (name: string) => {
    apis.set(name, await startApiProcess(name, { port: await freePort(), taskQueue, topic, groupId, schema, accessLogSchema, keyStoreSchema }));
  };

  beforeAll(async () => {
    await createTopic(stack!.kafkaBrokers, topic, PARTITIONS);
    db = await openDb({ url: stack!.postgresUrl });
    connection = await Connection.connect({ address: stack!.temporalAddress });
    temporal = new Client({ connection, dataConverter: testDataConverter });
    // All four at once: the two APIs create their schemas side by side (db.ts, createObjects).
    await Promise.all([startWorker('worker-1'), startWorker('worker-2'), startApi('api-1'), startApi('api-2'), token('clerk'), token('mediator')]);
    pool = [apis.get('api-1')!.base, apis.get('api-2')!.base];
    await waitFor('both projectors to own partitions', async () => {
      const owned = await Promise.all([...apis.values()].map(async (a) => partitionsOf(await scrape(a.base))));
      return owned.every((p) => p.length > 0) && owned.flat().length === PARTITIONS ? owned : undefined;
    });
  }, 240_000);

  afterAll(async () => {
    await Promise.all([...apis.values(), ...workers.values()].map((p) => p.stop('SIGTERM')));
    await connection?.close();
    if (db) {
      const left = await db.query<{ nspname: string }>(`select nspname from pg_namespace where nspname like $1 or nspname = $2 or nspname = $3`, [`${schema}%`, accessLogSchema, keyStoreSchema]);
      for (const { nspname } of left.rows) await db.exec(`drop schema if exists ${nspname} cascade`);
      await db.close();
    }
  }, 60_000);

  // ------------------------------------------------------------------ clients

  const stats = { commands: 0, retries: 0 };

  /**
   * One request, as a client behind a load balancer sends it: to `preferred`, and on a refused connection or
   * a 5xx to the next API it knows, with the same body and Idempotency-Key, until one answers.
   */
  const send = async (preferred: number, who: string, url: string, body: unknown, idempotencyKey?: string): Promise<{ status: number; body: unknown; retried: boolean }> => {
    const until = Date.now() + 120_000;
    for (let attempt = 0; ; attempt++) {
      const base = pool[(preferred + attempt) % pool.length]!;
      try {
        const res = await fetch(`${base}${url}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${await token(who)}`, 'content-type': 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        const text = await res.text();
        if (res.status < 500) return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined, retried: attempt > 0 };
      } catch {
        // refused, reset or timed out: the API died under the request; try the next one
      }
      if (Date.now() > until) throw new Error(`${url}: no API answered within two minutes`);
      stats.retries++;
      await new Promise((r) => setTimeout(r, 300));
    }
  };

  /** A case from receipt to closed (withdrawn, replied, closed): seven requests, each retried until answered. */
  const driveCase = async (caseId: string, preferred: number, afterEach: () => void) => {
    const created = await send(preferred, 'clerk', '/cases', newCaseBody(caseId, { name: '赵六', phone: '13900000003' }));
    // A retry of a receipt that the first attempt did start: the case number is taken, by this very case.
    const receivedBefore = created.retried && created.status === 409;
    expect(created.status === 201 || receivedBefore, `${caseId} POST /cases: ${created.status} ${JSON.stringify(created.body)}`).toBe(true);
    afterEach();
    const steps: Array<[string, string, unknown]> = [
      ['clerk', 'AcceptCase', {}],
      ['clerk', 'ClassifyCase', { disputeType: 'wage-arrears' }],
      ['clerk', 'RouteCase', {}],
      ['clerk', 'WithdrawCase', { reason: '双方已自行协商解决' }],
      ['clerk', 'SendReply', { method: 'written', summary: '申请人撤回，已书面回音' }],
      ['mediator', 'CloseCase', {}],
    ];
    for (const [who, type, data] of steps) {
      const res = await send(preferred, who, `/cases/${caseId}/commands/${type}`, data, crypto.randomUUID());
      expect(res.status, `${caseId} ${type}: ${JSON.stringify(res.body)}`).toBe(200);
      afterEach();
    }
  };

  /** Drives `count` new cases, AT_ONCE at a time, alternating the preferred API; `at` fires after N commands. */
  const driveCases = async (phase: string, count: number, at: Array<{ after: number; run: () => Promise<void> }> = []) => {
    const ids = Array.from({ length: count }, (_, i) => `SC-${run}-${phase}-${String(i + 1).padStart(2, '0')}`);
    cases.push(...ids);
    let done = 0;
    const fired: Promise<unknown>[] = [];
    const afterEach = () => {
      done++;
      stats.commands++;
      // Run beside the load; a failure is kept (not an unhandled rejection) and thrown below.
      for (const trigger of at) if (trigger.after === done) fired.push(trigger.run().then(() => undefined, (err: unknown) => err));
    };
    const queue = ids.map((id, i) => () => driveCase(id, i, afterEach));
    await Promise.all(
      Array.from({ length: AT_ONCE }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await next();
      }),
    );
    for (const outcome of await Promise.all(fired)) if (outcome !== undefined) throw outcome;
    return ids;
  };

  // ------------------------------------------------------------------ checks

  /** Waits until each case is closed in its workflow with all its events published; their versions. */
  const closedAndPublished = async (ids: readonly string[]) => {
    const versions = new Map<string, number>();
    for (const caseId of ids) {
      const view = await waitFor(`${caseId} closed and published`, async () => {
        const v = await temporal.workflow.getHandle(caseId).query(caseViewQuery);
        return v.state.status === 'closed' && v.publishedSequence === v.state.version ? v : undefined;
      });
      versions.set(caseId, view.state.status === 'none' ? 0 : view.state.version);
    }
    return versions;
  };

  /**
   * Every case so far: closed in its workflow with everything published; on the topic with sequences 1..N
   * once each; in the read models with N archived events, its summary closed, nothing parked; and the read
   * models equal a rebuild from offset 0.
   */
  const everyCaseOnceAndRebuildEqual = async () => {
    const versions = await closedAndPublished(cases);
    const total = [...versions.values()].reduce((a, b) => a + b, 0);
    const messages = await readTopic(stack!.kafkaBrokers, topic, total, 60_000, { settleMs: 1_500 });
    const byCase = new Map<string, number[]>();
    for (const m of messages) byCase.set(m.key, [...(byCase.get(m.key) ?? []), Number(m.value.sequence)]);
    for (const [caseId, version] of versions) expect({ caseId, sequences: byCase.get(caseId) }).toEqual({ caseId, sequences: Array.from({ length: version }, (_, i) => i + 1) });
    expect(messages).toHaveLength(total);

    await waitFor('the read models to hold every event', async () => {
      const r = await db.query<{ n: string }>(`select count(*)::text as n from ${schema}.event_archive`);
      return Number(r.rows[0]!.n) >= total ? true : undefined;
    });
    const archived = await db.query<{ case_id: string; sequences: number[] }>(`select case_id, array_agg(sequence order by sequence) as sequences from ${schema}.event_archive group by case_id`);
    const inReadModels = new Map(archived.rows.map((r) => [r.case_id, r.sequences]));
    for (const [caseId, version] of versions) expect({ caseId, sequences: inReadModels.get(caseId) }).toEqual({ caseId, sequences: Array.from({ length: version }, (_, i) => i + 1) });
    expect(inReadModels.size).toBe(versions.size);
    const summaries = await db.query<{ case_id: string; status: string; last_sequence: number }>(`select case_id, status, last_sequence from ${schema}.case_summary order by case_id`);
    expect(summaries.rows).toEqual([...versions].sort(([a], [b]) => (a < b ? -1 : 1)).map(([caseId, version]) => ({ case_id: caseId, status: 'closed', last_sequence: version })));
    expect((await db.query(`select case_id, reason from ${schema}.dead_letter`)).rows).toEqual([]);

    // Wait for the checkpoints to reach the topic's end (the last batch commits rows and checkpoint together).
    await waitFor('every partition checkpointed at the end of the topic', async () => {
      const r = await db.query<{ n: string }>(`select coalesce(sum(next_offset), 0)::text as n from ${schema}.projector_checkpoint where topic = $1`, [topic]);
      return Number(r.rows[0]!.n) === total ? true : undefined;
    });
    const rebuilt = await rebuildProjections({ db, schema, brokers: stack!.kafkaBrokers, topic, log: pino({ level: 'warn' }), swap: false, groupPrefix: groupId });
    expect(rebuilt).toMatchObject({ read: total, applied: total, duplicates: 0, parked: 0 });
    const [live, fromZero] = [await dumpReadModels(db, schema), await dumpReadModels(db, rebuilt.rebuiltSchema)];
    // A partition no case landed on: the rebuild records it at offset 0, the live projector never saw it.
    fromZero.projector_checkpoint = fromZero.projector_checkpoint!.filter((row) => (JSON.parse(row) as { next_offset: number }).next_offset > 0);
    for (const table of Object.keys(live)) expect({ table, rows: live[table] }).toEqual({ table, rows: fromZero[table] });
    await db.exec(`drop schema ${rebuilt.rebuiltSchema} cascade`);
    return { cases: versions.size, events: total };
  };

  // ------------------------------------------------------------------ (a)

  it('spreads the load: both workers run workflow and activity tasks, both projectors own partitions and apply events', async () => {
    const started = Date.now();
    const ids = await driveCases('a', CASES);
    const published = [...(await closedAndPublished(ids)).values()].reduce((x, y) => x + y, 0);
    // Each projector's applied events, once the read models have everything published so far.
    await waitFor('the projectors to apply what was published', async () => {
      const applied = await Promise.all([...apis.values()].map(async (a) => metric(await scrape(a.base), 'mediation_projector_events_total', { result: 'applied' })));
      return applied.reduce((x, y) => x + y, 0) === published ? applied : undefined;
    });
    const spread = await spreadFigures();
    log(`(a) ${CASES} cases × 7 requests through two APIs in ${((Date.now() - started) / 1000).toFixed(1)} s; the spread:\n${table(spread)}`);
    for (const w of spread.filter((s) => s.process.startsWith('worker'))) {
      expect(w.workflowTasks, `${w.process} workflow tasks`).toBeGreaterThan(0);
      expect(w.activityTasks, `${w.process} activity tasks`).toBeGreaterThan(0);
      expect(w.eventsPublished, `${w.process} events published`).toBeGreaterThan(0);
    }
    for (const a of spread.filter((s) => s.process.startsWith('api'))) {
      expect(a.partitions.length, `${a.process} partitions`).toBeGreaterThan(0);
      expect(a.eventsApplied, `${a.process} events applied`).toBeGreaterThan(0);
    }
  }, 180_000);

  // ------------------------------------------------------------------ (b)

  it('loses and duplicates nothing when the group rebalances under load (one API stopped, another started)', async () => {
    const started = Date.now();
    const total = CASES * 7;
    await driveCases('b', CASES, [
      {
        after: Math.round(total / 4),
        run: async () => {
          // An orderly stop: the API finishes its requests in flight and its projector leaves the group.
          expect(await apis.get('api-1')!.stop('SIGTERM')).toEqual({ code: 0, signal: null });
          apis.delete('api-1');
          log('(b) api-1 stopped (SIGTERM) under load');
          await startApi('api-3');
          pool = [...pool, apis.get('api-3')!.base];
          log('(b) api-3 started and listening; the group rebalances');
        },
      },
    ]);
    pool = [apis.get('api-2')!.base, apis.get('api-3')!.base];
    const owned = await waitFor('api-2 and api-3 to share the partitions', async () => {
      const o = await Promise.all([...apis.values()].map(async (a) => partitionsOf(await scrape(a.base))));
      return o.every((p) => p.length > 0) && o.flat().length === PARTITIONS ? o : undefined;
    });
    const checked = await everyCaseOnceAndRebuildEqual();
    log(`(b) ${checked.cases} cases, ${checked.events} events: each once on the topic and in the read models, equal to a rebuild from offset 0; partitions now ${JSON.stringify(owned)}; ${stats.retries} client retries so far; ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 240_000);

  // ------------------------------------------------------------------ (c)

  it("absorbs one worker's and one API's death (SIGKILL) mid-load: every case completes on the survivors", async () => {
    const started = Date.now();
    const total = CASES * 7;
    const retriesBefore = stats.retries;
    let beforeKill: Awaited<ReturnType<typeof spreadFigures>> = [];
    await driveCases('c', CASES, [
      {
        after: Math.round(total / 5),
        run: async () => {
          beforeKill = await spreadFigures();
          expect((await workers.get('worker-1')!.stop('SIGKILL')).signal).toBe('SIGKILL');
          workers.delete('worker-1');
          log('(c) worker-1 killed (SIGKILL) under load');
        },
      },
      {
        after: Math.round((total * 2) / 5),
        run: async () => {
          expect((await apis.get('api-2')!.stop('SIGKILL')).signal).toBe('SIGKILL');
          apis.delete('api-2');
          log('(c) api-2 killed (SIGKILL) under load');
        },
      },
    ]);
    const checked = await everyCaseOnceAndRebuildEqual();
    const after = await spreadFigures();
    log(`(c) ${checked.cases} cases, ${checked.events} events: each once on the topic and in the read models, equal to a rebuild from offset 0; ${stats.retries - retriesBefore} client retries in this phase; ${((Date.now() - started) / 1000).toFixed(1)} s\nbefore the kills:\n${table(beforeKill)}\nafter (the survivors):\n${table(after)}`);
    // The survivors took over: worker-2 ran more tasks after the kill, api-3 owns every partition.
    const w2 = (s: typeof after) => s.find((x) => x.process === 'worker-2')!;
    expect(w2(after).workflowTasks).toBeGreaterThan(w2(beforeKill).workflowTasks);
    expect(w2(after).activityTasks).toBeGreaterThan(w2(beforeKill).activityTasks);
    expect(after.find((x) => x.process === 'api-3')!.partitions).toEqual(Array.from({ length: PARTITIONS }, (_, i) => i));
    expect(stats.retries - retriesBefore).toBeGreaterThan(0);
  }, 300_000);

  // ------------------------------------------------------------------ figures

  interface Spread {
    process: string;
    workflowTasks: number;
    activityTasks: number;
    eventsPublished: number;
    partitions: number[];
    eventsApplied: number;
  }

  async function spreadFigures(): Promise<Spread[]> {
    const rows: Spread[] = [];
    for (const [name, w] of workers) {
      const text = await (await fetch(`http://${w.metrics}/metrics`)).text();
      rows.push({
        process: name,
        workflowTasks: metric(text, 'temporal_workflow_task_execution_latency_count'),
        activityTasks: metric(text, 'temporal_activity_execution_latency_count'),
        eventsPublished: metric(text, 'mediation_events_published_total'),
        partitions: [],
        eventsApplied: 0,
      });
    }
    for (const [name, a] of apis) {
      const text = await scrape(a.base);
      rows.push({ process: name, workflowTasks: 0, activityTasks: 0, eventsPublished: 0, partitions: partitionsOf(text), eventsApplied: metric(text, 'mediation_projector_events_total', { result: 'applied' }) });
    }
    return rows;
  }
});

function table(rows: Array<{ process: string; workflowTasks: number; activityTasks: number; eventsPublished: number; partitions: number[]; eventsApplied: number }>): string {
  return rows
    .map((r) =>
      r.process.startsWith('worker')
        ? `  ${r.process}: ${r.workflowTasks} workflow tasks, ${r.activityTasks} activity tasks, ${r.eventsPublished} events published`
        : `  ${r.process}: partitions [${r.partitions.join(', ')}], ${r.eventsApplied} events applied`,
    )
    .join('\n');
}

function log(line: string): void {
  process.stdout.write(`[scale-out] ${line}\n`);
}

async function scrape(base: string): Promise<string> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The sum of a metric's samples whose labels include `labels`. */
function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_]+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(m[3]);
  }
  return total;
}

/** The partitions this API's projector owns (mediation_projector_assigned_partitions). */
function partitionsOf(text: string): number[] {
  return [...text.matchAll(/^mediation_projector_assigned_partitions\{partition="(\d+)"\} 1$/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
