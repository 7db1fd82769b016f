// OpenTelemetry tracing end to end on the real stack (Temporal dev server, Kafka, the API, a worker and the
// projector), exported by the real OTLP/HTTP exporter to a receiver this test runs (a small HTTP server
// that keeps what is posted to /v1/traces, OTLP JSON).
// - Off (no endpoint configured): no SDK, nothing posted, no traceparent on the Kafka records.
// - On: one trace runs from the command's HTTP server span through the Temporal client's update call, the
//   workflow's update handler, the activity it schedules and the activity's run to the Kafka producer span
//   whose context is in the record's headers; the projector's batch span links to that producer span.
//   Neither the complainant's name, phone nor ID number appears anywhere in what was exported.
import crypto from 'node:crypto';
import http from 'node:http';
import zlib from 'node:zlib';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { residentIdCheckChar } from '../../domain/identifiers/index.js';
import { startTracing, tracingEnabled, type Tracing } from '../../runtime/tracing.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { describeWithStack, stack } from '../support/stack.js';

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  links: Array<{ traceId: string; spanId: string }>;
  service: string;
}

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

const attributesOf = (list: OtlpAttribute[] | undefined): Record<string, unknown> =>
  Object.fromEntries((list ?? []).map((a) => [a.key, Object.values(a.value)[0]]));

/** An OTLP/HTTP receiver: keeps each JSON body posted to /v1/traces. */
async function startReceiver() {
  const bodies: string[] = [];
  let posts = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts++;
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw;
      if (req.url === '/v1/traces' && req.method === 'POST') bodies.push(body.toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    base,
    posts: () => posts,
    bodies: () => [...bodies],
    spans(): ExportedSpan[] {
      return bodies.flatMap((b) => {
        const doc = JSON.parse(b) as { resourceSpans?: Array<{ resource?: { attributes?: OtlpAttribute[] }; scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }> }> };
        return (doc.resourceSpans ?? []).flatMap((rs) => {
          const service = String(attributesOf(rs.resource?.attributes)['service.name']);
          return (rs.scopeSpans ?? []).flatMap((ss) =>
            (ss.spans ?? []).map((s) => ({
              traceId: s.traceId as string,
              spanId: s.spanId as string,
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId as string } : {}),
              name: s.name as string,
              kind: s.kind as number,
              attributes: attributesOf(s.attributes as OtlpAttribute[]),
              links: ((s.links as Array<{ traceId: string; spanId: string }>) ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
              service,
            })),
          );
        });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every record of a topic with its headers as text (from the beginning, until `count` are there). */
async function recordsOf(topic: string, count: number): Promise<Array<{ key: string; type: string; sequence: number; headers: Record<string, string> }>> {
  const kafka = new Kafka({ clientId: 'tracing-e2e-reader', brokers: stack!.kafkaBrokers, logLevel: logLevel.ERROR });
  const consumer = kafka.consumer({ groupId: `tracing-reader-${crypto.randomUUID()}`, maxWaitTimeInMs: 100 });
  const found: Array<{ key: string; type: string; sequence: number; headers: Record<string, string> }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done: () => void = () => undefined;
    const enough = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        const event = JSON.parse(message.value!.toString()) as { type: string; sequence: number };
        found.push({ key: message.key!.toString(), type: event.type, sequence: event.sequence, headers });
        if (found.length >= count) done();
      },
    });
    await Promise.race([enough, new Promise((r) => setTimeout(r, 30_000))]);
  } finally {
    await consumer.disconnect();
  }
  return found;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Distinctive personal data: finding any of it in an export can only mean this case's leaked. */
function complainantValues() {
  const tag = crypto.randomBytes(3).toString('hex');
  const first17 = `33040219880312${String(Math.floor(Math.random() * 900) + 100)}`;
  return { name: `司马追踪${tag.slice(0, 2)}`, phone: `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`, idNumber: first17 + residentIdCheckChar(first17) };
}

