import { bundleWorkflowCode, Worker } from '@temporalio/worker';

import { defaultPayloadConverter } from '@temporalio/common';

const { code } = await bundleWorkflowCode({ workflowsPath: '/work/main/test/fixtures/sandbox-workflow.ts', logger: { info(){}, warn(){}, error(){}, debug(){}, trace(){}, log(){} } as any });
const time = '2025-03-03T02:00:00Z';
const result = defaultPayloadConverter.toPayload({ ok: true });
import proto from '@temporalio/proto';
const history = proto.temporal.api.history.v1.History.fromObject({
  events: [
    { eventId: 1, eventTime: { seconds: 1740967200 }, eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', workflowExecutionStartedEventAttributes: {
      workflowType: { name: 'sandboxCoreWorkflow' }, taskQueue: { name: 'sandbox', kind: 'TASK_QUEUE_KIND_NORMAL' }, input: { payloads: [] },
      workflowTaskTimeout: { seconds: 10 }, originalExecutionRunId: 'run-1', firstExecutionRunId: 'run-1', attempt: 1, identity: 'test' } },
    { eventId: 2, eventTime: { seconds: 1740967200 }, eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', workflowTaskScheduledEventAttributes: { taskQueue: { name: 'sandbox', kind: 'TASK_QUEUE_KIND_NORMAL' }, startToCloseTimeout: { seconds: 10 }, attempt: 1 } },
    { eventId: 3, eventTime: { seconds: 1740967200 }, eventType: 'EVENT_TYPE_WORKFLOW_TASK_STARTED', workflowTaskStartedEventAttributes: { scheduledEventId: 2, identity: 'test', requestId: 'r1', historySizeBytes: 0 } },
    { eventId: 4, eventTime: { seconds: 1740967200 }, eventType: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED', workflowTaskCompletedEventAttributes: { scheduledEventId: 2, startedEventId: 3, identity: 'test' } },
    { eventId: 5, eventTime: { seconds: 1740967200 }, eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED', workflowExecutionCompletedEventAttributes: { result: { payloads: [result] }, workflowTaskCompletedEventId: 4 } },
  ],
});
const t = Date.now();
await Worker.runReplayHistory({ workflowBundle: { code } }, history, 'sandbox-wf');
console.log('replay ok', Date.now() - t);
