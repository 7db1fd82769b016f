// Publishing a case's events to Kafka, in order and idempotent by event id.
//
// - Key = case id: all events of a case land on one partition, in the order sent. The workflow sends one
//   batch at a time and waits, so order holds across batches too.
// - The producer is idempotent with acks=all and one request in flight: a send the client retries after a
//   broker hiccup is written once, and retries cannot reorder a partition.
// - A retried *activity* is the remaining risk: the worker may die, or the broker fail, after Kafka stored
//   part or all of the batch but before Temporal heard of it. So an attempt after the first (or the first
//   attempt of a call the workflow makes again after an earlier call for the batch failed: `retried`) reads
//   the case's partition from where this batch's events can first lie, and sends only the events whose
//   ids are not there yet. Sends are bounded well inside the attempt's timeout, so an abandoned attempt
//   cannot land after its successor has looked.
// - Where to read from is derived from Kafka and the workflow's state alone, never from heartbeat details:
//   a server that does not advertise `activity_failure_include_heartbeat` (the CLI dev server) drops the
//   details a failing attempt recorded last, so they cannot be relied on. The later of two bounds, both
//   safe: just after the previous batch of the case (the workflow's `after`), and the first record stamped
//   at or after the batch's decision time less CLOCK_SKEW_MARGIN_MS (the broker's time index), so a case
//   published for the first time, or after weeks, does not read its whole partition.
// - A producer request carries at most PUBLISH_BATCH_BYTES of events (events/limits.ts), under the broker's
//   `message.max.bytes`: a batch of many events is sent in several requests, in order.
import crypto from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { canonicalJson, PUBLISH_BATCH_BYTES, RECORD_OVERHEAD_BYTES, publishedBytes, type CaseEvent } from '../events/index.js';
import { partitionForKey } from '../runtime/kafka.js';
import { inSpan, SpanKind, traceHeaders } from '../runtime/tracing.js';

export interface PublisherDeps {
  kafka: Kafka;
  producer: Producer;
  /**
   * Connects a fresh idempotent producer. Kafka can lose an idempotent producer's sequence state (a broker
   * killed and restarted mid-send: the fault drill found every later send refused with
   * OUT_OF_ORDER_SEQUENCE_NUMBER, for good — kafkajs does not recover from it). The activity then renews the
   * producer and fails the attempt; the retry reads the topic first, as every retry does, so nothing is sent
   * twice. Without it such a producer keeps failing (tests that own their producer).
   */
  renewProducer?: () => Promise<Producer>;
  topic: string;
  /**
   * A connected admin client kept for the worker's life (the worker connects and disconnects it). Without
   * one, each publish connects an admin of its own to read the partition's offsets: a connection set up
   * and torn down per batch, which was most of a command's publishing time (bench/main.ts, lifecycle).
   */
  admin?: Admin;
}

/** Where the previous batch of this case ended on the topic, as the workflow remembers it. */
export interface TopicPosition {
  partition: number;
  offset: string;
}

export interface PublishRequest {
  events: CaseEvent[];
  after?: TopicPosition;
  /**
   * An earlier call for this batch failed (the workflow calls again after a round of attempts ran out):
   * the topic may hold part of the batch already, so even the first attempt of this call checks.
   */
  retried?: boolean;
}

/**
 * How far a record's timestamp (the producing worker's clock) may lie before the batch's decision time
 * (the Temporal server's clock, `occurredAt`) or this attempt's clock: machines' clocks are kept within
 * seconds of each other by NTP; a quarter of an hour is ample and still bounds the read.
 */
export const CLOCK_SKEW_MARGIN_MS = 15 * 60_000;

export interface PublishResult {
  published: number;
  alreadyThere: number;
  position?: TopicPosition;
}

/** Errors after which the broker no longer accepts this idempotent producer's sequence (see renewProducer). */
const LOST_PRODUCER_STATE = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING']);

export function lostProducerState(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const type = (e as { type?: unknown }).type;
    if (typeof type === 'string' && LOST_PRODUCER_STATE.has(type)) return true;
  }
  return false;
}

