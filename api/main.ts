// The API process. It also runs the projector: PGlite allows one process per data directory, so the
// process that writes the read models is the one that serves them.
import { Client, Connection } from '@temporalio/client';
import { ConfigError, loadAppConfig } from '../runtime/config.js';
import { createKafka, createLogger } from '../runtime/index.js';
import { startProjector } from '../readmodels/consumer.js';
import { dbOptionsFromEnv, openDb } from '../readmodels/db.js';
import { createApi } from './server.js';

async function main(): Promise<void> {
  const config = loadAppConfig();
  const log = createLogger('api', config.LOG_LEVEL);
  const db = await openDb(dbOptionsFromEnv());
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

  const server = createApi({ temporal, taskQueue: config.TASK_QUEUE, kafkaAdmin, db, schema: config.READMODEL_SCHEMA, projectorLag: projector.lag, log });
  server.listen(config.API_PORT, config.API_HOST, () => log.info({ url: `http://${config.API_HOST}:${config.API_PORT}` }, 'API listening'));

  const shutdown = async () => {
    log.info('API stopping');
    server.close();
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
  if (err instanceof ConfigError) process.stderr.write(err.message + '\n');
  else process.stderr.write(`API failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
