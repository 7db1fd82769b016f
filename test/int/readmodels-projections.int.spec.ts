// Given a case history (driven through the domain core, so the events are the ones the workflow would
// record), when the projector applies it, then each read model answers what DOMAIN.md asks of it — on
// PGlite and on PostgreSQL. Deadlines are checked against the domain's own folded clocks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, chinaDateOf } from '../../domain/calendar/index.js';
import { foldEvents, type OpenCase } from '../../domain/case/index.js';
import { deadlineOf, isDuty, type SlaClock } from '../../domain/sla/index.js';
import { canonicalJson, GENESIS_HASH, personalValue, sealEvents, type Actor, type CaseEvent, type Department, type UnsealedEvent } from '../../events/index.js';
import type { Db } from '../../readmodels/db.js';
import { applyBatch, type KafkaRecord } from '../../readmodels/projector.js';
import {
  atRiskCases,
  caseArchive,
  caseState,
  departmentQueue,
  earlyWarnings,
  kpis,
  openSupervision,
  overdueCases,
} from '../../readmodels/queries.js';
import { createSchemaSql } from '../../readmodels/schema.js';
import { CaseDriver } from '../../testkit/history-generator.js';
import { creditCodeCheckChar } from '../../domain/identifiers/index.js';
import { uniqueName } from '../support/stack.js';
import { freshStore, stores } from '../support/stores.js';

// ------------------------------------------------------------------ building histories

const clerk: Actor = { id: 'clerk-1', role: 'intake-clerk' };
const mediator: Actor = { id: 'mediator-1', role: 'mediator' };
const supervisor: Actor = { id: 'supervisor-1', role: 'supervisor' };
const system: Actor = { id: 'case-workflow', role: 'system' };
const liaison = (department: Department): Actor => ({ id: `liaison-${department}`, role: 'department-liaison', department });

const SALT = '0123456789abcdef0123456789abcdef';
const HOUR = 3_600_000;
const at = (base: string, hours: number): string => new Date(Date.parse(base) + hours * HOUR).toISOString();
/** Monday 3 March 2025, 10:00 in Beijing. */
const T0 = '2025-03-03T02:00:00.000Z';

let codeSeq = 0;
/** Intake checks the GB 32100 check character: the last character is made to fit the first 17. */
const withCheckChar = (code: string) => code.slice(0, 17) + creditCodeCheckChar(code.slice(0, 17));
function respondent(code?: string, level: 'enterprise' | 'town' | 'county' = 'enterprise') {
  codeSeq++;
  return {
    name: `嘉兴某某有限公司${code ?? codeSeq}`,
    creditCode: withCheckChar(code ?? `91330400MA2B3D${String(codeSeq).padStart(4, '0')}`),
    town: '王江泾镇',
    industry: '纺织',
    responsibleDepartment: '经信局',
    level,
  };
}

interface CaseSpec {
  at?: string;
  workerCount?: number;
  hint?: 'wage-arrears' | 'social-insurance' | 'contract-termination' | 'work-injury' | 'hours-and-rest' | 'other';
  creditCode?: string;
  level?: 'enterprise' | 'town' | 'county';
}

function received(caseId: string, spec: CaseSpec = {}): CaseDriver {
  const d = new CaseDriver(caseId, spec.at ?? T0);
  d.run(
    'ReceiveCase',
    {
      channel: 'walk-in',
      complainants: [{ personId: `${caseId}-p1`, name: personalValue(`${caseId}-p1`, '张三', SALT), isRepresentative: true }],
      workerCount: spec.workerCount ?? 1,
      respondent: respondent(spec.creditCode, spec.level),
      claim: { disputeTypeHint: spec.hint ?? 'wage-arrears', summary: '拖欠工资', amountClaimedFen: 1_000_000 },
    },
    clerk,
  );
  return d;
}

