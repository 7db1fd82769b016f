// The projector process: a kafkajs consumer group feeding batches to applyBatch. Offsets are committed to
// Kafka only after the batch's transaction committed; the database checkpoint and the (case, sequence)
// check make a redelivered batch harmless.
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { kafkaLogCreator, type Logger } from '../ops/log.js';
import type { Db } from './db.js';
import { applyBatch } from './projector.js';
import { assertSchemaName, createSchemaSql } from './schema.js';

export interface ProjectorOptions {
  db: Db;
  schema: string;
  brokers: string[];
  topic: string;
  groupId: string;
  log: Logger;
  clientId?: string;
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
  await opts.db.exec(createSchemaSql(schema));
  const kafka = new Kafka({ clientId: opts.clientId ?? 'mediation-projector', brokers: opts.brokers, logLevel: logLevel.WARN, logCreator: kafkaLogCreator(opts.log) });
  const consumer: Consumer = kafka.consumer({ groupId: opts.groupId, allowAutoTopicCreation: false });
  const admin = kafka.admin();
  await Promise.all([consumer.connect(), admin.connect()]);
  await consumer.subscribe({ topic: opts.topic, fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    autoCommit: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      if (!isRunning() || isStale() || batch.messages.length === 0) return;
      const records = batch.messages.map((m) => ({ topic: batch.topic, partition: batch.partition, offset: m.offset, value: m.value }));
      const result = await applyBatch(opts.db, schema, records);
      const last = batch.messages[batch.messages.length - 1];
      if (last) resolveOffset(last.offset);
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(batch.lastOffset()) + 1n).toString() }]);
      await heartbeat();
      opts.log.debug({ partition: batch.partition, ...result }, 'batch applied');
      if (result.parked > 0) opts.log.warn({ partition: batch.partition, parked: result.parked }, 'events parked in the dead-letter table');
    },
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
