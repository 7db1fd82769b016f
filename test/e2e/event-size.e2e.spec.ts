// Event-size guards at the edge (issue 14): a command that would make an event too large for the broker is
// refused with 400 naming the field, in Chinese by default, and nothing is written — no case started, no
// event decided or published.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import { MAX_COMPLAINANTS, MAX_SESSION_DEPARTMENTS } from '../../events/limits.js';
import { caseViewQuery } from '../../workflows/messages.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { describeWithStack, stack } from '../support/stack.js';
import { readTopic } from '../support/temporal.js';
import { newCaseBody } from '../../testkit/cases.js';

type Problem = { status: number; code: string; detail: string; errors?: Array<{ field: string; message: string }> };


describeWithStack('event-size guards at the edge', () => {
  let s: ApiStack;
  beforeAll(async () => {
    s = await startApiStack('size');
  });
  afterAll(async () => {
    await s?.stop();
  });

  it(`refuses more than ${MAX_COMPLAINANTS} complainants with 400 naming the field, and starts no case`, async () => {
    const caseNumber = `MC-SIZE-${Date.now().toString(36).toUpperCase()}`;
    const complainants = Array.from({ length: MAX_COMPLAINANTS + 1 }, (_, i) => ({ name: `工人${i}`, phone: '13900000002' }));
    const res = await s.call('mediation-intake-bridge', 'POST', '/cases', { ...newCaseBody(caseNumber), complainants, workerCount: complainants.length });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    const problem = res.body as Problem;
    expect(problem.code).toBe('validation');
    expect(problem.errors).toEqual([{ field: 'complainants', message: '申请人最多列 100 名；集体争议请列出推选的代表，其余人数填在“涉及人数”中' }]);
    expect(problem.detail).toContain('complainants');
    await expect(s.client.workflow.getHandle(caseNumber).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });

  it(`refuses a session with more than ${MAX_SESSION_DEPARTMENTS} departments, naming the field, and writes nothing`, async () => {
    const created = await s.call('mediation-intake-bridge', 'POST', '/cases', newCaseBody());
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const caseId = (created.body as { caseId: string }).caseId;
    for (const [type, body] of [['AcceptCase', {}], ['ClassifyCase', { disputeType: 'wage-arrears' }], ['RouteCase', {}]] as const) {
      const res = await s.call('mediation-intake-bridge', 'POST', `/cases/${caseId}/commands/${type}`, body);
      expect(res.status, `${type}: ${JSON.stringify(res.body)}`).toBe(200);
    }
    const before = await s.client.workflow.getHandle(caseId).query(caseViewQuery);
    if (before.state.status === 'none') throw new Error('no case');

    const departments = Array.from({ length: MAX_SESSION_DEPARTMENTS + 1 }, () => 'union');
    const res = await s.call('mediator', 'POST', `/cases/${caseId}/commands/ScheduleSession`, { at: new Date(Date.now() + 86_400_000).toISOString(), place: '城关镇调解室', departments });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    const problem = res.body as Problem;
    expect(problem.code).toBe('validation');
    expect(problem.errors?.map((e) => e.field)).toEqual(['data.departments']);
    expect(problem.errors?.[0]?.message).toMatch(/[\u4e00-\u9fff]/); // zod's zh-CN message: Chinese by default
    expect(problem.detail).toContain('departments');

    // Nothing decided, nothing published.
    const after = await s.client.workflow.getHandle(caseId).query(caseViewQuery);
    expect(after.state.status !== 'none' && after.state.version).toBe(before.state.version);
    const messages = await readTopic(stack!.kafkaBrokers, s.topic, before.state.version + 1, 5_000, { key: caseId, settleMs: 1_000 });
    expect(messages.map((m) => m.value.sequence)).toEqual(Array.from({ length: before.state.version }, (_, i) => i + 1));
  }, 60_000);
});
