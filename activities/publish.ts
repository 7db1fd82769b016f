// Publishing a case's events to Kafka, in order and idempotent by event id.
//
// - Key = case id: all events of a case land on one partition, in the order sent. The workflow sends one
//   batch at a time and waits, so order holds across batches too.
// - The producer is idempotent with acks=all and one request in flight: a send the client retries after a
//   broker hiccup is written once, and retries cannot reorder a partition.
// - A retried *activity* is the remaining risk: the worker may die after Kafka stored the batch but before
//   Temporal heard of it. So every attempt first records (as heartbeat details) where the partition ended
//   before the batch's first send, and an attempt after the first reads the case's partition from there
//   (or from where the previous batch ended, whichever is later) and sends only the events whose ids are
//   not there yet. Sends are bounded well inside the attempt's timeout, so an abandoned attempt cannot
//   land after its successor has looked.
import crypto from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { canonicalJson, type CaseEvent } from '../events/index.js';
import { partitionForKey } from '../runtime/kafka.js';
import { inSpan, SpanKind, traceHeaders } from '../runtime/tracing.js';

export interface PublisherDeps {
  kafka: Kafka;
  producer: Producer;
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
}

export interface PublishResult {
  published: number;
  alreadyThere: number;
  position?: TopicPosition;
}

export function createPublishActivities({ kafka, producer, topic, admin }: PublisherDeps) {
  const topicOffsets = () => (admin ? admin.fetchTopicOffsets(topic) : withAdmin(kafka, (a) => a.fetchTopicOffsets(topic)));
  return {
    async publishEvents({ events, after }: PublishRequest): Promise<PublishResult> {
      if (events.length === 0) return { published: 0, alreadyThere: 0, ...(after ? { position: after } : {}) };
      const caseId = events[0]!.caseId;
      const context = Context.current();
      const offsets = await topicOffsets();
      const partition = after?.partition ?? partitionForKey(topic, caseId, offsets.map((o) => o.partition));
      const range = offsets.find((o) => o.partition === partition);
      if (!range) throw new Error(`topic ${topic} has no partition ${partition}`);

      // Where the first attempt of this batch stood before it sent, kept across attempts: nothing an
      // attempt of this batch wrote can lie below it.
      const previous = context.info.heartbeatDetails as AttemptMark | undefined;
      const mark: AttemptMark = previous?.partition === partition ? previous : { partition, from: range.high };
      context.heartbeat(mark);

      let toSend = events;
      let position = after;
      if (context.info.attempt > 1) {
        const afterLast = after ? BigInt(after.offset) + 1n : BigInt(range.low);
        const from = previous?.partition === partition && BigInt(previous.from) > afterLast ? BigInt(previous.from) : afterLast;
        const found = await eventsAlreadyOnTopic(kafka, topic, caseId, partition, from, BigInt(range.high));
        toSend = events.filter((e) => !found.ids.has(e.eventId));
        position = found.last ?? after;
      }
      if (toSend.length > 0) {
        // One producer span for the send, in the activity's trace; its context rides in every record's
        // headers (W3C traceparent/tracestate), so the projector can link its work to this trace. No
        // span and no such header while tracing is off (runtime/tracing.ts).
        const [meta] = await inSpan(
          `publish ${topic}`,
          {
            kind: SpanKind.PRODUCER,
            attributes: {
              'messaging.system': 'kafka',
              'messaging.operation.type': 'send',
              'messaging.destination.name': topic,
              'messaging.destination.partition.id': String(partition),
              'messaging.batch.message_count': toSend.length,
              'mediation.case_id': caseId,
              'mediation.sequence.first': toSend[0]!.sequence,
              'mediation.sequence.last': toSend[toSend.length - 1]!.sequence,
              'mediation.publish.attempt': context.info.attempt,
            },
          },
          async () => {
            const trace = traceHeaders();
            return producer.send({
              topic,
              acks: -1,
              messages: toSend.map((e) => ({
                key: e.caseId,
                value: canonicalJson(e),
                headers: { 'event-id': e.eventId, 'event-type': e.type, sequence: String(e.sequence), ...trace },
              })),
            });
          },
        );
        if (meta?.baseOffset !== undefined) {
          position = { partition: meta.partition, offset: (BigInt(meta.baseOffset) + BigInt(toSend.length - 1)).toString() };
        }
      }
      // For the worker's Prometheus exporter (a no-op meter when metrics are off).
      context.metricMeter.createCounter('mediation_events_published', 'events', 'Events the publish activity wrote to Kafka').add(toSend.length);
      if (context.info.attempt > 1) context.metricMeter.createCounter('mediation_publish_retries', 'attempts', 'Publish attempts after the first (Kafka refused or timed out before)').add(1);
      return { published: toSend.length, alreadyThere: events.length - toSend.length, ...(position ? { position } : {}) };
    },
  };
}

/** Heartbeat details of a publish attempt: the partition's end before the batch's first send. */
interface AttemptMark {
  partition: number;
  from: string;
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

