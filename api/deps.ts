// What the API is built from: the clients and settings every route plugin receives. A leaf module, so
// the routes can name it without importing the server that registers them.
import type { Client } from '@temporalio/client';
import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import type { PartitionLag } from '../readmodels/consumer.js';
import type { Db } from '../readmodels/db.js';
import type { PersonalDataKeys } from '../runtime/personal-data-keys.js';
import type { ProcessMetrics } from '../runtime/metrics.js';
import type { Staff, Verifier } from './auth.js';
import type { Grant, Operation } from './authz.js';
import type { Locale } from './i18n.js';

// What the server's hooks put on every request and read from every route's config.
declare module 'fastify' {
  interface FastifyRequest {
    staff: Staff | undefined;
    grant: Grant | undefined;
    locale: Locale;
  }
  interface FastifyContextConfig {
    /** The operation of the authorisation table this route performs; unset only on public routes. */
    operation?: Operation;
    public?: boolean;
  }
}

export interface ApiDeps {
  temporal: Client;
  taskQueue: string;
  kafkaAdmin: Admin;
  db: Db;
  schema: string;
  projectorLag: () => Promise<PartitionLag[]>;
  /** Events behind past which /health/ready says 503 (default 10,000). */
  maxProjectorLag?: number;
  log: Logger;
  verify: Verifier;
  /** The key store of the personal-data keys (crypto-shredding): the edge encrypts with it, reads decrypt. */
  personalDataKeys: PersonalDataKeys;
  /** Where the access log of personal-data reads is kept (its own schema). */
  accessLogSchema?: string;
  bodyLimitBytes?: number;
  writeRateLimit?: number;
  /** Reads per signed-in user per minute on each authenticated GET route (they return personal data). */
  readRateLimit?: number;
  /** Browser origins that may call /codec (the Temporal Web UI's, e.g. http://127.0.0.1:8233). */
  codecCorsOrigins?: readonly string[];
  /** For the /docs page's sign-in button (authorization code + PKCE with the console client). */
  oidc?: { issuer: string; consoleClientId: string };
  /** The built console (default dist/console); served at `/` when it holds an index.html. */
  consoleDir?: string;
  /** The process's Prometheus metrics (shared with its projector); made here when not given. */
  metrics?: ProcessMetrics;
}
