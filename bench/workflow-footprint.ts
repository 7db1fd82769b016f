// What one case workflow costs the worker to create and to keep, measured directly, without servers: the
// workflow bundle is loaded into the SDK's reusable V8 context (the executor the worker uses), N case
// workflows are created and activated with ReceiveCase and then AcceptCase (what bench/main.ts's memory
// section does through a server), and the CPU time per workflow and the heap each one keeps are read.
//
//   node --expose-gc --import tsx bench/workflow-footprint.ts [N=300]
//
// Two bundles side by side in one run, each in a fresh V8 context of its own:
//   - baseline: the bundle without shared modules — each workflow evaluates the whole core again (the SDK
//     gives each workflow its own module cache);
//   - shared: the production bundle (runtime/workflow-bundle.ts): the pure core evaluated once, shared.
// The order alternates (baseline, shared, baseline, shared) and the lower figure of each counts: the
// machine is shared, and neighbours slow a pass down, never speed one up.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { parseWorkflowCode } from '@temporalio/worker/lib/worker.js';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm.js';
import type { Workflow } from '@temporalio/worker/lib/workflow/interface.js';
import proto, { type coresdk } from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import Long from 'long';
import { workflowBundlerOptions } from '../runtime/workflow-bundle.js';
import { clerk, receiveInput, request } from '../test/support/cases.js';

const n = Number(process.argv[2] ?? '300');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc --import tsx bench/workflow-footprint.ts');
const say = (line: string) => process.stderr.write(`${line}\n`);
const noop = () => undefined;
const quiet = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

const payload = (value: unknown) => defaultPayloadConverter.toPayload(value);
let activationCount = 0;
function activation(runId: string, jobs: coresdk.workflow_activation.IWorkflowActivationJob[]): coresdk.workflow_activation.WorkflowActivation {
  activationCount++;
  return proto.coresdk.workflow_activation.WorkflowActivation.create({
    runId,
    timestamp: { seconds: Long.fromNumber(Math.floor(Date.now() / 1000)), nanos: 0 },
    isReplaying: false,
    historyLength: 3,
    historySizeBytes: Long.fromNumber(1000),
    jobs,
  });
}

function failureOf(completion: coresdk.workflow_completion.IWorkflowActivationCompletion): string | undefined {
  const failed = completion.failed?.failure;
  if (failed) return `${failed.message ?? 'failed'}\n${failed.stackTrace ?? ''}`;
  for (const c of completion.successful?.commands ?? []) {
    if (c.failWorkflowExecution) return c.failWorkflowExecution.failure?.message ?? 'workflow failed';
    if (c.updateResponse?.rejected) return `update rejected: ${c.updateResponse.rejected.message}`;
  }
  return undefined;
}

async function createCase(creator: ReusableVMWorkflowCreator, i: number, label: string): Promise<Workflow> {
  const caseId = `FOOT-${label}-${i}`;
  const runId = `run-${label}-${i}-${Date.now()}`;
  const now = Date.now();
  const workflow = await creator.createWorkflow({
    info: {
      workflowId: caseId,
      runId,
      workflowType: 'caseWorkflow',
      searchAttributes: {},
      typedSearchAttributes: undefined as never,
      taskQueue: 'footprint',
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
      unsafe: { now: () => Date.now(), isReplaying: false, isReplayingHistoryEvents: false, random: Math.random },
      priority: {},
    } as never,
    randomnessSeed: Long.fromNumber(i + 1).toBytes(),
    now,
    showStackTraceSources: false,
  });
  const start = await workflow.activate(
    activation(runId, [{ initializeWorkflow: { workflowId: caseId, workflowType: 'caseWorkflow', arguments: [payload(receiveInput(caseId))], randomnessSeed: Long.fromNumber(i + 1), attempt: 1 } }]),
  );
  const startFailure = failureOf(start);
  if (startFailure) throw new Error(`${caseId}: start failed: ${startFailure}`);
  const accept = await workflow.activate(
    activation(runId, [
      { doUpdate: { id: `u-${i}`, protocolInstanceId: `p-${i}`, name: 'AcceptCase', input: [payload(request({ type: 'AcceptCase', caseId, data: {} }, clerk))], runValidator: true } },
    ]),
  );
  const acceptFailure = failureOf(accept);
  if (acceptFailure) throw new Error(`${caseId}: AcceptCase failed: ${acceptFailure}`);
  if (!accept.successful?.commands?.some((c) => c.updateResponse?.completed)) throw new Error(`${caseId}: AcceptCase did not complete: ${JSON.stringify(accept.successful?.commands?.map((c) => Object.keys(c)))}`);
  return workflow;
}

