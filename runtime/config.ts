// Configuration of the long-running processes (worker, projector, API), from the environment, validated
// by zod so that each bad variable is named with what it expects. `npm start` sets all of these; to
// point at existing clusters set them yourself (see the README).
import { z } from 'zod';
import { kafkaBrokerList, kafkaConnection, postgresSsl, secureConnectionIssues, secureConnectionVariables, temporalConnection } from './secure-connections.js';
import { SQL_IDENTIFIER, SQL_IDENTIFIER_MESSAGE } from './sql-identifier.js';

const hostPort = /^[^\s:,]+:\d+$/;
const sqlIdentifier = z.string().regex(SQL_IDENTIFIER, SQL_IDENTIFIER_MESSAGE);

/** A PostgreSQL server's URL (the read models; the stack scripts start one when it names this machine). */
export const PostgresUrl = z.string().url().refine((u) => /^postgres(ql)?:/.test(u), 'expected a postgres:// URL');

const appEnvSchema = z.object({
  TEMPORAL_ADDRESS: z.string().regex(hostPort, 'expected host:port, e.g. 127.0.0.1:7233').default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TASK_QUEUE: z.string().min(1).default('mediation-cases'),
  /** host:port[,host:port…], each optionally PROTOCOL://host:port (runtime/secure-connections.ts). */
  KAFKA_BROKERS: kafkaBrokerList,
  KAFKA_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name').default('mediation.case-events'),
  DATABASE_URL: PostgresUrl.optional(),
  PGLITE_PATH: z.string().min(1).optional(),
  READMODEL_SCHEMA: sqlIdentifier.default('rm'),
  /** The schema of the access log of personal-data reads (kept apart: read-model rebuilds swap theirs). */
  ACCESS_LOG_SCHEMA: sqlIdentifier.default('access'),
  /** The schema of the personal-data key store (crypto-shredding; never rebuilt, never dumped with the read models). */
  KEY_STORE_SCHEMA: sqlIdentifier.default('keys'),
  PROJECTOR_GROUP_ID: z.string().min(1).default('mediation-projector'),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  /** The worker's memory budget (RSS, MiB): sizes its workflow cache (runtime/worker-cache.ts). */
  WORKER_MEMORY_MIB: z.coerce.number().int().min(600, 'at least 600 (MiB)').default(2048),
  /** Overrides the cache size the budget gives (Temporal's maxCachedWorkflows). */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(1).optional(),
  /** host:port where the worker serves Prometheus metrics (the Temporal SDK's exporter); off when unset. */
  WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9464')
    .optional(),
  // Sign-on (README, "Sign-on"): the IdP whose access tokens the API accepts, and where in a token the
  // staff role and jurisdiction are. Claim names may be dotted paths (e.g. realm_access.roles).
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_AUDIENCE: z.string().min(1).default('urn:mediation-engine:api'),
  OIDC_JWKS_URI: z.string().url().optional(),
  OIDC_ALGORITHMS: z
    .string()
    .default('ES256,RS256,PS256,EdDSA')
    .transform((s) => s.split(',').map((a) => a.trim()))
    .pipe(z.array(z.enum(['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'], 'an asymmetric JWS algorithm')).min(1)),
  OIDC_ROLE_CLAIM: z.string().min(1).default('mediation_role'),
  OIDC_DEPARTMENT_CLAIM: z.string().min(1).default('mediation_department'),
  OIDC_LEVEL_CLAIM: z.string().min(1).default('mediation_level'),
  OIDC_TOWN_CLAIM: z.string().min(1).default('mediation_town'),
  /** JSON object: the IdP's role names → the engine's staff roles, e.g. {"mediation-clerk":"intake-clerk"}. */
  OIDC_ROLE_MAP: z
    .string()
    .default('{}')
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected a JSON object of role names' });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string(), z.string())),
  /** The client id of the staff console (authorization code + PKCE); the API's /docs page signs in as it. */
  OIDC_CONSOLE_CLIENT_ID: z.string().min(1).default('mediation-console'),
  OIDC_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
  /** The longest token life the API accepts, exp − iat and exp − now (api/auth.ts). */
  OIDC_MAX_TOKEN_LIFETIME_SECONDS: z.coerce.number().int().min(60).default(24 * 60 * 60),
  /** How long the API keeps the issuer's key set before fetching it again: a removed key stops within this. */
  OIDC_JWKS_MAX_AGE_SECONDS: z.coerce.number().int().min(1).max(600).default(60),
  /** The least time between two fetches of the key set that an unknown key id triggers. */
  OIDC_JWKS_COOLDOWN_SECONDS: z.coerce.number().int().min(0).max(600).default(5),
  API_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  /** Commands and new cases per signed-in user per minute. */
  /** The Temporal payload keyring (runtime/payload-codec.ts): its JSON, or a file holding it. */
  PAYLOAD_KEYS: z.string().min(1).optional(),
  PAYLOAD_KEYS_FILE: z.string().min(1).optional(),
  /** Comma-separated browser origins that may call /codec (the Temporal Web UI's). */
  CODEC_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().url('expected an origin, e.g. http://127.0.0.1:8233'))),
  API_WRITE_RATE_LIMIT: z.coerce.number().int().min(1).default(120),
  /** Reads per signed-in user per minute on each authenticated GET route (api/server.ts). */
  API_READ_RATE_LIMIT: z.coerce.number().int().min(1).default(600),
  // TLS, mTLS, API keys, SASL: runtime/secure-connections.ts.
  ...secureConnectionVariables,
})
  .superRefine((v, ctx) => {
    for (const issue of secureConnectionIssues(v)) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
  })
  .transform((v) => ({
    ...v,
    KAFKA_BROKERS: v.KAFKA_BROKERS.brokers,
    /** Kafka's connection settings: brokers, SSL, SASL (every Kafka client is built from this). */
    kafka: kafkaConnection(v),
    /** Temporal's connection settings: address, namespace, TLS/mTLS, API key. */
    temporal: temporalConnection(v),
    /** The pg Pool's `ssl` (undefined: as DATABASE_URL says). */
    postgresSsl: postgresSsl(v),
  }));

export type AppConfig = z.output<typeof appEnvSchema>;

export class ConfigError extends Error {}

export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = appEnvSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
  throw new ConfigError(`配置有误 / invalid configuration:\n${lines.join('\n')}\n请改正上述变量后重新启动 / set the variable(s) above correctly and start again`);
}
