// A clock check the core rejects is retried, not skipped (issue 14): on the time-skipping test server, with
// a core that rejects each clock check for its first 30 s past the due moment (test/support/flaky-clock-core.ts),
// the check at the due moment is rejected, the case shows clockCheckFailing, and the retry a minute later
// is applied — the due moment's events are on record and the failure clears.
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowBundlerOptions } from '../../runtime/workflow-bundle.js';
import { caseViewQuery, commandUpdates, type CaseView } from '../../workflows/messages.js';
import type { caseWorkflow } from '../../workflows/case-workflow.js';
import { ClockCheckFailing } from '../../workflows/search-attributes.js';
import { clerk, receiveInput, request } from '../../testkit/cases.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { readTopic } from '../support/temporal.js';
import { useCaseWorker } from '../support/case-worker.js';

const flakyCore = fileURLToPath(new URL('../support/flaky-clock-core.ts', import.meta.url));
const caseEntityFile = fileURLToPath(new URL('../../workflows/case/entity.ts', import.meta.url));

describeWithStack('a rejected clock check is retried (time-skipping test server)', () => {
  const flakyBundle = () =>
    bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)),
      ...workflowBundlerOptions,
      logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      // The case entity's import of the core (where the workflow decides), and only that one, resolves to the flaky core.
      // (Composed with the production hook, which compiles in the command verify keys.)
      webpackConfigHook: (config) => workflowBundlerOptions.webpackConfigHook({
        ...config,
        plugins: [
          ...(config.plugins ?? []),
          {
            apply(compiler) {
              compiler.hooks.normalModuleFactory.tap('flaky-clock-core', (factory) => {
                factory.hooks.beforeResolve.tap('flaky-clock-core', (data) => {
                  if (data.request === '../../domain/case/index.js' && data.contextInfo.issuer === caseEntityFile) data.request = flakyCore;
                });
              });
            },
          },
        ],
      }),
    });
  const caseWorker = useCaseWorker({ workflowBundle: flakyBundle });
  let env: TestWorkflowEnvironment;
  let taskQueue: string;
  let topic: string;
  beforeAll(() => void ({ env, taskQueue, topic } = caseWorker()));

  it('rejected at the due moment, shown as clockCheckFailing, retried a minute later and applied', async () => {
    const caseId = uniqueName('MC');
    const handle = await env.client.workflow.start<typeof caseWorkflow>('caseWorkflow', { workflowId: caseId, taskQueue, args: [receiveInput(caseId)] });
    await handle.executeUpdate(commandUpdates.AcceptCase, { args: [request({ type: 'AcceptCase', caseId, data: {} }, clerk)] });
    const accepted = await handle.query(caseViewQuery);
    const due = accepted.nextDueAt;
    if (!due || accepted.state.status === 'none') throw new Error('no clock running after AcceptCase');
    const versionBefore = accepted.state.version;

    // Just past the due moment: the check ran and was rejected; nothing decided, the failure shown.
    await env.sleep(Date.parse(due) + 10_000 - (await env.currentTimeMs()));
    const rejected = await settled(() => handle.query(caseViewQuery));
    expect(rejected.clockCheckFailing).toMatchObject({ attempts: 1 });
    expect(rejected.clockCheckFailing!.lastError).toMatch(/injected: a transient rejection/);
    expect(Date.parse(rejected.clockCheckFailing!.retryAt!)).toBe(Date.parse(rejected.clockCheckFailing!.since) + 60_000);
    expect(rejected.nextDueAt).toBe(due);
    expect(rejected.state.status !== 'none' && rejected.state.version).toBe(versionBefore);
    expect((await handle.describe()).typedSearchAttributes.get(ClockCheckFailing)).toBe(true);

    // The retry a minute later is past the transient window: applied, and the failure clears.
    await env.sleep(Date.parse(due) + 90_000 - (await env.currentTimeMs()));
    const applied = await settled(() => handle.query(caseViewQuery));
    expect(applied.clockCheckFailing).toBeUndefined();
    if (applied.state.status === 'none') throw new Error('no case');
    expect(applied.state.version).toBeGreaterThan(versionBefore);
    expect(applied.nextDueAt).not.toBe(due);
    expect((await handle.describe()).typedSearchAttributes.get(ClockCheckFailing)).toBeUndefined();

    // The events of the due moment are on the topic, after the case's others, in order.
    const messages = await readTopic(stack!.kafkaBrokers, topic, applied.state.version, 20_000, { key: caseId });
    expect(messages.map((m) => m.value.sequence)).toEqual(Array.from({ length: applied.state.version }, (_, i) => i + 1));
    expect(messages.slice(versionBefore).every((m) => (m.value.occurredAt as string) >= new Date(Date.parse(due) + 60_000).toISOString())).toBe(true);
  }, 120_000);
});

/** The view once it stops changing (a timer fired at the end of a sleep may still have its task in flight). */
async function settled(read: () => Promise<CaseView>): Promise<CaseView> {
  let previous = '';
  for (let i = 0; i < 40; i++) {
    const view = await read();
    const now = JSON.stringify(view);
    if (now === previous && view.state.status !== 'none' && view.publishedSequence === view.state.version) return view;
    previous = now;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the case did not settle');
}
