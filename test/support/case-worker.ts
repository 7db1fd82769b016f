// A case worker on a time-skipping test server of its own, for one describe block: the server with the
// case search attributes, a Kafka topic and the worker (test/support/time-skipping.ts), started before and
// stopped after — every test of the block (`each: true`: every test on a fresh server, whose skipped time
// no other test inherits).
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { stack, uniqueName } from './stack.js';
import { createTopic } from './temporal.js';
import { startCaseEnv, type CaseEnv } from './time-skipping.js';

export function useCaseWorker(opts: { each?: boolean; workflowBundle?: () => Promise<WorkflowBundleWithSourceMap> } = {}): () => CaseEnv {
  const topic = uniqueName('case_events');
  let current: CaseEnv | undefined;
  beforeAll(() => createTopic(stack!.kafkaBrokers, topic));
  const [start, stop] = opts.each ? [beforeEach, afterEach] : [beforeAll, afterAll];
  start(async () => {
    const workflowBundle = await opts.workflowBundle?.();
    current = await startCaseEnv({ testServerPath: stack!.testServerPath, brokers: stack!.kafkaBrokers, topic, ...(workflowBundle ? { workflowBundle } : {}) });
  }, 120_000);
  stop(async () => {
    await current?.stop();
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('the case worker is not running (use it inside a test)');
    return current;
  };
}
