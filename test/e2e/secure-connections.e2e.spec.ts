// Secured connections against real servers, configured only through the variables the processes read
// (runtime/secure-connections.ts): the test broker's SSL listener (client certificate required) and
// SASL_SSL listener (SCRAM-SHA-256/512 and PLAIN accounts), PostgreSQL with ssl=on and a verified
// certificate, and Temporal over TLS with a client certificate and an API key. `npm test` makes the
// certificates and the SCRAM accounts (ops/tls.ts, ops/services.ts). The Temporal dev server cannot serve
// TLS, so Temporal is reached through a TLS relay in front of it (test/support/grpc-tls-relay.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadAppConfig, type AppConfig } from '../../runtime/config.js';
import { connectProducer, createKafka } from '../../runtime/kafka.js';
import { connectTemporal, temporalConnectOptions } from '../../runtime/secure-connections.js';
import { openDb } from '../../readmodels/db.js';
import { runCli } from '../../cli/main.js';
import { repoRoot } from '../../ops/config.js';
import { testKafkaAccounts } from '../../ops/tls.js';
import { caseViewQuery, commandUpdates } from '../../workflows/messages.js';
import type { caseWorkflow } from '../../workflows/case-workflow.js';
import { TEST_PAYLOAD_KEYS_FILE, testDataConverter } from '../../testkit/payload-keys.js';
import { startTlsRelay, type TlsRelay } from '../support/grpc-tls-relay.js';
import { clerk, receiveInput, request } from '../../testkit/cases.js';
import { createTopic } from '../support/temporal.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';

const tlsDir = process.env.TEST_TLS_DIR;
const sslBrokers = process.env.TEST_KAFKA_SSL_BROKERS;
const saslSslBrokers = process.env.TEST_KAFKA_SASL_SSL_BROKERS;
const cert = (name: string) => path.join(tlsDir ?? '', name);
if (stack && process.env.MEDIATION_STACK === 'test' && !tlsDir) throw new Error('npm test set no TEST_TLS_DIR: the secured listeners were not started');

/** Produces one record and reads it back with a consumer group, both built from the configuration. */
async function roundTrip(config: AppConfig, topic: string): Promise<string> {
  const kafka = createKafka(config.kafka, uniqueName('secure-test'), undefined, 'cli');
  const producer = await connectProducer(kafka);
  const value = `hello ${uniqueName('v')}`;
  try {
    await producer.send({ topic, messages: [{ key: 'k', value }] });
  } finally {
    await producer.disconnect();
  }
  const consumer = kafka.consumer({ groupId: uniqueName('secure-reader'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen = new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => (message.value?.toString() === value ? resolve(value) : undefined) });
    });
    return await Promise.race([seen, new Promise<string>((_, reject) => setTimeout(() => reject(new Error('nothing consumed in 30 s')), 30_000))]);
  } finally {
    await consumer.disconnect();
  }
}

