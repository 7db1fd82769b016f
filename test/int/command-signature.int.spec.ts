// Only the API may act on a case: a command sent straight to Temporal (as `temporal workflow update execute`
// would send it, with any actor written in its arguments) is refused by the update validator unless the
// API signed it, and nothing of it reaches the case's history.
import { beforeAll, expect, it } from 'vitest';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { caseViewQuery, commandUpdates, type CommandRequest } from '../../workflows/messages.js';
import type { caseWorkflow } from '../../workflows/case-workflow.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { readTopic } from '../support/temporal.js';
import { useCaseWorker } from '../support/case-worker.js';
import { clerk, receiveInput, request, supervisor } from '../../testkit/cases.js';
import { newCommandKeyFiles, signerFromKeys } from '../../runtime/command-signing.js';

describeWithStack('signed commands', () => {
  const caseWorker = useCaseWorker();
  let env: TestWorkflowEnvironment;
  let taskQueue: string;
  let topic: string;
  beforeAll(() => void ({ env, taskQueue, topic } = caseWorker()));

  it('refuses an unsigned, a foreign-signed and a tampered command before history, and applies the signed one', async () => {
    const caseId = uniqueName('MC');
    const handle = await env.client.workflow.start<typeof caseWorkflow>('caseWorkflow', { workflowId: caseId, taskQueue, args: [receiveInput(caseId)] });
    const accept = request({ type: 'AcceptCase', caseId, data: {} }, clerk);
    const { authorization: _, ...unsigned } = accept;
    const refusal = async (req: CommandRequest) => {
      const err = await handle.executeUpdate(commandUpdates.AcceptCase, { args: [req] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      return String((err as WorkflowUpdateFailedError).cause?.message);
    };
    // A forged supervisor with no signature, one signed by a key the worker does not trust, and the API's
    // signed command with its actor changed afterwards.
    expect(await refusal({ ...unsigned, actor: supervisor, commandId: 'forged-1' })).toMatch(/^forbidden: .*no signature/);
    expect(await refusal(signerFromKeys(newCommandKeyFiles('ck-stranger').signing).sign({ ...unsigned, actor: supervisor, commandId: 'forged-2' }))).toMatch(/^forbidden: .*does not know/);
    expect(await refusal({ ...accept, actor: supervisor })).toMatch(/^forbidden: .*does not match/);

    const history = await handle.fetchHistory();
    const updates = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateCompletedEventAttributes);
    expect(updates).toHaveLength(0);
    expect((await handle.query(caseViewQuery)).state.status).toBe('received');

    const result = await handle.executeUpdate(commandUpdates.AcceptCase, { args: [accept] });
    expect(result.events.map((e) => [e.type, e.actor.id])).toEqual([['CaseAccepted', clerk.id]]);
  });

  it('fails a run started with an unsigned or tampered command before it records anything', async () => {
    const forged = uniqueName('MC');
    const input = receiveInput(forged);
    const { authorization: _, ...unsigned } = input.receive;
    const tampered = uniqueName('MC');
    const signed = receiveInput(tampered);
    for (const [caseId, receive] of [
      [forged, { ...unsigned, actor: supervisor }],
      [tampered, { ...signed.receive, actor: supervisor }],
    ] as const) {
      const handle = await env.client.workflow.start<typeof caseWorkflow>('caseWorkflow', { workflowId: caseId, taskQueue, args: [{ caseId, receive }] });
      const failure = await handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      expect(String((failure as WorkflowFailedError).cause?.message)).toMatch(/^forbidden: /);
    }
    // The control: a signed start records its case. Nothing of the refused ones reached the topic.
    const control = uniqueName('MC');
    const handle = await env.client.workflow.start<typeof caseWorkflow>('caseWorkflow', { workflowId: control, taskQueue, args: [receiveInput(control)] });
    await handle.executeUpdate(commandUpdates.AcceptCase, { args: [request({ type: 'AcceptCase', caseId: control, data: {} }, clerk)] });
    expect((await readTopic(stack!.kafkaBrokers, topic, 2, 30_000, { key: control })).map((m) => m.value.type)).toEqual(expect.arrayContaining(['CaseReceived', 'CaseAccepted']));
    for (const caseId of [forged, tampered]) expect(await readTopic(stack!.kafkaBrokers, topic, 1, 2_000, { key: caseId })).toEqual([]);
  });
});
