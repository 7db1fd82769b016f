import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Test files say their level: *.unit.spec.ts (pure, no server), *.int.spec.ts (one real server),
// *.e2e.spec.ts (the whole stack). `npm test` (ops/main.ts test) starts the servers first and
// passes their addresses in the environment; `npx vitest run test/unit` needs nothing running.
export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    // The Temporal native runtime crashes under worker threads: every file runs in its own fork.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The tests' command keys (runtime/command-signing.ts): the helpers sign with the private one, the
    // workflow bundles they make verify with the public one. A variable set outside wins.
    env: {
      COMMAND_SIGNING_KEY_FILE: process.env.COMMAND_SIGNING_KEY_FILE ?? fileURLToPath(new URL('test/fixtures/command-signing-key.json', import.meta.url)),
      COMMAND_VERIFY_KEYS_FILE: process.env.COMMAND_VERIFY_KEYS_FILE ?? fileURLToPath(new URL('test/fixtures/command-verify-keys.json', import.meta.url)),
    },
  },
});
