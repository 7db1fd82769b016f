// Lists that lose no case (issue 21 §7): "my work" and the duplicate check narrow by the whole of the
// caller's scope — town, department, level, enterprise — in SQL, and "my work" is read a page at a time
// in a stable order with a cursor. Seeded with more open cases than any page holds (PGlite, in memory).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseListScope, grantFor } from '../../api/authz.js';
import type { Staff } from '../../api/auth.js';
import type { Api } from '../../api/server.js';
import { decide, evolve, initialState, type CaseState } from '../../domain/case/index.js';
import { GENESIS_HASH, sealEvents } from '../../events/index.js';
import { openDb, type Db } from '../../readmodels/db.js';
import { openCasesOfEnterprise, openCaseStatesPage, type CaseListScope, type OpenCasesCursor } from '../../readmodels/open-cases.js';
import { createSchemaSql } from '../../readmodels/schema.js';
import { inProcessApi, type LocalIdp } from '../support/api.js';
import { receiveCase, respondent } from '../../testkit/case-fixtures.js';
import { contextFor } from '../support/decider-spec.js';

const CREDIT = '91330100MA2XXXXX1B';
const OTHER_CREDIT = '91330400MA2B3C4D56';
const DEPTS = ['union', 'hr', 'court', 'justice'] as const;
const LEVELS = ['enterprise', 'town', 'county'] as const;

interface Seeded {
  caseId: string;
  state: Record<string, unknown>;
  due: string | null;
  receivedAt: string;
}

/** Synthetic folded cases: only what the list queries look at. */
function synthetic(n: number): Seeded[] {
  const rows: Seeded[] = [];
  for (let i = 0; i < n; i++) {
    const caseId = `MC-P-${String((i * 7919) % n).padStart(5, '0')}`;
    const lead = DEPTS[i % 4]!;
    const joining = i % 6 === 0 ? ['court'] : [];
    const referrals = i % 5 === 0 ? { [`${caseId}/R-1`]: { referralId: `${caseId}/R-1`, department: 'justice' } } : {};
    // Many ties on the due moment and the receipt, so the order must fall back on the case number.
    const receivedAt = new Date(Date.UTC(2026, 0, 1 + (i % 30))).toISOString();
    const due = i % 3 === 0 ? null : new Date(Date.UTC(2026, 1, 1 + (i % 10))).toISOString();
    rows.push({
      caseId,
      receivedAt,
      due,
      state: {
        caseId,
        status: i % 13 === 0 ? 'closed' : i % 2 === 0 ? 'routed' : 'accepted',
        level: LEVELS[i % 3],
        receivedAt,
        respondent: { town: i % 4 === 3 ? '王江泾镇' : '城关镇', creditCode: i % 2 === 0 ? CREDIT : OTHER_CREDIT },
        route: i % 2 === 0 ? { leadDepartment: lead, joiningDepartments: joining } : null,
        referrals,
      },
    });
  }
  return rows;
}

async function seed(db: Db, rows: readonly Seeded[]): Promise<void> {
  await db.query(
    `insert into rm.case_state (case_id, version, state, facts)
     select case_id, 1, state, '{}'::jsonb from jsonb_to_recordset($1::jsonb) as x(case_id text, state jsonb)`,
    [JSON.stringify(rows.map((r) => ({ case_id: r.caseId, state: r.state })))],
  );
  await db.query(
    `insert into rm.case_clock (case_id, clock_key, policy_id, department, level, status, started_at, due_at, warn_at, breached, duty, provisional)
     select case_id, 'k', 'p', 'union', 'town', 'running', '2026-01-01T00:00:00Z', due::timestamptz, null, false, true, false
     from jsonb_to_recordset($1::jsonb) as x(case_id text, due text)`,
    [JSON.stringify(rows.filter((r) => r.due).map((r) => ({ case_id: r.caseId, due: r.due })))],
  );
  await db.query(
    `insert into rm.case_summary (case_id, status, channel, collective, priority, worker_count, dispute_type, level, lead_department, respondent_name,
       respondent_credit_code, town, received_at, updated_at, closed_at, last_sequence, last_event_type)
     select case_id, 'x', 'walk-in', false, 'normal', 1, 'wage-arrears', 'town', null, '某厂', credit, town, received_at::timestamptz, received_at::timestamptz, null, 1, 'CaseReceived'
     from jsonb_to_recordset($1::jsonb) as x(case_id text, credit text, town text, received_at text)`,
    [JSON.stringify(rows.map((r) => ({ case_id: r.caseId, credit: (r.state.respondent as { creditCode: string }).creditCode, town: (r.state.respondent as { town: string }).town, received_at: r.receivedAt })))],
  );
}

