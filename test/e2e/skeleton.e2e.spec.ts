// The walking skeleton, every part real: POST /cases → the case workflow on the Temporal dev server →
// CaseReceived published to Kafka (key = case id) → the projector writes the case summary into PGlite
// → GET /cases/:id returns it. A bad POST starts no workflow and publishes nothing.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { testDataConverter, testPersonalDataKeys } from '../../testkit/payload-keys.js';
import { NativeConnection } from '@temporalio/worker';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import pino from 'pino';
import { createApi, type Api } from '../../api/server.js';
import { chinaDateOf } from '../../domain/calendar/index.js';
import { startProjector, type RunningProjector } from '../../readmodels/consumer.js';
import { openDb, type Db } from '../../readmodels/db.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { createTopic, readTopic, startCaseWorker, type RunningWorker } from '../support/temporal.js';
import { stackVerifier } from '../support/api.js';
import { tokenFor } from '../support/tokens.js';

// Who acts comes from a real access token of the local OpenID provider (signed in as the seeded clerk).
let headers: Record<string, string>;
const as = async (username: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(username)}` });
const validBody = {
  channel: 'hotline-12351',
  complainants: [{ name: '王五', phone: '13800000000' }],
  workerCount: 1,
  respondent: {
    name: '某某机械有限公司',
    creditCode: '91330100MA2XXXXX1B',
    town: '城关镇',
    industry: 'machinery',
    responsibleDepartment: '经信局',
    level: 'enterprise',
  },
  claim: { disputeTypeHint: 'wage-arrears', summary: '拖欠两个月工资', amountClaimedFen: 900_000 },
};

describeWithStack('walking skeleton: HTTP → Temporal → Kafka → projector → HTTP', () => {
  const taskQueue = uniqueName('tq');
  const topic = uniqueName('case_events');
  let connection: Connection;
  let nativeConnection: NativeConnection;
  let worker: RunningWorker;
  let projector: RunningProjector;
  let db: Db;
  let admin: Admin;
  let server: Api;
  let base: string;
  let temporal: Client;

  beforeAll(async () => {
    const { temporalAddress, kafkaBrokers } = stack!;
    await createTopic(kafkaBrokers, topic, 3);
    nativeConnection = await NativeConnection.connect({ address: temporalAddress });
    worker = await startCaseWorker({ connection: nativeConnection, taskQueue, brokers: kafkaBrokers, topic });
    db = await openDb({ memory: true });
    const log = pino({ level: 'warn' });
    projector = await startProjector({ db, schema: 'rm', brokers: kafkaBrokers, topic, groupId: uniqueName('projector'), log });
    connection = await Connection.connect({ address: temporalAddress });
    temporal = new Client({ connection, dataConverter: testDataConverter });
    admin = new Kafka({ clientId: 'e2e', brokers: kafkaBrokers, logLevel: logLevel.ERROR }).admin();
    await admin.connect();
    server = await createApi({ temporal, taskQueue, kafkaAdmin: admin, db, schema: 'rm', projectorLag: projector.lag, log, verify: await stackVerifier(), personalDataKeys: testPersonalDataKeys(db) });
    base = await server.listen({ port: 0, host: '127.0.0.1' });
    headers = await as('clerk');
  });

  afterAll(async () => {
    await server?.close();
    await projector?.stop();
    await worker?.stop();
    await admin?.disconnect();
    await connection?.close();
    await nativeConnection?.close();
    await db?.close();
  });

  const post = (body: unknown, h: Record<string, string> = headers) => fetch(`${base}/cases`, { method: 'POST', headers: h, body: JSON.stringify(body) });
  const workflowsOnQueue = async () => {
    let n = 0;
    for await (const _ of temporal.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) n++;
    return n;
  };

  it('receives a case over HTTP and serves its summary from the read model', async () => {
    const res = await post(validBody);
    expect(res.status).toBe(201);
    const { caseId } = (await res.json()) as { caseId: string };
    expect(caseId).toMatch(/^MC-\d{8}-[0-9A-F]{6}$/);

    let summary: Record<string, unknown> | undefined;
    for (let i = 0; i < 150 && !summary; i++) {
      const got = await fetch(`${base}/cases/${caseId}`, { headers });
      if (got.status === 200) summary = (await got.json()) as Record<string, unknown>;
      else await new Promise((r) => setTimeout(r, 200));
    }
    expect(summary).toMatchObject({
      caseId,
      status: 'received',
      channel: 'hotline-12351',
      respondentName: '某某机械有限公司',
      disputeType: 'wage-arrears',
      level: 'enterprise',
      lastSequence: 1,
    });
    // Personal data stays out of the read model's summary.
    expect(JSON.stringify(summary)).not.toContain('王五');
    expect(JSON.stringify(summary)).not.toContain('13800000000');

    // Open cases can be listed through Temporal visibility by their search attributes, which hold case
    // facts only: no name or phone number.
    const listed: string[] = [];
    for (let i = 0; i < 50 && listed.length === 0; i++) {
      for await (const wf of temporal.workflow.list({ query: `TaskQueue = '${taskQueue}' AND CaseStatus = 'received' AND CaseLevel = 'enterprise' AND Collective = false` })) listed.push(wf.workflowId);
      if (listed.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(listed).toContain(caseId);
    const description = await temporal.workflow.getHandle(caseId).describe();
    const attributes = Object.fromEntries(description.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value]));
    // Temporal adds its own (BuildIds, TemporalChangeVersion for patched()); ours are exactly these.
    const ours = Object.keys(attributes).filter((k) => k !== 'BuildIds' && !k.startsWith('Temporal'));
    expect(ours.sort()).toEqual(['CaseLevel', 'CaseStatus', 'Collective', 'NextDueAt']);
    expect(JSON.stringify(attributes)).not.toMatch(/王五|13800000000/);

    const [message] = await readTopic(stack!.kafkaBrokers, topic, 1);
    expect(message?.key).toBe(caseId);
    expect(message?.value).toMatchObject({ type: 'CaseReceived', caseId, sequence: 1 });
  });

  it('answers a bad POST with 400 naming each bad field, and starts and publishes nothing', async () => {
    const workflowsBefore = await workflowsOnQueue();
    const offsetsBefore = await admin.fetchTopicOffsets(topic);

    const res = await post({ ...validBody, workerCount: 0, respondent: { ...validBody.respondent, creditCode: 'not-a-code' }, channel: 'fax' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as { code: string; errors: Array<{ field: string }> };
    expect(body.code).toBe('validation');
    expect(body.errors.map((i) => i.field).sort()).toEqual(['channel', 'respondent.creditCode', 'workerCount']);

    const noActor = await post(validBody, { 'content-type': 'application/json' });
    expect(noActor.status).toBe(401);

    const notJson = await fetch(`${base}/cases`, { method: 'POST', headers, body: '{oops' });
    expect(notJson.status).toBe(400);

    // Visibility is eventually consistent: give it a moment to show a workflow that should not exist.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await workflowsOnQueue()).toBe(workflowsBefore);
    expect(await admin.fetchTopicOffsets(topic)).toEqual(offsetsBefore);
  });

  it('reports every piece healthy, with the projector lag per partition', async () => {
    const res = await fetch(`${base}/health`);
    const body = (await res.json()) as Record<string, { ok: boolean; detail?: { partitions?: unknown[] } }>;
    expect(res.status).toBe(200);
    expect(body.temporal?.ok).toBe(true);
    expect(body.kafka?.ok).toBe(true);
    expect(body.database?.ok).toBe(true);
    expect(body.projector?.ok).toBe(true);
    expect(body.projector?.detail?.partitions).toHaveLength(3);
  });

  it('runs staff commands as updates, and answers a command the core refuses with its reason and nothing written', async () => {
    const created = await post(validBody);
    const { caseId } = (await created.json()) as { caseId: string };
    const command = (type: string, body: unknown, h: Record<string, string> = headers) =>
      fetch(`${base}/cases/${caseId}/commands/${type}`, { method: 'POST', headers: h, body: JSON.stringify(body) });

    const accepted = await command('AcceptCase', {});
    expect(accepted.status).toBe(200);
    expect(((await accepted.json()) as { events: Array<{ type: string }> }).events.map((e) => e.type)).toEqual(['CaseAccepted']);

    const asAuditor = await command('ClassifyCase', { disputeType: 'wage-arrears' }, await as('auditor'));
    expect(asAuditor.status).toBe(403);
    expect(((await asAuditor.json()) as { detail: string }).detail).toBe('角色“审计人员”无权执行“cases.command”');

    const mediatorHeaders = await as('mediator');
    const extension = { days: 10, complainantConsents: true, respondentConsents: false, reason: '需补充证据' };
    const tooEarly = await command('AgreeExtension', extension, mediatorHeaders);
    expect(tooEarly.status).toBe(409);

    const badData = await command('ClassifyCase', { disputeType: 'gossip' });
    expect(badData.status).toBe(400);
    expect(((await badData.json()) as { errors: Array<{ field: string }> }).errors[0]?.field).toBe('data.disputeType');

    const written: number[] = [1, 1]; // CaseReceived, CaseAccepted
    for (const [type, data] of [['ClassifyCase', { disputeType: 'wage-arrears' }], ['RouteCase', {}]] as const) {
      const res = await command(type, data);
      expect(res.status).toBe(200);
      written.push(((await res.json()) as { events: unknown[] }).events.length);
    }
    const noConsent = await command('AgreeExtension', extension, mediatorHeaders);
    expect(noConsent.status).toBe(400);
    // The core's rejection, rendered from its key in the caller's language: Chinese unless asked otherwise.
    expect(((await noConsent.json()) as { detail: string }).detail).toBe('调解延期须经双方当事人同意');
    const inEnglish = await command('AgreeExtension', extension, { ...mediatorHeaders, 'accept-language': 'en' });
    expect(inEnglish.status).toBe(400);
    expect(((await inEnglish.json()) as { detail: string }).detail).toBe("an extension needs both parties' consent");

    expect((await command('ReceiveCase', {})).status).toBe(404);
    expect((await command('NoSuchCommand', {})).status).toBe(404);

    // Only the accepted commands left a trace: the refused ones wrote nothing.
    const state = (await (await fetch(`${base}/cases/${caseId}/state`, { headers })).json()) as { state: { status: string; version: number } };
    expect(state.state).toMatchObject({ status: 'routed', version: written.reduce((a, b) => a + b, 0) });
  });

  it('answers the read-model questions over HTTP: queues, overdue, KPIs, early warning', async () => {
    const created = await post(validBody);
    const { caseId } = (await created.json()) as { caseId: string };
    const getJson = async (url: string) => {
      const res = await fetch(`${base}${url}`, { headers: await as(url.startsWith('/kpis') || url.startsWith('/early') ? 'supervisor-county' : url.startsWith('/overdue') ? 'supervisor-town' : 'clerk') });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    // The projector runs behind the workflow: wait for the case to reach the read model.
    for (let i = 0; i < 150 && (await fetch(`${base}/cases/${caseId}`, { headers })).status !== 200; i++) await new Promise((r) => setTimeout(r, 200));

    const queue = await getJson('/queues/union');
    expect(queue.status).toBe(200);
    expect((queue.body as Array<{ caseId: string }>).map((q) => q.caseId)).toContain(caseId);

    // Every moment below is the case's own receipt, as the workflow stamped it on the dev server's clock
    // (which `npm run test:dates` does not shift): nothing here assumes which day the test runs on.
    const state = (await (await fetch(`${base}/cases/${caseId}/state`, { headers })).json()) as { state: { receivedAt: string } };
    const receivedAt = state.state.receivedAt;
    const receivedDay = chinaDateOf(receivedAt);

    // Thirty days on, its 7-day reply deadline has passed: the case is overdue then, not at receipt.
    const later = new Date(Date.parse(receivedAt) + 30 * 86_400_000).toISOString();
    const overdueLater = await getJson(`/overdue?now=${later}`);
    expect((overdueLater.body as Array<{ caseId: string }>).map((c) => c.caseId)).toContain(caseId);
    const overdueAtReceipt = await getJson(`/overdue?now=${receivedAt}`);
    expect((overdueAtReceipt.body as Array<{ caseId: string }>).map((c) => c.caseId)).not.toContain(caseId);

    const month = receivedDay.slice(0, 7);
    const kpi = await getJson(`/kpis?from=${month}&to=${month}&groupBy=department`);
    expect(kpi.status).toBe(200);
    const union = (kpi.body as Array<{ department?: string; received: number }>).find((r) => r.department === 'union');
    expect(union?.received).toBeGreaterThanOrEqual(1);

    // The rolling window ends on the day of receipt, so it holds this complaint.
    const warnings = await getJson(`/early-warnings?asOf=${receivedDay}&threshold=1`);
    expect((warnings.body as Array<{ creditCode: string }>).map((w) => w.creditCode)).toContain(validBody.respondent.creditCode);

    const bad = await getJson('/kpis?from=2026-13&to=2026-11');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('query from');
    expect((await getJson('/queues/police')).status).toBe(404);

    // The stored events are for auditors and supervisors, with personal data redacted.
    expect((await fetch(`${base}/cases/${caseId}/archive`)).status).toBe(401); // no token
    const asClerk = await fetch(`${base}/cases/${caseId}/archive`, { headers });
    expect(asClerk.status).toBe(403);
    const asAuditor = await fetch(`${base}/cases/${caseId}/archive`, { headers: await as('auditor') });
    expect(asAuditor.status).toBe(200);
    const archived = JSON.stringify(await asAuditor.json());
    expect(archived).toContain('CaseReceived');
    expect(archived).not.toMatch(/王五|13800000000/);
  });

  it('returns 404 for a case that does not exist', async () => {
    const res = await fetch(`${base}/cases/MC-00000000-000000`, { headers });
    expect(res.status).toBe(404);
  });
});
