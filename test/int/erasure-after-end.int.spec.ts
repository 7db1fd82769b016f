// Erasure after the case's run has ended (issue 11): a closed case's run completes once its 365-day reopen
// window has passed, and then takes no command. On the time-skipping test server, a case is closed, the
// window skipped until the run completes; then the erasure goes through a short run seeded from the ended
// run's final state (api/erasure-after-end.ts). PersonalDataErased lands on the topic as the next event of
// the same chain (sequence N+1, prevHash = the old head), the whole chain verifies, and a second erasure is
// refused by the same core rule ("already erased") without touching the chain.
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { caseRunState, endedRunSeed, eraseAfterRunEnded } from '../../api/erasure-after-end.js';
import { RejectedError } from '../../api/problem.js';
import { createApi } from '../../api/server.js';
import pino from 'pino';
import { createKafka } from '../../runtime/kafka.js';
import { stackVerifier } from '../support/api.js';
import { testPersonalDataKeys } from '../../testkit/payload-keys.js';
import { tokenFor } from '../support/tokens.js';
import { verifyChain } from '../../events/index.js';
import { openDb } from '../../readmodels/db.js';
import type { caseWorkflow } from '../../workflows/case-workflow.js';
import { caseViewQuery, commandUpdates } from '../../workflows/messages.js';
import { lifecyclePath, runPath } from '../support/paths.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { createTopic } from '../support/temporal.js';
import { caseEventsOnTopic, settledView, startCaseEnv, type CaseEnv } from '../support/time-skipping.js';

const dpo = { id: 'dpo-1', role: 'data-protection-officer' as const };
const erase = { reason: '当事人申请删除个人信息', legalBasis: '个人信息保护法 第四十七条第一款第一项' };

