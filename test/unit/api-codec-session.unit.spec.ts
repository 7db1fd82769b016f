// The codec cookie (api/routes/codec.ts): the console hands its access token to POST /codec/session; the
// Temporal Web UI's calls to /codec/decode then sign in with that cookie, from the UI's origin only. In
// process, with tokens signed by a local key and checked by the real jose verifier.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '../../api/server.js';
import { CODEC_COOKIE } from '../../api/routes/codec.js';
import { inProcessApi, type LocalIdp } from '../support/api.js';

const UI = 'http://127.0.0.1:8233';
const auditor = { sub: 'auditor-1', mediation_role: 'auditor', mediation_level: 'county' };
const clerk = { sub: 'clerk-1', mediation_role: 'intake-clerk', mediation_level: 'town', mediation_town: '城关镇' };
const payloads = { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"x"').toString('base64') }] };

describe('the codec cookie', () => {
  let api: Api;
  let idp: LocalIdp;
  beforeAll(async () => {
    ({ api, idp } = await inProcessApi({ codecCorsOrigins: [UI] }));
  });
  afterAll(async () => api?.close());

  const decode = (headers: Record<string, string>) => api.inject({ method: 'POST', url: '/codec/decode', headers: { 'content-type': 'application/json', ...headers }, payload: payloads });

  it('given an auditor\'s token, when the console opens a session, then an HttpOnly host-only cookie for /codec lasts as long as the token', async () => {
    const token = await idp.sign(auditor, { expiresIn: '10m' });
    const res = await api.inject({ method: 'POST', url: '/codec/session', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode, res.body).toBe(200);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^${CODEC_COOKIE}=${token.replace(/\./g, '\\.')}; Path=/codec; HttpOnly; SameSite=Strict; Max-Age=(\\d+)$`));
    const maxAge = Number(/Max-Age=(\d+)/.exec(setCookie)![1]);
    expect(maxAge).toBeGreaterThan(590);
    expect(maxAge).toBeLessThanOrEqual(600);
    expect(setCookie).not.toMatch(/Domain=/i);
    expect(Date.parse((res.json() as { expiresAt: string }).expiresAt) - Date.now()).toBeGreaterThan(590_000);
  });

  it('given a clerk\'s token, when the console opens a session, then 403 in Chinese and any earlier cookie is cleared', async () => {
    const res = await api.inject({ method: 'POST', url: '/codec/session', headers: { authorization: `Bearer ${await idp.sign(clerk)}` } });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect((res.json() as { detail: string }).detail).toMatch(/无权/);
    expect(String(res.headers['set-cookie'])).toBe(`${CODEC_COOKIE}=; Path=/codec; HttpOnly; SameSite=Strict; Max-Age=0`);
  });

  it('given no token, when a session is asked for, then 401 and no cookie is set', async () => {
    const res = await api.inject({ method: 'POST', url: '/codec/session' });
    expect(res.statusCode).toBe(401);
    expect(String(res.headers['set-cookie'])).toMatch(/Max-Age=0$/);
  });

  it('when the console signs out, then DELETE clears the cookie', async () => {
    const res = await api.inject({ method: 'DELETE', url: '/codec/session' });
    expect(res.statusCode).toBe(204);
    expect(String(res.headers['set-cookie'])).toBe(`${CODEC_COOKIE}=; Path=/codec; HttpOnly; SameSite=Strict; Max-Age=0`);
  });

  it('given the auditor\'s cookie, when the UI\'s origin decodes, then 200 with credentialed CORS for that exact origin', async () => {
    const cookie = `other=1; ${CODEC_COOKIE}=${await idp.sign(auditor)}`;
    const res = await decode({ cookie, origin: UI });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(UI);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.json()).toEqual(payloads);
    // No browser page (curl) and the API's own origin may use it too.
    expect((await decode({ cookie })).statusCode).toBe(200);
    expect((await decode({ cookie, origin: 'http://localhost:80' })).statusCode).toBe(200); // inject's host is localhost:80
  });

  it('given the auditor\'s cookie, when a page on another port of the same host decodes, then 401 naming the origin, and no CORS grant', async () => {
    const res = await decode({ cookie: `${CODEC_COOKIE}=${await idp.sign(auditor)}`, origin: 'http://127.0.0.1:5173' });
    expect(res.statusCode).toBe(401);
    expect((res.json() as { detail: string }).detail).toContain('http://127.0.0.1:5173');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('given a clerk\'s token in the cookie, when the UI decodes, then 403; given an expired or foreign one, 401', async () => {
    expect((await decode({ cookie: `${CODEC_COOKIE}=${await idp.sign(clerk)}`, origin: UI })).statusCode).toBe(403);
    expect((await decode({ cookie: `${CODEC_COOKIE}=${await idp.sign(auditor, { expiresIn: '-1m' })}`, origin: UI })).statusCode).toBe(401);
    expect((await decode({ cookie: `${CODEC_COOKIE}=${await idp.sign(auditor, { key: idp.otherKey })}`, origin: UI })).statusCode).toBe(401);
    expect((await decode({ origin: UI })).statusCode).toBe(401);
  });

  it('the cookie opens /codec/encode|decode only, not other routes', async () => {
    const res = await api.inject({ method: 'GET', url: '/cases/MC-1', headers: { cookie: `${CODEC_COOKIE}=${await idp.sign(auditor)}` } });
    expect(res.statusCode).toBe(401);
  });

  it('the preflight from the UI allows credentials for the exact origin; from elsewhere, or for /codec/session, nothing', async () => {
    const pre = await api.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' } });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(UI);
    expect(pre.headers['access-control-allow-credentials']).toBe('true');
    const foreign = await api.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: 'http://127.0.0.1:5173', 'access-control-request-method': 'POST' } });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    const session = await api.inject({ method: 'OPTIONS', url: '/codec/session', headers: { origin: UI, 'access-control-request-method': 'POST' } });
    expect(session.statusCode).toBe(403);
    expect(session.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('the OpenAPI document names both session routes', async () => {
    const doc = (await api.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/codec/session'] ?? {}).sort()).toEqual(['delete', 'post']);
  });
});
