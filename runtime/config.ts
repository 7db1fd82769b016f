// Configuration of the engine's processes (worker, projector, API, CLI, benchmarks), from the environment,
// validated by zod so that each bad variable is named with what it expects. Nothing else reads the
// environment: docs/configuration.md is written from these schemas (npm run docs:config) and a test checks
// it. `npm start` sets what it needs; to point at existing clusters set them yourself.
import { z } from 'zod';
import { kafkaBrokerList, kafkaConnection, postgresSsl, secureConnectionIssues, secureConnectionVariables, temporalConnection } from './secure-connections.js';
import { SQL_IDENTIFIER, SQL_IDENTIFIER_MESSAGE } from './sql-identifier.js';

const hostPort = /^[^\s:,]+:\d+$/;
const sqlIdentifier = z.string().regex(SQL_IDENTIFIER, SQL_IDENTIFIER_MESSAGE);

/** A PostgreSQL server's URL (the read models; the stack scripts start one when it names this machine). */
export const PostgresUrl = z.string().url().refine((u) => /^postgres(ql)?:/.test(u), 'expected a postgres:// URL');

/** The variables of the processes themselves; the connections' security is in secure-connections.ts. */
const processVariables = {
  TEMPORAL_ADDRESS: z.string().regex(hostPort, 'expected host:port, e.g. 127.0.0.1:7233').default('127.0.0.1:7233').describe('The Temporal frontend, host:port.'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default').describe('The Temporal namespace of the case workflows.'),
  TASK_QUEUE: z.string().min(1).default('mediation-cases').describe('The task queue the worker polls and the API starts workflows on.'),
  KAFKA_BROKERS: kafkaBrokerList.describe('The Kafka brokers: host:port[,host:port…], each optionally PROTOCOL://host:port (runtime/secure-connections.ts).'),
  KAFKA_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name').default('mediation.case-events').describe('The topic the case events are published to and projected from.'),
  DATABASE_URL: PostgresUrl.optional().describe('The read models’ PostgreSQL server (postgres://…). One of DATABASE_URL and PGLITE_PATH is needed.'),
  PGLITE_PATH: z.string().min(1).optional().describe('A PGlite data directory, instead of a PostgreSQL server (one process only).'),
  READMODEL_SCHEMA: sqlIdentifier.default('rm').describe('The schema of the read models (rebuilds fill a fresh one and swap).'),
  ACCESS_LOG_SCHEMA: sqlIdentifier.default('access').describe('The schema of the access log of personal-data reads (kept apart: read-model rebuilds swap theirs).'),
  KEY_STORE_SCHEMA: sqlIdentifier.default('keys').describe('The schema of the personal-data key store (crypto-shredding; never rebuilt, never dumped with the read models).'),
  PROJECTOR_GROUP_ID: z.string().min(1).default('mediation-projector').describe('The projector’s Kafka consumer group.'),
  PROJECTOR_PARTITIONS_AT_ONCE: z.coerce.number().int().min(1).default(3).describe('How many partitions’ batches the projector applies at once.'),
  API_HOST: z.string().min(1).default('127.0.0.1').describe('The address the API listens on.'),
  API_PORT: z.coerce.number().int().min(1).max(65535).default(8080).describe('The port the API listens on.'),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info').describe('The least severe log level written.'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional().describe('json: JSON lines always; unset: human-readable when stdout is a terminal, JSON lines otherwise.'),
  WORKER_MEMORY_MIB: z.coerce.number().int().min(600, 'at least 600 (MiB)').default(2048).describe('The worker’s memory budget (RSS, MiB): sizes its workflow cache (runtime/worker-cache.ts).'),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(1).optional().describe('Overrides the cache size the memory budget gives (Temporal’s maxCachedWorkflows).'),
  WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9464')
    .optional()
    .describe('host:port where the worker serves Prometheus metrics (the Temporal SDK’s exporter); off when unset.'),
  // Sign-on: claim names may be dotted paths (e.g. realm_access.roles).
  OIDC_ISSUER: z.string().url().optional().describe('The identity provider whose access tokens the API accepts.'),
  OIDC_AUDIENCE: z.string().min(1).default('urn:mediation-engine:api').describe('The audience an access token must name.'),
  OIDC_JWKS_URI: z.string().url().optional().describe('The issuer’s key set (default: from its discovery document).'),
  OIDC_ALGORITHMS: z
    .string()
    .default('ES256,RS256,PS256,EdDSA')
    .transform((s) => s.split(',').map((a) => a.trim()))
    .pipe(z.array(z.enum(['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'], 'an asymmetric JWS algorithm')).min(1))
    .describe('Comma-separated asymmetric JWS algorithms the API accepts in tokens.'),
  OIDC_ROLE_CLAIM: z.string().min(1).default('mediation_role').describe('The token claim holding the staff role.'),
  OIDC_DEPARTMENT_CLAIM: z.string().min(1).default('mediation_department').describe('The token claim holding a liaison’s department.'),
  OIDC_LEVEL_CLAIM: z.string().min(1).default('mediation_level').describe('The token claim holding the staff member’s level (enterprise, town, county).'),
  OIDC_TOWN_CLAIM: z.string().min(1).default('mediation_town').describe('The token claim holding the staff member’s town.'),
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
    .pipe(z.record(z.string(), z.string()))
    .describe('JSON object: the IdP’s role names → the engine’s staff roles, e.g. {"mediation-clerk":"intake-clerk"}.'),
  OIDC_CONSOLE_CLIENT_ID: z.string().min(1).default('mediation-console').describe('The client id of the staff console (authorization code + PKCE); the API’s /docs page signs in as it.'),
  OIDC_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(5).describe('Clock skew allowed when checking a token’s times.'),
  OIDC_MAX_TOKEN_LIFETIME_SECONDS: z.coerce.number().int().min(60).default(24 * 60 * 60).describe('The longest token life the API accepts, exp − iat and exp − now (api/auth.ts).'),
  OIDC_JWKS_MAX_AGE_SECONDS: z.coerce.number().int().min(1).max(600).default(60).describe('How long the API keeps the issuer’s key set before fetching it again: a removed key stops within this.'),
  OIDC_JWKS_COOLDOWN_SECONDS: z.coerce.number().int().min(0).max(600).default(5).describe('The least time between two fetches of the key set that an unknown key id triggers.'),
  API_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024).describe('The largest request body the API reads.'),
  API_WRITE_RATE_LIMIT: z.coerce.number().int().min(1).default(120).describe('Commands and new cases per signed-in user per minute.'),
  API_READ_RATE_LIMIT: z.coerce.number().int().min(1).default(600).describe('Reads per signed-in user per minute on each authenticated GET route (api/server.ts).'),
  CODEC_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().url('expected an origin, e.g. http://127.0.0.1:8233')))
    .describe('Comma-separated browser origins that may call /codec (the Temporal Web UI’s).'),
  // Keys: their formats and checks are where they are used.
  PAYLOAD_KEYS: z.string().min(1).optional().describe('The Temporal payload keyring as JSON (runtime/payload-codec.ts).'),
  PAYLOAD_KEYS_FILE: z.string().min(1).optional().describe('A file holding the Temporal payload keyring (npm start makes one in .data/dev/keys).'),
  PERSONAL_DATA_MASTER_KEYS: z.string().min(1).optional().describe('The personal-data key-encryption keyring as JSON: fixed, so an erasure cannot retire its keys (runtime/personal-data-keys.ts).'),
  PERSONAL_DATA_MASTER_KEYS_FILE: z.string().min(1).optional().describe('A keyring file of the personal-data key-encryption keys, outside the data directory; rewritten at each erasure.'),
  MEDIATION_DATA_DIR: z.string().min(1).optional().describe('The local stack’s data directory: PERSONAL_DATA_MASTER_KEYS_FILE must not be inside it.'),
  COMMAND_SIGNING_KEY: z.string().min(1).optional().describe('The API’s command signing key file’s JSON (runtime/command-signing.ts).'),
  COMMAND_SIGNING_KEY_FILE: z.string().min(1).optional().describe('A file holding the API’s command signing key.'),
  COMMAND_VERIFY_KEYS: z.string().min(1).optional().describe('The public keys the worker accepts commands signed with, as JSON.'),
  COMMAND_VERIFY_KEYS_FILE: z.string().min(1).optional().describe('A file holding the public keys the worker accepts commands signed with.'),
};