describeWithStack('erasure after the case run has ended, on the time-skipping test server', () => {
  const topic = uniqueName('erase_after_end');
  let ce: CaseEnv;

  beforeAll(async () => {
    await createTopic(stack!.kafkaBrokers, topic);
  });
  beforeEach(async () => {
    ce = await startCaseEnv({ testServerPath: stack!.testServerPath, brokers: stack!.kafkaBrokers, topic });
  });
  afterEach(async () => {
    await ce?.stop();
  });

  it('records PersonalDataErased as the next event of the chain through a short run, then refuses a second one', async () => {
    const caseId = uniqueName('MC');
    const path = lifecyclePath('failed-to-arbitration', { caseId, otherCaseId: uniqueName('MC'), startMs: await ce.now() });
    const handle = await ce.startCase(path.input);
    await runPath(handle, path, ce.env);
    const closed = await settledView(handle);
    expect(closed.state.status).toBe('closed');
    const head = { sequence: closed.state.version, hash: closed.lastHash };

    // While the run lives the erasure is an ordinary update: nothing here yet. Skip past the reopen window.
    expect(await caseRunState(ce.env.client, caseId)).toBe('running');
    await ce.sleep('400 days');
    await handle.result();
    expect(await caseRunState(ce.env.client, caseId)).toBe('completed');
    // The ended run takes no update any more: that is the gap this closes.
    await expect(handle.executeUpdate(commandUpdates.ErasePersonalData, { args: [{ command: { type: 'ErasePersonalData', caseId, data: erase }, actor: dpo, commandId: 'direct', correlationId: 'direct' }] })).rejects.toThrow();

    // The seed is the ended run's final state and chain head.
    const db = await openDb({ memory: true });
    const archive = { kind: 'archive' as const, db, schema: 'rm', describe: 'unused while Temporal keeps the run' };
    try {
      const seed = (await endedRunSeed(ce.env.client, archive, caseId, 'completed'))!;
      expect({ sequence: seed.events, hash: seed.lastHash, published: seed.publishedSequence }).toEqual({ sequence: head.sequence, hash: head.hash, published: head.sequence });

      const result = await eraseAfterRunEnded(ce.env.client, ce.taskQueue, seed, { command: { type: 'ErasePersonalData', caseId, data: erase }, actor: dpo, requestId: 'req-erase-1' });
      expect(result.events.map((e) => e.type)).toEqual(['PersonalDataErased']);
      const erased = result.events[0]!;
      expect(erased.sequence).toBe(head.sequence + 1);
      expect(erased.prevHash).toBe(head.hash);
      expect(erased.data).toMatchObject({ subjects: [`${caseId}-p1`, `${caseId}/text`], ...erase });

      // On the topic: one chain, 1..N+1, unbroken, ending at the erasure.
      const events = await caseEventsOnTopic(ce, caseId, head.sequence + 1);
      expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: head.sequence + 1 }, (_, i) => i + 1));
      expect(events[head.sequence]!.type).toBe('PersonalDataErased');
      expect(verifyChain(events, { head: { sequence: head.sequence + 1, hash: erased.hash } })).toEqual({ ok: true });

      // The short run completed with the case as it ended, the erasure on record; nothing else changed.
      const latest = ce.env.client.workflow.getHandle<typeof caseWorkflow>(caseId);
      expect(await caseRunState(ce.env.client, caseId)).toBe('completed');
      const after = await latest.query(caseViewQuery);
      expect(after.state).toMatchObject({ status: 'closed', personalDataErased: true });
      expect(after.state.status === 'closed' && closed.state.status === 'closed' && after.state.outcome === closed.state.outcome).toBe(true);
      expect(after.lastHash).toBe(erased.hash);

      // A second erasure: seeded from the short run, refused by the same core rule; the chain is untouched.
      const again = (await endedRunSeed(ce.env.client, archive, caseId, 'completed'))!;
      expect(again.events).toBe(head.sequence + 1);
      const refused = await eraseAfterRunEnded(ce.env.client, ce.taskQueue, again, { command: { type: 'ErasePersonalData', caseId, data: erase }, actor: dpo, requestId: 'req-erase-2' }).catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(RejectedError);
      expect((refused as RejectedError).rejection.key).toBe('erasure.already');
      // Anyone but the officer is refused by the core too (the seed now carries the erasure; a fresh one would not).
      const notOfficer = await eraseAfterRunEnded(ce.env.client, ce.taskQueue, again, { command: { type: 'ErasePersonalData', caseId, data: erase }, actor: { id: 'm', role: 'mediator' }, requestId: 'req-erase-3' }).catch((err: unknown) => err);
      expect((notOfficer as RejectedError).rejection.code).toBe('forbidden');
      expect((await latest.query(caseViewQuery)).lastHash).toBe(erased.hash);
    } finally {
      await db.close();
    }
  }, 300_000);

  it('erases through the API route once the run has ended: the short run records it, the keys are destroyed, the access log has it', async () => {
    const caseId = uniqueName('MC');
    const path = lifecyclePath('failed-to-arbitration', { caseId, otherCaseId: uniqueName('MC'), startMs: await ce.now() });
    const handle = await ce.startCase(path.input);
    await runPath(handle, path, ce.env);
    const head = (await settledView(handle)).state.version;
    await ce.sleep('400 days');
    await handle.result();

    const db = await openDb({ memory: true });
    const admin = createKafka(ce.brokers, 'erase-after-end', undefined, 'cli').admin();
    await admin.connect();
    const keys = testPersonalDataKeys(db);
    const api = await createApi({ temporal: ce.env.client, taskQueue: ce.taskQueue, kafkaAdmin: admin, db, schema: 'rm', projectorLag: async () => [], log: pino({ level: 'warn' }), verify: await stackVerifier(), personalDataKeys: keys });
    try {
      const base = await api.listen({ port: 0, host: '127.0.0.1' });
      const post = async (who: string, body: unknown) => {
        const res = await fetch(`${base}/cases/${caseId}/erase-personal-data`, { method: 'POST', headers: { authorization: `Bearer ${await tokenFor(who)}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      expect((await post('mediator', erase)).status).toBe(403);
      const erased = await post('dpo', erase);
      expect(erased.status, JSON.stringify(erased.body)).toBe(200);
      expect(erased.body).toMatchObject({ caseId, alreadyRecorded: false, sequence: head + 1, erasedSubjects: [`${caseId}-p1`, `${caseId}/text`] });
      expect((await keys.rows([`${caseId}-p1`, `${caseId}/text`])).every((r) => r.erasedAt !== null)).toBe(true);
      const events = await caseEventsOnTopic(ce, caseId, head + 1);
      expect(events.map((e) => e.type).at(-1)).toBe('PersonalDataErased');
      expect(verifyChain(events)).toEqual({ ok: true });
      // Again: the core's "already erased", and the keys destroyed again; nothing new on the chain.
      const again = await post('dpo', erase);
      expect(again.body).toMatchObject({ alreadyRecorded: true, sequence: null });
      expect((await ce.env.client.workflow.getHandle<typeof caseWorkflow>(caseId).query(caseViewQuery)).state).toMatchObject({ version: head + 1 });
      const log = await db.query<{ actor_id: string; fields: unknown }>(`select actor_id, fields from access.access_log where case_id = $1`, [caseId]);
      expect(log.rows.filter((r) => r.actor_id === 'dpo').length).toBe(2);
    } finally {
      await api.close();
      await admin.disconnect();
      await db.close();
    }
  }, 300_000);
});
