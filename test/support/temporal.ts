// Workers for tests: the workflow code is bundled once per test file (bundling takes seconds), and
// each worker publishes to a real Kafka topic of its own.
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createPublishActivities } from '../../activities/publish.js';
import { createMergeActivities } from '../../activities/merge.js';
import { connectProducer, createKafka } from '../../runtime/kafka.js';
import { workflowBundlerOptions } from '../../runtime/workflow-bundle.js';
import { temporalWorkerTracing, TRACING_WORKFLOW_MODULES } from '../../runtime/tracing.js';
import { testDataConverter } from '../../testkit/payload-keys.js';

// Worker state changes and the like at INFO would drown the test output.
Runtime.install({ logger: new DefaultLogger('WARN') });

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
let tracedBundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The production bundle; `traced`: with the tracing workflow interceptors, as a worker that traces builds it. */
export function workflowBundle(opts: { traced?: boolean } = {}): Promise<WorkflowBundleWithSourceMap> {
  const build = (extra: { workflowInterceptorModules?: string[] }) =>
    bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)), logger: quietLogger, ...workflowBundlerOptions, ...extra });
  if (opts.traced) return (tracedBundle ??= build({ workflowInterceptorModules: [...TRACING_WORKFLOW_MODULES] }));
  return (bundle ??= build({}));
}

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

export async function createTopic(brokers: string[], topic: string, partitions = 1): Promise<void> {
  const admin = new Kafka({ clientId: 'test-admin', brokers, logLevel: logLevel.ERROR }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
  } finally {
    await admin.disconnect();
  }
}

export interface RunningWorker {
  worker: Worker;
  producer: Producer;
  stop(): Promise<void>;
}

export async function startCaseWorker(opts: {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  brokers: string[];
  topic: string;
  /** Another bundle of the workflows (a test's variant of the core); default: the project's. */
  workflowBundle?: WorkflowBundleWithSourceMap;
}): Promise<RunningWorker> {
  const kafka = createKafka(opts.brokers, 'test-worker');
  const producer = await connectProducer(kafka);
  const admin = kafka.admin();
  await admin.connect();
  // Traced as worker/main.ts traces when this process started tracing (runtime/tracing.ts).
  const tracing = temporalWorkerTracing();
  const worker = await Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    workflowBundle: opts.workflowBundle ?? (await workflowBundle({ traced: tracing.interceptors !== undefined })),
    dataConverter: testDataConverter,
    activities: { ...createPublishActivities({ kafka, producer, admin, topic: opts.topic }), ...createMergeActivities() },
    // The workflow interceptors are in the traced bundle already (the worker would warn about the modules).
    ...(tracing.interceptors ? { interceptors: { ...tracing.interceptors, workflowModules: [] }, sinks: tracing.sinks } : {}),
  });
  const running = worker.run();
  return {
    worker,
    producer,
    async stop() {
      worker.shutdown();
      await running;
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}

/**
 * Reads every message of a topic from the beginning until `count` have arrived (or the timeout). With `key`,
 * only that key's messages are kept and counted; `settleMs` keeps reading that long after `count` is
 * reached, so that a duplicate sent after the last expected message is seen too.
 */
export async function readTopic(brokers: string[], topic: string, count: number, timeoutMs = 30_000, opts: { key?: string; settleMs?: number } = {}) {
  const kafka = new Kafka({ clientId: 'test-reader', brokers, logLevel: logLevel.ERROR });
  // A short fetch wait: disconnect waits for the fetch in flight, which would otherwise long-poll for 5 s.
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Date.now()}`, maxWaitTimeInMs: 100 });
  const messages: Array<{ key: string; value: Record<string, unknown>; partition: number; offset: string }> = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done: () => void = noop;
  const enough = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      if (opts.key !== undefined && message.key?.toString() !== opts.key) return;
      messages.push({ key: message.key?.toString() ?? '', value: JSON.parse(message.value?.toString() ?? 'null'), partition, offset: message.offset });
      if (messages.length >= count) done();
    },
  });
  await Promise.race([enough, new Promise((r) => setTimeout(r, timeoutMs))]);
  if (opts.settleMs) await new Promise((r) => setTimeout(r, opts.settleMs));
  await consumer.disconnect();
  return messages;
}
