// The duplicate warning by complainant: the API indexes a received case's ID numbers by a keyed blind index
// in the key store (not in the events), the duplicate check answers the open cases of the same enterprise in
// the caller's scope with those of the same complainant marked, and an erased subject's rows go.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../api/server.js';
import type { Db } from '../../readmodels/db.js';
import { keyringFromJson, newKeyringJson } from '../../runtime/payload-codec.js';
import { normaliseIdNumber } from '../../runtime/complainant-index.js';
import { PersonalDataKeys } from '../../runtime/personal-data-keys.js';
import { inProcessApi, type LocalIdp } from '../support/api.js';

const clerk = { sub: 'clerk-1', mediation_role: 'intake-clerk', mediation_level: 'town', mediation_town: '城关镇' };
const otherTownClerk = { sub: 'clerk-2', mediation_role: 'intake-clerk', mediation_level: 'town', mediation_town: '东城街道' };
const auditor = { sub: 'auditor-1', mediation_role: 'auditor', mediation_level: 'county' };

const ID_NUMBER = '11010519491231002X';
const OTHER_ID = '110105194912310013';
const CREDIT_CODE = '91330100MA2XXXXX1B';
const body = (idNumber: string) => ({
  channel: 'walk-in',
  complainants: [{ name: '王五', idNumber, phone: '13800000000' }],
  workerCount: 1,
  respondent: { name: '某某机械有限公司', creditCode: CREDIT_CODE, town: '城关镇', industry: 'machinery', responsibleDepartment: '经信局', level: 'enterprise' },
  claim: { disputeTypeHint: 'wage-arrears', summary: '拖欠两个月工资' },
});

