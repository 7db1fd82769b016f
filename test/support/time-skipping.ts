// One time-skipping test server per test. Skipped time is global to a server, and the server starts at the
// real current time: a fresh server per test keeps each case's timeline at "now", so no test inherits the
// days another one slept through (the calendar has data up to the end of 2026 only). The workflow bundle is
// still built once per file (workflowBundle() caches it); a server starts in about half a second.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { registerSearchAttributes } from '../../ops/search-attributes.js';
import type { caseWorkflow } from '../../workflows/case-workflow.js';
import { caseViewQuery, type CaseView, type CaseWorkflowInput } from '../../workflows/messages.js';
import { uniqueName } from './stack.js';
import { startTestServer } from './test-server.js';
import { readTopic, startCaseWorker, type RunningWorker } from './temporal.js';

export type CaseHandle = WorkflowHandle<typeof caseWorkflow>;

export interface CaseEnv {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  topic: string;
  brokers: string[];
  startCase(input: CaseWorkflowInput): Promise<CaseHandle>;
  /** Sleeps (in skipped time) until the given instant, then waits until the case has settled. */
  sleepUntil(instantMs: number): Promise<void>;
  sleep(duration: Duration): Promise<void>;
  now(): Promise<number>;
  stop(): Promise<void>;
}

export async function startCaseEnv(opts: { testServerPath: string; brokers: string[]; topic: string; workflowBundle?: WorkflowBundleWithSourceMap }): Promise<CaseEnv> {
  const server = await startTestServer(opts.testServerPath);
  const env = server.env;
  let worker: RunningWorker | undefined;
  try {
    await registerSearchAttributes(env.connection, 'default');
    const taskQueue = uniqueName('tq');
    worker = await startCaseWorker({ connection: env.nativeConnection, taskQueue, brokers: opts.brokers, topic: opts.topic, ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : {}) });
    const running = worker;
    return {
      env,
      taskQueue,
      topic: opts.topic,
      brokers: opts.brokers,
      startCase: (input) => env.client.workflow.start<typeof caseWorkflow>('caseWorkflow', { workflowId: input.caseId, taskQueue, args: [input] }),
      async sleepUntil(instantMs) {
        const left = instantMs - (await env.currentTimeMs());
        if (left > 0) await env.sleep(left);
      },
      sleep: (duration) => env.sleep(duration),
      now: () => env.currentTimeMs(),
      async stop() {
        await running.stop();
        await server.teardown();
      },
    };
  } catch (err) {
    await worker?.stop();
    await server.teardown();
    throw err;
  }
}

/**
 * The case's view once it is quiet: every decided event published and the version unchanged for a moment.
 * A timer that fired at the end of an env.sleep may still have its workflow task (a clock check) in flight
 * when the sleep returns; time is locked again, so waiting in real time lets it finish without more timers.
 */
export async function settledView(handle: CaseHandle, timeoutMs = 20_000): Promise<CaseView & { state: { version: number } }> {
  const deadline = Date.now() + timeoutMs;
  let previous: CaseView | undefined;
  for (;;) {
    const view = await handle.query(caseViewQuery);
    if (view.state.status !== 'none' && view.publishedSequence === view.state.version) {
      if (previous && previous.state.status !== 'none' && previous.state.version === view.state.version) {
        return view as CaseView & { state: { version: number } };
      }
      previous = view;
    } else {
      previous = undefined;
    }
    if (Date.now() > deadline) {
      throw new Error(`case ${handle.workflowId} did not settle within ${timeoutMs} ms (published ${view.publishedSequence} of ${view.state.status === 'none' ? 0 : view.state.version})`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

export interface TopicEvent {
  eventId: string;
  caseId: string;
  sequence: number;
  type: string;
  occurredAt: string;
  causationId: string;
  hash: string;
  prevHash: string;
  data: Record<string, unknown>;
  [k: string]: unknown;
}

/** The case's events as they are on the topic (keyed by case id), in topic order. */
export async function caseEventsOnTopic(caseEnv: Pick<CaseEnv, 'brokers' | 'topic'>, caseId: string, count: number): Promise<TopicEvent[]> {
  const messages = await readTopic(caseEnv.brokers, caseEnv.topic, count, 30_000, { key: caseId, settleMs: 500 });
  return messages.map((m) => m.value as unknown as TopicEvent);
}
