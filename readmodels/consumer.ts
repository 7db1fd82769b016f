// The projector process: a kafkajs consumer group feeding batches to applyBatch. Offsets are committed to
// Kafka only after the batch's transaction committed; the database checkpoint and the (case, sequence)
// check make a redelivered batch harmless.
//
// The checkpoint in the database is the authority on where a partition stands (applyBatch's guard): when a
// rebuild swaps in a schema whose checkpoint is behind what this consumer has read, the next batch is
// refused and the consumer seeks back to the checkpoint; when it is ahead, the records below it are
// skipped. So the live projector keeps running through a rebuild and continues in the rebuilt schema.
import type { Consumer, EachBatchHandler, Kafka } from 'kafkajs';
import { createKafka, setting, type KafkaTarget, type Logger } from '../runtime/index.js';
import type { ProcessMetrics } from '../runtime/metrics.js';
import { inSpan, linkFromHeaders, SpanKind } from '../runtime/tracing.js';
import { createObjects, type Db } from './db.js';
import { applyBatch, partitionKey, type BatchResult } from './projector.js';
import { createSchemaSql, LAYOUT_VERSION } from './schema.js';
import { assertSchemaName } from './sql.js';

/** Batches (partitions) the projector works on at once; PROJECTOR_PARTITIONS_AT_ONCE overrides it. */
const PARTITIONS_AT_ONCE = setting('PROJECTOR_PARTITIONS_AT_ONCE');

export interface ProjectorOptions {
  db: Db;
  schema: string;
  /** The Kafka cluster: its settings from configuration (SSL, SASL), or a bare broker list. */
  brokers: KafkaTarget;
  topic: string;
  groupId: string;
  log: Logger;
  clientId?: string;
  /** Counts applied/duplicate/parked records and batch times (runtime/metrics.ts). */
  metrics?: ProcessMetrics;
}

export interface RunningProjector {
  stop(): Promise<void>;
  lag(): Promise<PartitionLag[]>;
}

export interface PartitionLag {
  partition: number;
  highWatermark: string;
  nextOffset: string;
  lag: number;
}

export async function startProjector(opts: ProjectorOptions): Promise<RunningProjector> {
  const schema = assertSchemaName(opts.schema);
  await createObjects(opts.db, [createSchemaSql(schema)]);
  const layout = await opts.db.query<{ value: string }>(`select value from ${schema}.readmodel_meta where key = 'layout'`);
  if (layout.rows[0]?.value !== LAYOUT_VERSION) {
    opts.log.warn(
      { schema, layout: layout.rows[0]?.value ?? 'unknown', expected: LAYOUT_VERSION },
      'the read models were built by an older projector: run `mediation projections rebuild` to fill the new tables',
    );
  }
  const kafka = createKafka(opts.brokers, opts.clientId ?? 'mediation-projector', opts.log, 'consume');
  // A restarted projector rejoins as a new member: the group rebalances once the dead member's session has
  // timed out, and until then nothing is projected. kafkajs's 30 s default made that a 30 s stall.
  const consumer: Consumer = kafka.consumer({ groupId: opts.groupId, allowAutoTopicCreation: false, sessionTimeout: 12_000, heartbeatInterval: 2_000 });
  const admin = kafka.admin();
  await Promise.all([consumer.connect(), admin.connect()]);
  await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
  // Which partitions this member owns: several projectors share one group (two of everything, README), and
  // an operator (and the scale-out test) sees the split here and in /metrics.
  const owned = (partitions: readonly number[]) => {
    opts.metrics?.projectorPartitions.reset();
    for (const p of partitions) opts.metrics?.projectorPartitions.set({ partition: String(p) }, 1);
  };
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const partitions = [...(payload.memberAssignment[opts.topic] ?? [])].sort((a, b) => a - b);
    owned(partitions);
    opts.log.info({ groupId: opts.groupId, memberId: payload.memberId, leader: payload.isLeader, partitions }, 'projector joined its group');
  });
  consumer.on(consumer.events.STOP, () => owned([]));
  consumer.on(consumer.events.CRASH, () => owned([]));
  await consumer.run({
    eachBatchAutoResolve: false,
    autoCommit: false,
    // Several partitions at once: while one batch waits for its transaction, the next is decoded and
    // folded (each batch is one partition, and a case lives on one partition, so batches never share a
    // case). bench/main.ts (projector) measured this against one at a time.
    partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
    eachBatch: projectBatches({ db: opts.db, schema, consumer, log: opts.log, ...(opts.metrics ? { metrics: opts.metrics } : {}) }),
  });
  opts.log.info({ topic: opts.topic, groupId: opts.groupId, schema }, 'projector running');

  return {
    async stop() {
      await consumer.disconnect();
      await admin.disconnect();
    },
    lag: () => projectorLag(opts.db, schema, admin, opts.topic),
  };
}

