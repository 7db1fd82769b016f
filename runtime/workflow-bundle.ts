// How the workflow code is bundled, for every worker (worker/main.ts, the tests, the bench): the pure core is
// evaluated once per worker thread and shared by its workflows (workflows/shared/core.ts says why and why
// it is safe), instead of once per workflow; and the public keys that commands must be signed with are
// compiled in (workflows/command-signature.ts says why there), read from COMMAND_VERIFY_KEYS[_FILE] when
// the bundle is made.
import { fileURLToPath } from 'node:url';
import { envCommandVerifyKeys } from './command-signing.js';

interface WebpackCompiler {
  webpack: { DefinePlugin: new (definitions: Record<string, string>) => { apply(compiler: WebpackCompiler): void } };
}
interface WebpackConfig {
  plugins?: unknown[];
}

export const workflowBundlerOptions: { preloadModules: string[]; webpackConfigHook: <C extends WebpackConfig>(config: C) => C } = {
  preloadModules: [fileURLToPath(new URL('../workflows/shared/core.ts', import.meta.url))],
  webpackConfigHook: (config) => {
    const keys = JSON.stringify(envCommandVerifyKeys());
    const defineKeys = { apply: (compiler: WebpackCompiler) => new compiler.webpack.DefinePlugin({ __MEDIATION_COMMAND_VERIFY_KEYS__: keys }).apply(compiler) };
    return { ...config, plugins: [...(config.plugins ?? []), defineKeys] };
  },
};
