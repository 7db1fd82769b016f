// Builds the staff console (console/, Vite) into dist/console when its sources changed: the hash of the
// console's files, the engine modules it imports (events/, domain/, audit/, api/ types) and the lockfile
// is kept beside the build, so an unchanged tree is not rebuilt (about 10–30 s otherwise).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../runtime/log.js';
import { repoRoot } from './config.js';

export const CONSOLE_OUT = path.join(repoRoot, 'dist', 'console');
const SOURCES = ['console', 'events', 'domain', 'audit', 'api', 'package-lock.json'];
const MARKER = path.join(CONSOLE_OUT, '.source-hash');

function filesUnder(p: string): string[] {
  const full = path.join(repoRoot, p);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return [p];
  return fs
    .readdirSync(full, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && e.name !== 'node_modules')
    .flatMap((e) => filesUnder(path.join(p, e.name)));
}

export function consoleSourceHash(): string {
  const hash = crypto.createHash('sha256');
  for (const file of SOURCES.flatMap(filesUnder).sort()) {
    hash.update(file).update('\0').update(fs.readFileSync(path.join(repoRoot, file))).update('\0');
  }
  return hash.digest('hex');
}

export interface ConsoleBuild {
  cached: boolean;
  seconds: number;
  /** Bytes of the JavaScript and CSS the first page loads, and of all assets. */
  entryBytes: number;
  totalBytes: number;
}

export async function buildConsole(log: Logger): Promise<ConsoleBuild> {
  const t0 = Date.now();
  const digest = consoleSourceHash();
  if (fs.existsSync(MARKER) && fs.readFileSync(MARKER, 'utf8') === digest && fs.existsSync(path.join(CONSOLE_OUT, 'index.html'))) {
    return { cached: true, seconds: 0, ...bundleSize() };
  }
  log.info({ out: CONSOLE_OUT }, 'building the staff console (vite build)');
  const vite = path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  const child = spawn(process.execPath, [vite, 'build', '--config', path.join(repoRoot, 'console', 'vite.config.ts')], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`the console build failed (vite exit ${code}):\n${output.slice(-4000)}\nfix the error above, then run again`);
  fs.writeFileSync(MARKER, digest);
  const size = bundleSize();
  log.info({ seconds: (Date.now() - t0) / 1000, ...size }, 'console built');
  return { cached: false, seconds: (Date.now() - t0) / 1000, ...size };
}

/** What the browser fetches for the first page (index.html's own script and style tags), and the whole build. */
export function bundleSize(): { entryBytes: number; totalBytes: number } {
  const index = fs.readFileSync(path.join(CONSOLE_OUT, 'index.html'), 'utf8');
  const entry = [...index.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
  const size = (f: string) => fs.statSync(path.join(CONSOLE_OUT, f)).size;
  const all = fs.readdirSync(path.join(CONSOLE_OUT, 'assets')).map((f) => `assets/${f}`);
  return { entryBytes: entry.reduce((a, f) => a + size(f), 0), totalBytes: all.reduce((a, f) => a + size(f), 0) };
}
