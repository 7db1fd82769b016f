// The rebuild against a real broker: a generated history on a fresh topic, the live projector running,
// a rebuild from offset 0 into a fresh schema, and the swap — while events keep arriving. A reference
// projector that is never rebuilt shows what the incremental tables are; the rebuilt-and-continued live
// schema must equal it table for table. On PGlite (everything in this process, one Db) and on PostgreSQL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Producer } from 'kafkajs';
import { connectProducer, createKafka } from '../../runtime/kafka.js';
import { main, type CliIo } from '../../cli/main.js';
import { runProjections } from '../../cli/main.js';
import { canonicalJson, type CaseEvent } from '../../events/index.js';
import { createLogger } from '../../runtime/log.js';
import { startProjector, type RunningProjector } from '../../readmodels/consumer.js';
import { openDb, type Db } from '../../readmodels/db.js';
import { dumpReadModels } from '../../readmodels/dump.js';
import { rebuildProjections } from '../../readmodels/rebuild.js';
import { generateHistory } from '../../testkit/history-generator.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { freshStore, stores } from '../support/stores.js';
import { createTopic } from '../support/temporal.js';

const log = createLogger('rebuild-test', 'warn');
const history: CaseEvent[] = generateHistory({ cases: 200, seed: 11, from: '2025-01-01T00:00:00.000Z', until: '2025-09-01T00:00:00.000Z' });
const [first, during, after] = [history.slice(0, 2500), history.slice(2500, 3400), history.slice(3400)];

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l) };
  return { out, err, cli };
}

