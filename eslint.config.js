// ESLint (typescript-eslint). Everywhere: the recommended rules. In domain/, events/ and workflows/:
// the rules that keep them deterministic (they are replayed: by Temporal, by the projector, by auditors).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['assert', 'async_hooks', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http', 'http2', 'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'timers', 'tls', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib'];
const noNodeBuiltins = {
  patterns: [{ group: ['node:*'], message: 'no Node built-ins here: this code is replayed deterministically (and runs in the workflow sandbox)' }],
  paths: NODE_BUILTINS.map((name) => ({ name, message: 'no Node built-ins here: this code is replayed deterministically' })),
};
const timers = ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'queueMicrotask'].map((name) => ({
  name,
  message: 'no timers here: time comes in the command (domain) or from Temporal (workflows: sleep, condition)',
}));
const randomness = [
  { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'no Math.random: ids and salts arrive in the command (workflows: uuid4() from @temporalio/workflow)' },
  { selector: "MemberExpression[object.name='crypto'][property.name=/^(randomUUID|getRandomValues)$/]", message: 'no randomness here: ids arrive in the command' },
];
const clock = [
  { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'no clock in the core: the moment arrives in the command metadata' },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'no clock in the core: the moment arrives in the command metadata' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.data/**', 'dist/**', 'artifacts/**', 'test/fixtures/histories/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['domain/**/*.ts', 'events/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', noNodeBuiltins],
      'no-restricted-globals': ['error', ...timers, { name: 'process', message: 'no process here' }, { name: 'performance', message: 'no clock in the core' }],
      'no-restricted-syntax': ['error', ...randomness, ...clock],
    },
  },
  {
    // Workflows may read Date: Temporal's sandbox makes it the deterministic workflow time.
    files: ['workflows/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          ...noNodeBuiltins,
          patterns: [
            ...noNodeBuiltins.patterns,
            { group: ['../activities/*'], allowTypeImports: true, message: 'workflows import activity types only (proxyActivities<typeof …>)' },
          ],
        },
      ],
      'no-restricted-globals': ['error', ...timers, { name: 'process', message: 'no process in a workflow' }],
      'no-restricted-syntax': ['error', ...randomness],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
);
