// Given a generated history of many cases, when it is projected in one batch, in batches of random sizes,
// or twice, then every read-model table is the same — the property a rebuild relies on. Also the guard
// that lets the live projector continue in a swapped-in schema, and the swap itself. PGlite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, verifyChain, type CaseEvent } from '../../events/index.js';
import type { Db } from '../../readmodels/db.js';
import { dumpReadModels } from '../../readmodels/dump.js';
import { applyBatch, type KafkaRecord } from '../../readmodels/projector.js';
import { departmentQueue, earlyWarnings, kpis, openSupervision, overdueCases } from '../../readmodels/queries.js';
import { swapSchemas } from '../../readmodels/rebuild.js';
import { createSchemaSql } from '../../readmodels/schema.js';
import { generateCases, generateHistory, rng } from '../../testkit/history-generator.js';
import { uniqueName } from '../support/stack.js';
import { freshStore, stores } from '../support/stores.js';

// Dense enough (about 45 complaints a month) that the month's hot enterprise crosses the warning threshold.
const options = { cases: 140, seed: 7, from: '2025-01-01T00:00:00.000Z', until: '2025-04-01T00:00:00.000Z' };
const history: CaseEvent[] = generateHistory(options);
// Three partitions keyed by case, as the publisher does: a case's events stay in order on one partition.
const records: KafkaRecord[] = (() => {
  const next = [0, 0, 0];
  return history.map((event) => {
    const partition = Number(event.caseId.slice(-1)) % 3;
    return { topic: 'case-events', partition, offset: String(next[partition]!++), value: Buffer.from(canonicalJson(event)) };
  });
})();

