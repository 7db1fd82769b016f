// Configuration of the long-running processes (worker, projector, API), from the environment, validated
// by zod so that each bad variable is named with what it expects. `npm start` sets all of these; to
// point at existing clusters set them yourself (see the README).
import { z } from 'zod';

const hostPort = /^[^\s:,]+:\d+$/;

/** A PostgreSQL server's URL (the read models; the stack scripts start one when it names this machine). */
export const PostgresUrl = z.string().url().refine((u) => /^postgres(ql)?:/.test(u), 'expected a postgres:// URL');

const appEnvSchema = z.object({
  TEMPORAL_ADDRESS: z.string().regex(hostPort, 'expected host:port, e.g. 127.0.0.1:7233').default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TASK_QUEUE: z.string().min(1).default('mediation-cases'),
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((s) => s.split(',').map((b) => b.trim()))
    .pipe(z.array(z.string().regex(hostPort, 'expected host:port[,host:port…]')).min(1)),
  KAFKA_TOPIC: z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'expected a Kafka topic name').default('mediation.case-events'),
  DATABASE_URL: PostgresUrl.optional(),
  PGLITE_PATH: z.string().min(1).optional(),
  READMODEL_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier').default('rm'),
  PROJECTOR_GROUP_ID: z.string().min(1).default('mediation-projector'),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: z.coerce.number().int().min(1).max(65535).default(8080),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
});

export type AppConfig = z.infer<typeof appEnvSchema>;

export class ConfigError extends Error {}

export function loadAppConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = appEnvSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}\nset the variable(s) above correctly and start again`);
}
