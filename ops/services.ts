// Start, health-check and stop each server of the local stack. Each start waits until the server really
// answers (not just until its port opens) and throws a StartError naming the piece otherwise.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import type { StackConfig } from './config.js';
import type { Installed } from './install.js';
import type { Logger } from '../runtime/log.js';
import { createKafka, type KafkaTarget } from '../runtime/kafka.js';
import { portIsOpen, startProcess, StartError, stopService, stopStale, waitFor, type Service } from './proc.js';
import { ensureTestCertificates, testKafkaAccounts, type TestCertificates } from './tls.js';
import { searchAttributeFlags } from '../workflows/search-attributes.js';

export const caseEventsTopic = process.env.KAFKA_TOPIC ?? 'mediation.case-events';

// --- Temporal dev server ---------------------------------------------------------------------------------

export async function startTemporal(config: StackConfig, installed: Installed, log: Logger): Promise<Service> {
  const dir = path.join(config.dataDir, 'temporal');
  const pidFile = path.join(dir, 'temporal.pid');
  fs.mkdirSync(dir, { recursive: true });
  if (await stopStale(pidFile, 'start-dev')) log.warn('stopped a Temporal dev server left over from an earlier run');
  await assertPortFree(config.host, config.temporal.port, 'Temporal', 'TEMPORAL_PORT');
  if (config.temporal.ui) await assertPortFree(config.host, config.temporal.uiPort, 'Temporal Web UI', 'TEMPORAL_UI_PORT');
  const args = [
    'server', 'start-dev',
    '--ip', config.host,
    '--port', String(config.temporal.port),
    '--namespace', config.temporal.namespace,
    '--log-level', 'warn',
    // Same dynamic config the SDK's own ephemeral server uses; the version check would call out.
    '--dynamic-config-value', 'frontend.enableServerVersionCheck=false',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    ...searchAttributeFlags.flatMap((f) => ['--search-attribute', f]),
  ];
  if (config.profile === 'test') {
    // Tests see continue-as-new: the server suggests it after 60 history events instead of 4,096, so a
    // complete case on the dev server crosses into a new run at least once.
    args.push('--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=60');
  }
  if (config.temporal.persistent) {
    // A SQLite file so cases survive a restart; WAL keeps writers from blocking the UI's readers.
    args.push('--db-filename', path.join(dir, 'temporal.db'), '--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal');
  }
  // The UI shows payloads decoded by the API (signed-in staff with the grant only; others see ciphertext).
  if (config.temporal.ui) args.push('--ui-ip', config.host, '--ui-port', String(config.temporal.uiPort), '--ui-codec-endpoint', `http://${config.host}:${config.api.port}/codec`);
  else args.push('--headless');
  const service = startProcess({ name: 'temporal', command: installed.temporalCli, args, logFile: path.join(dir, 'temporal.log'), pidFile });
  await readyOrStopped(service, () => waitFor('Temporal frontend', () => temporalIsHealthy(config.temporal.address), { timeoutMs: 60_000, service }));
  log.info({ address: config.temporal.address }, 'Temporal dev server is up');
  return service;
}

export async function temporalIsHealthy(address: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 1_000 });
    await connection.workflowService.getSystemInfo({}, );
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

// --- Kafka (KRaft, one node) -----------------------------------------------------------------------------

