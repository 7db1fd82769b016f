// The API's HTTP contract without servers behind it: sign-on refusals, problem+json in the caller's
// language, JSON-only bodies and their limit, malformed path escapes, security headers, the request id,
// the write rate limit, and the OpenAPI document (valid, every route in it) and /docs.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../api/server.js';
import type { Db } from '../../readmodels/db.js';
import { inProcessApi, type LocalIdp } from '../support/api.js';

const clerk = { sub: 'clerk-1', mediation_role: 'intake-clerk', mediation_level: 'county' };

describe('the HTTP API contract', () => {
  let api: Api;
  let idp: LocalIdp;
  let db: Db;
  let token: string;
  beforeAll(async () => {
    ({ api, idp, db } = await inProcessApi({ writeRateLimit: 3, bodyLimitBytes: 4096 }));
    token = await idp.sign(clerk);
  });
  afterAll(async () => {
    await api?.close();
    await db?.close();
  });
  const auth = () => ({ authorization: `Bearer ${token}` });

  it('refuses every case route without a token: 401 problem+json in Chinese by default, English on request', async () => {
    const zh = await api.inject({ method: 'GET', url: '/cases/MC-1' });
    expect(zh.statusCode).toBe(401);
    expect(zh.headers['content-type']).toContain('application/problem+json');
    expect(zh.headers['www-authenticate']).toContain('Bearer');
    expect(zh.json()).toMatchObject({ status: 401, code: 'unauthenticated', title: '未登录', instance: '/cases/MC-1' });
    expect(zh.json().detail).toContain('请先登录');
    const en = await api.inject({ method: 'GET', url: '/cases/MC-1', headers: { 'accept-language': 'en-GB,en;q=0.9' } });
    expect(en.json()).toMatchObject({ title: 'Unauthenticated', detail: 'sign in first: send an Authorization: Bearer access token' });
    for (const url of ['/queues/union', '/overdue', '/at-risk', '/supervision', '/kpis?from=2026-01&to=2026-02', '/early-warnings?asOf=2026-01-01', '/dead-letters', '/access-log', '/cases/X/state', '/cases/X/archive', '/cases/X/complainants']) {
      expect((await api.inject({ method: 'GET', url })).statusCode, url).toBe(401);
    }
  });

  it('refuses forged, expired, other-issuer, other-audience and wrong-algorithm tokens, and the old x-actor headers', async () => {
    const cases: Array<[string, string]> = [
      ['forged', await idp.sign(clerk, { key: idp.otherKey })],
      ['expired', await idp.sign(clerk, { expiresIn: Math.floor(Date.now() / 1000) - 60 })],
      ['other issuer', await idp.sign(clerk, { issuer: 'https://evil.example' })],
      ['other audience', await idp.sign(clerk, { audience: 'urn:other' })],
      ['unsigned', `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...clerk, iss: 'https://idp.test.example' })).toString('base64url')}.`],
    ];
    for (const [what, bad] of cases) {
      const res = await api.inject({ method: 'GET', url: '/cases/MC-1', headers: { authorization: `Bearer ${bad}`, 'accept-language': 'en' } });
      expect(res.statusCode, what).toBe(401);
      expect(res.json().code, what).toBe('invalid-token');
    }
    const expired = await api.inject({ method: 'GET', url: '/cases/MC-1', headers: { authorization: `Bearer ${cases[1]![1]}`, 'accept-language': 'en' } });
    expect(expired.json().detail).toBe('the access token is not valid: expired');
    const headers = await api.inject({ method: 'GET', url: '/cases/MC-1', headers: { 'x-actor-id': 'boss', 'x-actor-role': 'supervisor' } });
    expect(headers.statusCode).toBe(400);
    expect(headers.json().code).toBe('actor-headers');
    const both = await api.inject({ method: 'GET', url: '/cases/MC-1', headers: { ...auth(), 'x-actor-role': 'supervisor' } });
    expect(both.statusCode).toBe(400);
  });

  it('never takes system or complainant from a token', async () => {
    for (const role of ['system', 'complainant', 'root']) {
      const res = await api.inject({ method: 'GET', url: '/cases/MC-1', headers: { authorization: `Bearer ${await idp.sign({ ...clerk, mediation_role: role })}` } });
      expect(res.statusCode, role).toBe(403);
      expect(res.json().code).toBe('no-staff-role');
    }
  });

  it('refuses a town-level token without a town on every route: 403 naming the claim, in Chinese', async () => {
    const townless = await idp.sign({ sub: 'townless', mediation_role: 'mediator', mediation_level: 'town', mediation_town: '' });
    for (const url of ['/cases/MC-1', '/my-work', '/queues/union', '/overdue']) {
      const res = await api.inject({ method: 'GET', url, headers: { authorization: `Bearer ${townless}` } });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().code, url).toBe('missing-scope-claim');
      expect(res.json().detail, url).toBe('访问令牌缺少职责范围声明“mediation_town”（empty），不予访问；请联系身份管理员补全');
    }
    const en = await api.inject({ method: 'GET', url: '/cases/MC-1', headers: { authorization: `Bearer ${await idp.sign({ sub: 'n', mediation_role: 'intake-clerk', mediation_level: 'town' })}`, 'accept-language': 'en' } });
    expect(en.json().detail).toBe('the access token lacks the scope claim mediation_town (level town): no access until the identity provider sets it');
  });

  it('answers a role outside the table with 403 and the reason', async () => {
    const dpo = await idp.sign({ sub: 'dpo', mediation_role: 'data-protection-officer' });
    const res = await api.inject({ method: 'GET', url: '/kpis?from=2026-01&to=2026-02', headers: { authorization: `Bearer ${dpo}` } });
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toBe('角色“个人信息保护负责人”无权执行“kpis.read”');
  });

  it('names every bad field of a body and of a query, in the caller’s language', async () => {
    const body = { channel: 'fax', complainants: [], workerCount: 0 };
    const zh = await api.inject({ method: 'POST', url: '/cases', headers: auth(), payload: body });
    expect(zh.statusCode).toBe(400);
    const fields = (zh.json().errors as Array<{ field: string; message: string }>).map((e) => e.field).sort();
    expect(fields).toEqual(['channel', 'claim', 'complainants', 'respondent', 'workerCount']);
    expect(zh.json().errors.find((e: { field: string }) => e.field === 'complainants').message).toBe('至少需要一名申请人');
    const en = await api.inject({ method: 'POST', url: '/cases', headers: { ...auth(), 'accept-language': 'en' }, payload: body });
    expect(en.json().errors.find((e: { field: string }) => e.field === 'complainants').message).toBe('at least one complainant');
    expect(en.json().detail).toMatch(/^invalid request: /);
    const auditor = await idp.sign({ sub: 'a', mediation_role: 'auditor' });
    const q = await api.inject({ method: 'GET', url: '/kpis?from=2026-13&to=x', headers: { authorization: `Bearer ${auditor}` } });
    expect(q.statusCode).toBe(400);
    expect(q.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['query from', 'query to']);
    expect(q.json().errors[0].message).toBe('应为月份 YYYY-MM');
  });

  it('takes JSON bodies only, within the limit', async () => {
    const text = await api.inject({ method: 'POST', url: '/cases', headers: { ...auth(), 'content-type': 'text/plain' }, payload: 'hello' });
    expect(text.statusCode).toBe(415);
    expect(text.json().code).toBe('unsupported-media-type');
    const form = await api.inject({ method: 'POST', url: '/cases', headers: { ...auth(), 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1' });
    expect(form.statusCode).toBe(415);
    const big = await api.inject({ method: 'POST', url: '/cases', headers: { ...auth(), 'content-type': 'application/json' }, payload: JSON.stringify({ x: 'a'.repeat(5000) }) });
    expect(big.statusCode).toBe(413);
    const broken = await api.inject({ method: 'POST', url: '/cases', headers: { ...auth(), 'content-type': 'application/json' }, payload: '{oops' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe('validation');
  });

  it('answers a malformed escape in the path with 400, not 500', async () => {
    const res = await api.inject({ method: 'GET', url: '/cases/%E0%A4%A', headers: auth() });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it("sets security headers and carries the server's own request id (never the caller's)", async () => {
    const res = await api.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'req-abc.123' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBeDefined();
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    const made = await api.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const unknown = await api.inject({ method: 'GET', url: '/cases/MC-404', headers: { ...auth(), 'x-request-id': 'trace-7' } });
    expect(unknown.json().requestId).toBe(unknown.headers['x-request-id']);
    expect(unknown.json().requestId).not.toBe('trace-7');
  });

  it('limits writes per signed-in user', async () => {
    const mine = await idp.sign({ sub: 'busy-clerk', mediation_role: 'intake-clerk', mediation_level: 'county' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await api.inject({ method: 'POST', url: '/cases', headers: { authorization: `Bearer ${mine}` }, payload: {} })).statusCode);
    expect(statuses.slice(0, 3)).toEqual([400, 400, 400]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    const other = await idp.sign({ sub: 'other-clerk', mediation_role: 'intake-clerk', mediation_level: 'county' });
    expect((await api.inject({ method: 'POST', url: '/cases', headers: { authorization: `Bearer ${other}` }, payload: {} })).statusCode).toBe(400);
    const limited = await api.inject({ method: 'POST', url: '/cases', headers: { authorization: `Bearer ${mine}`, 'accept-language': 'en' }, payload: {} });
    expect(limited.json().code).toBe('rate-limited');
  });

  it('describes every route in a valid OpenAPI 3.1 document, and serves /docs', async () => {
    const res = await api.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    const routes = api
      .printRoutes({ commonPrefix: false })
      .split('\n')
      .filter(Boolean);
    expect(routes.length).toBeGreaterThan(0);
    for (const route of ['POST /cases', 'POST /cases/{id}/commands/{type}', 'GET /cases/{id}', 'GET /cases/{id}/state', 'GET /cases/{id}/complainants', 'GET /cases/{id}/archive', 'GET /queues/{department}', 'GET /overdue', 'GET /at-risk', 'GET /supervision', 'GET /kpis', 'GET /early-warnings', 'GET /dead-letters', 'POST /dead-letters/{caseId}/retry', 'GET /access-log', 'GET /health']) {
      expect(documented).toContain(route);
    }
    const docs = await api.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBeLessThan(400);
  });
});
