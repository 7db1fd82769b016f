// The pure core shared by the workflows of a workflow thread (issue 13; workflows/shared/core.ts): the
// production bundle evaluates the core once per thread, and a case decides exactly as it does with the core
// evaluated for it alone — in the SDK's reusable V8 context, where shared modules are frozen.
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { workflowBundlerOptions } from '../../runtime/workflow-bundle.js';
import { clerk, mediator, receiveInput, request } from '../../testkit/cases.js';
import { signCommand } from '../../runtime/command-signing.js';
import { failureOf, ownModules, startCase, updateOutcome, workflowContext } from '../support/vm-workflows.js';
import type { CaseCommand } from '../../domain/case/commands.js';

const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));
const noop = () => undefined;
const quiet = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
const isCore = (module: string) => /\/(domain|events)\/|node_modules\/zod\//.test(module);

// The same commands for a case in both bundles: accepted, a rejection by the command schema (zod, a field
// named), a rejection by a rule, and a classification that opens clocks.
function script(caseId: string): Array<{ name: string; command: CaseCommand; actor: typeof clerk }> {
  return [
    { name: 'AcceptCase', command: { type: 'AcceptCase', caseId, data: {} }, actor: clerk },
    { name: 'ClassifyCase', command: { type: 'ClassifyCase', caseId, data: { disputeType: 'not-a-dispute-type' } } as unknown as CaseCommand, actor: clerk },
    { name: 'AcceptCase', command: { type: 'AcceptCase', caseId, data: {} }, actor: mediator },
    { name: 'ClassifyCase', command: { type: 'ClassifyCase', caseId, data: { disputeType: 'wage-arrears' } }, actor: clerk },
  ];
}

/** A completion as JSON with its payloads as text, without stack traces (they name the bundle's lines). */
function comparable(completion: unknown): string {
  return JSON.stringify(completion, (key, value: unknown) => {
    if (key === 'stackTrace') return undefined;
    if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
    return value;
  });
}

/** Where two lists of texts first differ, shortly (the whole texts would drown the report). */
function firstDifference(a: string[], b: string[]): string | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x === y) continue;
    let at = 0;
    while (x[at] === y[at]) at++;
    return `completion ${i}, character ${at}: …${x.slice(Math.max(0, at - 80), at + 80)}… versus …${y.slice(Math.max(0, at - 80), at + 80)}…`;
  }
  return undefined;
}

/** Every completion of the case's activations, as JSON, and the outcome of each update. */
async function run(code: string, now: number): Promise<{ completions: string[]; outcomes: string[]; ownModules: string[][] }> {
  const creator = await workflowContext(code);
  try {
    const completions: string[] = [];
    const outcomes: string[] = [];
    const own: string[][] = [];
    for (const caseId of ['SHARED-1', 'SHARED-2']) {
      const input = receiveInput(caseId);
      const c = await startCase(creator, caseId, 7, now, { ...input, receive: signCommand({ ...input.receive, commandId: `${caseId}-receive`, correlationId: `${caseId}-receive` }) });
      own.push(ownModules(creator));
      expect(failureOf(c.started), caseId).toBeUndefined();
      completions.push(comparable(c.started));
      let n = 0;
      for (const step of script(caseId)) {
        const completion = await c.update(step.name, signCommand({ ...request(step.command, step.actor), commandId: `${caseId}-${n}`, correlationId: `${caseId}-${n++}` }));
        expect(failureOf(completion), `${caseId} ${step.name}`).toBeUndefined();
        outcomes.push(updateOutcome(completion) ?? 'none');
        completions.push(comparable(completion));
      }
      await c.workflow.dispose();
    }
    return { completions, outcomes, ownModules: own };
  } finally {
    await creator.destroy();
  }
}

describe('the pure core shared by the workflows of a workflow thread', () => {
  let alone: string;
  let shared: string;
  beforeAll(async () => {
    [{ code: alone }, { code: shared }] = await Promise.all([
      bundleWorkflowCode({ workflowsPath, logger: quiet, webpackConfigHook: workflowBundlerOptions.webpackConfigHook }),
      bundleWorkflowCode({ workflowsPath, logger: quiet, ...workflowBundlerOptions }),
    ]);
  }, 120_000);

  it('evaluates the core once per thread: a workflow evaluates only the workflow modules for itself (without sharing, the core too)', { timeout: 60_000 }, async () => {
    const now = Date.now();
    const withShared = await run(shared, now);
    const withoutSharing = await run(alone, now);
    for (const modules of withShared.ownModules) {
      expect(modules.some((m) => m.includes('/workflows/case-workflow.ts'))).toBe(true);
      expect(modules.filter(isCore)).toEqual([]);
    }
    for (const modules of withoutSharing.ownModules) expect(modules.filter(isCore).length).toBeGreaterThan(20);
  });

  it('decides the same events and rejections with the core shared and frozen as with the core of its own', { timeout: 60_000 }, async () => {
    const now = Date.now();
    const withShared = await run(shared, now);
    const withoutSharing = await run(alone, now);
    // Accepted; refused by the schema, naming the field; refused by the rules; classified — twice, for a
    // second workflow on the same shared core.
    expect(withShared.outcomes.map((o) => (o === 'completed' ? o : 'rejected'))).toEqual(['completed', 'rejected', 'rejected', 'completed', 'completed', 'rejected', 'rejected', 'completed']);
    expect(withShared.outcomes[1]).toMatch(/disputeType/);
    expect(withShared.outcomes).toEqual(withoutSharing.outcomes);
    expect(withShared.completions.length).toBe(10);
    expect(firstDifference(withShared.completions, withoutSharing.completions)).toBeUndefined();
  });
});
