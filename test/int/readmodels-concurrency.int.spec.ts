// Two API+projector processes on one PostgreSQL (two of everything, issue 14):
// - they create their schemas at the same moment on startup: without a lock PostgreSQL refuses the second
//   `create table if not exists` (duplicate key in pg_type) or `create or replace view` (tuple concurrently
//   updated), and the process does not start;
// - during a rebalance both hold a partition for a moment and may apply the same batch: before the
//   partition has a checkpoint row there was nothing to lock, and an undecodable first record was parked
//   once per projector. Each is applied once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObjects, openDb, type Db } from '../../readmodels/db.js';
import { applyBatch, type KafkaRecord } from '../../readmodels/projector.js';
import { createSchemaSql } from '../../readmodels/schema.js';
import { shortHistory } from '../support/events.js';
import { canonicalJson } from '../../events/index.js';
import { uniqueName } from '../support/stack.js';

const url = process.env.TEST_DATABASE_URL;

describe.runIf(url)('two projectors on one PostgreSQL', () => {
  let db: Db;
  const schemas: string[] = [];
  beforeAll(async () => {
    db = await openDb({ url: url! });
  });
  afterAll(async () => {
    for (const s of schemas) await db.exec(`drop schema if exists ${s} cascade`);
    await db?.close();
  });
  const fresh = (prefix: string) => {
    const schema = uniqueName(prefix);
    schemas.push(schema);
    return schema;
  };

  it('given four processes starting at once, when each creates the read-model schema, then all succeed', async () => {
    for (let round = 0; round < 3; round++) {
      const schema = fresh('rm_ddl');
      const outcomes = await Promise.allSettled(Array.from({ length: 4 }, () => createObjects(db, [createSchemaSql(schema)])));
      expect(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok', 'ok']);
    }
  });

  it('given a partition with no checkpoint yet, when two projectors apply its first batch at once, then each record counts once', async () => {
    for (let round = 0; round < 5; round++) {
      const schema = fresh('rm_race');
      await createObjects(db, [createSchemaSql(schema)]);
      const [received, accepted] = shortHistory(uniqueName('RACE').toUpperCase());
      const undecodable: KafkaRecord[] = [{ topic: 't', partition: 0, offset: '0', value: Buffer.from('not json') }];
      const events: KafkaRecord[] = [received!, accepted!].map((e, i) => ({ topic: 't', partition: 1, offset: String(i), value: Buffer.from(canonicalJson(e)) }));
      const results = await Promise.all([
        applyBatch(db, schema, undecodable, { guard: true }),
        applyBatch(db, schema, undecodable, { guard: true }),
        applyBatch(db, schema, events, { guard: true }),
        applyBatch(db, schema, events, { guard: true }),
      ]);
      expect(results.reduce((n, r) => n + r.parked, 0)).toBe(1);
      expect(results.reduce((n, r) => n + r.applied, 0)).toBe(2);
      const parked = await db.query<{ n: number }>(`select count(*)::integer as n from ${schema}.dead_letter`);
      expect(parked.rows[0]!.n).toBe(1);
      const archived = await db.query<{ n: number }>(`select count(*)::integer as n from ${schema}.event_archive`);
      expect(archived.rows[0]!.n).toBe(2);
    }
  });
});
