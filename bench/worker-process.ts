// A worker in a process of its own, so that its memory (RSS) is the worker's alone and its CPU is not the
// benchmark driver's. Reads the bundle built by bench/main.ts; reports over IPC.
//   env: TEMPORAL_ADDRESS, KAFKA_BROKERS, BENCH_TASK_QUEUE, BENCH_TOPIC, BENCH_BUNDLE, BENCH_MAX_CACHED (optional)
import fs from 'node:fs';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createPublishActivities } from '../activities/publish.js';
import { createMergeActivities } from '../activities/merge.js';
import { connectProducer, createKafka } from '../runtime/kafka.js';
import { testDataConverter } from '../test/support/payload-keys.js';

Runtime.install({ logger: new DefaultLogger('WARN') });
const send = (message: unknown) => process.send?.(message);
const env = process.env;
const kafka = createKafka((env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), 'bench-worker');
const producer = await connectProducer(kafka);
// The worker's long-lived admin client (worker/main.ts), where activities/publish.ts takes one.
const admin = kafka.admin();
await admin.connect();
const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
const wakes: number[] = [];
const worker = await Worker.create({
  connection,
  taskQueue: env.BENCH_TASK_QUEUE ?? 'bench',
  // Payloads encrypted as in production, with the keyring bench/main.ts's client uses.
  dataConverter: testDataConverter,
  workflowBundle: { code: fs.readFileSync(env.BENCH_BUNDLE ?? '', 'utf8') },
  activities: {
    ...createMergeActivities(),
    ...createPublishActivities({ kafka, producer, admin, topic: env.BENCH_TOPIC ?? 'bench' } as Parameters<typeof createPublishActivities>[0]),
    async clockWoke(dueAt: number) {
      wakes.push(Date.now() - dueAt);
    },
  },
  ...(env.BENCH_MAX_CACHED ? { maxCachedWorkflows: Number(env.BENCH_MAX_CACHED) } : {}),
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
