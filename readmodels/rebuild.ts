// Rebuilding the read models from the event log: every table is filled again from offset 0 into a fresh
// schema, then swapped in for the live one in one transaction, while the live projector keeps running.
//
// 1. Create `<live>_rebuild_<stamp>` with the current layout.
// 2. Measure each partition's high watermark, then consume the topic from the beginning with a fresh
//    consumer group (projectBatches, as the live projector), until every partition has reached the
//    watermark measured at the start. Events that arrive meanwhile may be applied too; they need not be.
// 3. Give every partition a checkpoint row (an empty partition gets its watermark), so the rebuilt schema
//    says exactly how far it got.
// 4. Swap, in one transaction: lock the live checkpoint table exclusively (this waits for a live batch in
//    flight and holds the next one back), rename the live schema to `<live>_old_<stamp>`, the rebuilt one
//    to the live name, and drop the old one.
//
// The live projector goes on by itself: its next batch's first statement resolves the live name to the
// rebuilt tables, and the checkpoint there decides (applyBatch's guard). If the rebuild stopped below what
// the live consumer had read, the batch is refused and the consumer seeks back to the checkpoint; records
// the rebuild already applied are skipped. Events the live projector applied to the old schema during the
// rebuild are thus applied again to the new one, and (case, sequence) idempotence makes overlaps harmless.
//
// PGlite is one process: there the rebuild must run inside the process that hosts the live projector (the
// API), sharing its Db; its transactions then simply take turns with the live ones.
import { createKafka, type KafkaTarget, type Logger } from '../runtime/index.js';
import { projectBatches } from './consumer.js';
import { createObjects, type Db } from './db.js';
import { assertSchemaName } from './sql.js';
import { createSchemaSql } from './schema.js';

export interface RebuildProgress {
  /** Records read from the topic so far (applied, duplicate or parked). */
  read: number;
  /** Records on the topic when the rebuild started (high − low watermark, summed over partitions). */
  total: number;
  applied: number;
  duplicates: number;
  parked: number;
  elapsedMs: number;
  eventsPerSecond: number;
}

export interface RebuildOptions {
  db: Db;
  /** The live schema (READMODEL_SCHEMA) the rebuild replaces. */
  schema: string;
  /** The Kafka cluster: its settings from configuration (SSL, SASL), or a bare broker list. */
  brokers: KafkaTarget;
  topic: string;
  log: Logger;
  /** Called about every `progressEveryMs` and once at the end of the catch-up. */
  onProgress?: (progress: RebuildProgress) => void;
  progressEveryMs?: number;
  /** Swap the rebuilt schema in; false leaves it beside the live one (e.g. to compare). Default true. */
  swap?: boolean;
  /** Keep the replaced schema as `<live>_old_<stamp>` instead of dropping it. */
  keepOld?: boolean;
  /** Give up (and drop the half-built schema) after this long; default one hour. */
  timeoutMs?: number;
  /** Names the schemas and the consumer group; default the UTC time and a random suffix. */
  stamp?: string;
  clientId?: string;
  /** The rebuild's consumer group is `${groupPrefix}-rebuild-${stamp}`; default mediation-projector. */
  groupPrefix?: string;
  /** Runs after the catch-up, before the swap (tests use it to let more events arrive). */
  beforeSwap?: (rebuiltSchema: string) => Promise<void>;
}

export interface RebuildResult extends RebuildProgress {
  liveSchema: string;
  rebuiltSchema: string;
  swapped: boolean;
  /** The old schema, when kept. */
  oldSchema?: string;
  /** Per partition: the high watermark measured at the start, and where the rebuilt checkpoint stands. */
  partitions: { partition: number; target: string; nextOffset: string }[];
}

export function rebuildStamp(date: Date = new Date()): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}_${Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0')}`;
}

