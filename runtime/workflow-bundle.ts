// How the workflow code is bundled, for every worker (worker/main.ts, the tests, the bench): the pure core is
// evaluated once per worker thread and shared by its workflows (workflows/shared/core.ts says why and why
// it is safe), instead of once per workflow.
import { fileURLToPath } from 'node:url';

export const workflowBundlerOptions: { preloadModules: string[] } = {
  preloadModules: [fileURLToPath(new URL('../workflows/shared/core.ts', import.meta.url))],
};
