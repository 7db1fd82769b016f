// The console's routes in-process (no servers): its sign-on settings, who is signed in with the operations
// the authorisation table grants them, the intake check as the clerk types (every problem by field, in
// Chinese by default), the console's pages served as index.html, and no page shadowing an API route.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_PAGES } from '../../api/console-static.js';
import type { Api } from '../../api/server.js';
import type { Db } from '../../readmodels/db.js';
import { inProcessApi, type LocalIdp } from '../support/api.js';

const clerk = { sub: 'clerk-1', mediation_role: 'intake-clerk', mediation_level: 'town', mediation_town: '城关镇' };
const auditor = { sub: 'auditor-1', mediation_role: 'auditor', mediation_level: 'county' };

const body = {
  channel: 'walk-in',
  complainants: [{ name: '王五', idNumber: '11010519491231002X', phone: '13800000000' }],
  workerCount: 1,
  respondent: { name: '某某机械有限公司', creditCode: '91330100MA2XXXXX1B', town: '城关镇', industry: 'machinery', responsibleDepartment: '经信局', level: 'enterprise' },
  claim: { disputeTypeHint: 'wage-arrears', summary: '拖欠两个月工资' },
};

describe('the console routes', () => {
  let api: Api;
  let idp: LocalIdp;
  let db: Db;
  const consoleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-'));
  beforeAll(async () => {
    fs.writeFileSync(path.join(consoleDir, 'index.html'), '<!doctype html><title>console</title>');
    ({ api, idp, db } = await inProcessApi({ consoleDir }));
  });
  afterAll(async () => {
    await api?.close();
    await db?.close();
    fs.rmSync(consoleDir, { recursive: true, force: true });
  });
  const as = async (claims: Record<string, unknown>) => ({ authorization: `Bearer ${await idp.sign(claims)}` });

  it('names the OpenID provider without a token, and who is signed in with one', async () => {
    expect((await api.inject({ method: 'GET', url: '/console/config' })).json()).toEqual({ issuer: null, clientId: null });
    expect((await api.inject({ method: 'GET', url: '/me' })).statusCode).toBe(401);
    const me = (await api.inject({ method: 'GET', url: '/me', headers: await as(clerk) })).json();
    expect(me).toMatchObject({ id: 'clerk-1', role: 'intake-clerk', town: '城关镇' });
    expect(me.operations).toEqual(expect.arrayContaining(['cases.create', 'work.read', 'cases.actions']));
    expect(me.operations).not.toContain('kpis.read'); // county scope only
    const audit = (await api.inject({ method: 'GET', url: '/me', headers: await as(auditor) })).json();
    expect(audit.operations).toEqual(expect.arrayContaining(['cases.audit', 'kpis.read']));
    expect(audit.operations).not.toContain('cases.create');
  });

  it('checks an intake form without receiving it: every problem at its field, in Chinese by default', async () => {
    const ok = await api.inject({ method: 'POST', url: '/cases/intake-check', headers: await as(clerk), payload: body });
    expect(ok.json()).toEqual({ ok: true, problems: [], openCases: [] });
    const bad = { ...body, complainants: [{ name: '王五', idNumber: '110105194912310021' }], respondent: { ...body.respondent, town: '不存在镇' } };
    const res = (await api.inject({ method: 'POST', url: '/cases/intake-check', headers: await as(clerk), payload: bad })).json();
    expect(res.ok).toBe(false);
    const fields = res.problems.map((p: { field: string }) => p.field);
    expect(fields).toEqual(expect.arrayContaining(['complainants.0.idNumber', 'respondent.town']));
    const id = res.problems.find((p: { field: string }) => p.field === 'complainants.0.idNumber');
    expect(id.message).toMatch(/校验码/);
    expect(id.message).not.toContain('complainants.0'); // the field is named beside the message, not in it
    const shape = (await api.inject({ method: 'POST', url: '/cases/intake-check', headers: await as(clerk), payload: { ...body, workerCount: 0 } })).json();
    expect(shape.problems.map((p: { field: string }) => p.field)).toEqual(['workerCount']);
    // Only those who may file a case may check one.
    expect((await api.inject({ method: 'POST', url: '/cases/intake-check', headers: await as(auditor), payload: body })).statusCode).toBe(403);
  });

  it("serves the console's pages as index.html, and none of them is an API route", async () => {
    for (const url of ['/', '/work', '/case/MC-1', '/audit/MC-1', '/board']) {
      const res = await api.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('<title>console</title>');
    }
    expect((await api.inject({ method: 'GET', url: '/cases/MC-1' })).statusCode).toBe(401);
    expect((await api.inject({ method: 'GET', url: '/assets/../index.html' })).statusCode).not.toBe(200);
    const doc = (await api.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    for (const page of CONSOLE_PAGES) expect(Object.keys(doc.paths), page).not.toContain(page.replace(/:(\w+)/g, '{$1}'));
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/cases/{id}/actions', '/my-work', '/cases/intake-check', '/cases/{id}/audit']));
  });
});
