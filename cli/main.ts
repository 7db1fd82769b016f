// The `mediation` command line, on commander: one program, a command per task, help and argument errors
// from the framework. Every command writes through a CliIo and sets an exit code (0 ok, 1 failure, 2 bad
// arguments), so tests run it in-process.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import type { Calendar } from '../domain/calendar/index.js';
import { registerApi } from './api.js';
import { processIo, type CliIo } from './io.js';
import { registerAudit, type AuditDeps } from './audit.js';
import { registerDeadline } from './deadline.js';
import { registerProjections } from './projections.js';

/**
 * `mediation audit … | head`: when the reader closes the pipe, the next write fails with EPIPE. That is
 * not an error of the command: end quietly, as Unix tools do, instead of printing a stack trace.
 */
export function endQuietlyOnClosedPipe(stream: NodeJS.EventEmitter, exit: (code: number) => void = (code) => process.exit(code)): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') exit(0);
    else throw error;
  });
}

/** What tests replace: the environment, the auditor's dependencies, the calendar. */
export interface CliOverrides {
  env?: NodeJS.ProcessEnv;
  audit?: Partial<AuditDeps>;
  calendar?: Calendar;
}

const lines = (write: (line: string) => void) => (text: string) => {
  for (const line of text.replace(/\n$/, '').split('\n')) write(line);
};

export function buildProgram(io: CliIo, result: { code: number }, overrides: CliOverrides = {}): Command {
  const env = overrides.env ?? process.env;
  const program = new Command('mediation')
    .description('Labour-dispute mediation engine: deadlines on the Chinese calendar, the auditor\'s replay, read-model rebuilds, the API.')
    .usage('<command> [options]')
    .exitOverride()
    .configureOutput({ writeOut: lines(io.out), writeErr: lines(io.err), outputError: (text, write) => write(text) })
    .showHelpAfterError("Run 'mediation --help' for usage.")
    .helpCommand(false)
    .addHelpText('after', "\nRun 'mediation <command> --help' for a command's options.");
  registerDeadline(program, io, result, overrides.calendar);
  registerProjections(program, io, result, env);
  registerAudit(program, io, result, { ...(overrides.env ? { env: overrides.env } : {}), ...overrides.audit });
  registerApi(program, io, result, env);
  return program;
}

/** Runs the command line; the exit code. Commander's own errors (unknown option, missing value) are 2. */
export async function runCli(argv: string[], io: CliIo = processIo, overrides: CliOverrides = {}): Promise<number> {
  const result = { code: 0 };
  const program = buildProgram(io, result, overrides);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return result.code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

/** `mediation audit <argv…>` in-process (tests): the exit code. */
export function runAudit(argv: string[], io: CliIo, overrides: Partial<AuditDeps> = {}): Promise<number> {
  return runCli(['audit', ...argv], io, { audit: overrides });
}

/** `mediation projections <argv…>` in-process (tests): the exit code. */
export function runProjections(argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCli(['projections', ...argv], io, { env });
}

export type { CliIo };

export function main(argv: string[], io: CliIo = processIo): Promise<number> {
  return runCli(argv, io);
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  endQuietlyOnClosedPipe(process.stdout);
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
