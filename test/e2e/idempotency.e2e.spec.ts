// A client's retry after a lost response is the same command, not a second one. The response of a
// RecordPayment is dropped on the way back (a TCP proxy in front of the API closes the client's socket
// as soon as the answer arrives); the client retries with the same Idempotency-Key and gets the first
// result, and the case records one payment. The same key with a different body is refused. Later, after
// the case workflow has continued as new (the test stack suggests it after 60 history events), the same
// retry is still answered from the workflow's memory: the server's own update-id check no longer applies.
import crypto from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chinaDateOf } from '../../domain/calendar/index.js';
import { caseViewQuery, type CaseView } from '../../workflows/messages.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { describeWithStack } from '../support/stack.js';
import { tokenFor } from '../support/tokens.js';

type Events = { events: Array<{ eventId: string; type: string; sequence: number; data: Record<string, unknown> }> };

describeWithStack('Idempotency-Key: a retried command is applied once', () => {
  let s: ApiStack;
  let proxy: net.Server;
  let proxyBase: string;
  let dropped = 0;

  beforeAll(async () => {
    s = await startApiStack('idem');
    // Forwards each connection to the API; when the API's answer comes back, drops it and resets the client.
    proxy = net.createServer((client) => {
      const upstream = net.connect(Number(new URL(s.base).port), '127.0.0.1');
      client.pipe(upstream);
      upstream.once('data', () => {
        dropped++;
        client.destroy();
        upstream.destroy();
      });
      client.on('error', () => undefined);
      upstream.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyBase = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
  });
  afterAll(async () => {
    proxy?.close();
    await s?.stop();
  });

  const view = async (caseId: string): Promise<CaseView> => s.client.workflow.getHandle(caseId).query(caseViewQuery);
  const paidFen = (v: CaseView) => (v.state.status === 'none' ? -1 : (v.state.agreement?.paidFen ?? -1));

  it('answers a retry after a lost response with the first result, once; refuses the key for another command', async () => {
    // A case with an agreement to pay, through the API as the staff would do it.
    const created = await s.call('mediation-intake-bridge', 'POST', '/cases', {
      channel: 'walk-in',
      complainants: [{ name: '钱七', phone: '13900000002' }],
      workerCount: 1,
      respondent: { name: '城关镇某五金厂', creditCode: '91330100MA2XXXXX1B', town: '城关镇', industry: 'hardware', responsibleDepartment: '经信局', level: 'enterprise' },
      claim: { disputeTypeHint: 'wage-arrears', summary: '拖欠两个月工资', amountClaimedFen: 800_000 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const caseId = (created.body as { caseId: string }).caseId;
    const command = async (who: string, type: string, data: unknown, headers: Record<string, string> = {}) => {
      const res = await s.call(who, 'POST', `/cases/${caseId}/commands/${type}`, data, headers);
      expect(res.status, `${type}: ${JSON.stringify(res.body)}`).toBe(200);
      return res.body as Events;
    };
    await command('mediation-intake-bridge', 'AcceptCase', {});
    await command('mediation-intake-bridge', 'ClassifyCase', { disputeType: 'wage-arrears' });
    await command('mediation-intake-bridge', 'RouteCase', {});
    // The dev server keeps real time: the session is scheduled a moment ahead and held once it has passed.
    const sessionAt = Date.now() + 8_000;
    const scheduled = await command('mediator', 'ScheduleSession', { at: new Date(sessionAt).toISOString(), place: '城关镇调解室', departments: ['union'] });
    const sessionId = scheduled.events.find((e) => e.type === 'SessionScheduled')!.data.sessionId as string;
    await new Promise((r) => setTimeout(r, Math.max(0, sessionAt + 500 - Date.now())));
    await command('mediator', 'HoldSession', { sessionId, outcome: 'progress', minutes: '双方陈述', departmentOpinions: [] });
    const { state } = await view(caseId);
    if (state.status === 'none') throw new Error(`case ${caseId} has no state`);
    const receivedAt = state.receivedAt;
    const dueOn = chinaDateOf(new Date(Date.parse(receivedAt) + 30 * 86_400_000).toISOString());
    await command('mediator', 'RecordAgreement', { totalAmountFen: 800_000, items: [{ kind: 'wages', amountFen: 800_000 }], schedule: [{ dueOn, amountFen: 800_000 }], terms: '分期支付' });
    expect(paidFen(await view(caseId))).toBe(0);

    // The payment: applied by the API, its answer lost on the way back.
    const key = crypto.randomUUID();
    const payment = { amountFen: 100_000, paidOn: chinaDateOf(new Date().toISOString()) };
    const token = await tokenFor('mediator');
    const lost = await fetch(`${proxyBase}/cases/${caseId}/commands/RecordPayment`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(payment),
    }).then(
      () => 'answered',
      () => 'lost',
    );
    expect(lost).toBe('lost');
    expect(dropped).toBe(1);
    expect(paidFen(await view(caseId))).toBe(100_000);

    // The retry: the first result, and still one payment.
    const retried = await command('mediator', 'RecordPayment', payment, { 'idempotency-key': key });
    const recorded = retried.events.filter((e) => e.type === 'PaymentRecorded');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.data.paidToDateFen).toBe(100_000);
    expect(paidFen(await view(caseId))).toBe(100_000);

    // Without the key the same body is a second payment: the key is what makes it a repeat.
    const second = await command('mediator', 'RecordPayment', payment);
    expect(second.events.find((e) => e.type === 'PaymentRecorded')!.data.paidToDateFen).toBe(200_000);

    // The same key for a different command: refused, in Chinese, naming the key; nothing written.
    const before = await view(caseId);
    const reused = await s.call('mediator', 'POST', `/cases/${caseId}/commands/RecordPayment`, { ...payment, amountFen: 5_000 }, { 'idempotency-key': key });
    expect(reused.status).toBe(400);
    expect((reused.body as { detail: string }).detail).toContain('幂等键');
    expect((await view(caseId)).state).toEqual(before.state);

    // A malformed key is a 400 naming the header.
    const bad = await s.call('mediator', 'POST', `/cases/${caseId}/commands/RecordPayment`, payment, { 'idempotency-key': 'has spaces in it' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('idempotency-key');

    // More payments (one fen each, fresh keys) until the workflow continues as new, then the first retry again.
    const handle = s.client.workflow.getHandle(caseId);
    const runOfPayment = (await handle.describe()).runId;
    for (let i = 0; i < 30 && (await handle.describe()).runId === runOfPayment; i++) {
      await command('mediator', 'RecordPayment', { amountFen: 1, paidOn: payment.paidOn }, { 'idempotency-key': crypto.randomUUID() });
    }
    expect((await handle.describe()).runId).not.toBe(runOfPayment);
    const paidBefore = paidFen(await view(caseId));
    const afterContinue = await command('mediator', 'RecordPayment', payment, { 'idempotency-key': key });
    expect(afterContinue.events.map((e) => e.eventId)).toEqual(retried.events.map((e) => e.eventId));
    expect(paidFen(await view(caseId))).toBe(paidBefore);
  }, 180_000);
});
