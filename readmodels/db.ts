// The read-model store: PGlite (embedded PostgreSQL in a directory) by default, a real PostgreSQL server
// when a URL is given. Both speak the same SQL; this module hides only how a connection and a
// transaction are obtained.
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { PostgresSsl } from '../runtime/secure-connections.js';

export interface Queryable {
  query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs several statements separated by semicolons (no parameters): schema creation. */
  exec(sql: string): Promise<void>;
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** In memory (`memory: true`) only when a test or a benchmark asks for it; a process is given a location. */
export type DbOptions = { url: string; ssl?: PostgresSsl } | { pglitePath: string } | { memory: true };

/** Where a lost PostgreSQL connection is reported (the pool replaces it; the process goes on). */
export interface DbEvents {
  onConnectionError?: (err: Error) => void;
}

export async function openDb(options: DbOptions, events: DbEvents = {}): Promise<Db> {
  if ('url' in options) return openPostgres(options.url, options.ssl, events);
  return openPglite('pglitePath' in options ? options.pglitePath : undefined);
}

async function openPglite(dataDir: string | undefined): Promise<Db> {
  const db = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  return {
    kind: 'pglite',
    query: async <T extends Record<string, unknown>>(sql: string, params?: unknown[]) => {
      const r = await db.query<T>(sql, params);
      return { rows: r.rows };
    },
    exec: async (sql) => {
      await db.exec(sql);
    },
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          query: async <T extends Record<string, unknown>>(sql: string, params?: unknown[]) => ({ rows: (await tx.query<T>(sql, params)).rows }),
        }),
      ),
    close: () => db.close(),
  };
}

async function openPostgres(url: string, ssl: PostgresSsl, events: DbEvents): Promise<Db> {
  // `ssl` from DATABASE_SSL_MODE and its certificates (runtime/secure-connections.ts); unset, DATABASE_URL decides.
  const pool = new pg.Pool({ connectionString: url, max: 5, ...(ssl !== undefined ? { ssl } : {}) });
  // An idle connection that the server drops (a restart, a failover, an administrator's terminate) is
  // emitted as 'error' on the pool: unheard, Node ends the process. The pool discards that connection and
  // opens another at the next query, so a report is all that is needed.
  pool.on('error', (err) => (events.onConnectionError ?? defaultConnectionError)(err));
  // Fail now, with the reason, rather than at the first query.
  const probe = await pool.connect();
  probe.release();
  return {
    kind: 'postgres',
    query: async <T extends Record<string, unknown>>(sql: string, params?: unknown[]) => {
      const r = await pool.query(sql, params);
      return { rows: r.rows as T[] };
    },
    exec: async (sql) => {
      await pool.query(sql);
    },
    transaction: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn({
          query: async <T extends Record<string, unknown>>(sql: string, params?: unknown[]) => ({ rows: (await client.query(sql, params)).rows as T[] }),
        });
        await client.query('commit');
        return result;
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

function defaultConnectionError(err: Error): void {
  process.stderr.write(`read-model database: an idle connection was lost (${err.message}); the next query opens a new one\n`);
}

/**
 * Creates tables, indexes and views ("if not exists", "or replace") so that several processes may do it at
 * once. On PostgreSQL two API processes starting together would otherwise race in the catalogue: a second
 * `create table if not exists` waits for the first one's uncommitted table and then fails with a duplicate
 * key (pg_type), a second `create or replace view` with "tuple concurrently updated". A transaction-level
 * advisory lock taken first makes them take turns: the second then finds everything there. One statement
 * text, so on PostgreSQL it runs as one implicit transaction (simple query protocol) holding the lock.
 */
export async function createObjects(db: Queryable | Db, statements: readonly string[]): Promise<void> {
  if (!('exec' in db)) {
    for (const statement of statements) await db.query(statement);
    return;
  }
  const lock = db.kind === 'postgres' ? [`select pg_advisory_xact_lock(${SCHEMA_CREATION_LOCK})`] : [];
  await db.exec([...lock, ...statements].join(';\n'));
}

/** The advisory lock key of schema creation: a constant no other lock of the engine uses. */
const SCHEMA_CREATION_LOCK = '7883445329358712';

export class NoDatabaseError extends Error {
  constructor() {
    super('no read-model database configured: set DATABASE_URL (PostgreSQL) or PGLITE_PATH (a PGlite directory); `npm start` sets one for you');
  }
}

/**
 * The database the process was configured for: DATABASE_URL, else PGLITE_PATH. Neither is an error, never
 * a silent in-memory database: read models that vanish at the next restart would look like lost cases.
 */
export function dbOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, ssl?: PostgresSsl): DbOptions {
  if (env.DATABASE_URL) return ssl === undefined ? { url: env.DATABASE_URL } : { url: env.DATABASE_URL, ssl };
  if (env.PGLITE_PATH) return { pglitePath: env.PGLITE_PATH };
  throw new NoDatabaseError();
}
