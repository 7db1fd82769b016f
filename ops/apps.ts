// The pieces of the local stack that more than one command starts (npm start, npm test, npm run bench,
// npm run drill): the servers side by side, the application processes (worker, API, OpenID provider) with
// the environment that points them at those servers, and stopping it all in reverse order.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { devProviderRefusal, repoRoot, type StackConfig } from './config.js';
import type { Installed } from './install.js';
import { createLogger } from '../runtime/log.js';
import { ensureKeyringFile } from '../runtime/payload-codec.js';
import { ensureCommandKeyFiles } from '../runtime/command-signing.js';
import { portIsOpen, startProcess, stopService, stopStale, waitFor, type Service } from './proc.js';
import { startKafka, startPostgres, startTemporal } from './services.js';

const log = createLogger('stack');

export async function stopStaleServers(config: StackConfig): Promise<void> {
  const known: Array<[string, string]> = [
    [path.join(config.dataDir, 'temporal', 'temporal.pid'), 'start-dev'],
    [path.join(config.dataDir, 'kafka', 'kafka.pid'), 'kafka.Kafka'],
    [path.join(config.dataDir, 'postgres', 'postgres.pid'), 'postgres'],
    [path.join(config.dataDir, 'logs', 'worker.pid'), 'worker/main.ts'],
    [path.join(config.dataDir, 'logs', 'api.pid'), 'api/main.ts'],
    [path.join(config.dataDir, 'logs', 'oidc.pid'), 'ops/oidc/main.ts'],
  ];
  for (const [pidFile, expect] of known) {
    if (await stopStale(pidFile, expect)) log.warn({ pidFile }, 'stopped a server left over from an earlier run');
  }
}

export async function startServers(config: StackConfig, installed: Installed, running: Service[], postgresUrl: string | undefined): Promise<void> {
  // Temporal and Kafka start side by side: on two cores that saves several seconds.
  const starts: Promise<Service>[] = [];
  if (!config.temporal.external) starts.push(startTemporal(config, installed, log));
  if (!config.kafka.external) starts.push(startKafka(config, installed, log));
  if (postgresUrl) starts.push(startPostgres(config, installed, new URL(postgresUrl), log));
  const results = await Promise.allSettled(starts);
  for (const r of results) if (r.status === 'fulfilled') running.push(r.value);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}


/**
 * Where the local stack keeps the personal-data master keyring: never in the data directory, whose copy
 * (a backup, a disk image, an archive of .data) would otherwise carry the KEKs that erasure destroyed
 * beside the database rows they open. MEDIATION_KEYS_DIR, else ~/.config/mediation-engine/<profile>-<hash of
 * the data directory> (one keyring per data directory: two checkouts never share, and so never retire,
 * each other's keys).
 */
export function localKeysDir(config: StackConfig, env: NodeJS.ProcessEnv = process.env): string {
  if (env.MEDIATION_KEYS_DIR) return path.resolve(env.MEDIATION_KEYS_DIR);
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  const tag = crypto.createHash('sha256').update(path.resolve(config.dataDir)).digest('hex').slice(0, 8);
  return path.join(base, 'mediation-engine', `${config.profile}-${tag}`);
}

/**
 * The local stack's keys, made on first start (mode 0600) and kept across restarts: the Temporal payload
 * keyring (in the data directory: Temporal holds only personal data that is encrypted already) and the
 * master keyring that holds the KEKs of the personal-data keys (outside it, localKeysDir). Variables that
 * name keys of their own (PAYLOAD_KEYS[_FILE], PERSONAL_DATA_MASTER_KEYS[_FILE]) win.
 */
function localKeys(config: StackConfig): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [variable, file] of [['PAYLOAD_KEYS', 'payload-keys.json'], ['PERSONAL_DATA_MASTER_KEYS', 'master-keys.json']] as const) {
    if (process.env[variable] || process.env[`${variable}_FILE`]) continue;
    if (config.profile === 'test') {
      // The tests' clients and workers use the test-only keyring of the fixtures (the recorded histories are
      // encrypted with it); what the tests start from configuration (a worker process, the audit CLI) must too.
      // The master keyring is a copy of it outside the data directory: erasures rewrite it.
      env[`${variable}_FILE`] = path.join(repoRoot, 'test', 'fixtures', 'payload-keys.json');
      if (variable === 'PERSONAL_DATA_MASTER_KEYS') {
        const copy = path.join(localKeysDir(config), file);
        fs.mkdirSync(path.dirname(copy), { recursive: true, mode: 0o700 });
        fs.copyFileSync(env[`${variable}_FILE`]!, copy);
        fs.chmodSync(copy, 0o600);
        env[`${variable}_FILE`] = copy;
      }
      continue;
    }
    if (variable === 'PAYLOAD_KEYS') {
      const at = path.join(config.dataDir, 'keys', file);
      if (ensureKeyringFile(at).created) log.info({ file: at }, 'made a new keyring for the local stack');
      env[`${variable}_FILE`] = at;
      continue;
    }
    const at = path.join(localKeysDir(config), file);
    // A master keyring found in the data directory is moved out of it: a copy of the data directory (with the
    // key store's database) must not also hold the keys that open it (docs/personal-data-erasure.md).
    const old = path.join(config.dataDir, 'keys', file);
    if (fs.existsSync(old) && !fs.existsSync(at)) {
      fs.mkdirSync(path.dirname(at), { recursive: true, mode: 0o700 });
      fs.copyFileSync(old, at);
      fs.chmodSync(at, 0o600);
      fs.rmSync(old);
      log.warn({ from: old, to: at }, 'moved the personal-data master keyring out of the data directory');
    }
    if (ensureKeyringFile(at).created) log.info({ file: at }, 'made a new personal-data master keyring for the local stack, outside its data directory');
    env[`${variable}_FILE`] = at;
  }
  Object.assign(env, commandKeys(config));
  return env;
}

