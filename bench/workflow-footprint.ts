// What one case workflow costs the worker to create and to keep, measured directly, without servers: the
// workflow bundle is loaded into the SDK's reusable V8 context (the executor the worker uses), N case
// workflows are created and activated with ReceiveCase and then AcceptCase (what bench/main.ts's memory
// section does through a server) and kept, as the worker's cache keeps them; the CPU time per workflow and
// the heap each one keeps are read.
//
//   node --expose-gc --import tsx bench/workflow-footprint.ts [N=300]
//
// Two bundles side by side in one run, each in a fresh V8 context of its own:
//   - baseline: the bundle without shared modules — each workflow evaluates the whole core again (the SDK
//     gives each workflow its own module cache), as before issue 13's fix;
//   - shared: the production bundle (runtime/workflow-bundle.ts): the pure core evaluated once per
//     workflow thread and shared by its workflows (workflows/shared/core.ts).
// The order alternates (baseline, shared, baseline, shared) and the lower figure of each counts: the
// machine is shared, and neighbours slow a pass down, never speed one up.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { Workflow } from '@temporalio/worker/lib/workflow/interface.js';
import { workflowBundlerOptions } from '../runtime/workflow-bundle.js';
import { clerk, request } from '../testkit/cases.js';
import { failureOf, startCase, updateOutcome, workflowContext } from '../test/support/vm-workflows.js';

const n = Number(process.argv[2] ?? '300');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc --import tsx bench/workflow-footprint.ts');
const say = (line: string) => process.stderr.write(`${line}\n`);
const noop = () => undefined;
const quiet = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

async function openCase(creator: Awaited<ReturnType<typeof workflowContext>>, caseId: string, seed: number): Promise<Workflow> {
  const started = await startCase(creator, caseId, seed, Date.now());
  const startFailure = failureOf(started.started);
  if (startFailure) throw new Error(`${caseId}: the start failed: ${startFailure}`);
  const accepted = await started.update('AcceptCase', request({ type: 'AcceptCase', caseId, data: {} }, clerk));
  const outcome = failureOf(accepted) ?? updateOutcome(accepted);
  if (outcome !== 'completed') throw new Error(`${caseId}: AcceptCase: ${outcome}`);
  return started.workflow;
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
  const creator = await workflowContext(code);
  gc!();
  const heap1 = process.memoryUsage().heapUsed;
  // One workflow first (warms the code paths), not counted.
  const warm = await openCase(creator, `FOOT-${label}-warm`, 1);
  gc!();
  const heap2 = process.memoryUsage().heapUsed;
  const workflows: Workflow[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) workflows.push(await openCase(creator, `FOOT-${label}-${i}`, i + 2));
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

say(`workflow footprint: ${n} case workflows (ReceiveCase + AcceptCase, kept) per pass; ${os.cpus().length} cores, load ${load()}`);
const { code: baseline } = await bundleWorkflowCode({ workflowsPath, logger: quiet });
const { code: shared } = await bundleWorkflowCode({ workflowsPath, logger: quiet, ...workflowBundlerOptions });
const results: Record<'baseline' | 'shared', Pass[]> = { baseline: [], shared: [] };
for (let round = 0; round < 2; round++) {
  for (const [label, code] of [['baseline', baseline], ['shared', shared]] as const) {
    const r = await pass(code, `${label}${round}`);
    results[label].push(r);
    say(`  ${label}: ${r.cpuMsPerWorkflow.toFixed(2)} ms CPU, ${r.wallMsPerWorkflow.toFixed(2)} ms wall, ${r.heapKiBPerWorkflow.toFixed(0)} KiB kept per workflow; context ${r.contextMiB.toFixed(1)} MiB (load ${load()})`);
  }
}
const best = (label: 'baseline' | 'shared', key: keyof Pass) => Math.min(...results[label].map((r) => r[key]));
const row = (what: string, key: keyof Pass, unit: string, digits: number) =>
  `| ${what} | ${best('shared', key).toFixed(digits)} ${unit} | ${best('baseline', key).toFixed(digits)} ${unit} | ${(best('shared', key) / best('baseline', key)).toFixed(3)} |`;
console.log(
  [
    '',
    '| per case workflow (created, ReceiveCase, AcceptCase; kept as cached) | core shared by the thread | baseline: core evaluated per workflow, same run | ratio |',
    '|---|---|---|---|',
    row('CPU', 'cpuMsPerWorkflow', 'ms', 2),
    row('wall time', 'wallMsPerWorkflow', 'ms', 2),
    row('heap kept', 'heapKiBPerWorkflow', 'KiB', 0),
    '',
    `${n} workflows a pass, the lower of two passes each; ${os.cpus().length} cores, load average ${load()} at the end.`,
  ].join('\n'),
);
