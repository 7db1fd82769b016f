// Personal data at rest, end to end (issue 11): a complete case with distinctive personal values goes
// through the real stack (Temporal dev server, Kafka, the API with its projector, the local OpenID
// provider); then the raw bytes of every place it rests are searched — the Temporal history as the server
// returns it, every Kafka record of the topic, a dump of the read-model and key-store schemas, and every
// file the stack wrote (its logs, Kafka's segments). Zero hits. A control case, started without the edge's
// encryption, proves the same search finds a plain value in each of those places.
//
// Then the Web UI's codec endpoint (with and without a token), and the erasure: the data-protection
// officer erases the case; nothing that rests anywhere can be decrypted with any key the system holds, the
// chain verifies, replay/compare work, and the figures are unchanged.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { NativeConnection } from '@temporalio/worker';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { createApi, type Api } from '../../api/server.js';
import { runCli } from '../../cli/main.js';
import { residentIdCheckChar } from '../../domain/identifiers/index.js';
import { findPersonalValues, isEncryptedValue, personalValue } from '../../events/index.js';
import { startProjector, type RunningProjector } from '../../readmodels/consumer.js';
import { openDb, type Db } from '../../readmodels/db.js';
import { dumpReadModels } from '../../readmodels/dump.js';
import { createKafka } from '../../runtime/kafka.js';
import { createLogger } from '../../runtime/log.js';
import type { PersonalDataKeys } from '../../runtime/personal-data-keys.js';
import { caseViewQuery } from '../../workflows/messages.js';
import type { caseWorkflow } from '../../workflows/case-workflow.js';
import { stackVerifier } from '../support/api.js';
import { TEST_PAYLOAD_KEYS_FILE, testDataConverter, testPersonalDataKeys } from '../../testkit/payload-keys.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { createTopic, startCaseWorker, type RunningWorker } from '../support/temporal.js';
import { serviceToken, tokenFor } from '../support/tokens.js';
import { clerk as clerkActor, request } from '../../testkit/cases.js';

const { temporal: protos } = proto;
const UI_ORIGIN = 'http://127.0.0.1:28233';