/** What the scope admits, decided in JavaScript from the seeded rows (the test's own oracle). */
function admitted(rows: readonly Seeded[], scope: CaseListScope): Seeded[] {
  return rows.filter((r) => {
    const s = r.state as { status: string; level: string; respondent: { town: string }; route: { leadDepartment: string; joiningDepartments: string[] } | null; referrals: Record<string, { department: string }> };
    if (s.status === 'closed') return false;
    if (scope.town && s.respondent.town !== scope.town) return false;
    if (scope.levels && !scope.levels.includes(s.level as never)) return false;
    if (scope.department) {
      const ds = [s.route?.leadDepartment, ...(s.route?.joiningDepartments ?? []), ...Object.values(s.referrals).map((x) => x.department)];
      if (!ds.includes(scope.department)) return false;
    }
    return true;
  });
}

const sortKey = (r: Seeded) => [r.due ?? '9999', r.receivedAt, r.caseId] as const;
const byKey = (a: Seeded, b: Seeded) => {
  const [x, y] = [sortKey(a), sortKey(b)];
  return x[0].localeCompare(y[0]) || x[1].localeCompare(y[1]) || x[2].localeCompare(y[2]);
};

describe('open-case lists narrowed and paged in SQL', () => {
  let db: Db;
  const rows = synthetic(1_500);
  beforeAll(async () => {
    db = await openDb({ memory: true });
    await db.exec(createSchemaSql('rm'));
    await seed(db, rows);
  });
  afterAll(async () => {
    await db?.close();
  });

  const everyPage = async (scope: CaseListScope, limit: number) => {
    const seen: string[] = [];
    let after: OpenCasesCursor | undefined;
    for (let pages = 0; pages < 1_000; pages++) {
      const page = await openCaseStatesPage(db, 'rm', { scope, limit, ...(after ? { after } : {}) });
      expect(page.states.length).toBeLessThanOrEqual(limit);
      seen.push(...page.states.map((s) => (s as Extract<CaseState, { caseId: string }>).caseId));
      if (!page.next) return seen;
      after = page.next;
    }
    throw new Error('the pages never ended');
  };

  const staff: Record<string, Staff> = {
    'liaison (justice)': { id: 'l', role: 'department-liaison', department: 'justice', level: 'county' },
    'liaison (court)': { id: 'c', role: 'department-liaison', department: 'court', level: 'county' },
    'town mediator': { id: 'm', role: 'mediator', level: 'town', town: '城关镇' },
    'town clerk': { id: 'k', role: 'intake-clerk', level: 'town', town: '城关镇' },
    'county supervisor': { id: 's', role: 'supervisor', level: 'county' },
  };

  for (const [who, person] of Object.entries(staff)) {
    it(`pages "my work" for a ${who}: every case of the scope once, in order, none beyond it`, async () => {
      const scope = caseListScope(person, grantFor(person, 'work.read'));
      const expected = admitted(rows, scope).sort(byKey).map((r) => r.caseId);
      // More cases in scope than a page, and more than the 500 the list used to stop at for some.
      expect(expected.length).toBeGreaterThan(100);
      for (const limit of [37, 100, 500]) expect(await everyPage(scope, limit), `${who}, pages of ${limit}`).toEqual(expected);
    });
  }

  it('finds every open case of an enterprise in scope, the same complainant’s first, without loading the others', async () => {
    const person = staff['town clerk']!;
    const scope = caseListScope(person, grantFor(person, 'cases.create'));
    const expected = admitted(rows, scope).filter((r) => (r.state.respondent as { creditCode: string }).creditCode === CREDIT);
    expect(expected.length).toBeGreaterThan(300);
    const first = [expected[expected.length - 1]!.caseId, expected[3]!.caseId];
    const found = (await openCasesOfEnterprise(db, 'rm', { scope, creditCode: CREDIT, first, limit: 2_000 })).map((s) => (s as Extract<CaseState, { caseId: string }>).caseId);
    expect(found.slice(0, 2).sort()).toEqual([...first].sort());
    expect([...found].sort()).toEqual(expected.map((r) => r.caseId).sort());
    // The limit keeps the same complainant's cases.
    const top = (await openCasesOfEnterprise(db, 'rm', { scope, creditCode: CREDIT, first, limit: 2 })).map((s) => (s as Extract<CaseState, { caseId: string }>).caseId);
    expect(top.sort()).toEqual([...first].sort());
  });
});