export async function startKafka(config: StackConfig, installed: Installed, log: Logger): Promise<Service> {
  const dir = path.join(config.dataDir, 'kafka');
  const pidFile = path.join(dir, 'kafka.pid');
  fs.mkdirSync(dir, { recursive: true });
  if (await stopStale(pidFile, 'kafka.Kafka')) log.warn('stopped a Kafka broker left over from an earlier run');
  await assertPortFree(config.host, config.kafka.port, 'Kafka', 'KAFKA_PORT');
  await assertPortFree(config.host, config.kafka.controllerPort, 'Kafka controller', 'KAFKA_CONTROLLER_PORT');
  const secure = config.kafka.secureListeners && config.tlsDir ? { ...config.kafka.secureListeners, certs: ensureTestCertificates(config.tlsDir, config.host) } : undefined;
  if (secure) {
    await assertPortFree(config.host, secure.sslPort, 'Kafka SSL listener', 'KAFKA_PORT (its SSL listener is KAFKA_PORT+2)');
    await assertPortFree(config.host, secure.saslSslPort, 'Kafka SASL_SSL listener', 'KAFKA_PORT (its SASL_SSL listener is KAFKA_PORT+3)');
  }

  const propertiesFile = path.join(dir, 'server.properties');
  fs.writeFileSync(propertiesFile, kafkaProperties(config, path.join(dir, 'logs'), secure));
  const log4jFile = path.join(dir, 'log4j2.properties');
  fs.writeFileSync(log4jFile, kafkaLog4j);
  const jvm = [
    '-Xms256m', '-Xmx768m', '-XX:+UseSerialGC', '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4jFile}`, `-Dkafka.logs.dir=${dir}`,
    '-cp', `${installed.kafkaLibs}/*`,
  ];

  // The storage is formatted once, with a cluster id kept beside it; a formatted directory is kept.
  const clusterIdFile = path.join(dir, 'cluster-id');
  // An id kept by an older start may begin with '-', which could never be formatted: make a new one.
  if (!fs.existsSync(clusterIdFile) || fs.readFileSync(clusterIdFile, 'utf8').startsWith('-')) fs.writeFileSync(clusterIdFile, newKafkaClusterId());
  const clusterId = fs.readFileSync(clusterIdFile, 'utf8').trim();
  // SCRAM accounts live in the cluster metadata; KRaft takes them when the storage is formatted.
  const scram = secure
    ? (['scram-sha-256', 'scram-sha-512'] as const).flatMap((m) => ['--add-scram', `${m.toUpperCase()}=[name=${testKafkaAccounts[m].username},password=${testKafkaAccounts[m].password}]`])
    : [];
  const format = spawnSync('java', [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propertiesFile, '--ignore-formatted', ...scram], { encoding: 'utf8' });
  if (format.status !== 0) {
    fs.writeFileSync(path.join(dir, 'format.log'), `${format.stdout}\n${format.stderr}`);
    throw new StartError('kafka', `formatting the storage failed (exit ${format.status})`, path.join(dir, 'format.log'));
  }

  const service = startProcess({ name: 'kafka', command: 'java', args: [...jvm, 'kafka.Kafka', propertiesFile], logFile: path.join(dir, 'kafka.log'), pidFile });
  await readyOrStopped(service, () => waitFor('Kafka broker', () => kafkaIsHealthy(config.kafka.brokers), { timeoutMs: 90_000, service }));
  log.info({ brokers: config.kafka.brokers }, 'Kafka is up');
  return service;
}

export async function kafkaIsHealthy(brokers: string[]): Promise<boolean> {
  const admin = new Kafka({ clientId: 'mediation-health', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 1_000, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0 || cluster.controller === null) return false;
    // Consumer groups need the group coordinator, which loads after the broker answers: asking for a
    // group also creates __consumer_offsets on a fresh broker.
    await admin.describeGroups(['mediation-health-probe']);
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

// The case-events topic: one partition key per case keeps a case's events in order. Created if absent.
export async function ensureTopics(target: KafkaTarget, partitions: number, log: Logger): Promise<void> {
  const admin = createKafka(target, 'mediation-ops', log, 'consume').admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(caseEventsTopic)) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic: caseEventsTopic, numPartitions: partitions, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '-1' }] }],
      });
      log.info({ topic: caseEventsTopic, partitions }, 'created topic');
    }
  } finally {
    await admin.disconnect();
  }
}

interface SecureKafkaListeners {
  sslPort: number;
  saslSslPort: number;
  certs: TestCertificates;
}

