// The determinism rules fire where they should: a clock, randomness, a timer or a Node built-in in the
// core is an error; the same code in the API is not.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });
const ruleIds = async (code: string, filePath: string) => (await eslint.lintText(code, { filePath }))[0]!.messages.map((m) => m.ruleId);

describe('determinism lint', () => {
  it('refuses the clock, randomness, timers and Node built-ins in domain/ and events/', async () => {
    const code = [
      "import fs from 'node:fs';",
      "import path from 'path';",
      'export const a = Date.now();',
      'export const b = new Date();',
      'export const c = Math.random();',
      'setTimeout(() => undefined, 1);',
      'export const d = process.env.X;',
      'export const e = [fs, path];',
    ].join('\n');
    for (const file of ['domain/case/x.ts', 'events/x.ts']) {
      const ids = await ruleIds(code, file);
      expect(ids.filter((r) => r === 'no-restricted-imports')).toHaveLength(2);
      expect(ids.filter((r) => r === 'no-restricted-syntax')).toHaveLength(3);
      expect(ids.filter((r) => r === 'no-restricted-globals')).toHaveLength(2);
    }
    // Formatting a given moment is deterministic and allowed.
    expect(await ruleIds("export const f = new Date(0).toISOString();", 'domain/x.ts')).toEqual([]);
    expect(await ruleIds(code, 'api/x.ts')).toEqual([]);
  }, 60_000);
});
