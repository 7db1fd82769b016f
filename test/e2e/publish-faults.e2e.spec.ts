// Publishing through faults on the real CLI dev server and Kafka (issue 14, "No silent failure"):
// - this dev server does not advertise `activity_failure_include_heartbeat`, so a failed attempt's
//   heartbeat details cannot be relied on: a publish that fails mid-batch must be retried correctly from
//   what Kafka and the workflow know, and end with the case's sequences 1..N on the topic exactly once;
// - a publish that keeps failing (the topic does not exist) shows as `publishStalled` in the case's view
//   and is counted by visibility (what /health and the gauge report), and clears when the topic appears.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Context } from '@temporalio/activity';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Admin, Kafka, Producer, ProducerRecord } from 'kafkajs';
import { createPublishActivities, type PublishRequest } from '../../activities/publish.js';
import { countFailingCases } from '../../api/health.js';
import { connectProducer, createKafka } from '../../runtime/kafka.js';
import { caseViewQuery, commandUpdates, type CaseView } from '../../workflows/messages.js';
import type { caseWorkflow } from '../../workflows/case-workflow.js';
import { PUBLISH_FIRST_ROUND_ATTEMPTS } from '../../workflows/case-workflow.js';
import type { CaseCommand } from '../../domain/case/commands.js';
import { PublishStalled } from '../../workflows/search-attributes.js';
import { clerk, receiveInput, request } from '../../testkit/cases.js';
import { testDataConverter } from '../../testkit/payload-keys.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { createTopic, readTopic, workflowBundle } from '../support/temporal.js';

type SendPlan = 'hold-then-fail' | 'half-then-fail' | 'pass';

