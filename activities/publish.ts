// Publishing a case's events to Kafka, in order and idempotent by event id.
//
// - Key = case id: all events of a case land on one partition, in the order sent. The workflow sends one
//   batch at a time and waits, so order holds across batches too.
// - The producer is idempotent with acks=all and one request in flight: a send the client retries after a
//   broker hiccup is written once, and retries cannot reorder a partition.
// - A retried *activity* is the remaining risk: the worker may die after Kafka stored the batch but before
//   Temporal heard of it. So an attempt after the first reads the case's partition from the offset where
//   the previous batch ended and sends only the events whose ids are not there yet.
import crypto from 'node:crypto';
import { Context } from '@temporalio/activity';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { canonicalJson, type CaseEvent } from '../events/index.js';
import { kafkaLogCreator, type Logger } from '../ops/log.js';

export interface PublisherDeps {
  kafka: Kafka;
  producer: Producer;
  topic: string;
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

export function createPublishActivities({ kafka, producer, topic }: PublisherDeps) {
  return {
    async publishEvents({ events, after }: PublishRequest): Promise<PublishResult> {
      if (events.length === 0) return { published: 0, alreadyThere: 0, ...(after ? { position: after } : {}) };
      const caseId = events[0]!.caseId;
      let toSend = events;
      let position = after;
      if (Context.current().info.attempt > 1) {
        const found = await eventsAlreadyOnTopic(kafka, topic, caseId, after);
        toSend = events.filter((e) => !found.ids.has(e.eventId));
        position = found.last ?? after;
      }
      if (toSend.length > 0) {
        const [meta] = await producer.send({
          topic,
          acks: -1,
          messages: toSend.map((e) => ({
            key: e.caseId,
            value: canonicalJson(e),
            headers: { 'event-id': e.eventId, 'event-type': e.type, sequence: String(e.sequence) },
          })),
        });
        if (meta?.baseOffset !== undefined) {
          position = { partition: meta.partition, offset: (BigInt(meta.baseOffset) + BigInt(toSend.length - 1)).toString() };
        }
      }
      return { published: toSend.length, alreadyThere: events.length - toSend.length, ...(position ? { position } : {}) };
    },
  };
}

// Reads the case's partition from just after `after` (or from its start) up to the current end and
// collects the ids of this case's events found there.
async function eventsAlreadyOnTopic(
  kafka: Kafka,
  topic: string,
  caseId: string,
  after: TopicPosition | undefined,
): Promise<{ ids: Set<string>; last?: TopicPosition }> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  const partition = after?.partition ?? partitionForKey(topic, caseId, offsets.map((o) => o.partition));
  const range = offsets.find((o) => o.partition === partition);
  const ids = new Set<string>();
  let last: TopicPosition | undefined;
  const start = after ? BigInt(after.offset) + 1n : BigInt(range?.low ?? '0');
  const end = BigInt(range?.high ?? '0');
  if (start >= end) {
    await admin.disconnect();
    return { ids };
  }
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
    consumer.seek({ topic, partition, offset: start.toString() });
    await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`reading ${topic}/${partition} for ${caseId} took over 60 s`)), 60_000))]);
  } finally {
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  return { ids, ...(last ? { last } : {}) };
}

// The partition kafkajs's default (Java-compatible murmur2) partitioner gives a case id: where the
// producer put the case's events. The publisher needs it when retrying the very first batch; auditors
// need it to read one case.
export function partitionForKey(topic: string, key: string, partitions: readonly number[]): number {
  const partitioner = Partitioners.DefaultPartitioner();
  return partitioner({
    topic,
    partitionMetadata: partitions.map((partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 })),
    message: { key, value: null },
  });
}

export function createKafka(brokers: string[], clientId: string, log?: Logger): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    // A send gives up within ~25 s, inside the activity's 30 s: Temporal's retry takes over from there.
    retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 8_000 },
    ...(log ? { logCreator: kafkaLogCreator(log) } : {}),
  });
}

export async function connectProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // The Java client's murmur2 partitioning, so every reader agrees on a case's partition.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}
