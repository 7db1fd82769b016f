// What a signed-in answer may leave behind: no cache keeps it (Cache-Control: no-store), the request is
// logged under an id the server made (the caller's kept beside it), and reads are limited per user.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Api } from '../../api/server.js';
import type { Db } from '../../readmodels/db.js';
import { inProcessApi, type LocalIdp } from '../support/api.js';

describe('API answers that carry personal data', () => {
  let api: Api;
  let idp: LocalIdp;
  let db: Db;
  const lines: Array<Record<string, unknown>> = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    ({ api, idp, db } = await inProcessApi({ readRateLimit: 3, log: pino({ level: 'info' }, sink) }));
  });
  afterAll(async () => {
    await api?.close();
    await db?.close();
  });
  const bearer = async (sub: string) => ({ authorization: `Bearer ${await idp.sign({ sub, mediation_role: 'mediator', mediation_level: 'county' })}` });

  it('marks every answer of a signed-in route no-store, refusals included', async () => {
    const headers = await bearer('reader-cache');
    for (const url of ['/me', '/cases/MC-404', '/cases/MC-404/timeline', '/my-work']) {
      const res = await api.inject({ method: 'GET', url, headers });
      expect(res.headers['cache-control'], `${url} → ${res.statusCode}`).toBe('no-store');
    }
    expect((await api.inject({ method: 'GET', url: '/me' })).headers['cache-control']).toBe('no-store');
  });

  it("logs the request under the server's own id, with the caller's X-Request-Id beside it", async () => {
    const res = await api.inject({ method: 'GET', url: '/me', headers: { ...(await bearer('reader-log')), 'x-request-id': 'caller-chosen-1' } });
    const serverId = res.headers['x-request-id'];
    expect(serverId).toMatch(/^[0-9a-f-]{36}$/);
    const logged = lines.filter((l) => l.callerRequestId === 'caller-chosen-1');
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) expect(line.reqId).toBe(serverId);
    expect(lines.some((l) => l.reqId === 'caller-chosen-1')).toBe(false);
  });

  it('limits reads per signed-in user', async () => {
    const mine = await bearer('reader-busy');
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await api.inject({ method: 'GET', url: '/cases/MC-404', headers: mine })).statusCode);
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
    // The Web UI's payload decoding (a POST) is such a read too.
    const auditor = { authorization: `Bearer ${await idp.sign({ sub: 'decoder', mediation_role: 'auditor' })}` };
    const decodes: number[] = [];
    for (let i = 0; i < 4; i++) decodes.push((await api.inject({ method: 'POST', url: '/codec/decode', headers: auditor, payload: { payloads: [] } })).statusCode);
    expect(decodes).toEqual([200, 200, 200, 429]);
    // Another user has a count of their own.
    expect((await api.inject({ method: 'GET', url: '/cases/MC-404', headers: await bearer('reader-other') })).statusCode).toBe(404);
  });
});
