// Health as an operator and a load balancer meet it, and commands when Temporal is away:
// - readiness sees a task queue with no worker (commands would hang) and says 503, naming the worker;
//   once a worker polls, it is 200; liveness is 200 throughout;
// - a command while Temporal cannot be reached is answered 503 with Retry-After within the deadline, in
//   Chinese, instead of hanging and failing as 500.
import net from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Admin } from 'kafkajs';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { apiConnectionOptions } from '../../api/commands.js';
import { createApi, type Api } from '../../api/server.js';
import { openDb, type Db } from '../../readmodels/db.js';
import { createSchemaSql } from '../../readmodels/schema.js';
import { createKafka } from '../../runtime/kafka.js';
import { stackVerifier } from '../support/api.js';
import { testDataConverter, testPersonalDataKeys } from '../../testkit/payload-keys.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { createTopic, startCaseWorker, type RunningWorker } from '../support/temporal.js';
import { tokenFor } from '../support/tokens.js';

describeWithStack('health and an absent Temporal', () => {
  const taskQueue = uniqueName('health-tq');
  const topic = uniqueName('health_events');
  let db: Db;
  let admin: Admin;
  let connection: Connection;
  let nativeConnection: NativeConnection;
  let worker: RunningWorker | undefined;
  const apis: Api[] = [];

  const apiOn = async (temporal: Client): Promise<string> => {
    const api = await createApi({ temporal, taskQueue, kafkaAdmin: admin, db, schema: 'rm', projectorLag: async () => [], log: pino({ level: 'silent' }), verify: await stackVerifier(), personalDataKeys: testPersonalDataKeys(db) });
    apis.push(api);
    return api.listen({ port: 0, host: '127.0.0.1' });
  };

  beforeAll(async () => {
    await createTopic(stack!.kafkaBrokers, topic);
    db = await openDb({ memory: true });
    await db.exec(createSchemaSql('rm'));
    admin = createKafka(stack!.kafkaBrokers, 'health-e2e', undefined, 'cli').admin();
    await admin.connect();
    connection = await Connection.connect({ address: stack!.temporalAddress });
    nativeConnection = await NativeConnection.connect({ address: stack!.temporalAddress });
  });
  afterAll(async () => {
    for (const api of apis) await api.close();
    await worker?.stop();
    await admin?.disconnect();
    await connection?.close();
    await nativeConnection?.close();
    await db?.close();
  });

  it('is not ready while no worker polls the task queue, and ready once one does', async () => {
    const base = await apiOn(new Client({ connection, dataConverter: testDataConverter }));
    const before = await fetch(`${base}/health/ready`);
    expect(before.status).toBe(503);
    expect(before.headers.get('retry-after')).toBe('5');
    const body = (await before.json()) as { worker: { ok: boolean; error: string }; temporal: { ok: boolean } };
    expect(body.temporal.ok).toBe(true);
    expect(body.worker).toMatchObject({ ok: false });
    expect(body.worker.error).toContain(taskQueue);
    expect((await fetch(`${base}/health/live`)).status).toBe(200);

    worker = await startCaseWorker({ connection: nativeConnection, taskQueue, brokers: stack!.kafkaBrokers, topic });
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await fetch(`${base}/health/ready`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    const ready = (await (await fetch(`${base}/health`)).json()) as { worker: { ok: boolean; detail: { workflow: number; activity: number } } };
    expect(ready.worker.ok).toBe(true);
    expect(ready.worker.detail.workflow).toBeGreaterThan(0);
    expect(ready.worker.detail.activity).toBeGreaterThan(0);
    expect(ready).toMatchObject({ deadLetters: { ok: true, detail: { events: 0, cases: 0, oldestAgeSeconds: null } }, failingCases: { ok: true, detail: { publishStalled: 0, clockCheckFailing: 0 } }, alerts: [] });

    // A parked event is an alert with its count and age; the API stays ready.
    await db.query(`insert into rm.dead_letter (case_id, sequence, topic, partition, kafka_offset, reason, payload, parked_at)
      values ('MC-20260101-0000AA', 3, 't', 0, 41, 'gap: expected sequence 2, got 3', '{}', now() - interval '90 seconds')`);
    const alerted = await fetch(`${base}/health/ready`);
    expect(alerted.status).toBe(200);
    const withAlert = (await alerted.json()) as { deadLetters: { detail: { events: number; oldestAgeSeconds: number } }; alerts: string[] };
    expect(withAlert.deadLetters.detail.events).toBe(1);
    expect(withAlert.deadLetters.detail.oldestAgeSeconds).toBeGreaterThanOrEqual(90);
    expect(withAlert.alerts).toHaveLength(1);
    expect(withAlert.alerts[0]).toContain('1 event(s) of 1 case(s) parked');
  });

  it('answers a command 503 with Retry-After, in Chinese, when Temporal cannot be reached', async () => {
    // A port where nothing listens: Temporal is down.
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    const away = Connection.lazy({ address: `127.0.0.1:${closed}`, ...apiConnectionOptions });
    const base = await apiOn(new Client({ connection: away, dataConverter: testDataConverter }));
    const token = await tokenFor('mediator');
    const t0 = performance.now();
    const res = await fetch(`${base}/cases/MC-20260101-ABCDEF/commands/AcceptCase`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'retry-me-1' },
      body: '{}',
    });
    const ms = performance.now() - t0;
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    const problem = (await res.json()) as { code: string; detail: string; title: string };
    expect(problem.code).toBe('unavailable');
    expect(problem.title).toBe('服务暂不可用');
    expect(problem.detail).toContain('秒后重试');
    // Quick: a few retries over half a second, not the SDK's twenty seconds (measured here ~1 s under load).
    expect(ms).toBeLessThan(5_000);
    const health = (await (await fetch(`${base}/health`)).json()) as { status: string; temporal: { ok: boolean } };
    expect(health).toMatchObject({ status: 'degraded', temporal: { ok: false } });
    // The health check's calls may still be between retries: closing the channel under them makes the
    // retry throw outside any promise. Let them end first.
    await new Promise((r) => setTimeout(r, 4_000));
    await away.close().catch(() => undefined);
  }, 30_000);
});
