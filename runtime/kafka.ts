// The Kafka client factory and the partitioning every process agrees on: the worker publishes with it,
// the projector and the auditors read with it.
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { kafkaLogCreator, type Logger } from './log.js';

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

/**
 * How a client behaves when a broker is slow or gone:
 * - `publish` (worker): a send gives up within ~25 s (3 tries of at most 6 s, short waits between),
 *   inside the activity's 30 s, so an attempt Temporal has given up on cannot still be writing when the
 *   next one checks;
 * - `consume` (projector, rebuild, API health): kafkajs's patient defaults;
 * - `cli` (auditors' commands): fail within seconds with the reason, and keep kafkajs's own log lines
 *   off stdout; errors reach the user as exceptions.
 */
export type KafkaPurpose = 'publish' | 'consume' | 'cli';

export function createKafka(brokers: string[], clientId: string, log?: Logger, purpose: KafkaPurpose = 'publish'): Kafka {
  const logging = purpose === 'cli' ? { logLevel: logLevel.NOTHING } : { logLevel: logLevel.WARN, ...(log ? { logCreator: kafkaLogCreator(log) } : {}) };
  const tuning =
    purpose === 'publish'
      ? { requestTimeout: 6_000, connectionTimeout: 1_000, retry: { retries: 2, initialRetryTime: 300, maxRetryTime: 2_000 } }
      : purpose === 'cli'
        ? { connectionTimeout: 5_000, retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 3_000 } }
        : {};
  return new Kafka({ clientId, brokers, ...logging, ...tuning });
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
