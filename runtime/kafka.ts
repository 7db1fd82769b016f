// The Kafka client factory and the partitioning every process agrees on: the worker publishes with it,
// the projector and the auditors read with it.
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { kafkaLogCreator, type Logger } from './log.js';
import type { KafkaConnection } from './secure-connections.js';

export type { KafkaConnection } from './secure-connections.js';

/** A Kafka cluster to connect to: its settings from configuration, or a bare broker list (plaintext, tests). */
export type KafkaTarget = KafkaConnection | string[];

export function brokersOf(target: KafkaTarget): string[] {
  return Array.isArray(target) ? target : target.brokers;
}

/** The brokers for a message, with the protocol when it is not plaintext (never the password). */
export function describeKafka(target: KafkaTarget): string {
  if (Array.isArray(target) || target.protocol === 'PLAINTEXT') return brokersOf(target).join(',');
  return `${brokersOf(target).join(',')} (${target.protocol}${target.sasl ? ` ${target.sasl.mechanism.toUpperCase()} as ${target.sasl.username}` : ''})`;
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

export function createKafka(target: KafkaTarget, clientId: string, log?: Logger, purpose: KafkaPurpose = 'publish'): Kafka {
  const logging = purpose === 'cli' ? { logLevel: logLevel.NOTHING } : { logLevel: logLevel.WARN, ...(log ? { logCreator: kafkaLogCreator(log) } : {}) };
  const tuning =
    purpose === 'publish'
      ? { requestTimeout: 6_000, connectionTimeout: 1_000, retry: { retries: 2, initialRetryTime: 300, maxRetryTime: 2_000 } }
      : purpose === 'cli'
        ? { connectionTimeout: 5_000, retry: { retries: 3, initialRetryTime: 300, maxRetryTime: 3_000 } }
        : {};
  const security = Array.isArray(target) ? {} : { ...(target.ssl ? { ssl: target.ssl } : {}), ...(target.sasl ? { sasl: target.sasl } : {}) };
  return new Kafka({ clientId, brokers: brokersOf(target), ...security, ...logging, ...tuning });
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
