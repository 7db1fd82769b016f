// The authorisation table, pair by pair: every principal the local OpenID provider issues tokens for
// (eleven seeded staff by authorization code + PKCE, two service clients by client credentials) against
// every route, with real tokens, on the whole stack. The expected answers are written out here, not
// derived from api/authz.ts, so that a change to the table shows up as a failing pair.
//
// Case A: 城关镇, wage arrears, routed (union leads; hr and court join). Case B: 王江泾镇, routed likewise.
// Town staff are of 城关镇; liaisons and the other staff are of the county.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { testDataConverter, testPersonalDataKeys } from '../../testkit/payload-keys.js';
import { NativeConnection } from '@temporalio/worker';
import pino from 'pino';
import type { Admin } from 'kafkajs';
import { createApi, type Api } from '../../api/server.js';
import { startProjector, type RunningProjector } from '../../readmodels/consumer.js';
import { openDb, type Db } from '../../readmodels/db.js';
import { createKafka } from '../../runtime/kafka.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { createTopic, startCaseWorker, type RunningWorker } from '../support/temporal.js';
import { localIdp, stackVerifier } from '../support/api.js';
import { serviceToken, tokenFor } from '../support/tokens.js';

const PRINCIPALS = ['clerk', 'mediator', 'liaison-union', 'liaison-court', 'liaison-petitions', 'liaison-hr', 'liaison-justice', 'supervisor-town', 'supervisor-county', 'auditor', 'dpo', 'mediation-cli', 'mediation-intake-bridge'] as const;
type Principal = (typeof PRINCIPALS)[number];
const SERVICE: ReadonlySet<Principal> = new Set(['mediation-cli', 'mediation-intake-bridge']);

/** An expected answer: a status, or 'full' / 'redacted' for 200 with personal data shown so. */
type Expect = number | 'full' | 'redacted';
interface RouteCase {
  name: string;
  method: 'GET' | 'POST';
  url: (ids: { a: string; b: string }) => string;
  body?: (ids: { a: string; b: string }) => unknown;
  // In PRINCIPALS order.
  expect: readonly Expect[];
}

const newCase = (town: string) => ({
  channel: 'walk-in',
  complainants: [{ name: '赵六', phone: '13900000001' }],
  workerCount: 1,
  respondent: { name: `${town}某电子厂`, creditCode: '91330100MA2XXXXX1B', town, industry: 'electronics', responsibleDepartment: '经信局', level: 'enterprise' },
  claim: { disputeTypeHint: 'wage-arrears', summary: '拖欠工资', amountClaimedFen: 500_000 },
});