export function createPublishActivities({ kafka, producer, renewProducer, topic, admin }: PublisherDeps) {
  let current = producer;
  let renewing: Promise<void> | undefined;
  /** Replaces `failed` by a fresh producer, once however many sends saw it fail. */
  const renew = async (failed: Producer): Promise<void> => {
    if (!renewProducer || failed !== current) return renewing;
    renewing ??= (async () => {
      const next = await renewProducer();
      current = next;
      await failed.disconnect().catch(() => undefined);
    })().finally(() => {
      renewing = undefined;
    });
    return renewing;
  };
  const topicOffsets = () => (admin ? admin.fetchTopicOffsets(topic) : withAdmin(kafka, (a) => a.fetchTopicOffsets(topic)));
  const offsetsSince = (timestamp: number) =>
    admin ? admin.fetchTopicOffsetsByTimestamp(topic, timestamp) : withAdmin(kafka, (a) => a.fetchTopicOffsetsByTimestamp(topic, timestamp));
  return {
    async publishEvents({ events, after, retried }: PublishRequest): Promise<PublishResult> {
      if (events.length === 0) return { published: 0, alreadyThere: 0, ...(after ? { position: after } : {}) };
      const caseId = events[0]!.caseId;
      const context = Context.current();
      const offsets = await topicOffsets();
      const partition = after?.partition ?? partitionForKey(topic, caseId, offsets.map((o) => o.partition));
      const range = offsets.find((o) => o.partition === partition);
      if (!range) throw new Error(`topic ${topic} has no partition ${partition}`);

      let toSend = events;
      let position = after;
      if (context.info.attempt > 1 || retried) {
        const afterLast = after ? BigInt(after.offset) + 1n : BigInt(range.low);
        const since = Math.min(Date.parse(events[0]!.occurredAt), Date.now()) - CLOCK_SKEW_MARGIN_MS;
        const stamped = await offsetsSince(since);
        const fromTime = stamped.find((o) => o.partition === partition)?.offset;
        // -1: no record stamped that late, so none of this batch's either: nothing before the end to read.
        const byTime = fromTime === undefined ? afterLast : fromTime === '-1' ? BigInt(range.high) : BigInt(fromTime);
        const from = byTime > afterLast ? byTime : afterLast;
        const found = await eventsAlreadyOnTopic(kafka, topic, caseId, partition, from, BigInt(range.high));
        toSend = events.filter((e) => !found.ids.has(e.eventId));
        position = found.last ?? after;
      }
      // In requests of at most PUBLISH_BATCH_BYTES, one after the other: order holds, and a failure between
      // two leaves a prefix on the topic, which the next attempt finds. One producer span per request, in the
      // activity's trace; its context rides in every record's headers (W3C traceparent/tracestate), so the
      // projector can link its work to this trace. No span and no such header while tracing is off
      // (runtime/tracing.ts).
      for (const chunk of chunksOf(toSend)) {
        const [meta] = await inSpan(
          `publish ${topic}`,
          {
            kind: SpanKind.PRODUCER,
            attributes: {
              'messaging.system': 'kafka',
              'messaging.operation.type': 'send',
              'messaging.destination.name': topic,
              'messaging.destination.partition.id': String(partition),
              'messaging.batch.message_count': chunk.length,
              'mediation.case_id': caseId,
              'mediation.sequence.first': chunk[0]!.sequence,
              'mediation.sequence.last': chunk[chunk.length - 1]!.sequence,
              'mediation.publish.attempt': context.info.attempt,
            },
          },
          async () => {
            const trace = traceHeaders();
            const sending = current;
            return sending
              .send({
                topic,
                acks: -1,
                messages: chunk.map((e) => ({
                  key: e.caseId,
                  value: canonicalJson(e),
                  headers: { 'event-id': e.eventId, 'event-type': e.type, sequence: String(e.sequence), ...trace },
                })),
              })
              .catch(async (err: unknown) => {
                if (lostProducerState(err)) {
                  context.log.warn("Kafka lost the producer's sequence state: a fresh producer takes over; the retry checks the topic first", { caseId });
                  await renew(sending).catch(() => undefined);
                }
                throw err;
              });
          },
        );
        if (meta?.baseOffset !== undefined) {
          position = { partition: meta.partition, offset: (BigInt(meta.baseOffset) + BigInt(chunk.length - 1)).toString() };
        }
      }
      // For the worker's Prometheus exporter (a no-op meter when metrics are off).
      context.metricMeter.createCounter('mediation_events_published', 'events', 'Events the publish activity wrote to Kafka').add(toSend.length);
      if (context.info.attempt > 1) context.metricMeter.createCounter('mediation_publish_retries', 'attempts', 'Publish attempts after the first (Kafka refused or timed out before)').add(1);
      return { published: toSend.length, alreadyThere: events.length - toSend.length, ...(position ? { position } : {}) };
    },
  };
}

/** Consecutive runs of events whose records together stay under PUBLISH_BATCH_BYTES (one event at least). */
export function chunksOf(events: readonly CaseEvent[]): CaseEvent[][] {
  const chunks: CaseEvent[][] = [];
  let current: CaseEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = publishedBytes(event) + RECORD_OVERHEAD_BYTES;
    if (current.length > 0 && bytes + size > PUBLISH_BATCH_BYTES) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

async function withAdmin<T>(kafka: Kafka, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

// Reads the case's partition over [from, end) and collects the ids of this case's events found there.
async function eventsAlreadyOnTopic(
  kafka: Kafka,
  topic: string,
  caseId: string,
  partition: number,
  from: bigint,
  end: bigint,
): Promise<{ ids: Set<string>; last?: TopicPosition }> {
  const ids = new Set<string>();
  let last: TopicPosition | undefined;
  if (from >= end) return { ids };
  const groupId = `mediation-publish-check-${crypto.randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic });
    let reachedEnd: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (reachedEnd = resolve));
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition: p, message }) => {
        if (p !== partition) return;
        if (message.key?.toString() === caseId) {
          const id = message.headers?.['event-id']?.toString();
          if (id) ids.add(id);
          last = { partition, offset: message.offset };
        }
        if (BigInt(message.offset) + 1n >= end) reachedEnd();
      },
    });
    consumer.seek({ topic, partition, offset: from.toString() });
    await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`reading ${topic}/${partition} for ${caseId} took over 20 s`)), 20_000))]);
  } finally {
    await consumer.disconnect();
    await withAdmin(kafka, (admin) => admin.deleteGroups([groupId])).catch(() => undefined);
  }
  return { ids, ...(last ? { last } : {}) };
}

