// The README is for a newcomer and stays short; the reference it points to must exist. Given the README, the
// pages under docs/ and the folders' READMEs, then the README is at most 200 lines, every relative link names a
// file (or folder) of the repository, and a link to a heading names a heading that page has. The
// authorisation page lists every operation of the table in api/authz.ts, which is the rule it describes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../api/authz.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const README = path.join(ROOT, 'README.md');
const MAX_README_LINES = 200;

// Folders that are not the project's own pages: installed packages, builds, data of the local stacks.
const NOT_PAGES = new Set(['node_modules', 'dist', '.data', '.git', 'artifacts']);

function markdownFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return NOT_PAGES.has(entry.name) || entry.name.startsWith('.') ? [] : markdownFiles(full);
    return entry.name.endsWith('.md') ? [full] : [];
  });
}

/** Relative links of a Markdown page: `[text](target)`, `![alt](target)` and `<img src="target">`, outside code. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const targets = [...prose.matchAll(/\]\(([^)\s]+)\)/g), ...prose.matchAll(/<img[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1]!);
  return targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const headings = markdown.replace(/```[\s\S]*?```/g, '').match(/^#{1,6}\s+.+$/gm) ?? [];
  return new Set(headings.map((h) => headingAnchor(h.replace(/^#+\s+/, ''))));
}

const pages = markdownFiles(ROOT);

describe('README.md and the pages it leads to', () => {
  it(`keeps the README to at most ${MAX_README_LINES} lines`, () => {
    const lines = fs.readFileSync(README, 'utf8').split('\n').length;
    expect(lines).toBeLessThanOrEqual(MAX_README_LINES);
  });

  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const link of relativeLinks(fs.readFileSync(page, 'utf8'))) {
        const [file = '', anchor] = link.split('#');
        const target = file === '' ? page : path.resolve(path.dirname(page), decodeURIComponent(file));
        const where = `${path.relative(ROOT, page)} → ${link}`;
        if (!fs.existsSync(target)) broken.push(`${where}: no such file`);
        else if (anchor && target.endsWith('.md') && !anchorsOf(fs.readFileSync(target, 'utf8')).has(anchor)) broken.push(`${where}: no such heading`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('lists every operation of the authorisation table in docs/authorisation.md', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'authorisation.md'), 'utf8');
    expect(OPERATIONS.filter((operation) => !doc.includes(`\`${operation}\``))).toEqual([]);
  });

  it('finds a broken link, a missing heading and a code span that is not a link', () => {
    expect(relativeLinks('see [a](docs/a.md#b), ![c](d.png), <img src="e.png" alt="">, `[x](y.md)`, [w](https://x.org)')).toEqual(['docs/a.md#b', 'd.png', 'e.png']);
    expect(headingAnchor('Secured connections (TLS, mTLS, API keys, SASL)')).toBe('secured-connections-tls-mtls-api-keys-sasl');
    expect(headingAnchor('The `mediation` command')).toBe('the-mediation-command');
  });
});
