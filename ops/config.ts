// Where the local stack lives and which ports it uses. Everything comes from the environment, validated
// by zod, so a bad variable is reported by name before anything starts.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { PostgresUrl } from '../runtime/config.js';
import { kafkaBrokerList } from '../runtime/secure-connections.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Versions of what the scripts install. Changing one installs the new version beside the old.
export const versions = {
  temporalCli: '1.5.1',
  temporalTestServer: '1.38.0',
  kafka: '4.1.1',
} as const;

// Four profiles so that `npm test`, `npm run bench` and `npm run drill` can run while `npm start` is up:
// separate ports and data. The bench profile is the dev server's production-like settings (no early
// continue-as-new), in memory. The drill profile (ops/drill.ts) kills and restarts the servers, so its
// Temporal dev server keeps its state in a SQLite file as the dev profile's does.
export type Profile = 'dev' | 'test' | 'bench' | 'drill';

/**
 * Each profile's ports are the dev ports plus this. The drill's +3,000 (Temporal 10233, Kafka 12092,
 * PostgreSQL 8433, API 11080, OpenID 12000) stays clear of dev, test (+10,000) and bench (+20,000), and below
 * the kernel's ephemeral range (32768 up).
 */
export const PORT_OFFSETS: Readonly<Record<Profile, number>> = { dev: 0, test: 10_000, bench: 20_000, drill: 3_000 };

const port = z.coerce.number().int().min(1).max(65535);

const envSchema = z.object({
  MEDIATION_CACHE_DIR: z.string().min(1).optional(),
  MEDIATION_DATA_DIR: z.string().min(1).optional(),
  MEDIATION_HOST: z.string().min(1).default('127.0.0.1'),
  TEMPORAL_PORT: port.optional(),
  TEMPORAL_UI_PORT: port.optional(),
  KAFKA_PORT: port.optional(),
  KAFKA_CONTROLLER_PORT: port.optional(),
  API_PORT: port.optional(),
  POSTGRES_PORT: port.optional(),
  OIDC_PORT: port.optional(),
  WORKER_METRICS_PORT: port.optional(),
  // A real identity provider instead of the local one (docs/sign-on.md).
  OIDC_ISSUER: z.string().url().optional(),
  // Point at existing clusters instead of starting local ones.
  TEMPORAL_ADDRESS: z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port').optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  // Each broker may carry its listener's protocol (SASL_SSL://host:port); the rest of a secured connection
  // comes from the KAFKA_SSL_* / KAFKA_SASL_* variables (runtime/secure-connections.ts).
  KAFKA_BROKERS: z.string().optional().pipe(kafkaBrokerList.optional()),
  DATABASE_URL: PostgresUrl.optional(),
});

export type StackConfig = ReturnType<typeof loadStackConfig>;

export function loadStackConfig(profile: Profile, env: NodeJS.ProcessEnv = process.env) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid environment:\n${lines.join('\n')}\nfix the variable(s) above and run again`);
  }
  const e = parsed.data;
  const offset = PORT_OFFSETS[profile];
  const cacheDir = e.MEDIATION_CACHE_DIR ?? path.join(os.homedir(), '.cache', 'mediation-engine');
  const dataDir = e.MEDIATION_DATA_DIR ?? path.join(repoRoot, '.data', profile);
  const host = e.MEDIATION_HOST;
  const temporalPort = e.TEMPORAL_PORT ?? 7233 + offset;
  const kafkaPort = e.KAFKA_PORT ?? 9092 + offset;
  return {
    profile,
    repoRoot,
    cacheDir,
    dataDir,
    host,
    temporal: {
      external: e.TEMPORAL_ADDRESS !== undefined,
      address: e.TEMPORAL_ADDRESS ?? `${host}:${temporalPort}`,
      port: temporalPort,
      uiPort: e.TEMPORAL_UI_PORT ?? 8233 + offset,
      // The UI is for people, and the browser test reads decoded payloads in it (test/browser/
      // temporal-ui-codec.browser.spec.ts); the bench profile runs headless.
      ui: profile !== 'bench' && profile !== 'drill',
      // A SQLite file, so that cases survive a restart of the server (npm start; the drill kills it).
      persistent: profile === 'dev' || profile === 'drill',
      namespace: e.TEMPORAL_NAMESPACE,
    },
    kafka: {
      external: e.KAFKA_BROKERS !== undefined,
      brokers: e.KAFKA_BROKERS?.brokers ?? [`${host}:${kafkaPort}`],
      /** KAFKA_BROKERS as the processes get it (with a protocol prefix, if it had one). */
      brokersSetting: env.KAFKA_BROKERS ?? `${host}:${kafkaPort}`,
      port: kafkaPort,
      controllerPort: e.KAFKA_CONTROLLER_PORT ?? 9093 + offset,
      // The test broker's secured listeners (test/e2e/secure-connections): SSL with client certificates,
      // and SASL_SSL with SCRAM and PLAIN accounts. Only the test profile opens them.
      secureListeners: profile === 'test' ? { sslPort: kafkaPort + 2, saslSslPort: kafkaPort + 3 } : undefined,
    },
    /** Certificates for the secured listeners (ops/tls.ts); the test profile only. */
    tlsDir: profile === 'test' ? path.join(dataDir, 'tls') : undefined,
    database: {
      // PGlite (embedded, a directory under .data/) unless DATABASE_URL names a PostgreSQL server.
      url: e.DATABASE_URL,
      pglitePath: path.join(dataDir, 'pglite'),
      localPostgresPort: e.POSTGRES_PORT ?? 5432 + offset + 1,
    },
    api: {
      port: e.API_PORT ?? 8080 + offset,
      // Where the console may be served, i.e. its sign-in callbacks at the OpenID provider. The test profile
      // has a second one so that the two browser test files can each run an API with the console at once:
      // the Web UI's codec test takes API_PORT (the UI's --ui-codec-endpoint), the console test the next port.
      consolePorts: profile === 'test' ? [e.API_PORT ?? 8080 + offset, (e.API_PORT ?? 8080 + offset) + 1] : [e.API_PORT ?? 8080 + offset],
    },
    // The worker's Prometheus exporter (the API serves its own at /metrics).
    workerMetrics: { port: e.WORKER_METRICS_PORT ?? 9464 + offset },
    oidc: {
      external: e.OIDC_ISSUER !== undefined,
      port: e.OIDC_PORT ?? 9000 + offset,
      issuer: e.OIDC_ISSUER ?? `http://${host}:${e.OIDC_PORT ?? 9000 + offset}`,
    },
  };
}

