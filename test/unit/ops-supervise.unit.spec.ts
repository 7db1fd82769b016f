// `npm start`'s supervisor with real child processes: a piece that exits by itself is started again after
// a doubling pause and its restart is logged; a piece that keeps failing stops the stack; after stop(),
// exits are expected and nothing restarts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startProcess, stopService, type Service } from '../../ops/proc.js';
import { createSupervisor } from '../../ops/supervise.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'supervise-'));
const started: Service[] = [];

/** A node process that lives `ms` milliseconds (or until stopped). */
function piece(name: string, ms: number): Service {
  const service = startProcess({
    name,
    command: process.execPath,
    args: ['-e', `setTimeout(() => process.exit(3), ${ms})`],
    logFile: path.join(dir, `${name}.log`),
    pidFile: path.join(dir, `${name}.pid`),
  });
  started.push(service);
  return service;
}

function recorder() {
  const lines: Array<{ level: string; msg: string; fields: Record<string, unknown> }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, msg, fields });
  return { lines, log: { warn: at('warn'), error: at('error'), info: at('info') } as never };
}

const until = async (what: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!what() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return what();
};

afterEach(async () => {
  for (const s of started.splice(0)) await stopService(s, 1_000);
});

describe('npm start supervisor', () => {
  it('restarts a piece that crashed, after a pause that doubles, and says so', async () => {
    const { lines, log } = recorder();
    let gaveUp = '';
    const supervisor = createSupervisor({ log, onGiveUp: (s) => (gaveUp = s), firstPauseMs: 50, maxCrashes: 5 });
    let restarts = 0;
    // Crashes twice quickly, then stays up.
    supervisor.watch(piece('worker', 50), async () => piece('worker', ++restarts < 2 ? 50 : 60_000));
    expect(await until(() => restarts === 2 && lines.filter((l) => l.msg === 'worker restarted').length === 2)).toBe(true);
    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings.map((w) => w.fields.restartInSeconds)).toEqual([0.05, 0.1]);
    expect(warnings[0]!.fields).toMatchObject({ service: 'worker', code: 3, attempt: 1 });
    expect(gaveUp).toBe('');
    const now = supervisor.services()[0]!;
    expect(now.child.pid).toBe(started[started.length - 1]!.child.pid);
    expect(now.child.exitCode).toBeNull();
    supervisor.stop();
  });

  it('stops the stack when a piece keeps failing', async () => {
    const { lines, log } = recorder();
    let gaveUp = '';
    const supervisor = createSupervisor({ log, onGiveUp: (s) => (gaveUp = s), firstPauseMs: 10, maxCrashes: 2 });
    supervisor.watch(piece('api', 30), async () => piece('api', 30));
    expect(await until(() => gaveUp !== '')).toBe(true);
    expect(gaveUp).toBe('api');
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(2);
    expect(lines.at(-1)).toMatchObject({ level: 'error', fields: { service: 'api', crashes: 3 } });
  });

  it('restarts nothing once stopped', async () => {
    const { lines, log } = recorder();
    const supervisor = createSupervisor({ log, onGiveUp: () => undefined, firstPauseMs: 10 });
    let restarts = 0;
    const first = piece('oidc', 100);
    supervisor.watch(first, async () => (restarts++, piece('oidc', 60_000)));
    supervisor.stop();
    await new Promise<void>((r) => first.child.once('exit', () => r()));
    await new Promise((r) => setTimeout(r, 100));
    expect(restarts).toBe(0);
    expect(lines).toEqual([]);
  });
});