/** Received, accepted, classified as its hint and routed, `hours` after receipt. */
function routed(caseId: string, spec: CaseSpec = {}, hours = 1): CaseDriver {
  const d = received(caseId, spec);
  const t = spec.at ?? T0;
  d.run('AcceptCase', {}, clerk, at(t, hours));
  d.run('ClassifyCase', { disputeType: spec.hint ?? 'wage-arrears' }, mediator, at(t, hours + 0.1));
  d.run('RouteCase', {}, system, at(t, hours + 0.2));
  return d;
}

/** A whole case, closed `closeAfterHours` after receipt: agreement, reply, feedback, close. */
function closedWithAgreement(caseId: string, spec: CaseSpec = {}, closeAfterHours = 72, feedback = true): CaseDriver {
  const d = routed(caseId, spec);
  const t = spec.at ?? T0;
  const step = closeAfterHours / 8;
  d.run('ScheduleSession', { at: at(t, step * 3), place: '调解室', departments: ['union'] }, mediator, at(t, step * 2));
  const session = Object.values(d.open.sessions)[0]!.sessionId;
  d.run('HoldSession', { sessionId: session, outcome: 'progress', minutes: '双方陈述', departmentOpinions: [] }, mediator, at(t, step * 3));
  d.run('RecordAgreement', { totalAmountFen: 800_000, items: [{ kind: 'wages', amountFen: 800_000 }], schedule: [{ dueOn: addDays(chinaDateOf(t), 30), amountFen: 800_000 }], terms: '一次付清' }, mediator, at(t, step * 4));
  d.run('SendReply', { method: 'written', summary: '已达成协议' }, clerk, at(t, step * 5));
  if (feedback) d.run('RecordFeedback', { score: 5 }, system, at(t, step * 6));
  d.advanceTo(at(t, step * 8));
  answerNotices(d, at(t, step * 8));
  d.run('CloseCase', {}, mediator, at(t, step * 8));
  return d;
}

function answerNotices(d: CaseDriver, when: string): void {
  for (const notice of Object.values(d.open.supervision)) {
    if (!notice.answered) d.run('AnswerSupervision', { noticeId: notice.noticeId, response: '已办' }, supervisor, when);
  }
}

const clocksOf = (d: CaseDriver): SlaClock[] => Object.values((foldEvents(d.events) as OpenCase).clocks);
const duty = isDuty;

// ------------------------------------------------------------------ the specs