function kafkaProperties(config: StackConfig, logDir: string, secure?: SecureKafkaListeners): string {
  const h = config.host;
  const extraListeners = secure ? `,SSL://${h}:${secure.sslPort},SASL_SSL://${h}:${secure.saslSslPort}` : '';
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${h}:${config.kafka.controllerPort}`,
    `listeners=PLAINTEXT://${h}:${config.kafka.port},CONTROLLER://${h}:${config.kafka.controllerPort}${extraListeners}`,
    `advertised.listeners=PLAINTEXT://${h}:${config.kafka.port}${extraListeners}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT${secure ? ',SSL:SSL,SASL_SSL:SASL_SSL' : ''}`,
    ...(secure ? secureListenerProperties(secure) : []),
    `log.dirs=${logDir}`,
    'num.partitions=3',
    // One node: every internal topic must have replication factor 1, or consumer groups never start.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=3',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=2',
    // Topics are created by the scripts with the partitions we want, never by a typo in a client.
    'auto.create.topics.enable=false',
    // `npm run test:dates` shifts the test processes' clocks by months, so their records carry timestamps
    // far from this broker's (real) time: Kafka 4 refuses those an hour ahead by default, and its retention
    // check (every 5 minutes, 7 days by default) deleted a whole test topic stamped months back in mid-test.
    // Test broker only; the case-events topic keeps everything anyway (retention.ms=-1).
    ...(config.profile === 'test'
      ? ['log.message.timestamp.after.max.ms=9223372036854775807', 'log.message.timestamp.before.max.ms=9223372036854775807', 'log.retention.ms=-1']
      : []),
    '',
  ].join('\n');
}

