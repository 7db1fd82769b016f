// Given records on the topic, when the projector applies them, then the read models and the
// dead-letter table hold exactly what they should — on PGlite and on PostgreSQL.
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson, type CaseEvent } from '../../events/index.js';
import type { Db } from '../../readmodels/db.js';
import { applyBatch, redriveParked, type KafkaRecord } from '../../readmodels/projector.js';
import { shortHistory } from '../support/events.js';
import { freshStore, stores } from '../support/stores.js';

let offset = 0;
const record = (value: string | CaseEvent, partition = 0): KafkaRecord => ({
  topic: 'case-events',
  partition,
  offset: String(offset++),
  value: Buffer.from(typeof value === 'string' ? value : canonicalJson(value)),
});

describe.each(stores)('projector on %s', (kind) => {
  let db: Db;
  let schema: string;
  afterEach(async () => {
    await db?.close();
  });

  const summary = async (caseId: string) =>
    (await db.query<{ status: string; last_sequence: number }>(`select status, last_sequence from ${schema}.case_summary where case_id = $1`, [caseId])).rows[0];
  const parked = async () => (await db.query<{ case_id: string | null; reason: string }>(`select case_id, reason from ${schema}.dead_letter order by id`)).rows;

  it('applies a case history and moves the checkpoint with it', async () => {
    ({ db, schema } = await freshStore(kind));
    const [received, accepted] = shortHistory('C-1');
    const result = await applyBatch(db, schema, [record(received!), record(accepted!)]);
    expect(result).toEqual({ applied: 2, duplicates: 0, parked: 0 });
    expect(await summary('C-1')).toEqual({ status: 'accepted', last_sequence: 2 });
    const cp = await db.query<{ next_offset: string }>(`select next_offset::text as next_offset from ${schema}.projector_checkpoint`);
    expect(cp.rows).toEqual([{ next_offset: String(offset) }]);
  });

  it('skips a redelivered event by (case, sequence)', async () => {
    ({ db, schema } = await freshStore(kind));
    const [received, accepted] = shortHistory('C-2');
    await applyBatch(db, schema, [record(received!), record(accepted!)]);
    const again = await applyBatch(db, schema, [record(accepted!)]);
    expect(again).toEqual({ applied: 0, duplicates: 1, parked: 0 });
    expect(await summary('C-2')).toEqual({ status: 'accepted', last_sequence: 2 });
  });

  it('parks a case after a gap, keeps its later events in order, and lets other cases go on', async () => {
    ({ db, schema } = await freshStore(kind));
    const [, acceptedA] = shortHistory('C-3');
    const [receivedB] = shortHistory('C-4');
    const result = await applyBatch(db, schema, [record(acceptedA!), record(receivedB!)]);
    expect(result).toEqual({ applied: 1, duplicates: 0, parked: 1 });
    expect(await parked()).toEqual([{ case_id: 'C-3', reason: 'gap: expected sequence 1, got 2' }]);
    expect(await summary('C-4')).toMatchObject({ status: 'received' });
  });

  it('parks a poison record and goes on with the batch', async () => {
    ({ db, schema } = await freshStore(kind));
    const [received] = shortHistory('C-5');
    const result = await applyBatch(db, schema, [record('{not json'), record(received!)]);
    expect(result).toEqual({ applied: 1, duplicates: 0, parked: 1 });
    const rows = await parked();
    expect(rows[0]?.case_id).toBeNull();
    expect(rows[0]?.reason).toMatch(/^undecodable/);
  });

  it('parks an event altered after sealing', async () => {
    ({ db, schema } = await freshStore(kind));
    const [received] = shortHistory('C-6');
    const tampered = canonicalJson(received!).replace('"workerCount":1', '"workerCount":2');
    const result = await applyBatch(db, schema, [record(tampered)]);
    expect(result.parked).toBe(1);
    expect((await parked())[0]?.reason).toMatch(/hash mismatch/);
    expect(await summary('C-6')).toBeUndefined();
  });

  it('re-drives a parked case once the event it waited for has come: in sequence order, nothing left parked', async () => {
    ({ db, schema } = await freshStore(kind));
    const [received, accepted] = shortHistory('C-7');
    // Given the second event parked on a gap, and the first parked behind it when it came late
    await applyBatch(db, schema, [record(accepted!)]);
    await applyBatch(db, schema, [record(received!)]);
    expect((await parked()).map((r) => r.reason)).toEqual(['gap: expected sequence 1, got 2', 'case has parked events before this one']);
    // When an operator re-drives the case
    const result = await redriveParked(db, schema, 'C-7');
    // Then both are applied and nothing stays parked
    expect(result).toEqual({ caseId: 'C-7', retried: 2, applied: 2, duplicates: 0, parked: 0 });
    expect(await parked()).toEqual([]);
    expect(await summary('C-7')).toEqual({ status: 'accepted', last_sequence: 2 });
  });

  it('parks again what a re-drive still cannot apply, and loses nothing', async () => {
    ({ db, schema } = await freshStore(kind));
    const [received, accepted] = shortHistory('C-8');
    const tampered = canonicalJson(received!).replace('"workerCount":1', '"workerCount":2');
    await applyBatch(db, schema, [record(tampered), record(accepted!)]);
    const before = await parked();
    expect(before).toHaveLength(2);
    const result = await redriveParked(db, schema, 'C-8');
    expect(result).toEqual({ caseId: 'C-8', retried: 2, applied: 0, duplicates: 0, parked: 2 });
    expect(await parked()).toEqual(before);
    expect(await summary('C-8')).toBeUndefined();
    // A case with nothing parked is a no-op.
    expect(await redriveParked(db, schema, 'C-none')).toEqual({ caseId: 'C-none', retried: 0, applied: 0, duplicates: 0, parked: 0 });
  });
});
