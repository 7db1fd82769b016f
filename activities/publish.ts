// Publishing a case's events to Kafka. Key = case id, so all events of a case land on one partition in
// sequence order; the workflow publishes them one batch at a time and waits, so order holds across
// batches too. The producer is idempotent with acks=all: a retried send after a broker hiccup is not
// written twice. A retried *activity* (worker died after the send, before reporting) can send a batch
// again; readers drop it by (case id, sequence), which every event carries.
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { canonicalJson, type CaseEvent } from '../events/index.js';
import { kafkaLogCreator, type Logger } from '../ops/log.js';

export interface PublisherDeps {
  producer: Producer;
  topic: string;
}

export function createPublishActivities({ producer, topic }: PublisherDeps) {
  return {
    async publishEvents(events: CaseEvent[]): Promise<{ published: number }> {
      if (events.length === 0) return { published: 0 };
      await producer.send({
        topic,
        acks: -1,
        messages: events.map((e) => ({
          key: e.caseId,
          value: canonicalJson(e),
          headers: { 'event-id': e.eventId, 'event-type': e.type, sequence: String(e.sequence) },
        })),
      });
      return { published: events.length };
    },
  };
}

export async function connectProducer(brokers: string[], clientId = 'mediation-worker', log?: Logger): Promise<Producer> {
  const kafka = new Kafka({ clientId, brokers, logLevel: logLevel.WARN, ...(log ? { logCreator: kafkaLogCreator(log) } : {}) });
  // maxInFlightRequests 1 keeps retries from reordering a partition's batches.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // The Java client's murmur2 partitioning, so other consumers agree on a case's partition.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}