/**
 * The command signing keys (runtime/command-signing.ts): the API's private key and the worker's public keys,
 * made on first start beside the other local keys; the tests use the fixtures' pair. startApp gives the
 * private key to the API alone.
 */
function commandKeys(config: StackConfig): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const given = (variable: string) => Boolean(process.env[variable] || process.env[`${variable}_FILE`]);
  const fixtures = path.join(repoRoot, 'test', 'fixtures');
  const signing = config.profile === 'test' ? path.join(fixtures, 'command-signing-key.json') : path.join(config.dataDir, 'keys', 'command-signing-key.json');
  const verify = config.profile === 'test' ? path.join(fixtures, 'command-verify-keys.json') : path.join(config.dataDir, 'keys', 'command-verify-keys.json');
  if (config.profile !== 'test' && !given('COMMAND_SIGNING_KEY') && !given('COMMAND_VERIFY_KEYS')) {
    if (ensureCommandKeyFiles(signing, verify).created) log.info({ file: signing }, 'made a new command signing key for the local stack');
  }
  if (!given('COMMAND_SIGNING_KEY')) env.COMMAND_SIGNING_KEY_FILE = signing;
  if (!given('COMMAND_VERIFY_KEYS')) env.COMMAND_VERIFY_KEYS_FILE = verify;
  return env;
}

/** Variables only the API process gets: whoever holds them can act as anyone (runtime/command-signing.ts). */
export const API_ONLY_VARIABLES = ['COMMAND_SIGNING_KEY', 'COMMAND_SIGNING_KEY_FILE'] as const;

export function appEnvironment(config: StackConfig, databaseUrl: string | undefined): NodeJS.ProcessEnv {
  return {
    ...localKeys(config),
    // The Temporal Web UI decodes payloads through the API's codec endpoint (api/routes/codec.ts).
    CODEC_CORS_ORIGINS: `http://${config.host}:${config.temporal.uiPort}`,
    TEMPORAL_ADDRESS: config.temporal.address,
    TEMPORAL_NAMESPACE: config.temporal.namespace,
    KAFKA_BROKERS: config.kafka.brokersSetting,
    API_PORT: String(config.api.port),
    WORKER_METRICS_ADDRESS: `${config.host}:${config.workerMetrics.port}`,
    MEDIATION_DATA_DIR: config.dataDir,
    OIDC_ISSUER: config.oidc.issuer,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { PGLITE_PATH: config.database.pglitePath }),
  };
}

export async function startApp(name: string, entry: string, config: StackConfig, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<Service> {
  const pidFile = path.join(config.dataDir, 'logs', `${name}.pid`);
  if (await stopStale(pidFile, entry)) log.warn({ service: name }, 'stopped a process left over from an earlier run');
  const service = startProcess({
    name,
    command: process.execPath,
    // One process per service (`--import tsx`, not the tsx CLI, which would add a second).
    args: [...nodeArgs, '--import', 'tsx', path.join(repoRoot, entry)],
    cwd: repoRoot,
    env: withoutApiSecrets(name, { ...process.env, ...env, LOG_FORMAT: 'json' }),
    logFile: path.join(config.dataDir, 'logs', `${name}.log`),
    pidFile,
  });
  log.info({ service: name, log: service.logFile }, 'started');
  return service;
}

function withoutApiSecrets(name: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (name === 'api') return env;
  const rest = { ...env };
  for (const variable of API_ONLY_VARIABLES) delete rest[variable];
  return rest;
}

// The local OpenID provider (ops/oidc): its own process, like the other servers; not when OIDC_ISSUER
// names a real one.
export async function startOidcProvider(config: StackConfig, clock: NodeJS.ProcessEnv = {}): Promise<Service> {
  const refusal = devProviderRefusal(config);
  if (refusal) throw new Error(refusal);
  if (await portIsOpen(config.host, config.oidc.port)) {
    throw new Error(`port ${config.oidc.port} (OIDC_PORT) is already in use: stop what holds it or choose another OIDC_PORT`);
  }
  const service = await startApp('oidc', 'ops/oidc/main.ts', config, {
    OIDC_HOST: config.host,
    OIDC_PORT: String(config.oidc.port),
    OIDC_DATA_DIR: path.join(config.dataDir, 'oidc'),
    API_PORT: String(config.api.port),
    CONSOLE_PORTS: config.api.consolePorts.join(','),
    ...clock,
  });
  await waitFor('OpenID provider', () => httpOk(`${config.oidc.issuer}/.well-known/openid-configuration`), { timeoutMs: 30_000, service });
  log.info({ issuer: config.oidc.issuer }, 'OpenID provider is up');
  return service;
}


export async function stopInReverse(running: Service[]): Promise<void> {
  for (const service of [...running].reverse()) {
    service.child.removeAllListeners('exit');
    await stopService(service).catch((err) => log.error({ err, service: service.name }, 'stop failed'));
  }
  running.length = 0;
}

export async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return res.status < 500;
  } catch {
    return false;
  }
}

