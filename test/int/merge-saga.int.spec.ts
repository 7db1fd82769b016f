// A merge is one act on two cases (issue 21 §1): the duplicate's workflow has the surviving case record the
// duplicate (an activity), then records the merge itself. Failing the second half must leave both cases as
// they were; a surviving case that cannot be reached for a while delays the merge, and then both carry it.
import { signCommand } from '../../runtime/command-signing.js';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { CaseCommand } from '../../domain/case/commands.js';
import type { caseWorkflow } from '../../workflows/case-workflow.js';
import { caseViewQuery, commandUpdates, type CaseView, type CommandRequest } from '../../workflows/messages.js';
import { clerk, receiveInput, request } from '../../testkit/cases.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { startCaseWorker, type RunningWorker } from '../support/temporal.js';
import type { CaseEnv } from '../support/time-skipping.js';
import { useCaseWorker } from '../support/case-worker.js';

type Status = NonNullable<CommandRequest['mergeTarget']>['status'];

describeWithStack('merging a duplicate: both cases or neither', () => {
  // A fresh server per test; an extra worker a test starts stops before it (after-hooks run in reverse).
  const caseWorker = useCaseWorker({ each: true });
  let ce: CaseEnv;
  let extraWorker: RunningWorker | undefined;
  beforeEach(() => void (ce = caseWorker()));
  afterEach(async () => {
    await extraWorker?.stop();
    extraWorker = undefined;
  });

  const handle = (caseId: string) => ce.env.client.workflow.getHandle<typeof caseWorkflow>(caseId);
  const view = (caseId: string): Promise<CaseView> => handle(caseId).query(caseViewQuery);
  const send = (command: CaseCommand, extra: Partial<CommandRequest> = {}) => handle(command.caseId).executeUpdate(commandUpdates[command.type], { args: [signCommand({ ...request(command, clerk), ...extra })] });
  const merge = (from: string, into: string, status: Status = 'received') =>
    send({ type: 'MergeCase', caseId: from, data: { intoCaseId: into, reason: '重复投诉' } }, { mergeTarget: { caseId: into, status } });
  const mergedFrom = async (caseId: string) => {
    const s = (await view(caseId)).state;
    return s.status === 'none' ? [] : s.mergedFrom;
  };
  const mergedInto = async (caseId: string) => {
    const s = (await view(caseId)).state;
    return s.status === 'none' ? null : s.mergedInto;
  };
  const startCase = async (taskQueue = ce.taskQueue) => {
    const input = receiveInput(uniqueName('MC'));
    await ce.env.client.workflow.start<typeof caseWorkflow>('caseWorkflow', { workflowId: input.caseId, taskQueue, args: [input] });
    return input.caseId;
  };

  it('both cases record the merge when it goes through (the control)', async () => {
    const [from, into] = [await startCase(), await startCase()];
    const result = await merge(from, into);
    expect(result.mergedOnTarget).toBe(true);
    expect(result.events.map((e) => e.type)).toEqual(['CaseMerged', 'CaseClosed']);
    expect(await mergedInto(from)).toBe(into);
    expect(await mergedFrom(into)).toEqual([from]);
    // The surviving case's event is the clerk's, in the same conversation.
    const state = (await view(into)).state;
    expect(state.status).toBe('received');
  });

  it('neither case changes when the surviving case refuses (it ended after the API looked it up)', async () => {
    const [from, into] = [await startCase(), await startCase()];
    await send({ type: 'WithdrawCase', caseId: into, data: { reason: '申请人撤回' } });
    expect((await view(into)).state.status).toBe('withdrawn');
    // The API saw it open a moment before: the core lets the merge through on this case, the target refuses.
    const refused = await merge(from, into, 'received').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (refused as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('rejected:illegal-state');
    expect((cause as ApplicationFailure).message).toContain(into);
    expect(await mergedInto(from)).toBeNull();
    expect((await view(from)).state.status).toBe('received');
    expect(await mergedFrom(into)).toEqual([]);
    // The duplicate is still open and can be merged elsewhere.
    const other = await startCase();
    await merge(from, other);
    expect(await mergedFrom(other)).toEqual([from]);
  });

  it('neither case changes when the surviving case does not exist', async () => {
    const from = await startCase();
    const missing = uniqueName('MC-NONE');
    const refused = await merge(from, missing).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(((refused as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('rejected:not-found');
    expect((await view(from)).state.status).toBe('received');
  });

  it('waits while the surviving case cannot be reached, then both carry the merge', { timeout: 120_000 }, async () => {
    // The surviving case runs on a task queue no worker serves yet: its update cannot be answered.
    const targetQueue = uniqueName('tq-target');
    const into = await startCase(targetQueue);
    const from = await startCase();
    const merging = merge(from, into);
    let settled = false;
    void merging.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((r) => setTimeout(r, 4_000));
    expect(settled).toBe(false);
    // Meanwhile the duplicate records nothing.
    expect(await mergedInto(from)).toBeNull();
    expect((await view(from)).state.status).toBe('received');
    extraWorker = await startCaseWorker({ connection: ce.env.nativeConnection, taskQueue: targetQueue, brokers: stack!.kafkaBrokers, topic: ce.topic });
    const result = await merging;
    expect(result.events.map((e) => e.type)).toEqual(['CaseMerged', 'CaseClosed']);
    expect(await mergedInto(from)).toBe(into);
    expect(await mergedFrom(into)).toEqual([from]);
  });

  it('two cases merged into each other at once: no deadlock, and each merge is on both cases or neither', { timeout: 60_000 }, async () => {
    const [a, b] = [await startCase(), await startCase()];
    const outcomes = await Promise.allSettled([merge(a, b), merge(b, a)]);
    const aInto = await mergedInto(a);
    const bInto = await mergedInto(b);
    // At most one of them went through, and whatever went through is on both sides.
    expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBeLessThanOrEqual(1);
    expect(aInto === b).toBe((await mergedFrom(b)).includes(a));
    expect(bInto === a).toBe((await mergedFrom(a)).includes(b));
    expect(outcomes[0]!.status === 'fulfilled').toBe(aInto === b);
    expect(outcomes[1]!.status === 'fulfilled').toBe(bInto === a);
  });
});
