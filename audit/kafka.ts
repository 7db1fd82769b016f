// Reading the case-events topic for an audit: a throw-away consumer group that seeks each partition to its
// earliest offset and reads up to the high watermark it had when the audit began (events published during
// the audit belong to the next one). Nothing is committed; the group is deleted afterwards.
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { decodeRecord, type StoredRecord } from './records.js';
import { createKafka, describeKafka, partitionForKey, type KafkaTarget } from '../runtime/kafka.js';

export class SourceError extends Error {
  override name = 'SourceError';
}

export interface KafkaSource {
  kind: 'kafka';
  /** The cluster: its settings from configuration (SSL, SASL), or a bare broker list. */
  brokers: KafkaTarget;
  topic: string;
  /** Scan every partition for a case, not only the one its key hashes to (e.g. after a partition change). */
  allPartitions?: boolean;
  /** Give up when no partition delivered anything for this long (default 30 s). */
  stallMs?: number;
  /** Bytes per partition per fetch (default 1 MiB); tests make it small to read a partition in many batches. */
  fetchBytes?: number;
}

export interface PartitionRange {
  partition: number;
  /** First offset to read and the high watermark (exclusive end) at the start of the audit. */
  low: bigint;
  high: bigint;
}

export function kafkaClient(brokers: KafkaTarget): Kafka {
  return createKafka(brokers, 'mediation-audit', undefined, 'cli');
}

export { partitionForKey };

export async function topicRanges(admin: Admin, source: Pick<KafkaSource, 'topic' | 'brokers'>): Promise<PartitionRange[]> {
  let offsets;
  try {
    offsets = await admin.fetchTopicOffsets(source.topic);
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'UNKNOWN_TOPIC_OR_PARTITION' || /does not host this topic/i.test(String(error))) {
      throw new SourceError(`the topic '${source.topic}' does not exist on ${describeKafka(source.brokers)} (set KAFKA_TOPIC)`);
    }
    throw error;
  }
  return offsets
    .map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }))
    .sort((a, b) => a.partition - b.partition);
}

/** Runs `fn` with a connected admin client; a broker that cannot be reached is named in the error. */
export async function withAdmin<T>(kafka: Kafka, brokers: KafkaTarget, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (error) {
    throw new SourceError(`cannot reach Kafka at ${describeKafka(brokers)} (set KAFKA_BROKERS, KAFKA_SECURITY_PROTOCOL, KAFKA_SSL_*, KAFKA_SASL_*): ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Reads the given partition ranges once, in offset order per partition, handing each fetched batch to
 * `onBatch` (only messages below the range's high watermark). Resolves when every range is read.
 */
export async function scanPartitions(
  kafka: Kafka,
  admin: Admin,
  source: Pick<KafkaSource, 'topic' | 'stallMs' | 'fetchBytes'>,
  ranges: readonly PartitionRange[],
  onBatch: (messages: KafkaMessage[], partition: number) => void | Promise<void>,
): Promise<void> {
  const pending = new Map(ranges.filter((r) => r.low < r.high).map((r) => [r.partition, r]));
  if (pending.size === 0) return;
  // The next offset due per partition: a batch delivered again (a retried fetch) is not counted twice.
  const next = new Map([...pending.values()].map((r) => [r.partition, r.low]));
  const topic = source.topic;
  const stallMs = source.stallMs ?? 30_000;
  const groupId = `mediation-audit-${randomUUID()}`;
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    // 1 MiB per partition (≈ 2,000 events) and 8 MiB per fetch: on 300,000 events as fast as 8 and
    // 32 MiB (measured with the former bench/audit-verify-all.ts), with a third less peak memory.
    maxBytesPerPartition: source.fetchBytes ?? 1024 * 1024,
    maxBytes: Math.max(source.fetchBytes ?? 0, 8 * 1024 * 1024),
    maxWaitTimeInMs: 250,
  });

  let settle: (error?: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    settle = (error) => (error === undefined ? resolve() : reject(error));
  });
  let lastActivity = Date.now();
  let watchdog: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    consumer.on(consumer.events.CRASH, (event) => settle(new SourceError(`the Kafka consumer crashed: ${event.payload.error.message}`)));
    // Not from the beginning: only the seeked partitions are read from their start; the others sit at
    // their end and deliver nothing.
    await consumer.subscribe({ topic, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      // Resolving each batch moves the consumer's position on (nothing is committed): without it the
      // next fetch would deliver the same batch again.
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch, heartbeat }) => {
        const range = pending.get(batch.partition);
        if (!range) return;
        lastActivity = Date.now();
        const from = next.get(batch.partition)!;
        const messages = batch.messages.filter((m) => {
          const offset = BigInt(m.offset);
          return offset >= from && offset < range.high;
        });
        const lastMessage = messages[messages.length - 1];
        if (lastMessage) next.set(batch.partition, BigInt(lastMessage.offset) + 1n);
        try {
          await onBatch(messages, batch.partition);
        } catch (error) {
          settle(error);
          return;
        }
        const reached = BigInt(lastMessage?.offset ?? batch.lastOffset()) + 1n;
        if (reached >= range.high) {
          pending.delete(batch.partition);
          consumer.pause([{ topic, partitions: [batch.partition] }]);
          if (pending.size === 0) settle();
        }
        await heartbeat();
      },
    });
    for (const range of pending.values()) consumer.seek({ topic, partition: range.partition, offset: range.low.toString() });
    watchdog = setInterval(() => {
      if (Date.now() - lastActivity > stallMs) {
        settle(new SourceError(`Kafka delivered nothing from ${topic} partition(s) ${[...pending.keys()].join(',')} for ${Math.round(stallMs / 1000)} s`));
      }
    }, 500);
    await finished;
  } finally {
    if (watchdog) clearInterval(watchdog);
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
}

export function recordOf(topic: string, partition: number, message: KafkaMessage): StoredRecord {
  return decodeRecord(
    message.value === null ? null : message.value.toString('utf8'),
    message.key === null ? null : message.key.toString('utf8'),
    { kind: 'kafka', topic, partition, offset: message.offset },
    message.headers?.['sequence']?.toString(),
  );
}

/** Every record of one case on the topic, in topic order. */
export async function readCaseFromKafka(source: KafkaSource, caseId: string): Promise<StoredRecord[]> {
  const kafka = kafkaClient(source.brokers);
  return withAdmin(kafka, source.brokers, async (admin) => {
    const ranges = await topicRanges(admin, source);
    const partition = partitionForKey(source.topic, caseId, ranges.map((r) => r.partition));
    const targets = source.allPartitions ? ranges : ranges.filter((r) => r.partition === partition);
    const key = Buffer.from(caseId, 'utf8');
    const records: StoredRecord[] = [];
    await scanPartitions(kafka, admin, source, targets, (messages, p) => {
      for (const m of messages) if (m.key !== null && key.equals(m.key)) records.push(recordOf(source.topic, p, m));
    });
    // A case found on several partitions (the partition count changed?) has no order across them: sequence
    // order is the only one left. Within one partition the log order is kept, faults and all.
    const partitions = new Set(records.map((r) => (r.location.kind === 'kafka' ? r.location.partition : -1)));
    if (partitions.size > 1) records.sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
    return records;
  });
}
