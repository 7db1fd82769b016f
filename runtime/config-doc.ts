// docs/configuration.md, written from the configuration schema (runtime/config.ts): each variable with its
// type, default and description. `npm run docs:config` writes it; test/unit/config-doc.unit.spec.ts fails
// when the file and the schema disagree.
import { z } from 'zod';
import { configurationGroups } from './config.js';

interface JsonSchema {
  type?: string;
  enum?: readonly unknown[];
  default?: unknown;
  description?: string;
  minimum?: number;
  maximum?: number;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(', ');
  if (s.type === 'integer') {
    const max = s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER ? s.maximum : undefined;
    if (s.minimum !== undefined && max !== undefined) return `integer ${s.minimum}–${max}`;
    if (s.minimum !== undefined) return `integer ≥ ${s.minimum}`;
    return 'integer';
  }
  return s.type ?? 'string';
}

/** The variables as a Markdown document. A variable without a description is an error: the schema must say what it is for. */
export function configurationMarkdown(): string {
  const out = [
    '# Configuration',
    '',
    '<!-- Written by `npm run docs:config` from runtime/config.ts; edit the schema, not this file. -->',
    '',
    'Every process reads its settings from these environment variables, and only through the schema in',
    '`runtime/config.ts`: a bad value stops the process with the variable named. `npm start` sets what the',
    'local stack needs.',
  ];
  for (const group of configurationGroups) {
    const properties = (z.toJSONSchema(z.object(group.variables), { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, JsonSchema> }).properties;
    out.push('', `## ${group.title}`, '', '| Variable | Type | Default | Description |', '| --- | --- | --- | --- |');
    for (const [name, s] of Object.entries(properties)) {
      if (!s.description) throw new Error(`${name}: no description in the schema (add .describe(…))`);
      const fallback = s.default === undefined ? '' : `\`${typeof s.default === 'string' ? s.default : JSON.stringify(s.default)}\``;
      out.push(`| \`${name}\` | ${cell(typeOf(s))} | ${cell(fallback)} | ${cell(s.description)} |`);
    }
  }
  return out.join('\n') + '\n';
}