//                                   clerk mediator  l-union l-court l-pet  l-hr  l-just  sup-town sup-county auditor dpo  cli  bridge
const TABLE: RouteCase[] = [
  { name: 'GET /cases/:id (A)', method: 'GET', url: ({ a }) => `/cases/${a}`, expect: [200, 200, 200, 200, 403, 200, 403, 200, 200, 200, 200, 200, 200] },
  { name: 'GET /cases/:id (B, other town)', method: 'GET', url: ({ b }) => `/cases/${b}`, expect: [403, 403, 200, 200, 403, 200, 403, 403, 200, 200, 200, 200, 200] },
  { name: 'GET /cases/:id/state', method: 'GET', url: ({ a }) => `/cases/${a}/state`, expect: [200, 200, 200, 200, 403, 200, 403, 200, 200, 200, 403, 200, 200] },
  { name: 'GET /cases/:id/complainants', method: 'GET', url: ({ a }) => `/cases/${a}/complainants`, expect: ['full', 'full', 'full', 'full', 403, 'full', 403, 'redacted', 'redacted', 'redacted', 'full', 'redacted', 'full'] },
  { name: 'GET /cases/:id/archive', method: 'GET', url: ({ a }) => `/cases/${a}/archive`, expect: [403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 403, 200, 403] },
  { name: 'GET /queues/union', method: 'GET', url: () => '/queues/union', expect: [200, 200, 200, 403, 403, 403, 403, 200, 200, 200, 403, 200, 200] },
  { name: 'GET /overdue', method: 'GET', url: () => '/overdue', expect: [403, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403, 200, 403] },
  { name: 'GET /at-risk', method: 'GET', url: () => '/at-risk', expect: [403, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403, 200, 403] },
  { name: 'GET /supervision', method: 'GET', url: () => '/supervision', expect: [403, 403, 200, 200, 200, 200, 200, 200, 200, 200, 403, 200, 403] },
  { name: 'GET /kpis', method: 'GET', url: () => '/kpis?from=2026-01&to=2026-12', expect: [403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 200, 403] },
  { name: 'GET /early-warnings', method: 'GET', url: () => '/early-warnings?asOf=2026-12-31', expect: [403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 200, 403] },
  { name: 'GET /kpis/cases', method: 'GET', url: () => '/kpis/cases?from=2026-01&to=2026-12&level=town', expect: [403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 200, 403] },
  { name: 'GET /early-warnings/trend', method: 'GET', url: () => '/early-warnings/trend?asOf=2026-12-31&creditCodes=91330100MA2XXXXX1B', expect: [403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 200, 403] },
  // The duplicate check takes ID numbers: only those who may file a case may ask it.
  { name: 'POST /cases/duplicate-check', method: 'POST', url: () => '/cases/duplicate-check', body: () => ({ creditCode: '91330100MA2XXXXX1B', idNumbers: ['11010519491231002X'] }), expect: [200, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 200] },
  { name: 'GET /dead-letters', method: 'GET', url: () => '/dead-letters', expect: [403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 403, 200, 403] },
  { name: 'GET /access-log', method: 'GET', url: () => '/access-log', expect: [403, 403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 403] },
  { name: 'POST /dead-letters/:case/retry', method: 'POST', url: ({ a }) => `/dead-letters/${a}/retry`, expect: [403, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403, 403] },
  { name: 'POST /codec/decode', method: 'POST', url: () => '/codec/decode', body: () => ({ payloads: [] }), expect: [403, 403, 403, 403, 403, 403, 403, 403, 200, 200, 200, 200, 403] },
  // The case is open: the officer passes the table and the core refuses (legal hold, 409).
  { name: 'POST /cases/:id/erase-personal-data', method: 'POST', url: ({ a }) => `/cases/${a}/erase-personal-data`, body: () => ({ reason: '申请删除', legalBasis: '个人信息保护法 第四十七条' }), expect: [403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 409, 403, 403] },
  { name: 'POST /cases (城关镇)', method: 'POST', url: () => '/cases', body: () => newCase('城关镇'), expect: [201, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 201] },
  // A command with bad data: 400 means the table let the caller through to the command's own checks.
  { name: 'POST /cases/:id/commands (A)', method: 'POST', url: ({ a }) => `/cases/${a}/commands/ClassifyCase`, body: () => ({ disputeType: 'gossip' }), expect: [400, 400, 400, 400, 403, 400, 403, 400, 400, 403, 403, 403, 400] },
  { name: 'POST /cases/:id/commands (B, other town)', method: 'POST', url: ({ b }) => `/cases/${b}/commands/ClassifyCase`, body: () => ({ disputeType: 'gossip' }), expect: [403, 403, 400, 400, 403, 400, 403, 403, 400, 403, 403, 403, 400] },
  // Commands that name a second case (domain/case/second-case.ts): the caller's scope is checked on it too.
  // Outside the scope it answers 404, as a case that does not exist; the bad data (400) shows the caller got
  // past both checks. Nothing is merged or linked here.
  { name: 'MergeCase A into B (other town)', method: 'POST', url: ({ a }) => `/cases/${a}/commands/MergeCase`, body: ({ b }) => ({ intoCaseId: b, reason: '' }), expect: [404, 404, 400, 400, 403, 400, 403, 404, 400, 403, 403, 403, 400] },
  { name: 'MergeCase A into no case', method: 'POST', url: ({ a }) => `/cases/${a}/commands/MergeCase`, body: () => ({ intoCaseId: 'MC-NO-SUCH-CASE', reason: '' }), expect: [404, 404, 404, 404, 403, 404, 403, 404, 404, 403, 403, 403, 404] },
  { name: 'LinkCase A to B (other town)', method: 'POST', url: ({ a }) => `/cases/${a}/commands/LinkCase`, body: ({ b }) => ({ linkedCaseId: b, relation: 'gossip' }), expect: [404, 404, 400, 400, 403, 400, 403, 404, 400, 403, 403, 403, 400] },
  { name: 'LinkCase A to no case', method: 'POST', url: ({ a }) => `/cases/${a}/commands/LinkCase`, body: () => ({ linkedCaseId: 'MC-NO-SUCH-CASE', relation: 'gossip' }), expect: [404, 404, 404, 404, 403, 404, 403, 404, 404, 403, 403, 403, 404] },
  // The surviving case's half of a merge is the merging case's workflow's to send: no route takes it.
  { name: 'RecordMergedDuplicate (not over HTTP)', method: 'POST', url: ({ a }) => `/cases/${a}/commands/RecordMergedDuplicate`, body: ({ b }) => ({ fromCaseId: b, reason: '重复' }), expect: [404, 404, 404, 404, 404, 404, 404, 404, 404, 403, 403, 403, 404] },
  // A chosen case number that is taken: 409 only for whoever may see that case, else 404 (not "exists").
  { name: 'POST /cases numbered as B (other town)', method: 'POST', url: () => '/cases', body: ({ b }) => ({ ...newCase('城关镇'), caseNumber: b }), expect: [404, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 409] },
  { name: 'POST /cases numbered as A (own town)', method: 'POST', url: () => '/cases', body: ({ a }) => ({ ...newCase('城关镇'), caseNumber: a }), expect: [409, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 403, 409] },
];