describeWithStack.each(stores)('rebuild on %s with a real broker', (kind) => {
  const topic = uniqueName('case_events');
  let db: Db;
  let producer: Producer;
  let admin: Admin;
  const running: RunningProjector[] = [];
  const liveSchema = uniqueName('rm_live');
  const referenceSchema = uniqueName('rm_ref');

  const publish = async (events: CaseEvent[]) => {
    for (let i = 0; i < events.length; i += 500) {
      await producer.send({ topic, acks: -1, messages: events.slice(i, i + 500).map((e) => ({ key: e.caseId, value: canonicalJson(e) })) });
    }
  };
  /** Waits until the schema's checkpoint has reached the topic's end as it is now. */
  const caughtUp = async (schema: string, timeoutMs = 90_000) => {
    const ends = await admin.fetchTopicOffsets(topic);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const cp = await db.query<{ partition: number; next_offset: string }>(`select partition, next_offset::text as next_offset from ${schema}.projector_checkpoint where topic = $1`, [topic]);
      const at = new Map(cp.rows.map((r) => [r.partition, BigInt(r.next_offset)]));
      if (ends.every((o) => (at.get(o.partition) ?? 0n) >= BigInt(o.high))) return;
      if (Date.now() > deadline) throw new Error(`${schema} did not catch up with ${JSON.stringify(ends)}: ${JSON.stringify(cp.rows)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  beforeAll(async () => {
    ({ db } = await freshStore(kind));
    await createTopic(stack!.kafkaBrokers, topic, 3);
    const kafka = createKafka(stack!.kafkaBrokers, 'rebuild-test');
    producer = await connectProducer(kafka);
    admin = kafka.admin();
    await admin.connect();
    await publish(first);
    for (const schema of [liveSchema, referenceSchema]) {
      running.push(await startProjector({ db, schema, brokers: stack!.kafkaBrokers, topic, groupId: uniqueName('projector'), log }));
    }
    await caughtUp(liveSchema);
    await caughtUp(referenceSchema);
  });
  afterAll(async () => {
    for (const p of running) await p.stop();
    await producer?.disconnect();
    await admin?.disconnect();
    if (kind === 'postgres' && db) {
      const left = await db.query<{ nspname: string }>(`select nspname from pg_namespace where nspname like $1 or nspname like $2`, [`${liveSchema}%`, `${referenceSchema}%`]);
      for (const { nspname } of left.rows) await db.exec(`drop schema if exists ${nspname} cascade`);
    }
    await db?.close();
  });

  it('given a quiet topic, then a rebuild from offset 0 equals the incremental tables', async () => {
    const progress: number[] = [];
    const result = await rebuildProjections({ db, schema: liveSchema, brokers: stack!.kafkaBrokers, topic, log, swap: false, progressEveryMs: 100, onProgress: (p) => progress.push(p.read) });
    expect(result).toMatchObject({ swapped: false, total: first.length, read: first.length, applied: first.length, parked: 0 });
    expect(progress.at(-1)).toBe(first.length);
    expect(await dumpReadModels(db, result.rebuiltSchema)).toEqual(await dumpReadModels(db, liveSchema));
    await db.exec(`drop schema ${result.rebuiltSchema} cascade`);
  });

  it('given events arriving during the rebuild, when it is swapped in, then the live projector continues and equals the incremental tables', async () => {
    const ends: string[] = [];
    let publishing: Promise<void> = Promise.resolve();
    const result = await rebuildProjections({
      db,
      schema: liveSchema,
      brokers: stack!.kafkaBrokers,
      topic,
      log,
      progressEveryMs: 200,
      onProgress: (p) => {
        // Once the rebuild is under way, more events arrive.
        if (p.read > 0 && ends.length === 0) {
          ends.push('started');
          publishing = publish(during.slice(0, 400));
        }
      },
      beforeSwap: async () => {
        // More events that the live projector applies to the old schema and the rebuilt one has not seen.
        await publishing;
        await publish(during.slice(400));
        await caughtUp(liveSchema);
        const offsets = await admin.fetchTopicOffsets(topic);
        ends.push(...offsets.map((o) => `${o.partition}:${o.high}`));
      },
    });
    expect(result.swapped).toBe(true);
    // The rebuilt checkpoint stops below what the live consumer had read: the live projector must seek back.
    const highAtSwap = new Map(ends.slice(1).map((e) => e.split(':').map(Number) as [number, number]));
    expect(result.partitions.some((p) => BigInt(p.nextOffset) < BigInt(highAtSwap.get(p.partition) ?? 0))).toBe(true);

    await publish(after);
    await caughtUp(liveSchema);
    await caughtUp(referenceSchema);
    const [rebuilt, incremental] = [await dumpReadModels(db, liveSchema), await dumpReadModels(db, referenceSchema)];
    expect(rebuilt.event_archive).toHaveLength(history.length);
    for (const table of Object.keys(incremental)) expect({ table, rows: rebuilt[table] }).toEqual({ table, rows: incremental[table] });
    const schemas = await db.query<{ nspname: string }>(`select nspname from pg_namespace where nspname like $1`, [`${liveSchema}_%`]);
    expect(schemas.rows).toEqual([]);
  });

  it.runIf(kind === 'postgres')('mediation projections rebuild swaps in a rebuilt schema and reports progress', async () => {
    const { out, err, cli } = io();
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: stack!.postgresUrl, KAFKA_BROKERS: stack!.kafkaBrokers.join(','), KAFKA_TOPIC: topic, READMODEL_SCHEMA: referenceSchema, LOG_LEVEL: 'warn' };
    delete env.PGLITE_PATH;
    const before = await dumpReadModels(db, referenceSchema);
    const code = await runProjections(['rebuild'], cli, env);
    expect(err.filter((l) => l.startsWith('error'))).toEqual([]);
    expect(code).toBe(0);
    expect(err.some((l) => /^rebuild: [\d,]+\/[\d,]+ events \(\d+%\), [\d,]+ events\/s/.test(l))).toBe(true);
    expect(JSON.parse(out[0]!)).toMatchObject({ swapped: true, liveSchema: referenceSchema, read: history.length });
    await caughtUp(referenceSchema);
    expect(await dumpReadModels(db, referenceSchema)).toEqual(before);
  });
});

describe('mediation projections (arguments)', () => {
  it.each([
    [['projections'], /^Usage: mediation projections rebuild/],
    [['projections', 'drop'], /unknown command 'drop'/],
    [['projections', 'rebuild', '--bogus'], /unknown option '--bogus'/],
    [['projections', 'rebuild', '--timeout', '0'], /--timeout '0'/],
    [['projections', 'rebuild', '--schema', 'Bad-Name'], /--schema 'Bad-Name' is not a lower-case SQL identifier/],
  ])('given %j, then it exits 2 and says why', async (argv, message) => {
    const { err, cli } = io();
    expect(await main(argv, cli)).toBe(2);
    expect(err[0]).toMatch(message);
    // An argument error points to the help; a missing command shows the help itself.
    expect(err.join('\n')).toMatch(/mediation projections --help|Commands:\n\s+rebuild/);
  });

  it('given no database configured, then it exits 2; given a PGlite directory open elsewhere, then it refuses', async () => {
    const none = io();
    expect(await runProjections(['rebuild'], none.cli, { KAFKA_BROKERS: '127.0.0.1:1' })).toBe(2);
    expect(none.err[0]).toMatch(/no database: set DATABASE_URL or PGLITE_PATH/);

    const dir = path.join(os.tmpdir(), uniqueName('pglite'));
    const open = await openDb({ pglitePath: dir });
    try {
      const busy = io();
      expect(await runProjections(['rebuild'], busy.cli, { KAFKA_BROKERS: '127.0.0.1:1', PGLITE_PATH: dir })).toBe(1);
      expect(busy.err[0]).toMatch(/is open in another process/);
    } finally {
      await open.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('given --help, then it prints the usage', async () => {
    const { out, cli } = io();
    expect(await main(['projections', 'rebuild', '--help'], cli)).toBe(0);
    expect(out[0]).toMatch(/^Usage: mediation projections rebuild/);
    const top = io();
    expect(await main(['projections', '--help'], top.cli)).toBe(0);
    expect(top.out[0]).toMatch(/^Usage/);
  });
});