interface Pass {
  cpuMsPerWorkflow: number;
  wallMsPerWorkflow: number;
  heapKiBPerWorkflow: number;
  contextMiB: number;
}

async function pass(code: string, label: string): Promise<Pass> {
  gc!();
  const heap0 = process.memoryUsage().heapUsed;
  const creator = await ReusableVMWorkflowCreator.create(parseWorkflowCode(code), 10_000, new Set(['publishEvents']));
  gc!();
  const heap1 = process.memoryUsage().heapUsed;
  // One workflow first (warms the code paths), not counted.
  const warm = await createCase(creator, -1, label);
  gc!();
  const heap2 = process.memoryUsage().heapUsed;
  const workflows: Workflow[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) workflows.push(await createCase(creator, i, label));
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  gc!();
  const heap3 = process.memoryUsage().heapUsed;
  for (const w of [warm, ...workflows]) await w.dispose();
  await creator.destroy();
  return {
    cpuMsPerWorkflow: (cpu.user + cpu.system) / 1000 / n,
    wallMsPerWorkflow: wall / n,
    heapKiBPerWorkflow: (heap3 - heap2) / 1024 / n,
    contextMiB: (heap1 - heap0) / 2 ** 20,
  };
}

say(`workflow footprint: ${n} case workflows (ReceiveCase + AcceptCase) per pass; ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const { code: plain } = await bundleWorkflowCode({ workflowsPath, logger: quiet });
const { code: shared } = await bundleWorkflowCode({ workflowsPath, logger: quiet, ...workflowBundlerOptions });
const results: Record<string, Pass[]> = { baseline: [], shared: [] };
for (let round = 0; round < 2; round++) {
  for (const [label, bundle] of (process.env.ONLY_SHARED ? [['shared', shared]] : [['baseline', plain], ['shared', shared]]) as [string, string][]) {
    const r = await pass(bundle, `${label}${round}`);
    results[label]!.push(r);
    say(`  ${label}: ${r.cpuMsPerWorkflow.toFixed(2)} ms CPU, ${r.wallMsPerWorkflow.toFixed(2)} ms wall, ${r.heapKiBPerWorkflow.toFixed(0)} KiB kept per workflow; context ${r.contextMiB.toFixed(1)} MiB (load ${os.loadavg()[0]!.toFixed(2)})`);
  }
}
const best = (label: string, key: keyof Pass) => Math.min(...results[label]!.map((r) => r[key]));
const lines = [
  '',
  `| per case workflow (created, ReceiveCase, AcceptCase; kept cached) | shared core | baseline: core evaluated per workflow | ratio |`,
  `|---|---|---|---|`,
  `| CPU | ${best('shared', 'cpuMsPerWorkflow').toFixed(2)} ms | ${best('baseline', 'cpuMsPerWorkflow').toFixed(2)} ms | ${(best('shared', 'cpuMsPerWorkflow') / best('baseline', 'cpuMsPerWorkflow')).toFixed(3)} |`,
  `| heap kept | ${best('shared', 'heapKiBPerWorkflow').toFixed(0)} KiB | ${best('baseline', 'heapKiBPerWorkflow').toFixed(0)} KiB | ${(best('shared', 'heapKiBPerWorkflow') / best('baseline', 'heapKiBPerWorkflow')).toFixed(3)} |`,
  `| V8 context (once per worker thread) | ${best('shared', 'contextMiB').toFixed(1)} MiB | ${best('baseline', 'contextMiB').toFixed(1)} MiB | |`,
  '',
  `${n} workflows a pass, ${activationCount} activations in all; ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the end.`,
];
console.log(lines.join('\n'));
