// The whole command path for an e2e test, on the servers `npm test` started: a case worker on its own task
// queue publishing to its own topic, a projector into an in-memory read model, and the API listening on a
// free port with the local OpenID provider's keys. `call` sends a request as a principal with a real token.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Admin } from 'kafkajs';
import pino from 'pino';
import { createApi, type Api } from '../../api/server.js';
import { CONSOLE_CLIENT_ID } from '../../ops/oidc/accounts.js';
import { startProjector, type RunningProjector } from '../../readmodels/consumer.js';
import { openDb, type Db } from '../../readmodels/db.js';
import { createKafka } from '../../runtime/kafka.js';
import { createProcessMetrics } from '../../runtime/metrics.js';
import { temporalClientInterceptors } from '../../runtime/tracing.js';
import { stackVerifier } from './api.js';
import { testDataConverter, testPersonalDataKeys } from '../../testkit/payload-keys.js';
import { stack, uniqueName } from './stack.js';
import { createTopic, startCaseWorker, type RunningWorker } from './temporal.js';
import { serviceToken, tokenFor } from './tokens.js';

export interface ApiStack {
  base: string;
  taskQueue: string;
  topic: string;
  client: Client;
  db: Db;
  api: Api;
  worker: RunningWorker;
  /** A request as a seeded account (or service client), with its real access token. */
  call(who: string, method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: unknown; headers: Headers }>;
  stop(): Promise<void>;
}

const SERVICE_CLIENTS = new Set(['mediation-cli', 'mediation-intake-bridge']);

export interface ApiStackOptions {
  partitions?: number;
  /** A fixed port (a browser test's: the OpenID provider's registered console callbacks); free one otherwise. */
  port?: number;
  /** Serve the built console and name the stack's OpenID provider to it (a browser signs in). */
  console?: boolean;
  /** Browser origins that may call /codec (the Temporal Web UI's). */
  codecCorsOrigins?: string[];
}

export async function startApiStack(name: string, opts: ApiStackOptions = {}): Promise<ApiStack> {
  const { temporalAddress, kafkaBrokers } = stack!;
  const taskQueue = uniqueName(`${name}-tq`);
  const topic = uniqueName(`${name}_events`);
  await createTopic(kafkaBrokers, topic, opts.partitions ?? 1);
  const nativeConnection = await NativeConnection.connect({ address: temporalAddress });
  const worker = await startCaseWorker({ connection: nativeConnection, taskQueue, brokers: kafkaBrokers, topic });
  const db = await openDb({ memory: true });
  const log = pino({ level: 'warn' });
  const metrics = createProcessMetrics();
  const projector: RunningProjector = await startProjector({ db, schema: 'rm', brokers: kafkaBrokers, topic, groupId: uniqueName(`${name}-projector`), log, metrics });
  const connection = await Connection.connect({ address: temporalAddress });
  const client = new Client({ connection, dataConverter: testDataConverter, interceptors: temporalClientInterceptors() });
  const admin: Admin = createKafka(kafkaBrokers, `${name}-e2e`, undefined, 'cli').admin();
  await admin.connect();
  const api = await createApi({
    temporal: client,
    taskQueue,
    kafkaAdmin: admin,
    db,
    schema: 'rm',
    projectorLag: projector.lag,
    log,
    verify: await stackVerifier(),
    personalDataKeys: testPersonalDataKeys(db),
    metrics,
    ...(opts.console ? { oidc: { issuer: process.env.OIDC_ISSUER!, consoleClientId: CONSOLE_CLIENT_ID } } : {}),
    ...(opts.codecCorsOrigins ? { codecCorsOrigins: opts.codecCorsOrigins } : {}),
  });
  const base = await api.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
  const tokens = new Map<string, Promise<string>>();
  const tokenOf = (who: string) => {
    let token = tokens.get(who);
    if (!token) {
      token = SERVICE_CLIENTS.has(who) ? serviceToken(who as 'mediation-cli') : tokenFor(who);
      tokens.set(who, token);
    }
    return token;
  };

  return {
    base,
    taskQueue,
    topic,
    client,
    db,
    api,
    worker,
    async call(who, method, url, body, headers = {}) {
      const res = await fetch(`${base}${url}`, {
        method,
        headers: { authorization: `Bearer ${await tokenOf(who)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined, headers: res.headers };
    },
    async stop() {
      await api.close();
      await projector.stop();
      await worker.stop();
      await admin.disconnect();
      await connection.close();
      await nativeConnection.close();
      await db.close();
    },
  };
}
