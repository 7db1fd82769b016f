// The KPI drill-down (the cases behind a department's, level's or dispute type's figures) and the complaint
// trend of warned enterprises, on a PGlite read model with case_kpi rows as the projector writes them.
// Every date is derived from the clock at test start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chinaDateOf } from '../../domain/calendar/index.js';
import { openDb, type Db } from '../../readmodels/db.js';
import { complaintTrend, kpiCases, kpis } from '../../readmodels/queries.js';
import { createSchemaSql } from '../../readmodels/schema.js';

const DAY = 86_400_000;
const now = Date.now();
const A = '91330100MA2XXXXX1B';
const B = '911100001000000000';

describe('KPI drill-down and complaint trend', () => {
  let db: Db;
  const insert = async (caseId: string, o: { department: string; level: string; disputeType: string; creditCode: string; daysAgo: number; merged?: boolean; status?: string }) => {
    const receivedAt = new Date(now - o.daysAgo * DAY).toISOString();
    const month = chinaDateOf(receivedAt).slice(0, 7);
    await db.query(
      `insert into rm.case_kpi (case_id, department, level, dispute_type, collective, worker_count, respondent_credit_code, respondent_name, received_at, received_month,
         merged, recorded, handled, with_outcome, replied, feedback) values ($1,$2,$3,$4,false,1,$5,'某某公司',$6,$7,$8,true,false,false,false,false)`,
      [caseId, o.department, o.level, o.disputeType, o.creditCode, receivedAt, month, o.merged ?? false],
    );
    await db.query(
      `insert into rm.case_summary (case_id, status, channel, collective, priority, worker_count, dispute_type, level, lead_department, respondent_name, respondent_credit_code, town,
         received_at, updated_at, last_sequence, last_event_type) values ($1,$2,'walk-in',false,'normal',1,$3,$4,$5,'某某公司',$6,'城关镇',$7,$7,1,'CaseReceived')`,
      [caseId, o.status ?? 'received', o.disputeType, o.level, o.department, o.creditCode, receivedAt],
    );
  };
  beforeAll(async () => {
    db = await openDb({ memory: true });
    await db.exec(createSchemaSql('rm'));
    await insert('MC-1', { department: 'hr', level: 'town', disputeType: 'wage-arrears', creditCode: A, daysAgo: 0, status: 'accepted' });
    await insert('MC-2', { department: 'hr', level: 'enterprise', disputeType: 'social-insurance', creditCode: A, daysAgo: 1 });
    await insert('MC-3', { department: 'union', level: 'town', disputeType: 'wage-arrears', creditCode: A, daysAgo: 2 });
    await insert('MC-4', { department: 'union', level: 'town', disputeType: 'wage-arrears', creditCode: A, daysAgo: 40 });
    await insert('MC-5', { department: 'union', level: 'town', disputeType: 'wage-arrears', creditCode: A, daysAgo: 3, merged: true });
    await insert('MC-6', { department: 'union', level: 'county', disputeType: 'work-injury', creditCode: B, daysAgo: 70 });
  });
  afterAll(async () => {
    await db?.close();
  });
  const month = (daysAgo: number) => chinaDateOf(new Date(now - daysAgo * DAY).toISOString()).slice(0, 7);
  const ids = (rows: { caseId: string }[]) => rows.map((r) => r.caseId).sort();

  it('given cases of several levels and types, when drilling into one level or type, then exactly its cases come back, with their status', async () => {
    const from = month(80);
    const to = month(0);
    expect(ids(await kpiCases(db, 'rm', { from, to, level: 'town' }))).toEqual(['MC-1', 'MC-3', 'MC-4', 'MC-5']);
    expect(ids(await kpiCases(db, 'rm', { from, to, disputeType: 'wage-arrears', department: 'hr' }))).toEqual(['MC-1']);
    expect(ids(await kpiCases(db, 'rm', { from, to, level: 'county' }))).toEqual(['MC-6']);
    const [first] = await kpiCases(db, 'rm', { from, to, disputeType: 'wage-arrears', department: 'hr' });
    expect(first).toMatchObject({ caseId: 'MC-1', status: 'accepted', level: 'town', disputeType: 'wage-arrears', department: 'hr' });
    // The drill-down holds the cases the KPI row counted as received.
    const byType = await kpis(db, 'rm', { from, to, groupBy: ['disputeType'] });
    const receivedWage = byType.filter((r) => r.disputeType === 'wage-arrears').reduce((n, r) => n + r.received, 0);
    expect((await kpiCases(db, 'rm', { from, to, disputeType: 'wage-arrears' })).length).toBe(receivedWage);
    // Outside the months: none.
    expect(await kpiCases(db, 'rm', { from: '2000-01', to: '2000-12' })).toEqual([]);
  });

  it('given complaints over time, when the trend is asked, then each window counts its complaints, merged duplicates left out, the latest window last', async () => {
    const asOf = new Date(now + 1_000).toISOString();
    const [a, b] = await complaintTrend(db, 'rm', { creditCodes: [A, B], asOf, windowDays: 30, windows: 3 });
    expect(a!.creditCode).toBe(A);
    expect(a!.windows.map((w) => w.complaints)).toEqual([0, 1, 3]);
    expect(b!.windows.map((w) => w.complaints)).toEqual([1, 0, 0]);
    expect(a!.windows[2]!.to).toBe(asOf);
    expect(Date.parse(a!.windows[2]!.from)).toBe(Date.parse(asOf) - 30 * DAY);
  });
});