/** A host name or address that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

function hostOf(hostPort: string): string {
  const bare = hostPort.replace(/^[A-Za-z_]+:\/\//, '');
  const bracketed = /^\[([^\]]+)\]/.exec(bare);
  return bracketed ? bracketed[1]! : bare.slice(0, bare.lastIndexOf(':') >= 0 ? bare.lastIndexOf(':') : bare.length);
}

/**
 * Why the development OpenID provider must not start with this configuration, or undefined. Its accounts'
 * passwords are public (docs/sign-on.md; `npm start` prints them): it may only sign people in to a stack that is
 * itself local. Once the stack is reachable from other machines (MEDIATION_HOST) or writes to real
 * clusters (TEMPORAL_ADDRESS, KAFKA_BROKERS, DATABASE_URL on another host), a real identity provider
 * (OIDC_ISSUER) is required.
 */
export function devProviderRefusal(config: StackConfig): string | undefined {
  if (config.oidc.external) return undefined;
  const reasons: string[] = [];
  if (!isLoopbackHost(config.host)) reasons.push(`MEDIATION_HOST=${config.host} exposes the stack beyond this machine`);
  if (config.temporal.external && !isLoopbackHost(hostOf(config.temporal.address))) reasons.push(`TEMPORAL_ADDRESS=${config.temporal.address} is a Temporal cluster on another host`);
  const remoteBrokers = config.kafka.external ? config.kafka.brokers.filter((b) => !isLoopbackHost(hostOf(b))) : [];
  if (remoteBrokers.length > 0) reasons.push(`KAFKA_BROKERS=${remoteBrokers.join(',')} is a Kafka cluster on another host`);
  if (config.database.url && !isLoopbackHost(new URL(config.database.url).hostname)) reasons.push(`DATABASE_URL names a database on ${new URL(config.database.url).hostname}`);
  if (reasons.length === 0) return undefined;
  return [
    '拒绝启动开发用 OpenID 提供方：其账户密码是公开的，只能用于本机开发环境。请设置 OIDC_ISSUER 指向本单位的身份提供方。',
    'Refusing to start the development OpenID provider: its accounts have public passwords and may only sign in to a stack on this machine alone.',
    ...reasons.map((r) => `  - ${r}`),
    'Set OIDC_ISSUER to your identity provider (docs/sign-on.md, "Using your own identity provider"), or point the stack back at local servers on loopback.',
  ].join('\n');
}