/** A case through the API, then AcceptCase on it; both projected before this returns. */
async function caseWithOneCommand(s: ApiStack, person: ReturnType<typeof complainantValues>): Promise<string> {
  const created = await s.call('mediation-intake-bridge', 'POST', '/cases', {
    channel: 'walk-in',
    complainants: [person],
    workerCount: 1,
    respondent: { name: '城关镇某追踪厂', creditCode: '91330100MA2XXXXX1B', town: '城关镇', industry: 'hardware', responsibleDepartment: '经信局', level: 'enterprise' },
    claim: { disputeTypeHint: 'wage-arrears', summary: '拖欠两个月工资', amountClaimedFen: 500_000 },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const caseId = (created.body as { caseId: string }).caseId;
  const accepted = await s.call('mediation-intake-bridge', 'POST', `/cases/${caseId}/commands/AcceptCase`, {});
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  await waitFor('both events projected', async () => {
    const r = await s.db.query<{ last_sequence: number }>('select last_sequence from rm.case_progress where case_id = $1', [caseId]);
    return (r.rows[0]?.last_sequence ?? 0) >= 2 ? true : undefined;
  });
  return caseId;
}

describeWithStack('tracing: one trace from the HTTP request to the projector', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let tracing: Tracing | undefined;
  let s: ApiStack | undefined;

  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await s?.stop();
    await tracing?.shutdown();
    await receiver?.close();
  });

  it('is off without an OTLP endpoint: no SDK, nothing exported, no trace headers on the records', { timeout: 180_000 }, async () => {
    // A service name alone turns nothing on.
    tracing = startTracing('api', { OTEL_SERVICE_NAME: 'mediation-tracing-off' });
    expect(tracing.enabled).toBe(false);
    expect(tracingEnabled()).toBe(false);
    s = await startApiStack('trace-off');
    const caseId = await caseWithOneCommand(s, complainantValues());
    const records = await recordsOf(s.topic, 2);
    expect(records.filter((r) => r.key === caseId).map((r) => r.type)).toEqual(['CaseReceived', 'CaseAccepted']);
    for (const r of records) expect(Object.keys(r.headers).sort(), r.type).toEqual(['event-id', 'event-type', 'sequence']);
    await s.stop();
    s = undefined;
    expect(receiver.posts()).toBe(0);
  });

  it('links the command from its HTTP span through Temporal and Kafka to the projector, and exports no personal data', { timeout: 240_000 }, async () => {
    tracing = startTracing('api', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.base, OTEL_SERVICE_NAME: 'mediation-tracing-e2e' });
    expect(tracing.enabled).toBe(true);
    s = await startApiStack('trace-on');
    const person = complainantValues();
    const caseId = await caseWithOneCommand(s, person);

    // The records carry the W3C trace context of the span that published them.
    const records = (await recordsOf(s.topic, 2)).filter((r) => r.key === caseId);
    expect(records.map((r) => r.type)).toEqual(['CaseReceived', 'CaseAccepted']);
    const traceparent = (type: string) => {
      const header = records.find((r) => r.type === type)?.headers.traceparent;
      const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(header ?? '');
      expect(m, `${type}: traceparent ${header}`).not.toBeNull();
      return { traceId: m![1]!, spanId: m![2]! };
    };
    const acceptedAt = traceparent('CaseAccepted');
    const receivedAt = traceparent('CaseReceived');
    expect(acceptedAt.traceId).not.toBe(receivedAt.traceId); // two requests, two traces

    // Wait until the exporter has sent the spans of both chains, up to the projector's batch.
    const byId = () => new Map(receiver.spans().map((sp) => [sp.spanId, sp]));
    const chainOf = (spanId: string): ExportedSpan[] => {
      const spans = byId();
      const chain: ExportedSpan[] = [];
      for (let sp = spans.get(spanId); sp; sp = sp.parentSpanId ? spans.get(sp.parentSpanId) : undefined) chain.push(sp);
      return chain;
    };
    const linkedBatch = (to: { traceId: string; spanId: string }) =>
      receiver.spans().find((sp) => sp.name === `process ${s!.topic}` && sp.links.some((l) => l.traceId === to.traceId && l.spanId === to.spanId));
    // (Not there in time: the assertions below show what was.)
    await waitFor(
      'the exported spans',
      async () => {
        await tracing!.flush();
        const complete = (to: { spanId: string }) => chainOf(to.spanId).at(-1)?.name.startsWith('POST ');
        return complete(acceptedAt) && complete(receivedAt) && linkedBatch(acceptedAt) && linkedBatch(receivedAt) ? true : undefined;
      },
      30_000,
    ).catch(() => undefined);
    const everything = () => receiver.spans().map((sp) => `${sp.traceId.slice(0, 8)} ${sp.spanId} <- ${sp.parentSpanId ?? '-'} ${sp.name} ${JSON.stringify(sp.links)}`).join('\n');

    // The command: HTTP → client update → the workflow's update handler → activity → publish, one trace.
    const command = chainOf(acceptedAt.spanId);
    expect(command.map((sp) => sp.name), `publish span ${acceptedAt.spanId}; exported:\n${everything()}`).toEqual([
      `publish ${s.topic}`,
      'RunActivity:publishEvents',
      'StartActivity:publishEvents',
      'HandleUpdate:AcceptCase',
      'StartWorkflowUpdate:AcceptCase',
      'POST /cases/:id/commands/:type',
    ]);
    expect(new Set(command.map((sp) => sp.traceId))).toEqual(new Set([acceptedAt.traceId]));
    const server = command.at(-1)!;
    expect(server.parentSpanId ?? '').toBe('');
    expect(server.kind).toBe(2); // SERVER
    expect(server.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/cases/:id/commands/:type', 'http.response.status_code': 200, 'mediation.case_id': caseId });
    const publish = command[0]!;
    expect(publish.kind).toBe(4); // PRODUCER
    expect(publish.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.destination.name': s.topic, 'mediation.case_id': caseId, 'mediation.sequence.first': 2 });
    // The projector's batch: a trace of its own, linked to the publish span through the record's headers.
    const batch = linkedBatch(acceptedAt)!;
    expect(batch, everything()).toBeDefined();
    expect(batch.kind).toBe(5); // CONSUMER
    expect(batch.traceId).not.toBe(acceptedAt.traceId);
    expect(batch.attributes['mediation.projector.applied']).toBeGreaterThanOrEqual(1);

    // The case's creation: HTTP → start → the workflow's run → activity → publish.
    expect(chainOf(receivedAt.spanId).map((sp) => sp.name), everything()).toEqual([
      `publish ${s.topic}`,
      'RunActivity:publishEvents',
      'StartActivity:publishEvents',
      'RunWorkflow:caseWorkflow',
      'StartWorkflow:caseWorkflow',
      'POST /cases',
    ]);

    // No personal data in any exported attribute, event, link or resource: the whole export is searched.
    const exported = receiver.bodies().join('\n');
    expect(exported).toContain(caseId);
    for (const [field, value] of Object.entries(person)) expect(exported.includes(value), `${field} exported`).toBe(false);
    expect(exported).not.toContain('拖欠两个月工资');
    // The workflow spans carry a chosen part of the workflow's info, not its search attributes or memo.
    const run = receiver.spans().find((sp) => sp.name === 'RunWorkflow:caseWorkflow' && sp.traceId === receivedAt.traceId)!;
    expect(run.attributes).toMatchObject({ workflowId: caseId, workflowType: 'caseWorkflow' });
    expect(Object.keys(run.attributes)).not.toContain('searchAttributes');
    expect(Object.keys(run.attributes)).not.toContain('memo');
  });
});