describeWithStack('publishing through faults (real dev server and Kafka)', () => {
  let connection: Connection;
  let client: Client;
  let nativeConnection: NativeConnection;
  let kafka: Kafka;
  let producer: Producer;
  let admin: Admin;

  beforeAll(async () => {
    connection = await Connection.connect({ address: stack!.temporalAddress });
    client = new Client({ connection, dataConverter: testDataConverter });
    nativeConnection = await NativeConnection.connect({ address: stack!.temporalAddress });
    kafka = createKafka(stack!.kafkaBrokers, 'publish-faults-test');
    producer = await connectProducer(kafka);
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => {
    await producer?.disconnect();
    await admin?.disconnect();
    await nativeConnection?.close();
    await connection?.close();
  });

  /** A worker whose publish activity goes through `send` (a fault-injecting producer) and records each attempt. */
  async function startWorker(taskQueue: string, topic: string, send: Producer['send']) {
    const faulty = new Proxy(producer, { get: (target, key, receiver) => (key === 'send' ? send : Reflect.get(target, key, receiver)) });
    const publisher = createPublishActivities({ kafka, producer: faulty, admin, topic });
    const attempts: Array<{ attempt: number; firstSequence: number; events: number; retried: boolean; heartbeatDetails: unknown }> = [];
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      dataConverter: testDataConverter,
      activities: {
        publishEvents: (req: PublishRequest) => {
          const info = Context.current().info;
          attempts.push({ attempt: info.attempt, firstSequence: req.events[0]?.sequence ?? 0, events: req.events.length, retried: req.retried === true, heartbeatDetails: info.heartbeatDetails });
          return publisher.publishEvents(req);
        },
      },
    });
    const running = worker.run();
    return {
      attempts,
      async stop() {
        worker.shutdown();
        await running;
      },
    };
  }

  async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (ok(value)) return value;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(value).slice(0, 500)})`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const published = (view: CaseView) => view.state.status !== 'none' && view.publishedSequence === view.state.version;

  it('a publish attempt that fails mid-batch is retried from what Kafka holds, without heartbeat details: 1..N exactly once', async () => {
    const taskQueue = uniqueName('tq');
    const topic = uniqueName('case_events');
    await createTopic(stack!.kafkaBrokers, topic, 3);
    let plan: SendPlan = 'hold-then-fail';
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const sendCalls: number[] = [];
    const send = async (record: ProducerRecord) => {
      sendCalls.push(record.messages.length);
      if (plan === 'hold-then-fail') {
        // The first batch (the case's receipt) is held while more commands are decided behind it, then
        // its attempt fails without sending: the next batch carries several events.
        plan = 'half-then-fail';
        await gate;
        throw new Error('injected: the connection to the broker was lost before the send');
      }
      if (plan === 'half-then-fail' && record.messages.length >= 2) {
        plan = 'pass';
        await producer.send({ ...record, messages: record.messages.slice(0, Math.floor(record.messages.length / 2)) });
        throw new Error('injected: the connection to the broker was lost in the middle of the batch');
      }
      return producer.send(record);
    };
    const worker = await startWorker(taskQueue, topic, send);
    try {
      const caseId = uniqueName('MC');
      const handle = await client.workflow.start<typeof caseWorkflow>('caseWorkflow', { workflowId: caseId, taskQueue, args: [receiveInput(caseId)] });
      const run = (command: CaseCommand) => handle.executeUpdate(commandUpdates[command.type], { args: [request(command, clerk)] });
      await run({ type: 'AcceptCase', caseId, data: {} });
      await run({ type: 'ClassifyCase', caseId, data: { disputeType: 'wage-arrears' } });
      await run({ type: 'RouteCase', caseId, data: {} });
      release();

      const final = await until('every event published', () => handle.query(caseViewQuery), published, 90_000);
      if (final.state.status === 'none') throw new Error('no case');
      const total = final.state.version;
      expect(total).toBeGreaterThanOrEqual(4);
      expect(final.publishStalled).toBeUndefined();

      const messages = await readTopic(stack!.kafkaBrokers, topic, total, 20_000, { key: caseId, settleMs: 2_000 });
      expect(messages.map((m) => m.value.sequence)).toEqual(Array.from({ length: total }, (_, i) => i + 1));

      // The faults happened as planned: a batch of several events was cut in half by a failed send.
      const cut = sendCalls.findIndex((n) => n >= 2);
      expect(cut).toBeGreaterThan(0);
      // Each failed batch took exactly one more attempt (bounded), and no attempt saw heartbeat details.
      const retries = worker.attempts.filter((a) => a.attempt > 1);
      expect(retries.map((a) => a.firstSequence)).toEqual([1, worker.attempts.find((a) => a.events >= 2)!.firstSequence]);
      expect(worker.attempts.length).toBeLessThanOrEqual(2 + total);
      expect(worker.attempts.every((a) => a.heartbeatDetails === undefined)).toBe(true);
    } finally {
      release();
      await worker.stop();
    }
  }, 180_000);

  it('a publish that keeps failing shows as publishStalled, is counted for /health, and clears when the topic appears', async () => {
    const taskQueue = uniqueName('tq');
    const topic = uniqueName('case_events_missing');
    const worker = await startWorker(taskQueue, topic, (record) => producer.send(record));
    try {
      const caseId = uniqueName('MC');
      const handle = await client.workflow.start<typeof caseWorkflow>('caseWorkflow', { workflowId: caseId, taskQueue, args: [receiveInput(caseId)] });
      await handle.executeUpdate(commandUpdates.AcceptCase, { args: [request({ type: 'AcceptCase', caseId, data: {} }, clerk)] });

      // The first round of attempts runs out (about half a minute of backoff): the case says so.
      const stalled = await until('publishStalled', () => handle.query(caseViewQuery), (v) => v.publishStalled !== undefined, 150_000);
      expect(stalled.publishStalled).toMatchObject({ sequence: 1, attempts: PUBLISH_FIRST_ROUND_ATTEMPTS });
      expect(stalled.publishStalled!.lastError).toMatch(/topic|partition/i);
      expect(Date.parse(stalled.publishStalled!.since)).toBeLessThanOrEqual(Date.now());
      expect(stalled.publishedSequence).toBe(0);
      const described = await handle.describe();
      expect(described.typedSearchAttributes.get(PublishStalled)).toBe(true);
      const counted = await until('counted by visibility', () => countFailingCases(connection, 'default', taskQueue), (c) => c.publishStalled >= 1, 20_000);
      expect(counted).toEqual({ publishStalled: 1, clockCheckFailing: 0 });

      // The cause fixed: the next round publishes, the stall clears, the count drops.
      await createTopic(stack!.kafkaBrokers, topic, 3);
      const recovered = await until('published after the topic appeared', () => handle.query(caseViewQuery), (v) => published(v) && v.publishStalled === undefined, 150_000);
      if (recovered.state.status === 'none') throw new Error('no case');
      const messages = await readTopic(stack!.kafkaBrokers, topic, recovered.state.version, 20_000, { key: caseId, settleMs: 2_000 });
      expect(messages.map((m) => m.value.sequence)).toEqual(Array.from({ length: recovered.state.version }, (_, i) => i + 1));
      const after = await handle.describe();
      expect(after.typedSearchAttributes.get(PublishStalled)).toBeUndefined();
      const cleared = await until('no longer counted', () => countFailingCases(connection, 'default', taskQueue), (c) => c.publishStalled === 0, 20_000);
      expect(cleared).toEqual({ publishStalled: 0, clockCheckFailing: 0 });
      // Later rounds are marked `retried`, so their first attempt checks the topic too.
      expect(worker.attempts.some((a) => a.retried && a.attempt === 1)).toBe(true);
    } finally {
      await worker.stop();
    }
  }, 360_000);
});