/** Distinctive values no other test uses: a search for them can only find this case. */
function distinctiveValues() {
  const tag = crypto.randomBytes(4).toString('hex');
  const first17 = `330402198803${String(10 + Math.floor(Math.random() * 18)).padStart(2, '0')}${String(Math.floor(Math.random() * 900) + 100)}`;
  return {
    name: `欧阳独特${tag.slice(0, 2)}`,
    idNumber: first17 + residentIdCheckChar(first17),
    phone: `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
    phrase: `独一无二的诉求短语-${tag}`,
    minutes: `调解笔录提到欧阳独特-${tag}-本人到场`,
    // Free text in other fields the schemas mark as personal: a department's opinion, a reply, a note.
    opinion: `工会意见欧阳独特-${tag}-工资表可信`,
    reply: `已书面告知欧阳独特-${tag}-调解不成`,
    closeNote: `结案备注欧阳独特-${tag}-已送达`,
    // The enterprise's contact person: a data subject of their own.
    contactName: `司马联络${tag.slice(2, 4)}`,
    contactPhone: `137${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
  };
}

type Needles = Record<string, string>;

/** Which needles occur in which of the blobs (raw bytes, UTF-8). */
function search(blobs: Array<{ where: string; bytes: Buffer }>, needles: Needles): string[] {
  const hits: string[] = [];
  for (const [label, value] of Object.entries(needles)) {
    const needle = Buffer.from(value, 'utf8');
    for (const blob of blobs) if (blob.bytes.includes(needle)) hits.push(`${label} in ${blob.where}`);
  }
  return hits;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((d) => d.isFile()).map((d) => path.join(d.parentPath, d.name));
}

describeWithStack('personal data rests nowhere in plain text, and erasure makes it unreadable everywhere', () => {
  const taskQueue = uniqueName('tq');
  const topic = uniqueName('pii_events');
  const values = distinctiveValues();
  const control = { name: `控制组明文${crypto.randomBytes(3).toString('hex')}`, summary: `控制组诉求明文${crypto.randomBytes(3).toString('hex')}` };
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pii-e2e-'));
  const apiLogFile = path.join(logDir, 'api.log');
  let connection: Connection;
  let nativeConnection: NativeConnection;
  let worker: RunningWorker;
  let projector: RunningProjector;
  let db: Db;
  let admin: Admin;
  let api: Api;
  let base: string;
  let keys: PersonalDataKeys;
  let temporal: Client;
  let caseId = '';
  const controlId = uniqueName('MC-CONTROL');
  const tokens = new Map<string, string>();

  const call = async (who: string, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { authorization: `Bearer ${tokens.get(who)}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as unknown, headers: res.headers };
  };
  const command = async (who: string, type: string, data: unknown) => {
    const res = await call(who, 'POST', `/cases/${caseId}/commands/${type}`, data);
    expect(res.status, `${type}: ${JSON.stringify(res.body)}`).toBe(200);
    return (res.body as { events: Array<{ type: string; data: Record<string, unknown> }> }).events;
  };

  /** Every history event of every run of a workflow, as the server sends them (protobuf bytes). */
  const rawHistory = async (workflowId: string): Promise<{ bytes: Buffer; payloads: Payload[] }> => {
    const chunks: Buffer[] = [];
    const payloads: Payload[] = [];
    let runId: string | undefined = (await temporal.workflow.getHandle(workflowId).describe()).raw.workflowExecutionInfo?.firstRunId ?? undefined;
    for (let runs = 0; runId && runs < 20; runs++) {
      let nextPageToken: Uint8Array | undefined;
      let next: string | undefined;
      do {
        const res = await connection.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId, runId }, ...(nextPageToken ? { nextPageToken } : {}) });
        chunks.push(Buffer.from(protos.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse.encode(res).finish()));
        for (const event of res.history?.events ?? []) {
          payloads.push(...((event.workflowExecutionStartedEventAttributes?.input?.payloads ?? []) as Payload[]));
          payloads.push(...((event.activityTaskScheduledEventAttributes?.input?.payloads ?? []) as Payload[]));
          payloads.push(...((event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args?.payloads ?? []) as Payload[]));
          const continued = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
          if (continued) next = continued;
        }
        nextPageToken = res.nextPageToken && res.nextPageToken.length > 0 ? res.nextPageToken : undefined;
      } while (nextPageToken);
      runId = next;
    }
    return { bytes: Buffer.concat(chunks), payloads };
  };

  /** Every record of the topic: key, value and headers, raw. */
  const rawTopic = async (): Promise<Buffer[]> => (await topicRecords()).map((r) => r.raw);
  const topicRecords = async (): Promise<Array<{ raw: Buffer; value: string }>> => {
    const offsets = await admin.fetchTopicOffsets(topic);
    const total = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
    const kafka = new Kafka({ clientId: 'pii-reader', brokers: stack!.kafkaBrokers, logLevel: logLevel.ERROR });
    const consumer = kafka.consumer({ groupId: uniqueName('pii-reader'), maxWaitTimeInMs: 100 });
    const records: Array<{ raw: Buffer; value: string }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let done = () => undefined as void;
    const all = new Promise<void>((r) => (done = r));
    await consumer.run({
      eachMessage: async ({ message }) => {
        const raw = Buffer.concat([message.key ?? Buffer.alloc(0), message.value ?? Buffer.alloc(0), ...Object.values(message.headers ?? {}).map((h) => Buffer.from(String(h ?? '')))]);
        records.push({ raw, value: message.value?.toString('utf8') ?? '' });
        if (records.length >= total) done();
      },
    });
    await Promise.race([all, new Promise((r) => setTimeout(r, 30_000))]);
    await consumer.disconnect();
    expect(records.length, 'every record of the topic was read').toBe(total);
    return records;
  };

  const dumpSchemas = async (): Promise<Buffer> => {
    const rm = await dumpReadModels(db, 'rm');
    const access = await db.query<{ row: string }>(`select to_jsonb(t)::text as row from access.access_log t`);
    const keyRows = await db.query<{ row: string }>(`select to_jsonb(t)::text as row from keys.subject_keys t`);
    // The complainants' blind index and its wrapped key: no ID number in plain text there either.
    const indexRows = await db.query<{ row: string }>(`select to_jsonb(t)::text as row from keys.complainant_index t union all select to_jsonb(k)::text from keys.index_keys k`);
    return Buffer.from(JSON.stringify({ rm, access: access.rows, keys: keyRows.rows, index: indexRows.rows }), 'utf8');
  };

  /** Every place the case rests, as raw bytes. */
  const everywhere = async (workflowIds: string[]) => {
    const blobs: Array<{ where: string; bytes: Buffer }> = [];
    for (const id of workflowIds) blobs.push({ where: `Temporal history of ${id}`, bytes: (await rawHistory(id)).bytes });
    (await rawTopic()).forEach((bytes, i) => blobs.push({ where: `Kafka record ${i}`, bytes }));
    blobs.push({ where: 'read-model, access-log and key-store dump', bytes: await dumpSchemas() });
    const dataDir = process.env.MEDIATION_DATA_DIR;
    const files = [...filesUnder(logDir), ...(dataDir ? filesUnder(dataDir).filter((f) => !f.includes(`${path.sep}postgres${path.sep}`)) : [])];
    for (const file of files) blobs.push({ where: file, bytes: fs.readFileSync(file) });
    return blobs;
  };

  const waitForStatus = async (id: string, status: string) => {
    for (let i = 0; i < 200; i++) {
      const res = await call('auditor', 'GET', `/cases/${id}`);
      if (res.status === 200 && (res.body as { status: string }).status === status) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`case ${id} did not reach ${status} in the read model`);
  };

  beforeAll(async () => {
    const { temporalAddress, kafkaBrokers } = stack!;
    await createTopic(kafkaBrokers, topic, 3);
    nativeConnection = await NativeConnection.connect({ address: temporalAddress });
    worker = await startCaseWorker({ connection: nativeConnection, taskQueue, brokers: kafkaBrokers, topic });
    db = await openDb({ memory: true });
    const log = createLogger('api', 'info', fs.createWriteStream(apiLogFile));
    projector = await startProjector({ db, schema: 'rm', brokers: kafkaBrokers, topic, groupId: uniqueName('projector'), log: log.child({ component: 'projector' }) });
    connection = await Connection.connect({ address: temporalAddress });
    temporal = new Client({ connection, dataConverter: testDataConverter });
    admin = createKafka(kafkaBrokers, 'pii-e2e', undefined, 'cli').admin();
    await admin.connect();
    keys = testPersonalDataKeys(db);
    api = await createApi({ temporal, taskQueue, kafkaAdmin: admin, db, schema: 'rm', projectorLag: projector.lag, log, verify: await stackVerifier(), personalDataKeys: keys, codecCorsOrigins: [UI_ORIGIN] });
    base = await api.listen({ port: 0, host: '127.0.0.1' });
    for (const who of ['clerk', 'mediator', 'auditor', 'dpo', 'supervisor-county']) tokens.set(who, await tokenFor(who));
    tokens.set('mediation-intake-bridge', await serviceToken('mediation-intake-bridge'));

    // The case, complete: received with the distinctive values, mediated (minutes naming the complainant),
    // failed, replied, closed.
    const created = await call('mediation-intake-bridge', 'POST', '/cases', {
      channel: 'walk-in',
      complainants: [{ name: values.name, idNumber: values.idNumber, phone: values.phone }],
      workerCount: 1,
      respondent: { name: '城关镇某纺织厂', creditCode: '91330100MA2XXXXX1B', town: '城关镇', industry: 'textiles', responsibleDepartment: '经信局', level: 'enterprise', contact: { name: values.contactName, phone: values.contactPhone } },
      claim: { disputeTypeHint: 'wage-arrears', summary: values.phrase, amountClaimedFen: 320_000 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    caseId = (created.body as { caseId: string }).caseId;
    await command('mediation-intake-bridge', 'AcceptCase', {});
    await command('mediation-intake-bridge', 'ClassifyCase', { disputeType: 'wage-arrears' });
    await command('mediation-intake-bridge', 'RouteCase', {});
    const scheduled = await command('mediator', 'ScheduleSession', { at: new Date(Date.now() + 6_000).toISOString(), place: '城关镇调解室', departments: ['union'] });
    const sessionId = scheduled.find((e) => e.type === 'SessionScheduled')!.data.sessionId as string;
    await new Promise((r) => setTimeout(r, 6_500));
    await command('mediator', 'HoldSession', { sessionId, outcome: 'progress', minutes: values.minutes, departmentOpinions: [{ department: 'union', opinion: values.opinion }] });
    await command('mediator', 'RecordMediationFailure', { reason: 'no-agreement' });
    await command('mediator', 'SendReply', { method: 'written', summary: values.reply });
    await command('mediator', 'CloseCase', { note: values.closeNote });

    // The control: a case started as a client without the edge's encryption would, its name in plain text.
    const plainClient = new Client({ connection });
    const input = {
      caseId: controlId,
      receive: request(
        {
          type: 'ReceiveCase' as const,
          caseId: controlId,
          data: {
            channel: 'walk-in' as const,
            complainants: [{ personId: `${controlId}-p1`, name: personalValue(`${controlId}-p1`, control.name, 'fedcba9876543210fedcba9876543210'), isRepresentative: true }],
            workerCount: 1,
            respondent: { name: '某某纺织有限公司', creditCode: '91330100MA2XXXXX1B', town: '城关镇', industry: 'textiles', responsibleDepartment: '经信局', level: 'enterprise' as const },
            // Free text left plain, as before the edge encrypted it: the search must find it too.
            claim: { disputeTypeHint: 'wage-arrears' as const, summary: control.summary, amountClaimedFen: 1_000 },
          },
        },
        clerkActor,
      ),
    };
    await plainClient.workflow.start<typeof caseWorkflow>('caseWorkflow', { workflowId: controlId, taskQueue, args: [input] });
    // A careless log line with the control's value outside a marked field: the log search must find it.
    log.warn({ note: `control ${control.name}` }, 'control line');

    await waitForStatus(caseId, 'closed');
    await waitForStatus(controlId, 'received');
  }, 180_000);

  afterAll(async () => {
    await api?.close();
    await projector?.stop();
    await worker?.stop();
    await admin?.disconnect();
    await connection?.close();
    await nativeConnection?.close();
    await db?.close();
  });

  it('finds none of the values in Temporal, Kafka, the read models or any log — and finds the control in each', async () => {
    const blobs = await everywhere([caseId, controlId]);
    expect(blobs.filter((b) => b.where.startsWith('Kafka')).length).toBeGreaterThan(10);
    expect(search(blobs, values)).toEqual([]);
    // The control: the same search sees a plain value in every kind of place.
    const controlHits = search(blobs, control);
    expect(controlHits.some((h) => h.includes(`Temporal history of ${controlId}`)), controlHits.join('\n')).toBe(true);
    expect(controlHits.some((h) => h.includes('Kafka record')), controlHits.join('\n')).toBe(true);
    expect(controlHits.some((h) => h.includes('read-model')), controlHits.join('\n')).toBe(true);
    expect(controlHits.some((h) => h.includes(apiLogFile)), controlHits.join('\n')).toBe(true);
    for (const where of [`Temporal history of ${controlId}`, 'Kafka record', 'read-model']) {
      expect(controlHits.some((h) => h.startsWith('summary in') && h.includes(where)), `plain free text in ${where}:\n${controlHits.join('\n')}`).toBe(true);
    }
  });

  it('shows the values decrypted to a role with a full grant, and logs each such read', async () => {
    const shown = await call('clerk', 'GET', `/cases/${caseId}/complainants`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      personalData: 'full',
      claimSummary: values.phrase,
      complainants: [{ name: values.name, idNumber: values.idNumber, phone: values.phone, erased: false }],
      respondentContact: { name: values.contactName, phone: values.contactPhone, erased: false },
    });
    const redacted = await call('supervisor-county', 'GET', `/cases/${caseId}/complainants`);
    expect(JSON.stringify(redacted.body)).not.toContain(values.name);
    expect(JSON.stringify(redacted.body)).not.toContain(values.contactName);
    const log = (await call('auditor', 'GET', `/access-log?caseId=${caseId}`)).body as Array<{ actorId: string; fields: string[] }>;
    expect(log.find((e) => e.actorId === 'clerk')?.fields).toEqual(['claimSummary', 'idNumber', 'name', 'phone', 'respondentContact.name', 'respondentContact.phone']);
  });

  it("shows the case's free text in the timeline decrypted to a full grant only, and logs that read", async () => {
    const entries = (await call('mediator', 'GET', `/cases/${caseId}/timeline`)).body as Array<{ type: string; notes: string[]; data: Record<string, unknown> }>;
    const text = JSON.stringify(entries);
    for (const phrase of [values.minutes, values.opinion, values.reply, values.closeNote]) expect(text).toContain(phrase);
    expect(entries.find((e) => e.type === 'ReplySent')!.notes).toEqual([values.reply]);
    expect(text).not.toContain(values.name); // names stay with /complainants
    const redacted = JSON.stringify((await call('supervisor-county', 'GET', `/cases/${caseId}/timeline`)).body);
    expect(redacted).toContain('ReplySent');
    for (const phrase of [values.minutes, values.opinion, values.reply, values.closeNote]) expect(redacted).not.toContain(phrase);
    const log = (await call('auditor', 'GET', `/access-log?caseId=${caseId}`)).body as Array<{ actorId: string; fields: string[] }>;
    expect(log.find((e) => e.actorId === 'mediator')?.fields).toEqual(['caseText']);
    expect(log.some((e) => e.actorId === 'supervisor-county' && e.fields.includes('caseText'))).toBe(false);
  });

  it('decodes a real workflow input through the codec endpoint with a token, and not without', async () => {
    const { payloads } = await rawHistory(caseId);
    const input = payloads[0]!;
    expect(Buffer.from(input.metadata!.encoding!).toString()).toBe('binary/encrypted');
    const asJson = { payloads: [{ metadata: Object.fromEntries(Object.entries(input.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])), data: Buffer.from(input.data!).toString('base64') }] };

    const decoded = await call('auditor', 'POST', '/codec/decode', asJson, { origin: UI_ORIGIN, 'x-namespace': 'default' });
    expect(decoded.status, JSON.stringify(decoded.body)).toBe(200);
    expect(decoded.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    const [plain] = (decoded.body as { payloads: Array<{ metadata: Record<string, string>; data: string }> }).payloads;
    const workflowInput = defaultPayloadConverter.fromPayload({
      metadata: Object.fromEntries(Object.entries(plain!.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
      data: new Uint8Array(Buffer.from(plain!.data, 'base64')),
    }) as { caseId: string; receive: { command: { type: string; data: unknown } } };
    expect(workflowInput.caseId).toBe(caseId);
    expect(workflowInput.receive.command.type).toBe('ReceiveCase');
    // Decoded, the personal fields are still the edge's ciphertext: the codec opens Temporal's envelope only.
    const fields = findPersonalValues(workflowInput.receive.command.data);
    expect(fields.length).toBeGreaterThanOrEqual(3);
    expect(fields.every((f) => isEncryptedValue(f.field))).toBe(true);

    // Without a token: 401 (readable by the UI thanks to CORS), so the UI keeps the ciphertext it has.
    const anonymous = await fetch(`${base}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json', origin: UI_ORIGIN }, body: JSON.stringify(asJson) });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    // A role without the grant: 403.
    expect((await call('clerk', 'POST', '/codec/decode', asJson)).status).toBe(403);
    // Another namespace's payloads are not ours to decode.
    expect((await call('auditor', 'POST', '/codec/decode', asJson, { 'x-namespace': 'elsewhere' })).status).toBe(400);
    // The browser's preflight (no token) is answered for the UI's origin only.
    const preflight = await fetch(`${base}/codec/decode`, { method: 'OPTIONS', headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-namespace');
    const foreign = await fetch(`${base}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    // encode then decode is the identity; the decode is on the access log.
    const encoded = await call('auditor', 'POST', '/codec/encode', { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"x"').toString('base64') }] });
    const again = await call('auditor', 'POST', '/codec/decode', encoded.body);
    expect((again.body as { payloads: Array<{ data: string }> }).payloads[0]!.data).toBe(Buffer.from('"x"').toString('base64'));
    const accessLog = (await call('auditor', 'GET', '/access-log?caseId=(temporal-web-ui)')).body as Array<{ actorId: string }>;
    expect(accessLog.some((e) => e.actorId === 'auditor')).toBe(true);
  });

  it('erases on the officer’s command only, past the legal holds; then nothing can decrypt, and the chain, replay and figures hold', async () => {
    const kpisBefore = (await call('auditor', 'GET', '/kpis?from=2020-01&to=2035-12')).body;
    const warningsBefore = (await call('auditor', 'GET', `/early-warnings?asOf=${new Date().toISOString().slice(0, 10)}`)).body;
    const erase = { reason: '当事人申请删除个人信息', legalBasis: '个人信息保护法 第四十七条第一款第一项' };

    expect((await call('clerk', 'POST', `/cases/${caseId}/erase-personal-data`, erase)).status).toBe(403);
    const missing = await call('dpo', 'POST', `/cases/${caseId}/erase-personal-data`, { reason: erase.reason });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('legalBasis');
    const held = await call('dpo', 'POST', `/cases/${controlId}/erase-personal-data`, erase);
    expect(held.status).toBe(409);
    expect((held.body as { detail: string }).detail).toContain('案件尚在办理中');

    const indexed = async () => (await db.query(`select 1 from keys.complainant_index where case_id = $1`, [caseId])).rows.length;
    expect(await indexed(), 'the complainant was indexed at receipt').toBe(1);
    const erased = await call('dpo', 'POST', `/cases/${caseId}/erase-personal-data`, erase);
    expect(erased.status, JSON.stringify(erased.body)).toBe(200);
    const subjects = (erased.body as { erasedSubjects: string[] }).erasedSubjects;
    expect(subjects).toContain(`${caseId}/text`);
    expect(subjects.length).toBe(3); // the complainant, the enterprise's contact person, the case's free text
    // The blind index of the erased complainant's ID number went with the keys.
    expect(await indexed()).toBe(0);

    // The CLI reaches it too: a second erasure finds the event on record and destroys the keys again.
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['erase-personal-data', caseId, '--reason', erase.reason, '--legal-basis', erase.legalBasis], { out: (l) => out.push(l), err: (l) => err.push(l) }, { env: { MEDIATION_API_URL: base, MEDIATION_TOKEN: tokens.get('dpo')! } });
    expect(code, err.join('\n')).toBe(0);
    expect(JSON.parse(out.join('\n'))).toMatchObject({ caseId, alreadyRecorded: true });
    const accessLog = (await call('auditor', 'GET', `/access-log?caseId=${caseId}`)).body as Array<{ actorId: string; fields: string[] }>;
    expect(accessLog.filter((e) => e.actorId === 'dpo' && e.fields.includes('erasure')).length).toBe(2);

    // Every encrypted field the case left in Kafka: none opens with any key the system holds.
    await waitForStatus(caseId, 'closed');
    const records = (await topicRecords()).map((r) => r.value);
    const fields = records.filter((r) => r.includes(caseId)).flatMap((r) => findPersonalValues(JSON.parse(r)).map((f) => f.field));
    const encrypted = fields.filter(isEncryptedValue);
    expect(encrypted.length).toBeGreaterThanOrEqual(10); // name, ID number, phone, contact name and phone, summary, minutes, opinion, reply, close note
    for (const field of encrypted) expect(await keys.decrypt(field)).toBeNull();
    // A fresh key store over the same database (as after a restart) holds nothing for them either.
    const restarted = testPersonalDataKeys(db);
    for (const field of encrypted) expect(await restarted.decrypt(field)).toBeNull();
    // The Temporal payloads, opened with the payload keys the system holds, carry only that dead ciphertext.
    const history = await rawHistory(caseId);
    const opened = await testDataConverter.payloadCodecs![0]!.decode(history.payloads);
    expect(search(opened.map((p, i) => ({ where: `decoded payload ${i}`, bytes: Buffer.from(p.data ?? new Uint8Array()) })), values)).toEqual([]);
    expect(search(await everywhere([caseId]), values)).toEqual([]);

    // Reads show the erasure, in the reader's language.
    const shown = await call('clerk', 'GET', `/cases/${caseId}/complainants`);
    expect(shown.body).toMatchObject({
      claimSummary: '已删除',
      complainants: [{ name: '已删除', idNumber: '已删除', phone: '已删除', erased: true }],
      respondentContact: { name: '已删除', phone: '已删除', erased: true },
    });
    const timelineAfter = (await call('mediator', 'GET', `/cases/${caseId}/timeline`)).body as Array<{ type: string; notes: string[] }>;
    expect(timelineAfter.find((e) => e.type === 'ReplySent')!.notes).toEqual(['已删除']);
    for (const phrase of [values.minutes, values.opinion, values.reply, values.closeNote]) expect(JSON.stringify(timelineAfter)).not.toContain(phrase);
    const english = await call('clerk', 'GET', `/cases/${caseId}/complainants`, undefined, { 'accept-language': 'en' });
    expect(english.body).toMatchObject({ complainants: [{ name: 'erased', erased: true }] });

    // The chain, replay, as-of and compare, from the log as stored; the figures unchanged.
    const audit = async (argv: string[]) => {
      const lines: string[] = [];
      const exit = await runCli(['audit', ...argv], { out: (l) => lines.push(l), err: (l) => lines.push(l) }, {
        env: { KAFKA_BROKERS: stack!.kafkaBrokers.join(','), KAFKA_TOPIC: topic, TEMPORAL_ADDRESS: stack!.temporalAddress, PAYLOAD_KEYS_FILE: TEST_PAYLOAD_KEYS_FILE },
      });
      return { exit, text: lines.join('\n') };
    };
    const verify = await audit(['verify', '--all']);
    expect(verify.exit, verify.text).toBe(0);
    const compare = await audit(['compare', caseId]);
    expect(compare.exit, compare.text).toBe(0);
    const replay = await audit(['replay', caseId]);
    expect(replay.exit, replay.text).toBe(0);
    expect(replay.text).toContain('PersonalDataErased');
    expect(replay.text).not.toContain(values.name);
    const asOf = await audit(['as-of', caseId, new Date().toISOString()]);
    expect(asOf.exit, asOf.text).toBe(0);
    expect((await temporal.workflow.getHandle(caseId).query(caseViewQuery)).state.status).toBe('closed');
    expect((await call('auditor', 'GET', '/kpis?from=2020-01&to=2035-12')).body).toEqual(kpisBefore);
    expect((await call('auditor', 'GET', `/early-warnings?asOf=${new Date().toISOString().slice(0, 10)}`)).body).toEqual(warningsBefore);
  });
});
