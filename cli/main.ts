// The `mediation` command line: a small dispatcher on the first argument. Each subcommand gets the rest of
// argv and a writer, and returns its exit code (0 ok, 1 failure, 2 bad arguments), so tests run it in-process.
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { runAudit } from './audit.js';
import { runDeadline } from './deadline.js';
import { runProjections } from './projections.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

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

interface Command {
  summary: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

const commands: Record<string, Command> = {
  deadline: { summary: 'the due date of a period in days on the Chinese working-day calendar', run: runDeadline },
  projections: { summary: 'rebuild the read models from the event log into a fresh schema and swap it in', run: runProjections },
  audit: { summary: "the auditor's replay: timeline, state as of a moment, chain verification, compare with the workflow, dossier", run: runAudit },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['Usage: mediation <command> [options]', '', 'Commands:', ...lines, '', "Run 'mediation <command> --help' for a command's options."].join('\n');
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(usage());
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    io.err(`error: unknown command '${name}'`);
    io.err(usage());
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
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
