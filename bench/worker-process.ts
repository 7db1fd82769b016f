// A worker in a process of its own, so that its memory (RSS) is the worker's alone and its CPU is not the
// benchmark driver's. Reads the bundle built by bench/main.ts; reports over IPC.
//   env: TEMPORAL_ADDRESS, KAFKA_BROKERS, BENCH_TASK_QUEUE, BENCH_TOPIC, BENCH_BUNDLE, BENCH_MAX_CACHED (optional)
import fs from 'node:fs';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { createPublishActivities } from '../activities/publish.js';
import { createMergeActivities } from '../activities/merge.js';
import { kafkaClient, workerConnection } from '../runtime/clients.js';
import { connectProducer } from '../runtime/kafka.js';
import { benchConfig, setting } from './config.js';
import { testDataConverter } from '../testkit/payload-keys.js';

Runtime.install({ logger: new DefaultLogger('WARN') });
const send = (message: unknown) => process.send?.(message);
const kafka = kafkaClient(benchConfig, 'bench-worker');
const producer = await connectProducer(kafka);
// The worker's long-lived admin client (worker/main.ts), where activities/publish.ts takes one.
const admin = kafka.admin();
await admin.connect();
const connection = await workerConnection(benchConfig);
const wakes: number[] = [];
const worker = await Worker.create({
  connection,
  taskQueue: setting('BENCH_TASK_QUEUE'),
  // Payloads encrypted as in production, with the keyring bench/main.ts's client uses.
  dataConverter: testDataConverter,
  workflowBundle: { code: fs.readFileSync(setting('BENCH_BUNDLE') ?? '', 'utf8') },
  activities: {
    ...createMergeActivities(),
    ...createPublishActivities({ kafka, producer, admin, topic: setting('BENCH_TOPIC') } as Parameters<typeof createPublishActivities>[0]),
    async clockWoke(dueAt: number) {
      wakes.push(Date.now() - dueAt);
    },
  },
  ...(setting('BENCH_MAX_CACHED') ? { maxCachedWorkflows: setting('BENCH_MAX_CACHED') } : {}),
  maxConcurrentWorkflowTaskExecutions: 40,
});
process.on('message', (m: { type: string }) => {
  if (m.type === 'wakes') send({ type: 'wakes', wakes: wakes.splice(0) });
  if (m.type === 'stats') send({ type: 'stats', rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed, cached: worker.getStatus().numCachedWorkflows });
  if (m.type === 'stop') worker.shutdown();
});
const running = worker.run();
send({ type: 'ready', maxCachedWorkflows: (worker.options as { maxCachedWorkflows: number }).maxCachedWorkflows });
await running;
await producer.disconnect();
await admin.disconnect();
await connection.close();
process.exit(0);