// The SSL listener requires a client certificate signed by the test CA; the SASL_SSL listener takes SCRAM
// (accounts added at format time) and PLAIN (accounts in the listener's JAAS line). Certificates are PEM
// files: Kafka reads PEM keystores and truststores, so no Java keystore (keytool) is needed.
function secureListenerProperties(secure: SecureKafkaListeners): string[] {
  const plain = testKafkaAccounts.plain;
  return [
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${secure.certs.serverKeystore}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${secure.certs.caCert}`,
    'listener.name.ssl.ssl.client.auth=required',
    'listener.name.sasl_ssl.ssl.client.auth=none',
    'listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512,PLAIN',
    'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    `listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${plain.username}="${plain.password}";`,
  ];
}

const kafkaLog4j = [
  'status = warn',
  'appender.console.type = Console',
  'appender.console.name = STDOUT',
  'appender.console.layout.type = PatternLayout',
  'appender.console.layout.pattern = [%d] %p %m (%c)%n',
  'rootLogger.level = warn',
  'rootLogger.appenderRef.stdout.ref = STDOUT',
  'logger.kafka.name = kafka.server.KafkaRaftServer',
  'logger.kafka.level = info',
  '',
].join('\n');

// Kafka wants a 16-byte UUID in URL-safe base64 without padding (22 characters).
/**
 * A Kafka cluster id: a UUID in URL-safe base64 (22 characters). One in 64 would begin with '-', which
 * `kafka-storage format -t` reads as a flag ("argument --cluster-id/-t: expected one argument"): draw again.
 */
export function newKafkaClusterId(random: (n: number) => Buffer = crypto.randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

// --- PostgreSQL (a local server for DATABASE_URL, or the test run's second store) -----------------------

export async function startPostgres(
  config: StackConfig,
  installed: Installed,
  url: URL,
  log: Logger,
): Promise<Service> {
  if (!installed.postgresBin) throw new Error('PostgreSQL binaries were not installed');
  const port = Number(url.port || 5432);
  // PostgreSQL refuses to run as root; as root the cluster belongs to the `postgres` user and lives
  // where that user can reach it.
  const asRoot = process.getuid?.() === 0;
  const dir = asRoot
    ? path.join('/var/lib/mediation-engine', `${config.profile}-${crypto.createHash('sha256').update(config.dataDir).digest('hex').slice(0, 8)}`)
    : path.join(config.dataDir, 'postgres');
  const pgData = path.join(dir, 'data');
  const logFile = path.join(config.dataDir, 'postgres', 'postgres.log');
  const pidFile = path.join(config.dataDir, 'postgres', 'postgres.pid');
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  if (await stopStale(pidFile, 'postgres')) log.warn('stopped a PostgreSQL server left over from an earlier run');
  await assertPortFree(url.hostname, port, 'PostgreSQL', 'DATABASE_URL port');
  const runAs = (cmd: string[]) => (asRoot ? ['runuser', '-u', 'postgres', '--', ...cmd] : cmd);
  if (!fs.existsSync(path.join(pgData, 'PG_VERSION'))) {
    fs.mkdirSync(dir, { recursive: true });
    if (asRoot) spawnSync('chown', ['-R', 'postgres:postgres', dir]);
    const user = decodeURIComponent(url.username || 'postgres');
    const [cmd, ...args] = runAs([path.join(installed.postgresBin, 'initdb'), '-D', pgData, '-U', user, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']) as [string, ...string[]];
    const init = spawnSync(cmd, args, { encoding: 'utf8' });
    if (init.status !== 0) {
      fs.writeFileSync(logFile, `${init.stdout}\n${init.stderr}`);
      throw new StartError('postgresql', `initdb failed (exit ${init.status})`, logFile);
    }
  }
  // The test server also speaks SSL (ssl=on; plaintext clients still connect), with a certificate of the
  // test CA, so verified connections can be tested (DATABASE_SSL_MODE=verify-full).
  const ssl: string[] = [];
  if (config.tlsDir) {
    const certs = ensureTestCertificates(config.tlsDir, config.host);
    // PostgreSQL wants its key readable by its own user only.
    const tlsDir = path.join(dir, 'tls');
    fs.mkdirSync(tlsDir, { recursive: true });
    fs.copyFileSync(certs.serverCert, path.join(tlsDir, 'server.crt'));
    fs.copyFileSync(certs.serverKey, path.join(tlsDir, 'server.key'));
    fs.chmodSync(path.join(tlsDir, 'server.key'), 0o600);
    if (asRoot) spawnSync('chown', ['-R', 'postgres:postgres', tlsDir]);
    ssl.push('-c', 'ssl=on', '-c', `ssl_cert_file=${path.join(tlsDir, 'server.crt')}`, '-c', `ssl_key_file=${path.join(tlsDir, 'server.key')}`);
  }
  // Logs go to stderr, which startProcess appends to the log file we can read as any user.
  const [cmd, ...args] = runAs([
    path.join(installed.postgresBin, 'postgres'), '-D', pgData, '-p', String(port), '-h', url.hostname,
    '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'max_connections=50', ...ssl,
  ]) as [string, ...string[]];
  const service = startProcess({ name: 'postgresql', command: cmd, args, logFile, pidFile });
  await readyOrStopped(service, async () => {
    await waitFor('PostgreSQL', () => postgresIsHealthy(adminUrl(url)), { timeoutMs: 60_000, service });
    await ensureDatabase(url);
  });
  log.info({ host: url.hostname, port }, 'PostgreSQL is up');
  return service;
}

export async function postgresIsHealthy(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function adminUrl(url: URL): string {
  const u = new URL(url);
  u.pathname = '/postgres';
  return u.toString();
}

async function ensureDatabase(url: URL): Promise<void> {
  const name = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres';
  const client = new pg.Client({ connectionString: adminUrl(url) });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

// --- shared ----------------------------------------------------------------------------------------------

// A server that never became ready is stopped before the error goes up: the caller has no handle on it.
async function readyOrStopped(service: Service, ready: () => Promise<void>): Promise<void> {
  try {
    await ready();
  } catch (err) {
    await stopService(service).catch(() => undefined);
    throw err;
  }
}

async function assertPortFree(host: string, port: number, piece: string, variable: string): Promise<void> {
  if (await portIsOpen(host, port)) {
    throw new StartError(piece, `port ${host}:${port} is already in use by another program; stop it or set ${variable} to a free port`);
  }
}