describeWithStack('authorisation: every principal against every route, with real tokens', () => {
  const taskQueue = uniqueName('tq');
  const topic = uniqueName('case_events');
  let connection: Connection;
  let nativeConnection: NativeConnection;
  let worker: RunningWorker;
  let projector: RunningProjector;
  let db: Db;
  let admin: Admin;
  let api: Api;
  let base: string;
  const tokens = new Map<Principal, string>();
  const ids = { a: '', b: '' };

  const call = async (who: Principal, method: string, url: string, body?: unknown) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { authorization: `Bearer ${tokens.get(who)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  beforeAll(async () => {
    const { temporalAddress, kafkaBrokers } = stack!;
    await createTopic(kafkaBrokers, topic, 3);
    nativeConnection = await NativeConnection.connect({ address: temporalAddress });
    worker = await startCaseWorker({ connection: nativeConnection, taskQueue, brokers: kafkaBrokers, topic });
    db = await openDb({ memory: true });
    const log = pino({ level: 'warn' });
    projector = await startProjector({ db, schema: 'rm', brokers: kafkaBrokers, topic, groupId: uniqueName('projector'), log });
    connection = await Connection.connect({ address: temporalAddress });
    admin = createKafka(kafkaBrokers, 'authz-e2e', undefined, 'cli').admin();
    await admin.connect();
    api = await createApi({ temporal: new Client({ connection, dataConverter: testDataConverter }), taskQueue, kafkaAdmin: admin, db, schema: 'rm', projectorLag: projector.lag, log, verify: await stackVerifier(), personalDataKeys: testPersonalDataKeys(db) });
    base = await api.listen({ port: 0, host: '127.0.0.1' });

    for (const p of PRINCIPALS) tokens.set(p, SERVICE.has(p) ? await serviceToken(p as 'mediation-cli') : await tokenFor(p));

    // Two routed cases, one per town, filed by the county's intake bridge.
    for (const [key, town] of [['a', '城关镇'], ['b', '王江泾镇']] as const) {
      const created = await call('mediation-intake-bridge', 'POST', '/cases', newCase(town));
      expect(created.status).toBe(201);
      const caseId = (created.body as { caseId: string }).caseId;
      ids[key] = caseId;
      for (const [type, data] of [['AcceptCase', {}], ['ClassifyCase', { disputeType: 'wage-arrears' }], ['RouteCase', {}]] as const) {
        const res = await call('mediation-intake-bridge', 'POST', `/cases/${caseId}/commands/${type}`, data);
        expect(res.status, `${type} on ${town}: ${JSON.stringify(res.body)}`).toBe(200);
      }
    }
    // The read model catches up with both routed cases.
    for (let i = 0; i < 150; i++) {
      const a = await call('auditor', 'GET', `/cases/${ids.a}`);
      const b = await call('auditor', 'GET', `/cases/${ids.b}`);
      if ([a, b].every((r) => r.status === 200 && (r.body as { status: string }).status === 'routed')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  afterAll(async () => {
    await api?.close();
    await projector?.stop();
    await worker?.stop();
    await admin?.disconnect();
    await connection?.close();
    await nativeConnection?.close();
    await db?.close();
  });

  it('answers every pair as the table says', async () => {
    const mismatches: string[] = [];
    const answered: string[] = [];
    for (const route of TABLE) {
      const row: string[] = [];
      for (const [i, who] of PRINCIPALS.entries()) {
        const expected = route.expect[i]!;
        const res = await call(who, route.method, route.url(ids), route.body?.(ids));
        let got: Expect = res.status;
        if (res.status === 200 && (expected === 'full' || expected === 'redacted')) got = (res.body as { personalData: 'full' | 'redacted' }).personalData;
        row.push(String(got));
        if (got !== expected) mismatches.push(`${route.name} as ${who}: expected ${expected}, got ${got} ${res.status >= 400 ? JSON.stringify(res.body) : ''}`);
        // Refusals say why, as problem+json.
        if (res.status === 403) expect((res.body as { code: string }).code).toMatch(/^forbidden/);
      }
      answered.push(`${route.name.padEnd(40)} ${row.join(' ')}`);
    }
    if (mismatches.length) console.log(answered.join('\n'));
    expect(mismatches).toEqual([]);
  });

  it('answers a second case outside the scope exactly as one that does not exist, and leaves it untouched', async () => {
    const into = await call('clerk', 'POST', `/cases/${ids.a}/commands/MergeCase`, { intoCaseId: ids.b, reason: '重复投诉' });
    const none = await call('clerk', 'POST', `/cases/${ids.a}/commands/MergeCase`, { intoCaseId: 'MC-NO-SUCH-CASE', reason: '重复投诉' });
    const shape = (r: { status: number; body: unknown }, id: string) => {
      const { requestId: _requestId, ...rest } = r.body as Record<string, unknown>;
      return { status: r.status, ...JSON.parse(JSON.stringify(rest).replaceAll(id, '<case>')) };
    };
    expect(shape(into, ids.b)).toEqual(shape(none, 'MC-NO-SUCH-CASE'));
    expect(JSON.stringify(into.body)).not.toMatch(/routed|分流/);
    const b = (await call('auditor', 'GET', `/cases/${ids.b}/state`)).body as { state: { mergedFrom: string[]; links: string[] } };
    expect(b.state.mergedFrom).toEqual([]);
    const a = (await call('auditor', 'GET', `/cases/${ids.a}/state`)).body as { state: { status: string } };
    expect(a.state.status).not.toBe('closed');
  });

  it('merges within the scope on both cases in one request', async () => {
    const made: string[] = [];
    for (let i = 0; i < 2; i++) {
      const created = await call('mediation-intake-bridge', 'POST', '/cases', newCase('城关镇'));
      expect(created.status).toBe(201);
      made.push((created.body as { caseId: string }).caseId);
    }
    const [from, into] = made as [string, string];
    const merged = await call('clerk', 'POST', `/cases/${from}/commands/MergeCase`, { intoCaseId: into, reason: '同一职工重复投诉' });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect((merged.body as { events: Array<{ type: string }> }).events.map((e) => e.type)).toEqual(['CaseMerged', 'CaseClosed']);
    const target = (await call('supervisor-town', 'GET', `/cases/${into}/state`)).body as { state: { mergedFrom: string[] } };
    expect(target.state.mergedFrom).toEqual([from]);
  });

  it('narrows lists to the caller: a town sees its town, a liaison its department', async () => {
    const countyQueue = (await call('supervisor-county', 'GET', '/queues/union')).body as Array<{ caseId: string }>;
    expect(countyQueue.map((q) => q.caseId)).toEqual(expect.arrayContaining([ids.a, ids.b]));
    for (const who of ['clerk', 'mediator', 'supervisor-town'] as const) {
      const queue = (await call(who, 'GET', '/queues/union')).body as Array<{ caseId: string }>;
      expect(queue.map((q) => q.caseId), who).toContain(ids.a);
      expect(queue.map((q) => q.caseId), who).not.toContain(ids.b);
    }
    const later = new Date(Date.now() + 60 * 86_400_000).toISOString();
    const courtOverdue = (await call('liaison-court', 'GET', `/overdue?now=${later}`)).body as Array<{ clocks: Array<{ department: string }> }>;
    expect(courtOverdue.length).toBeGreaterThan(0);
    expect(courtOverdue.flatMap((c) => c.clocks.map((k) => k.department)).every((d) => d === 'court')).toBe(true);
    expect((await call('liaison-court', 'GET', '/overdue?department=union')).status).toBe(403);
    const townOverdue = (await call('supervisor-town', 'GET', `/overdue?now=${later}`)).body as Array<{ caseId: string }>;
    expect(townOverdue.map((c) => c.caseId)).not.toContain(ids.b);
  });

  it('writes every full read of personal data to the access log, which auditors query', async () => {
    const shown = await call('clerk', 'GET', `/cases/${ids.a}/complainants`);
    expect(JSON.stringify(shown.body)).toContain('赵六');
    const redacted = await call('auditor', 'GET', `/cases/${ids.a}/complainants`);
    expect(JSON.stringify(redacted.body)).not.toMatch(/赵六|13900000001/);
    const log = (await call('auditor', 'GET', `/access-log?caseId=${ids.a}`)).body as Array<{ actorId: string; actorRole: string; fields: string[]; caseId: string }>;
    expect(log.find((e) => e.actorId === 'clerk')).toMatchObject({ actorRole: 'intake-clerk', caseId: ids.a, fields: ['claimSummary', 'name', 'phone'] });
    // Redacted reads are not personal-data reads.
    expect(log.some((e) => e.actorId === 'auditor')).toBe(false);
  });

  it('refuses a forged or re-signed token, a token of another issuer, no token, and the old headers', async () => {
    const real = tokens.get('clerk')!;
    const [header, payload, signature] = real.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const promoted = Buffer.from(JSON.stringify({ ...claims, mediation_role: 'supervisor', mediation_town: undefined })).toString('base64url');
    const { idp } = await localIdp();
    const attempts: Array<[string, Record<string, string>, number, string]> = [
      ['payload changed, signature kept', { authorization: `Bearer ${header}.${promoted}.${signature}` }, 401, 'invalid-token'],
      ['signed by another key, same issuer', { authorization: `Bearer ${await idp.sign({ ...claims }, { issuer: String(claims.iss), audience: String(claims.aud), kid: String(JSON.parse(Buffer.from(header, 'base64url').toString()).kid) })}` }, 401, 'invalid-token'],
      ['another issuer', { authorization: `Bearer ${await idp.sign({ sub: 'x', mediation_role: 'supervisor' }, { audience: String(claims.aud) })}` }, 401, 'invalid-token'],
      ['no token', {}, 401, 'unauthenticated'],
      ['x-actor headers alone', { 'x-actor-id': 'boss', 'x-actor-role': 'supervisor' }, 400, 'actor-headers'],
      ['x-actor headers beside a real token', { authorization: `Bearer ${real}`, 'x-actor-role': 'system' }, 400, 'actor-headers'],
    ];
    for (const [what, headers, status, code] of attempts) {
      const res = await fetch(`${base}/cases/${ids.b}`, { headers });
      expect(res.status, what).toBe(status);
      expect(((await res.json()) as { code: string }).code, what).toBe(code);
    }
    // The real token itself still works, and is still only a town clerk's.
    expect((await call('clerk', 'GET', `/cases/${ids.b}`)).status).toBe(403);
  });

  it('seals the signed-in subject, not anything the caller claims, into the events', async () => {
    const archive = (await call('auditor', 'GET', `/cases/${ids.a}/archive`)).body as Array<{ event: { actor: { id: string; role: string }; correlationId: string } }>;
    expect(archive[0]?.event.actor).toEqual({ id: 'mediation-intake-bridge', role: 'intake-clerk' });
    // The request id is the events' correlation id: the server's own (never the caller's), answered, sealed.
    const res = await fetch(`${base}/cases/${ids.a}/commands/ScheduleSession`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.get('mediator')}`, 'content-type': 'application/json', 'x-request-id': 'trace-authz-42' },
      body: JSON.stringify({ at: new Date(Date.now() + 86_400_000).toISOString(), place: '城关镇调解室', departments: ['union', 'hr'] }),
    });
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const written = (await res.json()) as { events?: Array<{ correlationId: string; actor: { id: string } }> };
    expect(res.status, JSON.stringify(written)).toBe(200);
    expect(written.events?.[0]).toMatchObject({ correlationId: requestId, actor: { id: 'mediator' } });
  });
});
