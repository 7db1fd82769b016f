// No import cycle among the modules of readmodels/, api/ and cli/: leaf modules hold what many import (the SQL
// helpers, the case document, the table registry, the API's dependencies), so each module can be read,
// and loaded, on its own. Type-only imports count too: a cycle of types is the same tangle for a reader.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FOLDERS = ['readmodels', 'api', 'cli'];

function sourcesUnder(folder: string): string[] {
  return fs.readdirSync(path.join(ROOT, folder), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** The relative imports and re-exports of a module, as paths from the root (`.js` written, `.ts` on disk). */
export function importsOf(file: string, text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/gms)) {
    found.push(path.normalize(path.join(path.dirname(file), (m[1] as string).replace(/\.js$/, '.ts'))));
  }
  return found;
}

/** Each cycle once, as the modules along it, starting from its first module in sorted order. */
export function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next));
        const start = cycle.indexOf([...cycle].sort()[0] as string);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        cycles.set(rotated.join(' → '), rotated);
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return [...cycles.values()];
}

describe('imports', () => {
  it('given a graph with a loop, when searched, then the loop is found (the check can fail)', () => {
    const graph = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
    expect(cyclesOf(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    expect(cyclesOf(new Map([['a.ts', ['b.ts']], ['b.ts', []]]))).toEqual([]);
  });

  it('given a module, when read, then its imports, type imports and re-exports are found', () => {
    const text = "import { a } from './a.js';\nimport type {\n  B,\n} from '../b.js';\nexport { c } from './c/index.js';\nimport pg from 'pg';\n";
    expect(importsOf('readmodels/x.ts', text)).toEqual(['readmodels/a.ts', 'b.ts', 'readmodels/c/index.ts']);
  });

  it(`given ${FOLDERS.join(', ')}, when their imports are walked, then no module imports itself back`, () => {
    const graph = new Map<string, string[]>();
    for (const file of FOLDERS.flatMap(sourcesUnder)) graph.set(file, importsOf(file, fs.readFileSync(path.join(ROOT, file), 'utf8')));
    expect(graph.size).toBeGreaterThan(30);
    expect(cyclesOf(graph).map((c) => c.join(' → '))).toEqual([]);
  });
});