/** The error an admin client meets when it connects with this configuration (undefined: it connected). */
async function connectError(config: AppConfig): Promise<Error | undefined> {
  const admin = createKafka(config.kafka, 'secure-test-refused', undefined, 'cli').admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return undefined;
  } catch (err) {
    return err as Error;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

describeWithStack('secured connections (real Kafka listeners, PostgreSQL ssl=on, Temporal behind TLS)', () => {
  const topic = uniqueName('secure_events');

  beforeAll(async () => {
    await createTopic(stack!.kafkaBrokers, topic, 1);
  });

  // Only the test stack's own broker has these listeners (not an external KAFKA_BROKERS).
  describe.skipIf(!sslBrokers)('Kafka SSL listener (client certificate required)', () => {
    const env = () => ({ KAFKA_BROKERS: `SSL://${sslBrokers}`, KAFKA_SSL_CA_FILE: cert('ca.crt'), KAFKA_SSL_CERT_FILE: cert('client.crt'), KAFKA_SSL_KEY_FILE: cert('client.key') });

    it('publishes and consumes with the CA and client certificate from the configuration', async () => {
      const config = loadAppConfig(env());
      expect(config.kafka).toMatchObject({ brokers: [sslBrokers], protocol: 'SSL' });
      expect(await roundTrip(config, topic)).toMatch(/^hello /);
    }, 60_000);

    it('refuses a broker whose certificate the configured CA did not sign, saying it is a certificate problem', async () => {
      const err = await connectError(loadAppConfig({ ...env(), KAFKA_SSL_CA_FILE: cert('other-ca.crt') }));
      expect(err?.message).toMatch(/certificate/i);
    }, 60_000);

    it('is refused by the broker without a client certificate', async () => {
      const err = await connectError(loadAppConfig({ KAFKA_BROKERS: `SSL://${sslBrokers}`, KAFKA_SSL_CA_FILE: cert('ca.crt') }));
      expect(err?.message).toMatch(/alert bad certificate|certificate required/);
    }, 60_000);
  });

  describe.skipIf(!saslSslBrokers)('Kafka SASL_SSL listener', () => {
    const env = (mechanism: keyof typeof testKafkaAccounts, password: string = testKafkaAccounts[mechanism].password) => ({
      KAFKA_BROKERS: saslSslBrokers,
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SSL_CA_FILE: cert('ca.crt'),
      KAFKA_SASL_MECHANISM: mechanism.toUpperCase(),
      KAFKA_SASL_USERNAME: testKafkaAccounts[mechanism].username,
      KAFKA_SASL_PASSWORD: password,
    });

    for (const mechanism of ['scram-sha-256', 'scram-sha-512', 'plain'] as const) {
      it(`publishes and consumes as a ${mechanism.toUpperCase()} account`, async () => {
        const config = loadAppConfig(env(mechanism));
        expect(config.kafka.sasl).toMatchObject({ mechanism, username: testKafkaAccounts[mechanism].username });
        expect(await roundTrip(config, topic)).toMatch(/^hello /);
      }, 60_000);
    }

    it('refuses a wrong password with an authentication error', async () => {
      for (const mechanism of ['scram-sha-256', 'plain'] as const) {
        const err = await connectError(loadAppConfig(env(mechanism, 'not-the-password')));
        expect(err?.message, mechanism).toMatch(/authentication failed/i);
      }
    }, 60_000);

    it('refuses a broker signed by an untrusted CA before any password is sent', async () => {
      const err = await connectError(loadAppConfig({ ...env('scram-sha-512'), KAFKA_SSL_CA_FILE: cert('other-ca.crt') }));
      expect(err?.message).toMatch(/certificate/i);
    }, 60_000);
  });

  describe('PostgreSQL with ssl=on', () => {
    const run = process.env.TEST_POSTGRES_SSL === 'on' ? it : it.skip;
    const env = (ca: string) => ({ DATABASE_URL: stack!.postgresUrl, DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: cert(ca) });

    run('connects with the server certificate verified (verify-full), and the session is encrypted', async () => {
      const config = loadAppConfig(env('ca.crt'));
      const db = await openDb({ url: config.DATABASE_URL!, ssl: config.postgresSsl });
      try {
        const { rows } = await db.query<{ ssl: boolean; version: string }>('select ssl, version from pg_stat_ssl where pid = pg_backend_pid()');
        expect(rows[0]).toMatchObject({ ssl: true });
        expect(rows[0]!.version).toMatch(/^TLSv1\.[23]$/);
      } finally {
        await db.close();
      }
    });

    run('refuses a server certificate the configured CA did not sign', async () => {
      const config = loadAppConfig(env('other-ca.crt'));
      await expect(openDb({ url: config.DATABASE_URL!, ssl: config.postgresSsl })).rejects.toThrow(/certificate/i);
    });
  });

  describe.skipIf(!saslSslBrokers)('Temporal over mutual TLS with an API key (a TLS relay in front of the dev server)', () => {
    const apiKey = 'test-api-key-' + uniqueName('k');
    const taskQueue = uniqueName('secure-tq');
    let relay: TlsRelay;
    let worker: ChildProcess | undefined;
    let workerLog = '';
    let env: Record<string, string>;

    beforeAll(async () => {
      relay = await startTlsRelay({
        target: stack!.temporalAddress,
        cert: fs.readFileSync(cert('server.crt'), 'utf8'),
        key: fs.readFileSync(cert('server.key'), 'utf8'),
        clientCa: fs.readFileSync(cert('ca.crt'), 'utf8'),
        apiKey,
      });
      // The worker, the API's client and the audit CLI read the same variables; Kafka over SASL_SSL too.
      env = {
        TEMPORAL_ADDRESS: relay.address,
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_TLS_CA_FILE: cert('ca.crt'),
        TEMPORAL_TLS_CERT_FILE: cert('client.crt'),
        TEMPORAL_TLS_KEY_FILE: cert('client.key'),
        TEMPORAL_TLS_SERVER_NAME: 'localhost',
        TEMPORAL_API_KEY: apiKey,
        KAFKA_BROKERS: `SASL_SSL://${saslSslBrokers}`,
        KAFKA_SSL_CA_FILE: cert('ca.crt'),
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: testKafkaAccounts['scram-sha-512'].username,
        KAFKA_SASL_PASSWORD: testKafkaAccounts['scram-sha-512'].password,
        KAFKA_TOPIC: topic,
        TASK_QUEUE: taskQueue,
        PAYLOAD_KEYS_FILE: TEST_PAYLOAD_KEYS_FILE,
      };
    });
    afterAll(async () => {
      if (worker && worker.exitCode === null) {
        const exited = new Promise((r) => worker!.once('exit', r));
        worker.kill('SIGTERM');
        await exited;
      }
      await relay?.close();
    });

    it('runs a case: the worker process, the client and the audit CLI all connect through mTLS with the key', async () => {
      // The worker process as deployed (worker/main.ts), configured only by the environment.
      worker = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'worker/main.ts')], {
        cwd: repoRoot,
        env: { ...process.env, ...env, LOG_LEVEL: 'warn', LOG_FORMAT: 'json' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      worker.stderr?.on('data', (d: Buffer) => (workerLog += d.toString()));

      const config = loadAppConfig(env);
      expect(config.temporal.tls?.clientCertPair).toBeDefined();
      const connection = await Connection.connect(temporalConnectOptions(config.temporal));
      try {
        const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: testDataConverter });
        const caseId = uniqueName('MC');
        const handle = await client.workflow.start<typeof caseWorkflow>('caseWorkflow', { workflowId: caseId, taskQueue, args: [receiveInput(caseId)] });
        await handle.executeUpdate(commandUpdates.AcceptCase, { args: [request({ type: 'AcceptCase', caseId, data: {} }, clerk)] });
        let view = await handle.query(caseViewQuery);
        for (let i = 0; i < 60 && (view.state.status === 'none' || view.publishedSequence < view.state.version); i++) {
          await new Promise((r) => setTimeout(r, 500));
          view = await handle.query(caseViewQuery);
        }
        expect(view.state.status).toBe('accepted');
        expect(view.publishedSequence, workerLog).toBe(2);

        // The audit CLI: the case's events from Kafka over SASL_SSL, its state from Temporal over mTLS.
        const lines: string[] = [];
        const exit = await runCli(['audit', 'compare', caseId], { out: (l) => lines.push(l), err: (l) => lines.push(l) }, { env });
        expect(exit, lines.join('\n')).toBe(0);
      } finally {
        await connection.close();
      }
      // Every call the relay let through carried the key and the client certificate (the relay refuses
      // anything else, so the case could not have run without them).
      const forwarded = relay.calls.filter((c) => c.authorization === `Bearer ${apiKey}`);
      expect(forwarded.length).toBeGreaterThan(5);
      expect(forwarded.some((c) => c.path.endsWith('/PollWorkflowTaskQueue'))).toBe(true);
      expect(new Set(relay.calls.map((c) => c.clientCn))).toEqual(new Set(['mediation-test-client']));
    }, 240_000);

    it('is refused without the API key (the worker\'s NativeConnection) and without a client certificate (the client), saying why', async () => {
      const { apiKey: _key, ...withoutKey } = temporalConnectOptions(loadAppConfig(env).temporal);
      const refusedBefore = relay.refused;
      const noKey = await NativeConnection.connect(withoutKey).then(
        async (c) => {
          try {
            await c.workflowService.getSystemInfo({});
            return undefined;
          } catch (err) {
            return err as Error;
          } finally {
            await c.close();
          }
        },
        (err: Error) => err,
      );
      expect(noKey?.message).toMatch(/API key|Unauthenticated|UNAUTHENTICATED/i);
      expect(relay.refused).toBeGreaterThan(refusedBefore);

      const { TEMPORAL_TLS_CERT_FILE: _c, TEMPORAL_TLS_KEY_FILE: _k, ...noCertEnv } = env;
      // The SDK alone says only "Failed to connect before the deadline"; connectTemporal adds the TLS reason.
      const noCert = await connectTemporal(loadAppConfig(noCertEnv).temporal, (options) => Connection.connect({ ...options, connectTimeout: '3s' })).then(
        async (c) => {
          await c.close();
          return undefined;
        },
        (err: Error) => err,
      );
      expect(noCert?.message).toMatch(/TLS to .* failed: .*(certificate required|alert)/);
    }, 60_000);

    it('refuses a server its CA did not sign, saying so (the API client and the audit CLI)', async () => {
      const untrusted = { ...env, TEMPORAL_TLS_CA_FILE: cert('other-ca.crt') };
      const err = await connectTemporal(loadAppConfig(untrusted).temporal, (options) => Connection.connect({ ...options, connectTimeout: '3s' })).then(
        async (c) => {
          await c.close();
          return undefined;
        },
        (e: Error) => e,
      );
      expect(err?.message).toMatch(/TLS to .* failed: (self-signed certificate in certificate chain|unable to verify)/);
      const lines: string[] = [];
      const exit = await runCli(['audit', 'compare', 'MC-1'], { out: (l) => lines.push(l), err: (l) => lines.push(l) }, { env: untrusted });
      expect(exit).toBe(1);
      expect(lines.join('\n')).toMatch(/cannot reach Temporal at .*\(mTLS, API key\).*TLS to .* failed: (self-signed certificate in certificate chain|unable to verify)/);
    }, 60_000);
  });
});
