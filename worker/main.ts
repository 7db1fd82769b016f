// The Temporal worker: runs the case workflows and their activities. Logging is wired once, through
// Runtime.install, into pino; SIGINT/SIGTERM drain the worker before the Kafka producer is closed.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Runtime, Worker, makeTelemetryFilterString } from '@temporalio/worker';
import { createPublishActivities } from '../activities/publish.js';
import { connectProducer, createKafka } from '../runtime/kafka.js';
import { ConfigError, loadAppConfig } from '../runtime/config.js';
import { createLogger } from '../runtime/log.js';
import { workflowCacheSize } from '../runtime/worker-cache.js';
import { temporalLoggerFor } from './temporal-logger.js';

async function main(): Promise<void> {
  const config = loadAppConfig();
  const log = createLogger('worker', config.LOG_LEVEL);
  Runtime.install({
    logger: temporalLoggerFor(log),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} } },
  });

  const kafka = createKafka(config.KAFKA_BROKERS, 'mediation-worker', log);
  const producer = await connectProducer(kafka);
  const admin = kafka.admin();
  await admin.connect();
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const maxCached = config.WORKER_MAX_CACHED_WORKFLOWS ?? workflowCacheSize(config.WORKER_MEMORY_MIB);
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)),
    activities: createPublishActivities({ kafka, producer, admin, topic: config.KAFKA_TOPIC }),
    // Let an in-flight publish finish on shutdown rather than be cancelled and retried elsewhere.
    shutdownGraceTime: '20s',
    // Bounded by the memory budget, not by the number of open cases (runtime/worker-cache.ts).
    maxCachedWorkflows: maxCached,
  });
  log.info({ taskQueue: config.TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS, kafka: config.KAFKA_BROKERS, maxCachedWorkflows: maxCached }, 'worker started');
  try {
    await worker.run(); // returns after SIGINT/SIGTERM, once in-flight tasks are done
  } finally {
    await producer.disconnect();
    await admin.disconnect();
    await connection.close();
    log.info('worker stopped');
  }
}

main().catch((err) => {
  if (err instanceof ConfigError) process.stderr.write(err.message + '\n');
  else process.stderr.write(`worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
