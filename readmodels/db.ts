// The read-model store: PGlite (embedded PostgreSQL in a directory) by default, a real PostgreSQL server
// when a URL is given. Both speak the same SQL; this module hides only how a connection and a
// transaction are obtained.
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

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

export type DbOptions = { url: string } | { pglitePath: string } | { memory: true };

export async function openDb(options: DbOptions): Promise<Db> {
  if ('url' in options) return openPostgres(options.url);
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

async function openPostgres(url: string): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: 5 });
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

/** The database the process was configured for: DATABASE_URL, else PGLITE_PATH, else in memory. */
export function dbOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DbOptions {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL };
  if (env.PGLITE_PATH) return { pglitePath: env.PGLITE_PATH };
  return { memory: true };
}
