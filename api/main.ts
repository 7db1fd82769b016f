// The API process. It also runs the projector: PGlite allows one process per data directory, so the
// process that writes the read models is the one that serves them.
import { ConfigError, createLogger, loadAppConfig, PayloadKeyError } from '../runtime/index.js';
import { kafkaClient, readModelDb, temporalClient } from '../runtime/clients.js';
import { startProjector, type RunningProjector } from '../readmodels/consumer.js';
import { NoDatabaseError } from '../readmodels/db.js';
import { authSettings, createVerifier, remoteKeys } from './auth.js';
import { CommandKeyError, envCommandSigner } from '../runtime/command-signing.js';
import { apiConnectionOptions } from './commands.js';
import { ProjectorJoiningError } from './health.js';
import { createApi } from './server.js';
import { createProcessMetrics } from '../runtime/metrics.js';
import { masterKeySource, PersonalDataKeys } from '../runtime/personal-data-keys.js';
import { startTracing } from '../runtime/tracing.js';

async function main(): Promise<void> {
  const config = loadAppConfig();
  const log = createLogger('api', config.LOG_LEVEL);
  // Before any client is made: the Temporal client's interceptors depend on it.
  const tracing = startTracing('api');
  const auth = authSettings(config);
  // Every command is signed before it goes to Temporal (runtime/command-signing.ts): fail now, not on the first command.
  if (!envCommandSigner(config)) throw new CommandKeyError('no command signing key: set COMMAND_SIGNING_KEY_FILE (npm start makes one in .data/dev/keys) or COMMAND_SIGNING_KEY');
  const keys = await remoteKeys(auth.issuer, config.OIDC_JWKS_URI, { maxAgeMs: config.OIDC_JWKS_MAX_AGE_SECONDS * 1000, cooldownMs: config.OIDC_JWKS_COOLDOWN_SECONDS * 1000 });
  const db = await readModelDb(config, { onConnectionError: (err) => log.warn({ err: err.message }, 'read-model database connection lost; the pool opens a new one') });
  // The projector joins its consumer group in the background: after a crash that takes until the old
  // member's session times out, and commands must not wait for the read models meanwhile.
  let projector: RunningProjector | undefined;
  let stopping = false;
  const joiningSince = new Date();
  const metrics = createProcessMetrics();
  const projectorLag = () => (projector ? projector.lag() : Promise.reject(new ProjectorJoiningError(joiningSince)));
  const projectorLog = log.child({ component: 'projector' });
  const keepStartingProjector = async () => {
    for (let attempt = 1, waitMs = 2_000; !stopping && !projector; attempt++, waitMs = Math.min(waitMs * 2, 60_000)) {
      try {
        projector = await startProjector({
          db,
          schema: config.READMODEL_SCHEMA,
          brokers: config.kafka,
          topic: config.KAFKA_TOPIC,
          groupId: config.PROJECTOR_GROUP_ID,
          log: projectorLog,
          metrics,
        });
      } catch (err) {
        projectorLog.error({ err: err instanceof Error ? err.message : String(err), attempt, retryInSeconds: waitMs / 1000 }, 'projector could not start: is Kafka up and the topic created? retrying');
        await new Promise((r) => setTimeout(r, waitMs));
      }
    }
  };
  const temporal = await temporalClient(config, { connection: apiConnectionOptions });
  const kafkaAdmin = kafkaClient(config, 'mediation-api', log, 'consume').admin();
  await kafkaAdmin.connect();

  const personalDataKeys = new PersonalDataKeys(db, await masterKeySource(config).load(), config.KEY_STORE_SCHEMA);
  if (!personalDataKeys.erasureRetiresKeys) {
    log.warn(
      { keyring: personalDataKeys.kekStore.describe },
      'the personal-data master keyring is a fixed environment secret: an erasure destroys the keys in the database but cannot retire the key that wrapped them, so old copies of the database (WAL, backups) opened with this secret still hold them; use PERSONAL_DATA_MASTER_KEYS_FILE or a KMS (docs/personal-data-erasure.md)',
    );
  }
  const api = await createApi({
    temporal: temporal.client,
    taskQueue: config.TASK_QUEUE,
    kafkaAdmin,
    db,
    schema: config.READMODEL_SCHEMA,
    accessLogSchema: config.ACCESS_LOG_SCHEMA,
    projectorLag,
    log,
    verify: createVerifier(auth, keys),
    personalDataKeys,
    bodyLimitBytes: config.API_BODY_LIMIT_BYTES,
    writeRateLimit: config.API_WRITE_RATE_LIMIT,
    readRateLimit: config.API_READ_RATE_LIMIT,
    codecCorsOrigins: config.CODEC_CORS_ORIGINS,
    oidc: { issuer: auth.issuer, consoleClientId: config.OIDC_CONSOLE_CLIENT_ID },
    metrics,
  });
  await api.listen({ port: config.API_PORT, host: config.API_HOST });
  log.info({ url: `http://${config.API_HOST}:${config.API_PORT}`, issuer: auth.issuer, tracing: tracing.describe }, 'API listening');
  const projectorStarted = keepStartingProjector();

  const shutdown = async () => {
    log.info('API stopping');
    stopping = true;
    await api.close();
    await projectorStarted;
    await projector?.stop();
    await kafkaAdmin.disconnect();
    await temporal.close();
    await db.close();
    await tracing.shutdown().catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'the last spans could not be sent'));
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof PayloadKeyError || err instanceof NoDatabaseError) process.stderr.write(err.message + '\n');
  else process.stderr.write(`API failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
