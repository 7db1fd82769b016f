// What the signed command envelope costs (runtime/command-signing.ts, workflows/command-signature.ts):
//   1. the API's signing (node:crypto Ed25519) and the pure-JS verification, per second, in Node;
//   2. commands per second through the case workflow in the worker's own V8 sandbox (the reusable context,
//      driven by activations as the worker drives it, no server: test/support/vm-workflows.ts), with the
//      production bundle and with the same bundle whose check accepts everything (bench/command-signature-off.ts),
//      alternated in the same run so both sides see the same machine load.
// Each case: started with a signed ReceiveCase, then AcceptCase and ClassifyCase, all checked by the workflow.
//
//   npx tsx bench/command-signature.ts [cases=150] [rounds=2]
// (COMMAND_SIGNING_KEY_FILE / COMMAND_VERIFY_KEYS_FILE default to the tests' fixtures here.)
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { CaseCommand } from '../domain/case/commands.js';

const fixtures = (name: string) => fileURLToPath(new URL(`../test/fixtures/${name}`, import.meta.url));
process.env.COMMAND_SIGNING_KEY_FILE ??= fixtures('command-signing-key.json');
process.env.COMMAND_VERIFY_KEYS_FILE ??= fixtures('command-verify-keys.json');

const { bundleWorkflowCode } = await import('@temporalio/worker');
const { workflowBundlerOptions } = await import('../runtime/workflow-bundle.js');
const { envCommandVerifyKeys, signCommand } = await import('../runtime/command-signing.js');
const { commandAuthorizationFailure } = await import('../workflows/command-signature.js');
const { clerk, receiveInput, request } = await import('../testkit/cases.js');
const { failureOf, startCase, updateOutcome, workflowContext } = await import('../test/support/vm-workflows.js');

const cases = Number(process.argv[2] ?? 150);
const rounds = Number(process.argv[3] ?? 2);
const say = (line: string) => process.stdout.write(`${line}\n`);

// 1. In Node.
{
  const sample = request({ type: 'AcceptCase', caseId: 'MC-BENCH', data: {} }, clerk);
  const n = 2000;
  let t = performance.now();
  for (let i = 0; i < n; i++) signCommand({ ...sample, commandId: `c-${i}` });
  const signPerSecond = n / ((performance.now() - t) / 1000);
  const signed = JSON.parse(JSON.stringify(signCommand(sample))) as typeof sample;
  const keys = envCommandVerifyKeys();
  const m = 300;
  t = performance.now();
  for (let i = 0; i < m; i++) if (commandAuthorizationFailure(signed, keys)) throw new Error('the sample did not verify');
  const verifyPerSecond = m / ((performance.now() - t) / 1000);
  say(`node: sign (node:crypto) ${signPerSecond.toFixed(0)}/s; verify (@noble/curves, as in the sandbox) ${verifyPerSecond.toFixed(0)}/s`);
}

// 2. In the workflow sandbox.
const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
const caseWorkflowFile = fileURLToPath(new URL('../workflows/case-workflow.ts', import.meta.url));
const off = fileURLToPath(new URL('./command-signature-off.ts', import.meta.url));
const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
interface Factory {
  hooks: { beforeResolve: { tap(name: string, fn: (data: { request: string; contextInfo: { issuer: string } }) => void): void } };
}
interface Compiler {
  hooks: { normalModuleFactory: { tap(name: string, fn: (factory: Factory) => void): void } };
}
const [{ code: signed }, { code: unsigned }] = await Promise.all([
  bundleWorkflowCode({ workflowsPath, logger: quiet, ...workflowBundlerOptions }),
  bundleWorkflowCode({
    workflowsPath,
    logger: quiet,
    ...workflowBundlerOptions,
    webpackConfigHook: (config) =>
      workflowBundlerOptions.webpackConfigHook({
        ...config,
        plugins: [
          ...(config.plugins ?? []),
          {
            apply(compiler: Compiler) {
              compiler.hooks.normalModuleFactory.tap('signature-off', (factory) => {
                factory.hooks.beforeResolve.tap('signature-off', (data) => {
                  if (data.request === './command-signature.js' && data.contextInfo.issuer === caseWorkflowFile) data.request = off;
                });
              });
            },
          },
        ],
      }),
  }),
]);

async function commandsPerSecond(code: string, label: string, round: number): Promise<number> {
  const creator = await workflowContext(code);
  try {
    const now = Date.now();
    let commands = 0;
    const t = performance.now();
    for (let i = 0; i < cases; i++) {
      const caseId = `BENCH-${label}-${round}-${i}`;
      const c = await startCase(creator, caseId, i + 1, now, receiveInput(caseId));
      const failed = failureOf(c.started);
      if (failed) throw new Error(`${caseId}: ${failed}`);
      commands++;
      const script: CaseCommand[] = [
        { type: 'AcceptCase', caseId, data: {} },
        { type: 'ClassifyCase', caseId, data: { disputeType: 'wage-arrears' } },
      ];
      for (const command of script) {
        const outcome = updateOutcome(await c.update(command.type, request(command, clerk)));
        if (outcome !== 'completed') throw new Error(`${caseId} ${command.type}: ${outcome}`);
        commands++;
      }
      await c.workflow.dispose();
    }
    return commands / ((performance.now() - t) / 1000);
  } finally {
    await creator.destroy();
  }
}

say(`sandbox: ${cases} cases × 3 commands (ReceiveCase, AcceptCase, ClassifyCase) per side, ${rounds} rounds alternated`);
const results: Record<string, number[]> = { with: [], without: [] };
// A warm-up of each, not counted: the first context pays the JIT.
await commandsPerSecond(signed, 'warm-with', 0);
await commandsPerSecond(unsigned, 'warm-without', 0);
for (let round = 1; round <= rounds; round++) {
  results.with!.push(await commandsPerSecond(signed, 'with', round));
  results.without!.push(await commandsPerSecond(unsigned, 'without', round));
  say(`  round ${round}: with signature ${results.with!.at(-1)!.toFixed(0)} commands/s, without ${results.without!.at(-1)!.toFixed(0)} commands/s`);
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const w = mean(results.with!);
const wo = mean(results.without!);
say(`sandbox mean: with ${w.toFixed(0)} commands/s, without ${wo.toFixed(0)} commands/s: the check costs ${(((1 / w - 1 / wo) * 1000)).toFixed(2)} ms of workflow CPU per command (${((1 - w / wo) * 100).toFixed(1)}% fewer commands/s)`);