describe('the complainant blind index and the duplicate check', () => {
  let api: Api;
  let idp: LocalIdp;
  let db: Db;
  beforeAll(async () => {
    ({ api, idp, db } = await inProcessApi());
  });
  afterAll(async () => {
    await api?.close();
    await db?.close();
  });
  const as = async (claims: Record<string, unknown>) => ({ authorization: `Bearer ${await idp.sign(claims)}` });
  const check = async (claims: Record<string, unknown>, payload: object) => {
    const res = await api.inject({ method: 'POST', url: '/cases/duplicate-check', headers: await as(claims), payload });
    return res;
  };
  /** The read model's open case as the projector would have folded it (only what the scope and the check read). */
  const projectOpen = (caseId: string) =>
    db.query(`insert into rm.case_state (case_id, version, state, facts) values ($1, 1, $2, '{}')`, [
      caseId,
      JSON.stringify({ caseId, status: 'received', level: 'enterprise', route: null, referrals: {}, receivedAt: new Date().toISOString(), respondent: { creditCode: CREDIT_CODE, town: '城关镇' } }),
    ]);

  it('given a received case, when the same enterprise is checked, then the same complainant is told apart from other complainants, in scope only', async () => {
    const received = await api.inject({ method: 'POST', url: '/cases', headers: await as(clerk), payload: body(ID_NUMBER) });
    expect(received.statusCode).toBe(201);
    const caseId = received.json().caseId as string;

    // The index row: keyed by subject and case, holding neither the ID number nor an unkeyed hash of it.
    const rows = await db.query<{ subject_ref: string; case_id: string; blind_index: string }>('select subject_ref, case_id, blind_index from keys.complainant_index');
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]).toMatchObject({ case_id: caseId, subject_ref: expect.stringMatching(/^person-/) });
    expect(rows.rows[0]!.blind_index).toMatch(/^[0-9a-f]{64}$/);
    const dump = JSON.stringify((await db.query('select * from keys.complainant_index')).rows) + JSON.stringify((await db.query('select * from keys.index_keys')).rows);
    expect(dump).not.toContain(ID_NUMBER);
    expect(dump).not.toContain(ID_NUMBER.slice(0, 14));
    const { createHash } = await import('node:crypto');
    expect(dump).not.toContain(createHash('sha256').update(ID_NUMBER).digest('hex'));

    // Not open in the read model yet: nothing to warn about.
    expect((await check(clerk, { creditCode: CREDIT_CODE, idNumbers: [ID_NUMBER] })).json()).toEqual({ enterpriseAndComplainant: [], enterpriseOnly: [] });
    await projectOpen(caseId);

    const same = (await check(clerk, { creditCode: CREDIT_CODE, idNumbers: [ID_NUMBER.toLowerCase()] })).json();
    expect(same.enterpriseAndComplainant.map((c: { caseId: string }) => c.caseId)).toEqual([caseId]);
    expect(same.enterpriseOnly).toEqual([]);
    const other = (await check(clerk, { creditCode: CREDIT_CODE, idNumbers: [OTHER_ID] })).json();
    expect(other.enterpriseAndComplainant).toEqual([]);
    expect(other.enterpriseOnly.map((c: { caseId: string; sameComplainant: boolean }) => [c.caseId, c.sameComplainant])).toEqual([[caseId, false]]);
    // Another enterprise: nothing, even for the same person.
    expect((await check(clerk, { creditCode: '911100001000000000', idNumbers: [ID_NUMBER] })).json()).toEqual({ enterpriseAndComplainant: [], enterpriseOnly: [] });
    // Out of scope: a clerk of another town sees none of it.
    expect((await check(otherTownClerk, { creditCode: CREDIT_CODE, idNumbers: [ID_NUMBER] })).json()).toEqual({ enterpriseAndComplainant: [], enterpriseOnly: [] });

    // The intake check as the clerk types says the same, same complainant marked.
    const intake = (await api.inject({ method: 'POST', url: '/cases/intake-check', headers: await as(clerk), payload: body(ID_NUMBER) })).json();
    expect(intake.openCases).toEqual([expect.objectContaining({ caseId, sameComplainant: true })]);

    // Erasing the subject's keys removes their index rows: the same person matches no longer.
    const index = (await import('../../testkit/payload-keys.js')).testPersonalDataKeys(db).complainantIndex();
    expect(await index.erase([rows.rows[0]!.subject_ref])).toBe(1);
    const after = (await check(clerk, { creditCode: CREDIT_CODE, idNumbers: [ID_NUMBER] })).json();
    expect(after.enterpriseAndComplainant).toEqual([]);
    expect(after.enterpriseOnly.map((c: { caseId: string }) => c.caseId)).toEqual([caseId]);
  });

  it('refuses a malformed ID number by field, in Chinese, and anyone who may not file a case', async () => {
    const bad = await check(clerk, { creditCode: CREDIT_CODE, idNumbers: ['12345'] });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('身份证');
    expect(JSON.stringify(bad.json())).toContain('idNumbers');
    expect((await check(auditor, { creditCode: CREDIT_CODE, idNumbers: [ID_NUMBER] })).statusCode).toBe(403);
  });

  it('keys the index: another master keyring (another deployment) gives other indexes; the same store gives the same', async () => {
    const keysA = new PersonalDataKeys(db, keyringFromJson(newKeyringJson('m-a'), 'a'), 'idx_a');
    const keysB = new PersonalDataKeys(db, keyringFromJson(newKeyringJson('m-b'), 'b'), 'idx_b');
    await keysA.init();
    await keysB.init();
    const a = keysA.complainantIndex();
    const b = keysB.complainantIndex();
    expect(await a.blindIndex(ID_NUMBER)).toBe(await a.blindIndex(` ${ID_NUMBER.toLowerCase()} `));
    expect(await a.blindIndex(ID_NUMBER)).not.toBe(await b.blindIndex(ID_NUMBER));
    expect(normaliseIdNumber('110105 19491231002x')).toBe(ID_NUMBER);
    // A fresh process with the same master keyring unwraps the same index key.
    const masterA = keyringFromJson(newKeyringJson('m-c'), 'c');
    const first = new PersonalDataKeys(db, masterA, 'idx_c');
    await first.init();
    const again = new PersonalDataKeys(db, masterA, 'idx_c').complainantIndex();
    expect(await again.blindIndex(ID_NUMBER)).toBe(await first.complainantIndex().blindIndex(ID_NUMBER));
  });
});