describe('GET /my-work over more cases than a page', () => {
  let api: Api;
  let idp: LocalIdp;
  let db: Db;
  const clerk = { sub: 'clerk-1', mediation_role: 'intake-clerk', mediation_level: 'town', mediation_town: '城关镇' };
  const OWN = 620;
  beforeAll(async () => {
    ({ api, idp, db } = await inProcessApi());
    // A real received case, folded by the core, copied under many case numbers: the clerk may accept each.
    const command = { ...receiveCase({ respondent: { ...respondent, town: '城关镇', level: 'enterprise' } }), caseId: 'MC-TEMPLATE' };
    const decision = decide(initialState, command, contextFor(command, { now: new Date().toISOString() }));
    if (!decision.ok) throw new Error(decision.rejection.reason);
    let state: CaseState = initialState;
    for (const e of sealEvents(decision.events, GENESIS_HASH)) state = evolve(state, e);
    const copies = Array.from({ length: OWN + 80 }, (_, i) => {
      const caseId = `MC-W-${String(i).padStart(4, '0')}`;
      const town = i < OWN ? '城关镇' : '王江泾镇';
      return { case_id: caseId, state: { ...state, caseId, respondent: { ...(state as { respondent: object }).respondent, town } } };
    });
    await db.query(
      `insert into rm.case_state (case_id, version, state, facts) select case_id, 1, state, '{}'::jsonb from jsonb_to_recordset($1::jsonb) as x(case_id text, state jsonb)`,
      [JSON.stringify(copies)],
    );
  });
  afterAll(async () => {
    await api?.close();
    await db?.close();
  });

  it('gives every case of the town by following the cursor, none twice, none of another town', async () => {
    const auth = { authorization: `Bearer ${await idp.sign(clerk)}` };
    const seen: string[] = [];
    let url: string | undefined = '/my-work';
    for (let pages = 0; url && pages < 20; pages++) {
      const res: Awaited<ReturnType<Api['inject']>> = await api.inject({ method: 'GET', url, headers: auth });
      expect(res.statusCode, res.body).toBe(200);
      seen.push(...(res.json() as Array<{ caseId: string; actions: string[] }>).map((w) => w.caseId));
      const next: unknown = res.headers['x-next-cursor'];
      url = typeof next === 'string' ? `/my-work?after=${next}` : undefined;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(OWN);
    expect(seen.every((id) => Number(id.slice(5)) < OWN)).toBe(true);
    const bad = await api.inject({ method: 'GET', url: '/my-work?after=not-a-cursor', headers: auth });
    expect(bad.statusCode).toBe(400);
  });
});
