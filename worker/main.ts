// The Temporal worker: runs the case workflows and their activities. Logging is wired once, through
// Runtime.install, into pino; SIGINT/SIGTERM drain the worker before the Kafka producer is closed.
import { fileURLToPath } from 'node:url';
import { Runtime, Worker, makeTelemetryFilterString } from '@temporalio/worker';
import { createPublishActivities } from '../activities/publish.js';
import { createMergeActivities } from '../activities/merge.js';
import { dataConverterFor, kafkaClient, workerConnection } from '../runtime/clients.js';
import { connectProducer } from '../runtime/kafka.js';
import { ConfigError, loadAppConfig } from '../runtime/config.js';
import { createLogger } from '../runtime/log.js';
import { describeTemporal } from '../runtime/secure-connections.js';
import { describeKafka } from '../runtime/kafka.js';
import { PayloadKeyError } from '../runtime/payload-codec.js';
import v8 from 'node:v8';
import { workerMemory } from '../runtime/worker-cache.js';
import { workflowBundlerOptions } from '../runtime/workflow-bundle.js';
import { CommandKeyError, envCommandVerifyKeys } from '../runtime/command-signing.js';
import { temporalLoggerFor } from './temporal-logger.js';
import { startTracing, temporalWorkerTracing } from '../runtime/tracing.js';

async function main(): Promise<void> {
  const config = loadAppConfig();
  const log = createLogger('worker', config.LOG_LEVEL);
  // Off unless an OTLP endpoint is configured; on, the bundle gets the workflow interceptors (below).
  const tracing = startTracing('worker');
  Runtime.install({
    logger: temporalLoggerFor(log),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      // The SDK's own exporter: workflow/activity task latencies, slots, the sticky cache, activity
      // failures, and the publish activity's counters (activities/publish.ts).
      ...(config.WORKER_METRICS_ADDRESS
        ? { metrics: { prometheus: { bindAddress: config.WORKER_METRICS_ADDRESS, countersTotalSuffix: true, useSecondsForDurations: true } } }
        : {}),
    },
  });

  const dataConverter = await dataConverterFor(config);
  const kafka = kafkaClient(config, 'mediation-worker', log);
  // Replaced by the publish activity when Kafka loses its sequence state (activities/publish.ts): the latest
  // is the one closed on shutdown.
  let producer = await connectProducer(kafka);
  const renewProducer = async () => (producer = await connectProducer(kafka));
  const admin = kafka.admin();
  await admin.connect();
  const connection = await workerConnection(config);
  const memory = workerMemory(config.WORKER_MEMORY_MIB);
  const maxCached = config.WORKER_MAX_CACHED_WORKFLOWS ?? memory.cachedWorkflows;
  const heapMiB = Math.round(v8.getHeapStatistics().heap_size_limit / 2 ** 20);
  if (heapMiB > memory.heapMiB * 1.1) {
    // Evicted workflows are garbage the workflow thread collects only under heap pressure (worker-cache.ts).
    log.warn({ heapMiB, wanted: memory.heapMiB }, `the worker's heap limit exceeds its memory budget: start it with node --max-old-space-size=${memory.heapMiB} (npm start does)`);
  }
  // The workflows refuse every command not signed with one of these keys (workflows/command-signature.ts).
  const verifyKeys = Object.keys(envCommandVerifyKeys(config));
  if (verifyKeys.length === 0) throw new CommandKeyError('no command verify keys: set COMMAND_VERIFY_KEYS_FILE (npm start makes one in .data/dev/keys) or COMMAND_VERIFY_KEYS; without them every command would be refused');
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    dataConverter,
    workflowsPath: fileURLToPath(new URL('../workflows/index.ts', import.meta.url)),
    // The pure core evaluated once per workflow thread, not once per workflow (workflows/shared/core.ts).
    bundlerOptions: workflowBundlerOptions,
    activities: { ...createPublishActivities({ kafka, producer, renewProducer, admin, topic: config.KAFKA_TOPIC }), ...createMergeActivities() },
    // Let an in-flight publish finish on shutdown rather than be cancelled and retried elsewhere.
    shutdownGraceTime: '20s',
    // Bounded by the memory budget, not by the number of open cases (runtime/worker-cache.ts).
    maxCachedWorkflows: maxCached,
    // Spans for the run, each update, each activity (runtime/tracing.ts); nothing while tracing is off.
    ...temporalWorkerTracing(),
  });
  log.info({ taskQueue: config.TASK_QUEUE, temporal: describeTemporal(config.temporal), kafka: describeKafka(config.kafka), maxCachedWorkflows: maxCached, metrics: config.WORKER_METRICS_ADDRESS ? `http://${config.WORKER_METRICS_ADDRESS}/metrics` : 'off', commandKeys: verifyKeys, tracing: tracing.describe }, 'worker started');
  try {
    await worker.run(); // returns after SIGINT/SIGTERM, once in-flight tasks are done
  } finally {
    await producer.disconnect();
    await admin.disconnect();
    await connection.close();
    await tracing.shutdown().catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'the last spans could not be sent'));
    log.info('worker stopped');
  }
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof PayloadKeyError) process.stderr.write(err.message + '\n');
  else process.stderr.write(`worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
