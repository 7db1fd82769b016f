// Child processes of the stack: started in their own process group (so Ctrl-C reaches us, and we stop
// them in order), their output appended to a log file, their pid recorded so that a crashed run's
// leftovers are found and stopped at the next start.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface Service {
  name: string;
  child: ChildProcess;
  logFile: string;
  pidFile: string;
}

export function startProcess(opts: {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  pidFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}): Service {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  fs.mkdirSync(path.dirname(opts.pidFile), { recursive: true });
  const out = fs.openSync(opts.logFile, 'a');
  fs.writeSync(out, `\n--- ${new Date().toISOString()} starting ${opts.command} ${opts.args.join(' ')}\n`);
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', out, out],
    detached: true,
  });
  fs.closeSync(out);
  if (child.pid !== undefined) fs.writeFileSync(opts.pidFile, String(child.pid));
  return { name: opts.name, child, logFile: opts.logFile, pidFile: opts.pidFile };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// SIGTERM to the whole group, then SIGKILL after the grace period: nothing is left holding a port.
export async function stopProcessGroup(pid: number, graceMs = 15_000): Promise<void> {
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  if (!isAlive(pid)) return;
  signalGroup('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await sleep(100);
  }
  signalGroup('SIGKILL');
  while (isAlive(pid)) await sleep(50);
}

export async function stopService(service: Service, graceMs?: number): Promise<void> {
  if (service.child.pid !== undefined) {
    const exited = new Promise<void>((resolve) => {
      if (service.child.exitCode !== null || service.child.signalCode !== null) resolve();
      else service.child.once('exit', () => resolve());
    });
    await stopProcessGroup(service.child.pid, graceMs);
    await exited;
  }
  fs.rmSync(service.pidFile, { force: true });
}

// A previous run killed hard (SIGKILL, a closed terminal) leaves its servers behind: stop them first.
export async function stopStale(pidFile: string, expectInCommandLine: string): Promise<boolean> {
  if (!fs.existsSync(pidFile)) return false;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  fs.rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return false;
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return false;
  }
  if (!cmdline.includes(expectInCommandLine)) return false; // the pid was reused by something else
  await stopProcessGroup(pid);
  return true;
}

export function portIsOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; service?: Service },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  while (Date.now() < deadline) {
    if (opts.service && opts.service.child.exitCode !== null) {
      throw new StartError(opts.service.name, `${what}: the process exited with code ${opts.service.child.exitCode}`, opts.service.logFile);
    }
    if (await check()) return;
    await sleep(200);
  }
  throw new StartError(opts.service?.name ?? what, `${what}: not ready after ${Math.round(opts.timeoutMs / 1000)} s`, opts.service?.logFile);
}

// A failed start names the piece, shows the tail of its log and says how to retry.
export class StartError extends Error {
  constructor(
    readonly piece: string,
    readonly detail: string,
    readonly logFile?: string,
  ) {
    super(`${piece} failed to start: ${detail}`);
  }
  report(retryCommand: string): string {
    const tail = this.logFile ? tailOf(this.logFile, 30) : '';
    return [
      `${this.piece} failed to start: ${this.detail}`,
      ...(this.logFile ? [`last lines of ${this.logFile}:`, tail] : []),
      `retry with: ${retryCommand}`,
    ].join('\n');
  }
}

export function tailOf(file: string, lines: number): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-lines - 1).join('\n');
  } catch {
    return '(no log)';
  }
}

export function commandExists(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