describe.each(stores)('read models on %s', (kind) => {
  let db: Db;
  const schemas: string[] = [];
  let offset = 0;

  beforeAll(async () => {
    ({ db } = await freshStore(kind));
  });
  afterAll(async () => {
    if (kind === 'postgres') for (const s of schemas) await db.exec(`drop schema if exists ${s} cascade`);
    await db?.close();
  });

  async function given(...cases: (CaseDriver | CaseEvent[])[]): Promise<string> {
    const schema = uniqueName('rm');
    schemas.push(schema);
    await db.exec(createSchemaSql(schema));
    const events = cases.flatMap((c) => (Array.isArray(c) ? c : c.events));
    await project(schema, events);
    return schema;
  }
  const record = (event: CaseEvent | string): KafkaRecord => ({
    topic: 'case-events',
    partition: 0,
    offset: String(offset++),
    value: Buffer.from(typeof event === 'string' ? event : canonicalJson(event)),
  });
  const project = (schema: string, events: (CaseEvent | string)[]) => applyBatch(db, schema, events.map(record));

  describe('case state and summary', () => {
    it('given a routed case, then case_state holds what foldEvents gives and the summary its status', async () => {
      const d = routed('S-1');
      const schema = await given(d);
      const stored = await caseState(db, schema, 'S-1');
      expect(stored?.version).toBe(d.events.length);
      expect(stored?.state).toEqual(JSON.parse(JSON.stringify(foldEvents(d.events))));
      const summary = await db.query(`select status, lead_department, level, last_sequence from ${schema}.case_summary where case_id = 'S-1'`);
      expect(summary.rows).toEqual([{ status: 'routed', lead_department: 'union', level: 'enterprise', last_sequence: d.events.length }]);
    });

    it('given a classified case, then case_summary and department_queue both show the core status "classified"', async () => {
      const d = received('S-9');
      d.run('AcceptCase', {}, clerk, at(T0, 1));
      d.run('ClassifyCase', { disputeType: 'wage-arrears' }, mediator, at(T0, 2));
      const schema = await given(d);
      const summary = await db.query<{ status: string }>(`select status from ${schema}.case_summary where case_id = 'S-9'`);
      expect(summary.rows).toEqual([{ status: 'classified' }]);
      const queue = await departmentQueue(db, schema, 'union', { now: at(T0, 3) });
      expect(queue.find((q) => q.caseId === 'S-9')).toMatchObject({ role: 'lead', status: 'classified' });
    });

    it('given the same history split over many batches, then the state is the same as in one batch', async () => {
      const d = closedWithAgreement('S-2');
      const one = await given(d);
      const many = await given();
      for (const event of d.events) await project(many, [event]);
      const [a, b] = await Promise.all([caseState(db, one, 'S-2'), caseState(db, many, 'S-2')]);
      expect(b).toEqual(a);
    });
  });

  describe('department queues', () => {
    it('given open cases, then a department sees its cases sorted by time left, measured on the domain clocks', async () => {
      const early = routed('Q-1', { at: T0 });
      const later = received('Q-2', { at: at(T0, 24) });
      later.run('AcceptCase', {}, clerk, at(T0, 25));
      const closed = closedWithAgreement('Q-3');
      const schema = await given(early, later, closed);
      const now = at(T0, 30);

      const queue = await departmentQueue(db, schema, 'union', { now });
      expect(queue.map((q) => q.caseId)).toEqual(['Q-1', 'Q-2']);
      // The earliest running deadline the lead answers for, exactly as the domain computes it.
      const expectedDue = clocksOf(early)
        .filter((c) => c.status === 'running' && duty(c) && (c.onBreach.accountable === 'lead' || c.onBreach.accountable === 'union'))
        .map((c) => c.dueAt)
        .sort()[0];
      expect(queue[0]).toMatchObject({ role: 'lead', dueAt: expectedDue, timeLeftMs: Date.parse(expectedDue!) - Date.parse(now), status: 'routed' });
      expect(queue[1]).toMatchObject({ role: 'lead', status: 'accepted' });
      expect(Date.parse(queue[1]!.dueAt!)).toBeGreaterThan(Date.parse(queue[0]!.dueAt!));
    });

    it("given a case's running deadlines, then its queue row carries the light of the domain rule: green, yellow from the first warning, red once due", async () => {
      const d = routed('Q-L', { at: T0 });
      const schema = await given(d);
      const lead = clocksOf(d).filter((c) => c.status === 'running' && duty(c) && (c.onBreach.accountable === 'lead' || c.onBreach.accountable === 'union'));
      const firstWarn = lead.map((c) => deadlineOf(c).warnAt).filter((w): w is string => w !== null).sort()[0]!;
      const firstDue = lead.map((c) => c.dueAt).sort()[0]!;
      expect(Date.parse(firstWarn)).toBeLessThan(Date.parse(firstDue));
      const lightAt = async (now: string) => (await departmentQueue(db, schema, 'union', { now })).find((q) => q.caseId === 'Q-L')?.light;
      expect(await lightAt(at(T0, 1))).toBe('green');
      expect(await lightAt(firstWarn)).toBe('yellow');
      expect(await lightAt(firstDue)).toBe('red');
    });

    it('given a referral to a joining department, then that department sees the case with its objection deadline', async () => {
      const d = routed('Q-4', { hint: 'social-insurance' });
      const schema = await given(d);
      // social-insurance: hr leads (at town level), the union joins with a referral.
      const hr = await departmentQueue(db, schema, 'hr', { now: T0 });
      expect(hr.map((q) => [q.caseId, q.role, q.level])).toEqual([['Q-4', 'lead', 'town']]);
      const union = await departmentQueue(db, schema, 'union', { now: T0 });
      const objection = clocksOf(d).find((c) => c.key === 'referral-objection:union')!;
      expect(union).toMatchObject([{ caseId: 'Q-4', role: 'referral', clockKey: 'referral-objection:union', dueAt: objection.dueAt }]);
      expect(await departmentQueue(db, schema, 'union', { now: T0, level: 'enterprise' })).toEqual([]);
    });

    it('given the referral accepted and the case closed, then it leaves the queues', async () => {
      const d = closedWithAgreement('Q-5');
      const schema = await given(d);
      for (const department of ['union', 'hr', 'court'] as const) expect(await departmentQueue(db, schema, department, { now: T0 })).toEqual([]);
    });
  });

  describe('overdue and at-risk cases', () => {
    it('given a routed case, then it is at risk after the first warning moment and overdue after the due moment', async () => {
      const d = routed('O-1');
      const schema = await given(d);
      const running = clocksOf(d).filter((c) => c.status === 'running' && duty(c));
      const reply = running.find((c) => c.key === 'complaint-reply')!;
      const warn = reply.warnAt[0]!.at;
      const firstWarning = running.map((c) => c.warnAt[0]!.at).sort()[0]!;

      const before = at(firstWarning, -1);
      expect(await atRiskCases(db, schema, { now: before })).toEqual([]);
      expect(await overdueCases(db, schema, { now: before })).toEqual([]);

      const risky = await atRiskCases(db, schema, { now: at(warn, 1) });
      expect(risky.find((c) => c.caseId === 'O-1')?.clocks.map((c) => c.clockKey)).toContain('complaint-reply');

      const late = at(reply.dueAt, 1);
      const overdue = await overdueCases(db, schema, { now: late });
      expect(overdue).toHaveLength(1);
      expect(overdue[0]).toMatchObject({ caseId: 'O-1', leadDepartment: 'union', timeLeftMs: expect.any(Number) });
      expect(overdue[0]!.timeLeftMs).toBeLessThan(0);
      expect(overdue[0]!.clocks.find((c) => c.clockKey === 'complaint-reply')).toMatchObject({ dueAt: reply.dueAt, breached: false, department: 'union' });
      // The court answers only for its referral's objection window.
      const court = await overdueCases(db, schema, { now: late, department: 'court' });
      expect(court.map((c) => [c.caseId, c.clocks.map((k) => k.clockKey)])).toEqual([['O-1', ['referral-objection:court']]]);
    });

    it('given the workflow recorded the breach, then the clock shows as breached and the case as escalated', async () => {
      const d = routed('O-2');
      const due = clocksOf(d).find((c) => c.key === 'complaint-reply')!.dueAt;
      d.advanceTo(at(due, 1));
      const schema = await given(d);
      const overdue = await overdueCases(db, schema, { now: at(due, 2) });
      expect(overdue[0]?.clocks.find((c) => c.clockKey === 'complaint-reply')?.breached).toBe(true);
      expect(overdue[0]?.level).toBe('town');
    });

    it('given a suspended case, then its paused clock is neither overdue nor at risk', async () => {
      const d = routed('O-3');
      d.run('SuspendCase', { reason: 'awaiting-materials' }, mediator, at(T0, 2));
      const schema = await given(d);
      const paused = await db.query<{ clock_key: string }>(`select clock_key from ${schema}.case_clock where case_id = 'O-3' and status = 'paused'`);
      expect(paused.rows.map((r) => r.clock_key)).toEqual(['mediation-conclude']);
      const farLater = at(T0, 24 * 60);
      const overdue = await overdueCases(db, schema, { now: farLater });
      expect(overdue[0]!.clocks.map((c) => c.clockKey)).not.toContain('mediation-conclude');
      const queue = await departmentQueue(db, schema, 'union', { now: T0 });
      expect(queue[0]).toMatchObject({ caseId: 'O-3', suspended: true });
    });
  });

  describe('supervision notices', () => {
    it('given a collective dispute, then its intake alert is open until answered', async () => {
      const d = received('N-1', { workerCount: 12 });
      const schema = await given(d);
      const open = await openSupervision(db, schema, { now: at(T0, 1) });
      expect(open).toMatchObject([{ caseId: 'N-1', department: 'union', level: 'county', reason: 'collective-dispute', overdue: false, issuedAt: T0 }]);
      expect((await openSupervision(db, schema, { now: at(T0, 25) }))[0]?.overdue).toBe(true);

      d.run('AnswerSupervision', { noticeId: open[0]!.noticeId, response: '已部署应急调处' }, liaison('union'), at(T0, 2));
      await project(schema, d.events.slice(-1));
      expect(await openSupervision(db, schema, { now: at(T0, 3) })).toEqual([]);
      const kept = await db.query(`select answered_at is not null as answered from ${schema}.supervision_notice where case_id = 'N-1'`);
      expect(kept.rows).toEqual([{ answered: true }]);
    });

    it('given a breached clock, then the notice goes to the lead department at the level the case rose to', async () => {
      const d = routed('N-2', { hint: 'social-insurance' });
      const due = clocksOf(d).find((c) => c.key === 'complaint-reply')!.dueAt;
      d.advanceTo(at(due, 1));
      const schema = await given(d);
      const open = await openSupervision(db, schema, { now: at(due, 2), department: 'hr' });
      expect(open.find((n) => n.clockKey === 'complaint-reply')).toMatchObject({ caseId: 'N-2', reason: 'clock-breach', level: 'county', department: 'hr' });
      expect(await openSupervision(db, schema, { now: at(due, 2), department: 'court' })).toEqual([]);
    });
  });

  describe('KPIs', () => {
    it('given cases in March 2025 and March 2026, then the counts, the rates and the year-on-year change', async () => {
      const y1 = '2025-03-03T02:00:00.000Z';
      const y2 = '2026-03-02T02:00:00.000Z';
      // 2025-03: one closed on time, one rejected (not replied, not closed).
      const a = closedWithAgreement('K-1', { at: y1 });
      const b = received('K-2', { at: at(y1, 24) });
      b.run('RejectCase', { reasonCode: 'not-a-labour-dispute', explanation: '民间借贷', redirectTo: 'civil-court' }, clerk, at(y1, 30));
      // 2026-03: two on time (one without feedback), one late (its referrals' objection clocks breach and
      // raise it to town), one collective still open (routed to the county centre).
      const c = closedWithAgreement('K-3', { at: y2 });
      const e = closedWithAgreement('K-4', { at: at(y2, 24) }, 72, false);
      const f = closedWithAgreement('K-5', { at: at(y2, 48) }, 24 * 9);
      const g = routed('K-6', { at: at(y2, 72), workerCount: 15 });
      const schema = await given(a, b, c, e, f, g);

      const rows = await kpis(db, schema, { from: '2026-03', to: '2026-03', groupBy: ['department', 'disputeType'] });
      expect(rows).toHaveLength(1);
      const row = rows[0]!;
      expect(row).toMatchObject({ month: '2026-03', department: 'union', disputeType: 'wage-arrears' });
      expect(row).toMatchObject({ received: 4, accepted: 4, resolvedByAgreement: 3, collective: 1, closed: 3, closedOnTime: 2 });
      expect(row.onTimeRate).toBeCloseTo(2 / 3);
      const days = [c, e, f].map((x) => (Date.parse(x.events.at(-1)!.occurredAt) - Date.parse(x.events[0]!.occurredAt)) / 86_400_000);
      expect(row.meanDaysToClose).toBeCloseTo(days.reduce((s, n) => s + n, 0) / 3);
      // recorded: classified 4/4; handled: accepted 4/4; replied (回音) 3 of the 4 handled (K-6 not yet);
      // feedback (反馈) 2 of the 3 with an outcome.
      expect([row.recordedRate, row.handledRate, row.repliedRate]).toEqual([1, 1, 0.75]);
      expect(row.feedbackRate).toBeCloseTo(2 / 3);

      expect(row.previousYear).toMatchObject({ received: 2, accepted: 1, resolvedByAgreement: 1, closed: 1, closedOnTime: 1 });
      expect(row.yoy.received).toBeCloseTo(1); // 2 → 4
      expect(row.yoy.resolvedByAgreement).toBeCloseTo(2); // 1 → 3
      expect(row.yoy.onTimeRate).toBeCloseTo(2 / 3 - 1);
      // 2025: 2 received, K-1 classified, K-2 rejected with a reason: both recorded and handled; K-1 replied
      // of the 2 handled; both had an outcome, K-1 gave feedback.
      expect(row.previousYear).toMatchObject({ recordedRate: 1, handledRate: 1, repliedRate: 0.5, feedbackRate: 0.5 });
      expect(row.yoy.collective).toBeNull();

      // Per level: the late case rose to town, the collective one to county.
      const byLevel = await kpis(db, schema, { from: '2026-03', to: '2026-03', groupBy: ['level'] });
      expect(byLevel.map((r) => ({ level: r.level, received: r.received }))).toEqual([
        { level: 'county', received: 1 },
        { level: 'enterprise', received: 2 },
        { level: 'town', received: 1 },
      ]);
      expect(byLevel.find((r) => r.level === 'enterprise')?.yoy.received).toBe(0);
      // No view holds a rate: they are computed once, from the summed counts.
      const views = await db.query<{ name: string }>(`select table_name as name from information_schema.views where table_schema = $1 order by 1`, [schema]);
      expect(views.rows).toEqual([{ name: 'kpi_counts' }]);
    });

    it('given a filter and no grouping, then everything in range is summed into one row per month', async () => {
      const schema = await given(closedWithAgreement('K-7', { at: '2025-05-06T02:00:00.000Z' }), routed('K-8', { at: '2025-06-03T02:00:00.000Z', hint: 'work-injury' }));
      const rows = await kpis(db, schema, { from: '2025-05', to: '2025-06', groupBy: [] });
      expect(rows.map((r) => [r.month, r.received, r.closed])).toEqual([
        ['2025-05', 1, 1],
        ['2025-06', 1, 0],
      ]);
      expect((await kpis(db, schema, { from: '2025-01', to: '2025-12', department: 'hr', groupBy: [] })).map((r) => r.month)).toEqual(['2025-06']);
    });
  });

  describe('early warning', () => {
    it('given complaints against enterprises over 60 days, then those over the threshold or doubling are flagged', async () => {
      const asOf = '2025-06-30';
      const day = (n: number) => at('2025-06-30T02:00:00.000Z', -24 * n);
      const cases: CaseDriver[] = [];
      let n = 0;
      const complain = (code: string, daysAgo: number) => cases.push(received(`W-${++n}`, { creditCode: code, at: day(daysAgo) }));
      const HOT = withCheckChar('91330400MA2B3C001');
      const RISING = withCheckChar('91330400MA2B3C002');
      const STEADY = withCheckChar('91330400MA2B3C003');
      for (let i = 0; i < 6; i++) complain(HOT, 1 + i * 4); // 6 in the last 30 days
      for (let i = 0; i < 2; i++) complain(RISING, 35 + i); // 2 before, 4 now
      for (let i = 0; i < 4; i++) complain(RISING, 2 + i);
      for (let i = 0; i < 3; i++) complain(STEADY, 40 + i); // 3 before, 3 now
      for (let i = 0; i < 3; i++) complain(STEADY, 3 + i);
      complain(HOT, 45); // in the previous window
      // A duplicate complaint merged into another is not counted again.
      const duplicate = received(`W-${++n}`, { creditCode: STEADY, at: day(1) });
      duplicate.run('MergeCase', { intoCaseId: 'W-13', reason: '重复投诉' }, clerk, at(day(1), 1));
      const schema = await given(...cases, duplicate);

      const warnings = await earlyWarnings(db, schema, { asOf, threshold: 5 });
      expect(warnings.map((w) => [w.creditCode, w.complaints, w.previous, w.reasons])).toEqual([
        [HOT, 6, 1, ['threshold', 'doubled']],
        [RISING, 4, 2, ['doubled']],
      ]);
      expect(warnings[0]).toMatchObject({ workers: 6, collective: 0, enterprise: expect.stringContaining('嘉兴') });
      // A month earlier nothing had built up yet.
      expect(await earlyWarnings(db, schema, { asOf: '2025-05-31', threshold: 5 })).toEqual([]);
      // A lower threshold flags the steady enterprise too.
      expect((await earlyWarnings(db, schema, { asOf, threshold: 2 })).map((w) => w.creditCode)).toContain(STEADY);
    });
  });

  describe('event archive', () => {
    it('given a case, then its archive holds every event as stored, in sequence order', async () => {
      const d = closedWithAgreement('A-1');
      const schema = await given(d, routed('A-2'));
      const archive = await caseArchive(db, schema, 'A-1');
      expect(archive.map((e) => e.sequence)).toEqual(d.events.map((e) => e.sequence));
      expect(archive.map((e) => e.event)).toEqual(d.events.map((e) => JSON.parse(canonicalJson(e))));
      expect(archive[0]).toMatchObject({ type: 'CaseReceived', occurredAt: T0, eventId: d.events[0]!.eventId });
    });
  });

  describe('poison and legacy', () => {
    it('given an event PostgreSQL cannot store, then it is parked with its case and the rest of the batch goes on', async () => {
      const bad = routed('P-1');
      bad.run('ScheduleSession', { at: at(T0, 30), place: '调解室', departments: ['union'] }, mediator, at(T0, 5));
      const session = Object.values(bad.open.sessions)[0]!.sessionId;
      bad.run('HoldSession', { sessionId: session, outcome: 'progress', minutes: 'nul NUL inside', departmentOpinions: [] }, mediator, at(T0, 30));
      bad.run('RecordMediationFailure', { reason: 'no-agreement' }, mediator, at(T0, 31));
      // The core now refuses a NUL in any text field; an event written before that rule can still hold one.
      const badEvents = sealEvents(
        bad.events.map(({ prevHash: _p, hash: _h, ...e }) => (e.type === 'SessionHeld' ? { ...e, data: { ...e.data, minutes: 'nul \u0000 inside' } } : e) as UnsealedEvent),
        GENESIS_HASH,
      );
      const good = routed('P-2');
      const schema = await given();
      const interleaved = [...badEvents.slice(0, 3), ...good.events, ...badEvents.slice(3)];
      const result = await project(schema, interleaved);
      expect(result).toEqual({ applied: bad.events.length - 2 + good.events.length, duplicates: 0, parked: 2 });
      const parked = await db.query<{ case_id: string; sequence: number; reason: string }>(`select case_id, sequence, reason from ${schema}.dead_letter order by id`);
      expect(parked.rows.map((r) => [r.case_id, r.sequence])).toEqual([
        ['P-1', bad.events.length - 1],
        ['P-1', bad.events.length],
      ]);
      expect(parked.rows[0]!.reason).toMatch(/^unprojectable/);
      expect(parked.rows[1]!.reason).toBe('case has parked events before this one');
      expect((await caseState(db, schema, 'P-2'))?.version).toBe(good.events.length);
    });

    it('given a schema projected before case_state existed, then the next event folds the archive first', async () => {
      const d = routed('L-1');
      const schema = await given(d.events.slice(0, -1));
      await db.exec(`delete from ${schema}.case_state; delete from ${schema}.case_clock; delete from ${schema}.case_kpi;`);
      await project(schema, d.events.slice(-1));
      expect((await caseState(db, schema, 'L-1'))?.state).toEqual(JSON.parse(JSON.stringify(foldEvents(d.events))));
    });
  });
});
