// The one place clients are built from configuration: the Temporal client (with the payload codec) or the
// worker's native connection, Kafka, and the read-model database. The API, the worker, the CLI and the
// benchmarks all come through here, so TLS, API keys, SASL, the codec and tracing apply to each the same way.
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import type { Kafka } from 'kafkajs';
import { dbOptionsFromEnv, openDb, type Db, type DbEvents, type DbOptions } from '../readmodels/db.js';
import type { AppConfig } from './config.js';
import { createKafka, type KafkaPurpose } from './kafka.js';
import type { Logger } from './log.js';
import { encryptedDataConverter, envKeySource, type PayloadKeyring } from './payload-codec.js';
import { connectTemporal } from './secure-connections.js';
import { temporalClientInterceptors } from './tracing.js';

/** The configuration a client needs; tests and benchmarks pass loadAppConfig() of their own variables. */
type TemporalConfig = Pick<AppConfig, 'temporal' | 'TEMPORAL_NAMESPACE' | 'PAYLOAD_KEYS' | 'PAYLOAD_KEYS_FILE'>;

/** The data converter of every Temporal client and worker: the keyring given, else PAYLOAD_KEYS[_FILE]. */
export async function dataConverterFor(config: Pick<AppConfig, 'PAYLOAD_KEYS' | 'PAYLOAD_KEYS_FILE'>, keyring?: PayloadKeyring): Promise<DataConverter> {
  return encryptedDataConverter(keyring ?? (await envKeySource(config).load()));
}

export interface TemporalClient {
  client: Client;
  connection: Connection;
  close(): Promise<void>;
}

/**
 * A Temporal client over the configured connection (TLS, API key), encrypting payloads, traced when tracing
 * is on. `connection` adds gRPC options (the API's retries, the CLI's short connect timeout).
 */
export async function temporalClient(config: TemporalConfig, options: { connection?: Partial<ConnectionOptions>; keyring?: PayloadKeyring } = {}): Promise<TemporalClient> {
  const dataConverter = await dataConverterFor(config, options.keyring);
  const connection = await connectTemporal(config.temporal, (o) => Connection.connect({ ...o, ...options.connection }));
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter, interceptors: temporalClientInterceptors() });
  return { client, connection, close: () => connection.close() };
}

/** The worker's native connection to the configured Temporal server. */
export function workerConnection(config: Pick<AppConfig, 'temporal'>): Promise<NativeConnection> {
  return connectTemporal(config.temporal, (o) => NativeConnection.connect(o));
}

/** A Kafka client of the configured cluster (brokers, SSL, SASL); `purpose` picks timeouts (runtime/kafka.ts). */
export function kafkaClient(config: Pick<AppConfig, 'kafka'>, clientId: string, log?: Logger, purpose?: KafkaPurpose): Kafka {
  return createKafka(config.kafka, clientId, log, purpose);
}

/** Where the read models are: DATABASE_URL (with DATABASE_SSL_*), else PGLITE_PATH; neither throws NoDatabaseError. */
export function readModelDbOptions(config: Pick<AppConfig, 'DATABASE_URL' | 'PGLITE_PATH' | 'postgresSsl'>): DbOptions {
  return dbOptionsFromEnv({ DATABASE_URL: config.DATABASE_URL, PGLITE_PATH: config.PGLITE_PATH }, config.postgresSsl);
}

export function readModelDb(config: Pick<AppConfig, 'DATABASE_URL' | 'PGLITE_PATH' | 'postgresSsl'>, events?: DbEvents): Promise<Db> {
  return openDb(readModelDbOptions(config), events);
}