describe.each(stores)('projecting a generated history on %s', (kind) => {
  let db: Db;
  const schemas: string[] = [];
  beforeAll(async () => {
    ({ db } = await freshStore(kind));
  });
  afterAll(async () => {
    if (kind === 'postgres') for (const s of schemas) await db.exec(`drop schema if exists ${s} cascade`);
    await db?.close();
  });
  const fresh = async (prefix = 'rm') => {
    const schema = uniqueName(prefix);
    schemas.push(schema);
    await db.exec(createSchemaSql(schema));
    return schema;
  };

  let whole: string;
  let wholeDump: Record<string, string[]>;

  it('given the whole history in one batch, then every read model has rows and nothing is parked', async () => {
    whole = await fresh();
    const result = await applyBatch(db, whole, records);
    expect(result).toEqual({ applied: history.length, duplicates: 0, parked: 0 });
    wholeDump = await dumpReadModels(db, whole);
    for (const table of ['case_state', 'case_summary', 'case_kpi', 'supervision_notice', 'event_archive']) expect(wholeDump[table]!.length).toBeGreaterThan(0);
    expect(wholeDump.dead_letter).toEqual([]);
    expect(wholeDump.event_archive).toHaveLength(history.length);
    // The generated period ends with cases still open: there is something in the queues and the lists.
    expect((await departmentQueue(db, whole, 'union', { now: '2025-04-01T00:00:00.000Z' })).length).toBeGreaterThan(0);
    expect((await kpis(db, whole, { from: '2025-01', to: '2025-06', groupBy: [] })).map((r) => r.month)).toEqual(['2025-01', '2025-02', '2025-03']);
    expect((await overdueCases(db, whole, { now: '2025-04-01T00:00:00.000Z' })).length).toBeGreaterThan(0);
    expect((await earlyWarnings(db, whole, { asOf: '2025-03-31' })).length).toBeGreaterThan(0);
    expect(Array.isArray(await openSupervision(db, whole, { now: '2025-04-01T00:00:00.000Z' }))).toBe(true);
  });

  it('given the same records in batches of random sizes, then every table equals the one-batch tables', async () => {
    const schema = await fresh();
    const r = rng(42);
    for (let i = 0; i < records.length; ) {
      const size = 1 + Math.floor(r() * 60);
      await applyBatch(db, schema, records.slice(i, i + size));
      i += size;
    }
    expect(await dumpReadModels(db, schema)).toEqual(wholeDump);
  });

  it('given everything delivered again, then nothing changes and every record is a duplicate', async () => {
    const again = await applyBatch(db, whole, records);
    expect(again).toEqual({ applied: 0, duplicates: history.length, parked: 0 });
    expect(await dumpReadModels(db, whole)).toEqual(wholeDump);
  });

  it('given a guarded batch, then records below the checkpoint are skipped and a batch above it is refused', async () => {
    const schema = await fresh();
    const p0 = records.filter((r) => r.partition === 0);
    await applyBatch(db, schema, p0.slice(0, 20));
    // Below and across the checkpoint: the first 20 are skipped, the rest applied.
    const across = await applyBatch(db, schema, p0.slice(10, 30), { guard: true });
    expect(across).toMatchObject({ duplicates: 10, applied: 10 });
    // Above it: refused, with where to seek back to.
    const above = await applyBatch(db, schema, p0.slice(40, 50), { guard: true });
    expect(above).toEqual({ applied: 0, duplicates: 0, parked: 0, rewinds: [{ topic: 'case-events', partition: 0, offset: p0[30]!.offset }] });
    // After seeking back, a batch that still starts above (the offsets between do not exist) is applied;
    // here the events' own sequence check then parks the cases whose events were skipped.
    const gap = await applyBatch(db, schema, p0.slice(40, 50), { guard: true, rewoundTo: new Map([['case-events/0', p0[30]!.offset]]) });
    expect(gap.rewinds).toBeUndefined();
    expect(gap.applied + gap.parked + gap.duplicates).toBe(10);
  });

  it('given a rebuilt schema, when it is swapped in, then the live name shows the rebuilt tables and the old ones are gone', async () => {
    const live = await fresh('live');
    await applyBatch(db, live, records.slice(0, 50));
    const rebuilt = await fresh('rebuilt');
    await applyBatch(db, rebuilt, records);
    const old = uniqueName('old');
    await swapSchemas(db, live, rebuilt, old);
    expect(await dumpReadModels(db, live)).toEqual(wholeDump);
    const left = await db.query<{ nspname: string }>(`select nspname from pg_namespace where nspname = any($1::text[])`, [[rebuilt, old]]);
    expect(left.rows).toEqual([]);
    // The views moved with their tables.
    const viewed = await db.query<{ n: number }>(`select sum(received)::integer as n from ${live}.kpi_counts`);
    expect(viewed.rows[0]?.n).toBe(new Set(history.map((e) => e.caseId)).size);
    // And the projector goes on in the live name.
    expect(await applyBatch(db, live, records, { guard: true })).toEqual({ applied: 0, duplicates: history.length, parked: 0 });
  });
});

describe('the history generator', () => {
  it('given the same options, then the same events; the stream is in time order and each case a valid chain', () => {
    expect(generateHistory(options).map((e) => e.hash)).toEqual(history.map((e) => e.hash));
    for (let i = 1; i < history.length; i++) expect(history[i - 1]!.occurredAt <= history[i]!.occurredAt).toBe(true);
    const byCase = new Map<string, CaseEvent[]>();
    for (const e of history) byCase.set(e.caseId, [...(byCase.get(e.caseId) ?? []), e]);
    expect(byCase.size).toBe(options.cases);
    for (const events of byCase.values()) {
      expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));
      expect(verifyChain(events)).toEqual({ ok: true });
    }
    // Varied lifecycles: outcomes of every kind, clocks that breach, cases left open at the end.
    const types = new Set(history.map((e) => e.type));
    for (const type of ['CaseRejected', 'AgreementReached', 'MediationFailed', 'CaseWithdrawn', 'ClockBreached', 'SupervisionIssued', 'CaseClosed'] as const) expect(types).toContain(type);
    const open = [...generateCases({ ...options, cases: 40 })].filter((c) => c.state.status !== 'none' && c.state.status !== 'closed');
    expect(open.length).toBeGreaterThan(0);
  });
});