const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);
const otlpUrl = z.preprocess(
  unsetIfEmpty,
  z
    .string()
    .url('expected an http(s) URL, e.g. http://127.0.0.1:4318')
    .refine((u) => /^https?:\/\//.test(u), 'expected an http(s) URL: the OTLP exporter speaks HTTP')
    .optional(),
);
const otlpProtocol = z.preprocess(
  unsetIfEmpty,
  z.literal('http/json', { error: 'only http/json is supported (the exporter sends OTLP as JSON over HTTP); unset it or set http/json' }).optional(),
);

/** Tracing (runtime/tracing.ts): OpenTelemetry's own variable names. An empty value counts as unset. */
export const tracingVariables = {
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl.describe('The collector’s base URL; traces go to <base>/v1/traces. Tracing is off when neither endpoint is set.'),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpUrl.describe('The full URL traces are sent to (wins over OTEL_EXPORTER_OTLP_ENDPOINT).'),
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol.describe('Only http/json.'),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol.describe('Only http/json.'),
  OTEL_SERVICE_NAME: z.preprocess(unsetIfEmpty, z.string().min(1).max(255).optional()).describe('The service name of the spans (default: mediation-api, mediation-worker, mediation-cli).'),
  OTEL_SDK_DISABLED: z.preprocess(unsetIfEmpty, z.enum(['true', 'false'], { error: 'expected true or false' }).optional()).describe('true turns tracing off whatever else is set.'),
  OTEL_TRACES_EXPORTER: z.preprocess(unsetIfEmpty, z.enum(['otlp', 'none'], { error: 'expected otlp or none' }).optional()).describe('none turns tracing off; otlp (the default) is the only exporter.'),
};

/** The CLI's calls to the API (cli/api.ts): as a service client (client credentials) or with a staff token. */
const cliVariables = {
  MEDIATION_API_URL: z.string().url().default('http://127.0.0.1:8080').describe('The API the CLI calls.'),
  MEDIATION_CLIENT_ID: z.string().min(1).default('mediation-cli').describe('The CLI’s service client at the OpenID provider (OIDC_ISSUER).'),
  MEDIATION_CLIENT_SECRET: z.string().min(1).optional().describe('The service client’s secret (npm start prints the development one).'),
  MEDIATION_TOKEN: z.string().min(1).optional().describe('A signed-in staff member’s access token, used instead of the service client.'),
};

/** The benchmarks' knobs (bench/); BENCH_TASK_QUEUE, BENCH_TOPIC and BENCH_BUNDLE are set by bench/main.ts for its worker process. */
const benchVariables = {
  BENCH_MAX_CACHED: z.preprocess(unsetIfEmpty, z.coerce.number().int().min(1).optional()).describe('The worker cache size a benchmark runs with (default: what a 2 GiB budget gives).'),
  BENCH_SHARED_CORE: z.enum(['0', '1']).default('1').describe('0 bundles the pure core once per workflow instead of once per workflow thread.'),
  BENCH_WORKER_PROFILE: z.string().min(1).optional().describe('A directory for the benchmark worker’s CPU profiles (node --cpu-prof).'),
  BENCH_TASK_QUEUE: z.string().min(1).default('bench').describe('The benchmark worker’s task queue.'),
  BENCH_TOPIC: z.string().min(1).default('bench').describe('The benchmark worker’s Kafka topic.'),
  BENCH_BUNDLE: z.string().min(1).optional().describe('The workflow bundle the benchmark worker loads.'),
};

/** Every variable a process of the engine reads, by topic: docs/configuration.md is written from these (npm run docs:config). */
export const configurationGroups = [
  { title: 'Processes (API, worker, projector)', variables: processVariables },
  { title: 'Secured connections (TLS, mTLS, API keys, SASL)', variables: secureConnectionVariables },
  { title: 'Tracing (OpenTelemetry)', variables: tracingVariables },
  { title: 'Command-line client', variables: cliVariables },
  { title: 'Benchmarks', variables: benchVariables },
] as const;

export const configurationVariables = { ...processVariables, ...secureConnectionVariables, ...tracingVariables, ...cliVariables, ...benchVariables };
export type VariableName = keyof typeof configurationVariables;

const appEnvSchema = z.object({
  ...processVariables,
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

function configError(title: string, issues: readonly z.core.$ZodIssue[]): ConfigError {
  const lines = issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
  return new ConfigError(`${title}:\n${lines.join('\n')}\n请改正上述变量后重新启动 / set the variable(s) above correctly and start again`);
}

export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = appEnvSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw configError('配置有误 / invalid configuration', parsed.error.issues);
}

/** The tracing variables, checked; ConfigError names each bad one. */
export function loadTracingVariables(env: NodeJS.ProcessEnv = process.env): z.output<z.ZodObject<typeof tracingVariables>> {
  const parsed = z.object(tracingVariables).safeParse(env);
  if (parsed.success) return parsed.data;
  throw configError('追踪配置有误 / invalid tracing configuration', parsed.error.issues);
}

/**
 * One variable, checked by its entry in the schema: for code that needs one setting and must not fail on
 * the others (the logger, the projector's tuning, the benchmarks).
 */
export function setting<K extends VariableName>(name: K, env: NodeJS.ProcessEnv = process.env): z.output<(typeof configurationVariables)[K]> {
  const parsed = configurationVariables[name].safeParse(env[name]);
  if (parsed.success) return parsed.data as z.output<(typeof configurationVariables)[K]>;
  throw configError('配置有误 / invalid configuration', parsed.error.issues.map((i) => ({ ...i, path: [name, ...i.path] })));
}
