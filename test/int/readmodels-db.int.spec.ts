// The read-model store under faults: PostgreSQL dropping a connection the pool holds idle (a restart, a
// failover, an administrator's terminate) must not end the process, and the next query works; and a
// process without a configured location refuses to start instead of projecting into memory.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { dbOptionsFromEnv, NoDatabaseError, openDb } from '../../readmodels/db.js';

const url = process.env.TEST_DATABASE_URL;

describe.skipIf(!url)('read-model database: PostgreSQL drops a pooled connection', () => {
  it('reports the loss, stays up, and the next query opens a new connection', async () => {
    const lost: Error[] = [];
    const db = await openDb({ url: url! }, { onConnectionError: (err) => lost.push(err) });
    try {
      const [{ pid }] = (await db.query<{ pid: number }>('select pg_backend_pid() as pid')).rows as [{ pid: number }];
      // The pooled connection is idle now; the server ends it, as a restart would.
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const ended = await admin.query<{ ok: boolean }>('select pg_terminate_backend($1) as ok', [pid]);
        expect(ended.rows[0]?.ok).toBe(true);
      } finally {
        await admin.end();
      }
      for (let i = 0; i < 50 && lost.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(lost).toHaveLength(1);
      expect(lost[0]!.message).toMatch(/terminat/i);

      const again = (await db.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!;
      expect(again.pid).not.toBe(pid);
    } finally {
      await db.close();
    }
  });
});

describe('read-model database: where it is', () => {
  it('is DATABASE_URL, else PGLITE_PATH; neither is an error naming both, not a database in memory', () => {
    expect(dbOptionsFromEnv({ DATABASE_URL: 'postgres://x/y', PGLITE_PATH: '/tmp/p' })).toEqual({ url: 'postgres://x/y' });
    expect(dbOptionsFromEnv({ PGLITE_PATH: '/tmp/p' })).toEqual({ pglitePath: '/tmp/p' });
    expect(() => dbOptionsFromEnv({})).toThrow(NoDatabaseError);
    expect(() => dbOptionsFromEnv({})).toThrow(/DATABASE_URL.*PGLITE_PATH/);
  });
});