export async function rebuildProjections(opts: RebuildOptions): Promise<RebuildResult> {
  const live = assertSchemaName(opts.schema);
  const stamp = opts.stamp ?? rebuildStamp();
  const rebuilt = assertSchemaName(`${live}_rebuild_${stamp}`);
  const old = assertSchemaName(`${live}_old_${stamp}`);
  const groupId = `${opts.groupPrefix ?? 'mediation-projector'}-rebuild-${stamp}`;
  const log = opts.log.child({ component: 'rebuild', schema: rebuilt });
  const started = Date.now();

  await createObjects(opts.db, [createSchemaSql(rebuilt)]);
  const kafka = createKafka(opts.brokers, opts.clientId ?? 'mediation-rebuild', log, 'consume');
  const admin = kafka.admin();
  await admin.connect();
  const progress: RebuildProgress = { read: 0, total: 0, applied: 0, duplicates: 0, parked: 0, elapsedMs: 0, eventsPerSecond: 0 };
  const report = () => {
    progress.elapsedMs = Date.now() - started;
    progress.eventsPerSecond = progress.elapsedMs > 0 ? Math.round((progress.read * 1000) / progress.elapsedMs) : 0;
    opts.onProgress?.({ ...progress });
  };
  try {
    const offsets = await admin.fetchTopicOffsets(opts.topic);
    const targets = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
    const reached = new Map(offsets.map((o) => [o.partition, BigInt(o.low)]));
    progress.total = offsets.reduce((sum, o) => sum + Number(BigInt(o.high) - BigInt(o.low)), 0);
    log.info({ topic: opts.topic, total: progress.total, partitions: offsets.length }, 'rebuild: reading the topic from the beginning');

    const caughtUp = () => [...targets].every(([p, high]) => (reached.get(p) ?? 0n) >= high);
    if (!caughtUp()) {
      const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxBytesPerPartition: 4 * 1024 * 1024 });
      let finish: (error?: unknown) => void = () => undefined;
      const done = new Promise<void>((resolve, reject) => {
        finish = (error) => (error === undefined ? resolve() : reject(error));
      });
      const timer = setInterval(report, opts.progressEveryMs ?? 1000);
      const timeout = setTimeout(() => finish(new Error(`rebuild: not caught up after ${opts.timeoutMs ?? 3_600_000} ms`)), opts.timeoutMs ?? 3_600_000);
      consumer.on(consumer.events.CRASH, (event) => {
        if (!event.payload.restart) finish(event.payload.error);
      });
      try {
        await consumer.connect();
        await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
        await consumer.run({
          eachBatchAutoResolve: false,
          autoCommit: false,
          eachBatch: projectBatches({
            db: opts.db,
            schema: rebuilt,
            consumer,
            log,
            onBatch: ({ partition, nextOffset, records, result }) => {
              progress.read += records;
              progress.applied += result.applied;
              progress.duplicates += result.duplicates;
              progress.parked += result.parked;
              const next = BigInt(nextOffset);
              if (next > (reached.get(partition) ?? 0n)) reached.set(partition, next);
              if (caughtUp()) finish();
            },
          }),
        });
        await done;
      } finally {
        clearInterval(timer);
        clearTimeout(timeout);
        await consumer.disconnect();
        await admin.deleteGroups([groupId]).catch((error: unknown) => log.warn({ err: error, groupId }, 'rebuild: consumer group not deleted'));
      }
    }
    report();

    // Every partition says where the rebuilt tables stand, an empty one included.
    for (const [partition, high] of targets) {
      await opts.db.query(
        `insert into ${rebuilt}.projector_checkpoint (topic, partition, next_offset, updated_at) values ($1, $2, $3, now())
         on conflict (topic, partition) do nothing`,
        [opts.topic, partition, high.toString()],
      );
    }
    const checkpoints = await opts.db.query<{ partition: number; next_offset: string }>(
      `select partition, next_offset::text as next_offset from ${rebuilt}.projector_checkpoint where topic = $1 order by partition`,
      [opts.topic],
    );
    const partitions = checkpoints.rows.map((r) => ({ partition: r.partition, target: String(targets.get(r.partition) ?? ''), nextOffset: r.next_offset }));
    log.info({ ...progress, partitions }, 'rebuild: caught up');

    await opts.beforeSwap?.(rebuilt);
    if (opts.swap === false) return { ...progress, liveSchema: live, rebuiltSchema: rebuilt, swapped: false, partitions };
    await swapSchemas(opts.db, live, rebuilt, old, { keepOld: opts.keepOld ?? false });
    log.info({ live, old: opts.keepOld ? old : undefined }, 'rebuild: swapped in');
    return { ...progress, liveSchema: live, rebuiltSchema: rebuilt, swapped: true, ...(opts.keepOld ? { oldSchema: old } : {}), partitions };
  } catch (error) {
    await opts.db.exec(`drop schema if exists ${rebuilt} cascade`).catch(() => undefined);
    throw error;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Puts `rebuilt` in the place of `live` in one transaction. The exclusive lock on the live checkpoint
 * table waits for a live batch in flight and holds the next one until the swap commits; that batch then
 * resolves the live name to the rebuilt tables.
 */
export async function swapSchemas(db: Db, live: string, rebuilt: string, old: string, options: { keepOld?: boolean } = {}): Promise<void> {
  const [l, r, o] = [assertSchemaName(live), assertSchemaName(rebuilt), assertSchemaName(old)];
  await db.transaction(async (tx) => {
    const exists = await tx.query(`select 1 from pg_namespace where nspname = $1`, [l]);
    if (exists.rows.length > 0) {
      await tx.query(`lock table ${l}.projector_checkpoint in access exclusive mode`);
      await tx.query(`alter schema ${l} rename to ${o}`);
    }
    await tx.query(`alter schema ${r} rename to ${l}`);
    if (exists.rows.length > 0 && !options.keepOld) await tx.query(`drop schema ${o} cascade`);
  });
}
