// The command reference is generated from the authority table; this fails when the file is not current.
// Rewrite it with: UPDATE_DOCS=1 npx vitest run test/unit/case-commands-doc.unit.spec.ts
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allowedRoles, preconditions } from '../../domain/case/authority.js';
import { COMMAND_TYPES } from '../../domain/case/commands.js';
import { commandReference } from '../../domain/case/reference.js';

const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../domain/case/COMMANDS.md');

describe('domain/case/COMMANDS.md', () => {
  it('documents every command with its roles and preconditions', () => {
    expect(Object.keys(preconditions).sort()).toEqual([...COMMAND_TYPES].sort());
    const doc = commandReference();
    for (const type of COMMAND_TYPES) {
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${type}\` |`));
      expect(row, type).toBeDefined();
      for (const role of allowedRoles[type]) expect(row).toContain(`\`${role}\``);
    }
  });

  it('is the generated reference, current with the authority table', () => {
    if (process.env['UPDATE_DOCS'] === '1') fs.writeFileSync(FILE, commandReference());
    expect(fs.readFileSync(FILE, 'utf8')).toBe(commandReference());
  });
});