export interface BatchApplied {
  partition: number;
  /** The offset after the batch's last record. */
  nextOffset: string;
  records: number;
  result: BatchResult;
}

/**
 * The eachBatch handler shared by the live projector and the rebuild: apply (guarded by the database
 * checkpoint), seek back when the checkpoint is behind, else commit the offset to Kafka.
 */
export function projectBatches(opts: { db: Db; schema: string; consumer: Consumer; log: Logger; onBatch?: (applied: BatchApplied) => void; metrics?: ProcessMetrics }): EachBatchHandler {
  // Per partition, the checkpoint this consumer last sought back to (see ApplyOptions.rewoundTo).
  const rewoundTo = new Map<string, string>();
  return async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const records = batch.messages.map((m) => ({ topic: batch.topic, partition: batch.partition, offset: m.offset, value: m.value }));
    const key = partitionKey(batch.topic, batch.partition);
    const endTimer = opts.metrics?.projectorBatchSeconds.startTimer();
    // One span per batch, in a trace of its own, linked to the span that published each record (its
    // headers' traceparent): a batch mixes records of many commands, so no one of them is its parent.
    const links = batch.messages.flatMap((m) => linkFromHeaders(m.headers) ?? []);
    const result = await inSpan(
      `process ${batch.topic}`,
      {
        kind: SpanKind.CONSUMER,
        root: true,
        links,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'process',
          'messaging.destination.name': batch.topic,
          'messaging.destination.partition.id': String(batch.partition),
          'messaging.batch.message_count': batch.messages.length,
          'mediation.offset.first': batch.firstOffset() ?? '',
          'mediation.offset.last': batch.lastOffset(),
        },
      },
      async (span) => {
        const applied = await applyBatch(opts.db, opts.schema, records, { guard: true, rewoundTo });
        span.setAttributes({ 'mediation.projector.applied': applied.applied, 'mediation.projector.duplicates': applied.duplicates, 'mediation.projector.parked': applied.parked, 'mediation.projector.rewound': Boolean(applied.rewinds?.length) });
        return applied;
      },
    );
    endTimer?.();
    if (opts.metrics) {
      opts.metrics.projectedEvents.inc({ result: 'applied' }, result.applied);
      opts.metrics.projectedEvents.inc({ result: 'duplicate' }, result.duplicates);
      opts.metrics.projectedEvents.inc({ result: 'parked' }, result.parked);
    }
    const rewind = result.rewinds?.[0];
    if (rewind) {
      // The schema's checkpoint is behind what was read (a rebuild was swapped in): read again from there.
      rewoundTo.set(key, rewind.offset);
      opts.log.info({ partition: batch.partition, from: batch.firstOffset(), to: rewind.offset }, 'checkpoint behind the consumer: seeking back');
      opts.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: rewind.offset });
      return;
    }
    rewoundTo.delete(key);
    const last = batch.messages[batch.messages.length - 1] as (typeof batch.messages)[number];
    resolveOffset(last.offset);
    const nextOffset = (BigInt(last.offset) + 1n).toString();
    await opts.consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: nextOffset }]);
    await heartbeat();
    opts.log.debug({ partition: batch.partition, ...result }, 'batch applied');
    if (result.parked > 0) opts.log.warn({ partition: batch.partition, parked: result.parked }, 'events parked in the dead-letter table');
    opts.onBatch?.({ partition: batch.partition, nextOffset, records: records.length, result });
  };
}

export async function projectorLag(db: Db, schema: string, admin: ReturnType<Kafka['admin']>, topic: string): Promise<PartitionLag[]> {
  const [offsets, checkpoints] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    db.query<{ partition: number; next_offset: string }>(`select partition, next_offset::text as next_offset from ${schema}.projector_checkpoint where topic = $1`, [topic]),
  ]);
  const next = new Map(checkpoints.rows.map((r) => [r.partition, r.next_offset]));
  return offsets
    .map((o) => {
      const nextOffset = next.get(o.partition) ?? o.low;
      return { partition: o.partition, highWatermark: o.high, nextOffset, lag: Math.max(0, Number(BigInt(o.high) - BigInt(nextOffset))) };
    })
    .sort((a, b) => a.partition - b.partition);
}
