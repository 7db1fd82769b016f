// docs/configuration.md is the configuration schema written out: it must say what the schema says.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configurationVariables } from '../../runtime/config.js';
import { configurationMarkdown } from '../../runtime/config-doc.js';

describe('docs/configuration.md', () => {
  it('is up to date with runtime/config.ts (npm run docs:config writes it)', () => {
    const written = fs.readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(written, 'docs/configuration.md is out of date: run npm run docs:config').toBe(configurationMarkdown());
  });

  it('lists every variable of the schema, with its default', () => {
    const doc = configurationMarkdown();
    for (const name of Object.keys(configurationVariables)) expect(doc).toContain(`| \`${name}\` |`);
    expect(doc).toMatch(/\| `KEY_STORE_SCHEMA` \| string \| `keys` \|/);
    expect(doc).toMatch(/\| `API_PORT` \| integer 1–65535 \| `8080` \|/);
  });
});
