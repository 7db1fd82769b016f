// The API process. It also runs the projector: PGlite allows one process per data directory, so the
// process that writes the read models is the one that serves them.
import { Client, Connection } from '@temporalio/client';
import { ConfigError, createKafka, createLogger, loadAppConfig } from '../runtime/index.js';
import { startProjector } from '../readmodels/consumer.js';
import { dbOptionsFromEnv, NoDatabaseError, openDb } from '../readmodels/db.js';
import { authSettings, createVerifier, remoteKeys } from './auth.js';
import { createApi } from './server.js';

async function main(): Promise<void> {
  const config = loadAppConfig();
  const log = createLogger('api', config.LOG_LEVEL);
  const auth = authSettings(config);
  const keys = await remoteKeys(auth.issuer, config.OIDC_JWKS_URI);
  const db = await openDb(dbOptionsFromEnv(), { onConnectionError: (err) => log.warn({ err: err.message }, 'read-model database connection lost; the pool opens a new one') });
  const projector = await startProjector({
    db,
    schema: config.READMODEL_SCHEMA,
    brokers: config.KAFKA_BROKERS,
    topic: config.KAFKA_TOPIC,
    groupId: config.PROJECTOR_GROUP_ID,
    log: log.child({ component: 'projector' }),
  });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const kafkaAdmin = createKafka(config.KAFKA_BROKERS, 'mediation-api', log, 'consume').admin();
  await kafkaAdmin.connect();

  const api = await createApi({
    temporal,
    taskQueue: config.TASK_QUEUE,
    kafkaAdmin,
    db,
    schema: config.READMODEL_SCHEMA,
    accessLogSchema: config.ACCESS_LOG_SCHEMA,
    projectorLag: projector.lag,
    log,
    verify: createVerifier(auth, keys),
    bodyLimitBytes: config.API_BODY_LIMIT_BYTES,
    writeRateLimit: config.API_WRITE_RATE_LIMIT,
    oidc: { issuer: auth.issuer, consoleClientId: config.OIDC_CONSOLE_CLIENT_ID },
  });
  await api.listen({ port: config.API_PORT, host: config.API_HOST });
  log.info({ url: `http://${config.API_HOST}:${config.API_PORT}`, issuer: auth.issuer }, 'API listening');

  const shutdown = async () => {
    log.info('API stopping');
    await api.close();
    await projector.stop();
    await kafkaAdmin.disconnect();
    await connection.close();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof NoDatabaseError) process.stderr.write(err.message + '\n');
  else process.stderr.write(`API failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
