// mediation projections rebuild [--schema NAME] [--no-swap] [--keep-old] [--timeout SECONDS] [--force]
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadAppConfig } from '../runtime/config.js';
import { createLogger } from '../runtime/log.js';
import { openDb } from '../readmodels/db.js';
import { readModelDbOptions } from '../runtime/clients.js';
import { rebuildProjections, type RebuildProgress } from '../readmodels/rebuild.js';
import type { Command } from 'commander';
import type { CliIo } from './io.js';

const ABOUT = [
  'Rebuilds every read model from the event log: reads the topic from offset 0 with a fresh consumer group',
  'into a fresh schema (<schema>_rebuild_<stamp>) until it has caught up with the end of the topic as it was',
  'at the start, then swaps it in for the live schema in one transaction and drops the old one. The live',
  'projector keeps running and continues in the rebuilt schema from its checkpoint. Progress goes to',
  'stderr; the result (one JSON object) to stdout.',
].join(' ');
const ENVIRONMENT = [
  '',
  'Environment: KAFKA_BROKERS, KAFKA_TOPIC, DATABASE_URL (else PGLITE_PATH), READMODEL_SCHEMA.',
  'PGlite is one process: with PGLITE_PATH, stop the API (which hosts the live projector) first; the',
  'command refuses a PGlite directory that another process has open.',
].join('\n');

function badArgument(io: CliIo, message: string): number {
  io.err(`error: ${message}`);
  io.err("Run 'mediation projections --help' for usage.");
  return 2;
}

interface RebuildOptions {
  schema?: string;
  swap: boolean;
  keepOld: boolean;
  timeout?: string;
  force: boolean;
}

export function registerProjections(parent: Command, io: CliIo, result: { code: number }, env: NodeJS.ProcessEnv): void {
  const projections = parent
    .command('projections')
    .summary('rebuild the read models from the event log into a fresh schema and swap it in')
    .usage('rebuild [options]')
    .helpCommand(false)
    .showHelpAfterError("Run 'mediation projections --help' for usage.");
  projections
    .command('rebuild')
    .summary('rebuild every read model into a fresh schema and swap it in')
    .description(ABOUT)
    .usage('[--schema NAME] [--no-swap] [--keep-old] [--timeout SECONDS] [--force]')
    .option('--schema <NAME>', 'the live schema to replace (default: READMODEL_SCHEMA, else rm)')
    .option('--no-swap', 'build the new schema and leave it beside the live one')
    .option('--keep-old', 'keep the replaced schema as <schema>_old_<stamp> instead of dropping it', false)
    .option('--timeout <SECONDS>', 'give up if not caught up by then (default 3600)')
    .option('--force', 'open a PGlite directory even though it looks open elsewhere', false)
    .helpOption('-h, --help', 'show this help')
    .showHelpAfterError("Run 'mediation projections --help' for usage.")
    .addHelpText('after', ENVIRONMENT)
    .action(async (values: RebuildOptions) => {
      result.code = await rebuild(values, io, env);
    });
}

async function rebuild(values: RebuildOptions, io: CliIo, env: NodeJS.ProcessEnv): Promise<number> {
  let config;
  try {
    config = loadAppConfig(values.schema === undefined ? env : { ...env, READMODEL_SCHEMA: values.schema });
  } catch (error) {
    if (error instanceof ConfigError) return badArgument(io, values.schema !== undefined && /READMODEL_SCHEMA/.test(error.message) ? `--schema '${values.schema}' is not a lower-case SQL identifier` : error.message);
    throw error;
  }
  if (config.READMODEL_SCHEMA.length > 40) return badArgument(io, `--schema '${config.READMODEL_SCHEMA}' is too long (at most 40 characters leaves room for the stamp)`);
  let timeoutMs = 3_600_000;
  if (values.timeout !== undefined) {
    const seconds = /^\d+$/.test(values.timeout) ? Number(values.timeout) : Number.NaN;
    if (!Number.isSafeInteger(seconds) || seconds < 1) return badArgument(io, `--timeout '${values.timeout}' must be a whole number of seconds, at least 1`);
    timeoutMs = seconds * 1000;
  }

  if (!config.DATABASE_URL && !config.PGLITE_PATH) return badArgument(io, 'no database: set DATABASE_URL or PGLITE_PATH');
  const dbOptions = readModelDbOptions(config);
  // PGlite has no lock of its own: two processes on one directory corrupt it. It keeps a postmaster.pid
  // while open and removes it on close.
  if ('pglitePath' in dbOptions && !values.force && existsSync(path.join(dbOptions.pglitePath, 'postmaster.pid'))) {
    io.err(`error: the PGlite directory ${dbOptions.pglitePath} is open in another process (the API?): stop it first, or use --force if that process is gone`);
    return 1;
  }
  const log = createLogger('projections', env.LOG_LEVEL === undefined ? 'warn' : config.LOG_LEVEL);
  const db = await openDb(dbOptions);
  try {
    const result = await rebuildProjections({
      db,
      schema: config.READMODEL_SCHEMA,
      brokers: config.kafka,
      topic: config.KAFKA_TOPIC,
      groupPrefix: config.PROJECTOR_GROUP_ID,
      log,
      swap: values.swap,
      keepOld: values.keepOld,
      timeoutMs,
      onProgress: (p) => io.err(progressLine(p)),
    });
    io.err(
      result.swapped
        ? `rebuild: ${result.rebuiltSchema} swapped in as ${result.liveSchema}${result.oldSchema ? ` (old tables kept in ${result.oldSchema})` : ''}`
        : `rebuild: ${result.rebuiltSchema} built beside ${result.liveSchema} (not swapped)`,
    );
    io.out(JSON.stringify(result));
    return 0;
  } finally {
    await db.close();
  }
}

function progressLine(p: RebuildProgress): string {
  const percent = p.total > 0 ? ` (${Math.min(100, Math.floor((p.read * 100) / p.total))}%)` : '';
  return `rebuild: ${p.read.toLocaleString('en')}/${p.total.toLocaleString('en')} events${percent}, ${p.eventsPerSecond.toLocaleString('en')} events/s, ${p.parked} parked, ${(p.elapsedMs / 1000).toFixed(1)} s`;
}
