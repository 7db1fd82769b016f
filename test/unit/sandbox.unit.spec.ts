// The pure core in the Temporal workflow sandbox.
//
// 1. Temporal's bundler builds a workflow that imports events/ and domain/ — it refuses Node
//    built-ins, which a control fixture shows.
// 2. The bundle runs in the real sandbox (a node:vm context with Temporal's deterministic globals):
//    Worker.runReplayHistory replays a one-task history of a workflow that exercises zod parsing,
//    the decider, SHA-256, the chain and an upcaster, checks the results and must complete. No
//    server is needed, only the SDK's native runtime.
import { defaultPayloadConverter } from '@temporalio/common';
import proto from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, makeTelemetryFilterString, Runtime, Worker } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from '../../events/index.js';
import { exerciseCore } from '../fixtures/sandbox-workflow.js';
import { workflowBundlerOptions } from '../../runtime/workflow-bundle.js';

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname;
const quiet = new DefaultLogger('ERROR');

// The sabotage tests fail workflow tasks on purpose; keep the native core's warnings out of the output.
Runtime.install({ logger: quiet, telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } } });

/**
 * The history of a workflow that started with `input`, ran one workflow task and completed.
 * Replay feeds it to the workflow code; it must issue the same command (complete) to pass.
 */
function completedHistory(workflowType: string, input: unknown) {
  const at = { seconds: 1_740_967_200 };
  const queue = { name: 'sandbox', kind: proto.temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL };
  const types = proto.temporal.api.enums.v1.EventType;
  return proto.temporal.api.history.v1.History.fromObject({
    events: [
      {
        eventId: 1,
        eventTime: at,
        eventType: types.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
        workflowExecutionStartedEventAttributes: {
          workflowType: { name: workflowType },
          taskQueue: queue,
          input: { payloads: [defaultPayloadConverter.toPayload(input)] },
          workflowTaskTimeout: { seconds: 10 },
          originalExecutionRunId: 'run-1',
          firstExecutionRunId: 'run-1',
          attempt: 1,
          identity: 'sandbox-test',
        },
      },
      {
        eventId: 2,
        eventTime: at,
        eventType: types.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
        workflowTaskScheduledEventAttributes: { taskQueue: queue, startToCloseTimeout: { seconds: 10 }, attempt: 1 },
      },
      {
        eventId: 3,
        eventTime: at,
        eventType: types.EVENT_TYPE_WORKFLOW_TASK_STARTED,
        workflowTaskStartedEventAttributes: { scheduledEventId: 2, identity: 'sandbox-test', requestId: 'request-1' },
      },
      {
        eventId: 4,
        eventTime: at,
        eventType: types.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
        workflowTaskCompletedEventAttributes: { scheduledEventId: 2, startedEventId: 3, identity: 'sandbox-test' },
      },
      {
        eventId: 5,
        eventTime: at,
        eventType: types.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
        workflowExecutionCompletedEventAttributes: {
          result: { payloads: [defaultPayloadConverter.toPayload(null)] },
          workflowTaskCompletedEventId: 4,
        },
      },
    ],
  });
}

describe('the pure core in the Temporal workflow sandbox', () => {
  let code: string;

  beforeAll(async () => {
    ({ code } = await bundleWorkflowCode({ workflowsPath: fixture('sandbox-workflow.ts'), logger: quiet }));
  });

  it('bundles with events/ and domain/ (no Node built-ins, no dynamic code)', () => {
    expect(code).toContain('sandboxCoreWorkflow');
    expect(code).toContain('GENESIS_HASH');
    expect(code).toContain('jitless');
  });

  it('refuses to bundle a workflow that imports a Node built-in (the check above has teeth)', async () => {
    const messages: string[] = [];
    const collecting = new DefaultLogger('ERROR', (entry) => messages.push(entry.message));
    await expect(bundleWorkflowCode({ workflowsPath: fixture('sandbox-forbidden-workflow.ts'), logger: collecting })).rejects.toThrow(
      /Webpack finished with errors/,
    );
    expect(messages.join('\n')).toContain('node:crypto');
  });

  it('runs the core in the sandbox: decides, seals, verifies, upcasts and parses with zod', async () => {
    // The workflow throws unless every check inside it passes; replay fails if the workflow throws.
    await expect(
      Worker.runReplayHistory({ workflowBundle: { code }, logger: quiet } as never, completedHistory('sandboxCoreWorkflow', {}), 'sandbox-1'),
    ).resolves.toBeUndefined();
  });

  it('fails the replay when a check inside the sandbox fails (the test above can fail)', async () => {
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: { code } } as never,
        completedHistory('sandboxCoreWorkflow', { sabotage: true }),
        'sandbox-2',
      ),
    ).rejects.toThrow(/sabotaged on purpose/);
  });

  it('gives in the sandbox exactly the hash chain it gives in Node', async () => {
    const inNode = exerciseCore();
    await expect(
      Worker.runReplayHistory({ workflowBundle: { code } } as never, completedHistory('sandboxCoreWorkflow', { expectLastHash: inNode.lastHash }), 'sandbox-3'),
    ).resolves.toBeUndefined();
    await expect(
      Worker.runReplayHistory(
        { workflowBundle: { code } } as never,
        completedHistory('sandboxCoreWorkflow', { expectLastHash: '0'.repeat(64) }),
        'sandbox-4',
      ),
    ).rejects.toThrow(/last hash/);
  });

  it('runs the same checks with the core shared by the workflows of a thread, frozen (the worker bundles so: runtime/workflow-bundle.ts)', { timeout: 60_000 }, async () => {
    const { code: shared } = await bundleWorkflowCode({ workflowsPath: fixture('sandbox-workflow.ts'), logger: quiet, ...workflowBundlerOptions });
    expect(shared).toContain('takeBuiltSchemas');
    const inNode = exerciseCore();
    await expect(
      Worker.runReplayHistory({ workflowBundle: { code: shared }, logger: quiet } as never, completedHistory('sandboxCoreWorkflow', { expectLastHash: inNode.lastHash }), 'sandbox-shared-1'),
    ).resolves.toBeUndefined();
  });

  it('runs zod with compiled parsers in Node (outside the sandbox; the sandbox run above checks it is jitless there)', () => {
    expect(z.config().jitless).toBe(false);
    expect(exerciseCore().zodJitless).toBe(false);
  });
});
