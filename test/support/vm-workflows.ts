// Case workflows run directly in the SDK's reusable V8 context — the executor the worker uses — without
// a server: created, started and sent updates as activations, as the worker would. For measuring what a
// workflow costs the worker (bench/workflow-footprint.ts) and for checking what the workflow thread shares
// between its workflows (test/unit/shared-core.unit.spec.ts).
import { defaultPayloadConverter } from '@temporalio/common';
import proto, { type coresdk } from '@temporalio/proto';
import { parseWorkflowCode } from '@temporalio/worker/lib/worker.js';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm.js';
import type { Workflow } from '@temporalio/worker/lib/workflow/interface.js';
import Long from 'long';
import type { CaseWorkflowInput, CommandRequest } from '../../workflows/messages.js';
import { receiveInput } from '../../testkit/cases.js';

type Completion = coresdk.workflow_completion.IWorkflowActivationCompletion;

/** A workflow thread's V8 context with `code` (a workflow bundle) loaded, as the worker creates it. */
export function workflowContext(code: string): Promise<ReusableVMWorkflowCreator> {
  return ReusableVMWorkflowCreator.create(parseWorkflowCode(code), 10_000, new Set(['publishEvents']));
}

/** The modules a workflow created in `creator` evaluated for itself (not shared with the thread's other workflows). */
export function ownModules(creator: ReusableVMWorkflowCreator): string[] {
  const context = (creator as unknown as { context: { __TEMPORAL_ACTIVATOR__?: { moduleCache: Map<string, unknown> } } }).context;
  return [...(context.__TEMPORAL_ACTIVATOR__?.moduleCache.keys() ?? [])];
}

/** Why an activation failed (the workflow task, the workflow or an update), or undefined. */
export function failureOf(completion: Completion): string | undefined {
  const failed = completion.failed?.failure;
  if (failed) return `${failed.message ?? 'failed'}\n${failed.stackTrace ?? ''}`;
  for (const c of completion.successful?.commands ?? []) {
    if (c.failWorkflowExecution) return c.failWorkflowExecution.failure?.message ?? 'workflow failed';
  }
  return undefined;
}

/** The update's outcome in a completion: 'completed', or the rejection's message. */
export function updateOutcome(completion: Completion): string | undefined {
  for (const c of completion.successful?.commands ?? []) {
    if (c.updateResponse?.completed) return 'completed';
    if (c.updateResponse?.rejected) return c.updateResponse.rejected.message ?? 'rejected';
  }
  return undefined;
}

export interface CaseInContext {
  workflow: Workflow;
  /** The completion of the first activation (the start with ReceiveCase). */
  started: Completion;
  /** Sends one update (runs its validator, then its handler) in an activation of its own. */
  update(name: string, request: CommandRequest): Promise<Completion>;
}

/** Creates and starts a case workflow (ReceiveCase) in `creator`, at `now` (epoch ms) for every activation. */
export async function startCase(creator: ReusableVMWorkflowCreator, caseId: string, seed: number, now: number, input: CaseWorkflowInput = receiveInput(caseId)): Promise<CaseInContext> {
  const runId = `run-${caseId}-${seed}`;
  const timestamp = { seconds: Long.fromNumber(Math.floor(now / 1000)), nanos: (now % 1000) * 1_000_000 };
  const activation = (jobs: coresdk.workflow_activation.IWorkflowActivationJob[]) =>
    proto.coresdk.workflow_activation.WorkflowActivation.create({ runId, timestamp, isReplaying: false, historyLength: 3, historySizeBytes: Long.fromNumber(1000), jobs });
  const payload = (value: unknown) => defaultPayloadConverter.toPayload(value);
  const workflow = await creator.createWorkflow({
    info: {
      workflowId: caseId,
      runId,
      workflowType: 'caseWorkflow',
      searchAttributes: {},
      taskQueue: 'vm-workflows',
      namespace: 'default',
      firstExecutionRunId: runId,
      originalExecutionRunId: runId,
      startTime: new Date(now),
      runStartTime: new Date(now),
      taskTimeoutMs: 10_000,
      attempt: 1,
      historyLength: 3,
      historySize: 1000,
      continueAsNewSuggested: false,
      targetWorkerDeploymentVersionChanged: false,
      currentBuildId: '',
      unsafe: { now: () => now, isReplaying: false, isReplayingHistoryEvents: false, random: Math.random },
      priority: {},
    } as never,
    randomnessSeed: Long.fromNumber(seed).toBytes(),
    now,
    showStackTraceSources: false,
  });
  const started = await workflow.activate(
    activation([{ initializeWorkflow: { workflowId: caseId, workflowType: 'caseWorkflow', arguments: [payload(input)], randomnessSeed: Long.fromNumber(seed), attempt: 1 } }]),
  );
  let updates = 0;
  return {
    workflow,
    started,
    update: (name, request) => {
      updates++;
      return workflow.activate(activation([{ doUpdate: { id: `u-${updates}`, protocolInstanceId: `p-${updates}`, name, input: [payload(request)], runValidator: true } }]));
    },
  };
}
