// mediation audit replay|as-of|verify|compare|export — the auditor's commands (audit/ holds the logic).
// Exit codes: 0 ok; 1 faults or differences found, or the log could not be read; 2 bad arguments or
// configuration. Reports go to stdout (human-readable, or one JSON document with --json); warnings,
// errors and progress go to stderr.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import {
  compareWithWorkflow,
  describeSource,
  exportDossier,
  loadCase,
  readCaseEvents,
  SourceError,
  stateAsOf,
  timeline,
  verifyLog,
  type EventSource,
  type LoadedCase,
  type ScanProgress,
} from '../audit/index.js';
import { renderAsOf, renderCaseVerification, renderComparison, renderLogVerification, renderTimeline } from '../audit/render.js';
import { ConfigError, loadAppConfig, type AppConfig } from '../runtime/config.js';
import { describeTemporal } from '../runtime/secure-connections.js';
import type { DbOptions } from '../readmodels/db.js';
import { endOfChinaDay, isIsoDate } from '../domain/calendar/index.js';
import type { CaseView } from '../workflows/messages.js';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { processIo, type CliIo } from './io.js';

/** The case workflows' caseView query, over one connection (audit compare). */
export interface WorkflowViews {
  view(caseId: string): Promise<CaseView>;
  close(): Promise<void>;
}

/** What the commands need from outside; tests replace parts of it. */
export interface AuditDeps {
  env: NodeJS.ProcessEnv;
  now(): Date;
  workflows(config: AppConfig): Promise<WorkflowViews>;
  /** Without a terminal, one progress line per this many milliseconds (verify --all). */
  progressIntervalMs: number;
}

const defaultDeps: AuditDeps = {
  env: process.env,
  now: () => new Date(),
  workflows: connectWorkflows,
  progressIntervalMs: 5_000,
};

// ------------------------------------------------------------------ arguments (commander)

/** The options of the subcommands, as commander parses them (each subcommand declares the ones it takes). */
interface AuditOptions {
  from: 'kafka' | 'archive';
  json?: boolean;
  showPersonalData?: boolean;
  allPartitions?: boolean;
  all?: boolean;
  threads?: number;
  output?: string;
}

interface Context {
  io: CliIo;
  deps: AuditDeps;
  config: AppConfig;
  options: AuditOptions;
}

class BadArgument extends Error {}

const SOURCE_HELP = [
  'The log is read from the Kafka topic by default (KAFKA_BROKERS, KAFKA_TOPIC): the case\'s events are on the',
  'partition its case number hashes to. --from archive reads the read models\' event_archive table instead',
  '(DATABASE_URL, or PGLITE_PATH with the API stopped — PGlite is single-process — and READMODEL_SCHEMA);',
  'the archive holds what the projector has applied so far.',
];

const EXIT_CODES = 'Exit codes: 0 ok; 1 faults or differences found, or the log could not be read; 2 bad arguments.';

function caseNumber(text: string): string {
  if (text.length > 200 || /\s/.test(text) || text.startsWith('-')) throw new InvalidArgumentError(`'${text}' is not a case number`);
  return text;
}

function moment(text: string): string {
  const parsed = parseMoment(text);
  if (parsed === null) {
    throw new InvalidArgumentError(`'${text}' is not a time: use an ISO instant (2025-09-20T10:00:00Z, 2025-09-20T10:00+08:00), a Beijing local time (2025-09-20T10:00) or a date (2025-09-20)`);
  }
  return parsed;
}

function threadCount(text: string): number {
  if (!/^\d{1,2}$/.test(text) || Number(text) > 64) throw new InvalidArgumentError(`'${text}' must be a whole number from 0 to 64`);
  return Number(text);
}

const option = {
  from: () => new Option('--from <kafka|archive>', "where to read the log: the Kafka topic or the read models' event archive").choices(['kafka', 'archive']).default('kafka'),
  json: () => new Option('--json', 'one JSON document on stdout instead of the report'),
  showPersonalData: () => new Option('--show-personal-data', 'print names, ID numbers and phones (default: redacted to their ref)'),
  allPartitions: () => new Option('--all-partitions', 'Kafka: scan every partition, not only the one the case number hashes to'),
};

/** `mediation audit …`: the auditor's subcommands, each with its arguments and options declared to commander. */
export function registerAudit(parent: Command, io: CliIo, result: { code: number }, overrides: Partial<AuditDeps> = {}): void {
  const deps: AuditDeps = { ...defaultDeps, ...overrides };
  const audit = parent
    .command('audit')
    .summary("the auditor's replay: timeline, state as of a moment, chain verification, compare with the workflow, dossier")
    .description("Auditor's commands: replay a case from the event log, verify its hash chain, compare it with the workflow.")
    .usage('<command> [options]')
    .helpCommand(false)
    .showHelpAfterError("Run 'mediation audit --help' for usage.")
    .addHelpText('after', ['', ...SOURCE_HELP, '', EXIT_CODES, "Run 'mediation audit <command> --help' for a command's options."].join('\n'));
  const subcommand = (name: string, summary: string, about: string[]) =>
    audit
      .command(name)
      .summary(summary)
      .description(about.join(' '))
      .allowExcessArguments(false)
      .helpOption('-h, --help', 'show this help')
      .showHelpAfterError(`Run 'mediation audit ${name} --help' for usage.`)
      .addHelpText('after', ['', ...SOURCE_HELP, '', EXIT_CODES].join('\n'))
      .addOption(option.from());
  const run = (name: string, fn: (ctx: Context) => Promise<number>) => async (options: AuditOptions) => {
    result.code = await runSubcommand(name, options, fn, io, deps);
  };

  subcommand('replay', "the case's timeline: every event, actor, reason and clock change", [
    "Replays the case's log, oldest first: for each event its time, sequence, type, actor (id, role, department),",
    'the case status it moved to, its reason and notes, its data, and what it did to each SLA clock (started,',
    'paused, resumed, extended, warned, breached, stopped, cancelled, rescheduled).',
    'The chain is verified first; a faulty log is still replayed (one event per sequence) with a warning.',
  ])
    .argument('<case>', 'the case number', caseNumber)
    .addOption(option.json())
    .addOption(option.showPersonalData())
    .addOption(option.allPartitions())
    .action((caseId: string, options: AuditOptions) => run('replay', (ctx) => runReplay(ctx, caseId))(options));

  subcommand('as-of', 'the state and clocks of the case at a moment', [
    'Folds the events that had occurred by <time> and evaluates the SLA clocks at that moment (time left,',
    'overdue, warnings due). <time> is an ISO instant with Z or an offset (2025-09-20T10:00:00+08:00), a',
    'local time without one, taken as Beijing time (2025-09-20T10:00), or a date, meaning the end of that',
    'day in Beijing (2025-09-20).',
  ])
    .argument('<case>', 'the case number', caseNumber)
    .argument('<time>', 'the moment: an ISO instant, a Beijing local time or a date', moment)
    .addOption(option.json())
    .addOption(option.allPartitions())
    .action((caseId: string, asOf: string, options: AuditOptions) => run('as-of', (ctx) => runAsOf(ctx, caseId, asOf))(options));

  subcommand('verify', 'the hash chain, gaps, duplicates and schema validity of one case or of the whole log', [
    'Checks the events exactly as stored: each hash, each link to the previous event, sequences 1..n without',
    'gap, duplicate or reordering, the personal-data commitments, and each event against its schema.',
    'Every fault is reported with its case, sequence, kind and where the record sits; the exit code is 1.',
    'A log cut off after its last events is a valid shorter chain: audit compare checks it against the',
    "workflow's head. --all reads the whole log once (progress on stderr: a bar on a terminal, else a line",
    'every few seconds) and reports every faulty case; from Kafka, worker threads verify the cases in parallel',
    '(--threads).',
  ])
    .argument('[case]', 'the case number (or --all)', caseNumber)
    .addOption(option.json())
    .addOption(option.allPartitions())
    .option('--all', 'every case in the log, with progress on stderr')
    .option('--threads <n>', 'verify --all from Kafka: worker threads that verify in parallel (default: one per core, at most 8, on a log of 20,000 events or more; 0 = none)', threadCount)
    .action((caseId: string | undefined, options: AuditOptions) => run('verify', (ctx) => runVerify(ctx, caseId))(options));

  subcommand('compare', "the replayed state against the running workflow's", [
    "Folds the case's log and compares the result, field by field, with what the case workflow reports",
    '(TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE): the state, the clocks, the chain head (lastHash) and the last',
    'published sequence. Every difference is listed with its path; the exit code is then 1. Events the',
    'workflow has decided but not yet published are waited for (up to 10 s).',
  ])
    .argument('<case>', 'the case number', caseNumber)
    .addOption(option.json())
    .addOption(option.allPartitions())
    .action((caseId: string, options: AuditOptions) => run('compare', (ctx) => runCompare(ctx, caseId))(options));

  subcommand('export', 'the case dossier as JSON: events, state, clocks, timeline, verification', [
    'Writes one JSON document: the events as stored (personal fields reduced to the commitment the hash',
    'covers, so the chain stays checkable, unless --show-personal-data), their verification, the replayed',
    'state, the clocks as of now, and the timeline. The exit code is 1 when the log has faults.',
  ])
    .argument('<case>', 'the case number', caseNumber)
    .option('-o, --output <file>', 'write the dossier to FILE instead of stdout')
    .addOption(option.showPersonalData())
    .addOption(option.allPartitions())
    .action((caseId: string, options: AuditOptions) => run('export', (ctx) => runExport(ctx, caseId))(options));
}

function badArgument(io: CliIo, message: string, name: string): number {
  io.err(`error: ${message}`);
  io.err(`Run 'mediation audit ${name} --help' for usage.`);
  return 2;
}

async function runSubcommand(name: string, options: AuditOptions, fn: (ctx: Context) => Promise<number>, io: CliIo, deps: AuditDeps): Promise<number> {
  if (options.allPartitions && options.from === 'archive') return badArgument(io, '--all-partitions applies to the Kafka topic, not to --from archive', name);
  if (options.allPartitions && options.all) return badArgument(io, '--all reads every partition already; drop --all-partitions', name);

  let config: AppConfig;
  try {
    config = loadAppConfig(deps.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  try {
    return await fn({ io, deps, config, options });
  } catch (error) {
    if (error instanceof BadArgument) return badArgument(io, error.message, name);
    if (error instanceof SourceError || error instanceof WorkflowUnavailable) {
      io.err(`error: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

// ------------------------------------------------------------------ helpers

/**
 * An instant from the command line: ISO with Z or an offset; without one, Beijing time; a date alone is
 * the end of that day in Beijing (its last millisecond). Null when it is none of these or not a real time.
 */
export function parseMoment(text: string): string | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    return isIsoDate(text) ? new Date(Date.parse(endOfChinaDay(text)) - 1).toISOString() : null;
  }
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/.exec(text);
  if (!match) return null;
  const [, date, hh, mm, ss = '00', frac = '', zone = '+08:00'] = match;
  if (!isIsoDate(date!) || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) return null;
  const ms = Date.parse(`${date}T${hh}:${mm}:${ss}${frac}${zone}`);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

async function withSource<T>(ctx: Context, fn: (source: EventSource) => Promise<T>): Promise<T> {
  if (ctx.options.from === 'kafka') {
    return fn({
      kind: 'kafka',
      brokers: ctx.config.kafka,
      topic: ctx.config.KAFKA_TOPIC,
      allPartitions: ctx.options.allPartitions === true,
    });
  }
  const { openDb } = await import('../readmodels/db.js');
  let options: DbOptions;
  let describe: string;
  if (ctx.config.DATABASE_URL) {
    options = { url: ctx.config.DATABASE_URL, ssl: ctx.config.postgresSsl };
    const url = new URL(ctx.config.DATABASE_URL);
    url.password = '';
    describe = `PostgreSQL ${url.toString()}`;
  } else if (ctx.config.PGLITE_PATH) {
    if (!existsSync(ctx.config.PGLITE_PATH)) throw new BadArgument(`PGLITE_PATH ${ctx.config.PGLITE_PATH} does not exist`);
    options = { pglitePath: ctx.config.PGLITE_PATH };
    describe = `PGlite ${ctx.config.PGLITE_PATH}`;
  } else {
    throw new BadArgument('--from archive needs DATABASE_URL (a PostgreSQL server) or PGLITE_PATH (a PGlite directory)');
  }
  let db;
  try {
    db = await openDb(options);
  } catch (error) {
    throw new SourceError(`cannot open the read-model database (${describe}): ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    return await fn({ kind: 'archive', db, schema: ctx.config.READMODEL_SCHEMA, describe });
  } finally {
    await db.close().catch(() => undefined);
  }
}

/** Reads, verifies and parses one case; null (after saying so) when the log has nothing of it. */
async function loadFrom(ctx: Context, source: EventSource, caseId: string): Promise<LoadedCase | null> {
  const records = await readCaseEvents(source, caseId);
  if (records.length === 0) {
    const hint = source.kind === 'kafka' && !source.allPartitions ? ' (its partition only; --all-partitions scans every one)' : '';
    ctx.io.err(`error: no events of case ${caseId} in ${describeSource(source)}${hint}`);
    return null;
  }
  return loadCase(caseId, records);
}

function warnIfFaulty(ctx: Context, loaded: LoadedCase): void {
  const n = loaded.verification.faults.length;
  if (n > 0) {
    ctx.io.err(
      `warning: the log of case ${loaded.caseId} has ${n} fault(s); replayed from the events that parse, one per sequence. ` +
        `Run 'mediation audit verify ${loaded.caseId}' for the report.`,
    );
  }
}

function noticePersonalData(ctx: Context): void {
  if (ctx.options.showPersonalData) ctx.io.err('notice: personal data is shown (--show-personal-data); handle this output accordingly');
}

function printJson(ctx: Context, value: unknown): void {
  ctx.io.out(JSON.stringify(value, null, 2));
}

// ------------------------------------------------------------------ the commands

async function runReplay(ctx: Context, caseId: string): Promise<number> {
  return withSource(ctx, async (source) => {
    const loaded = await loadFrom(ctx, source, caseId);
    if (!loaded) return 1;
    warnIfFaulty(ctx, loaded);
    noticePersonalData(ctx);
    const entries = timeline(loaded.events, { showPersonalData: ctx.options.showPersonalData === true });
    if (ctx.options.json) printJson(ctx, { caseId, source: describeSource(source), verification: loaded.verification, timeline: entries });
    else for (const line of renderTimeline(caseId, describeSource(source), entries)) ctx.io.out(line);
    return loaded.verification.ok ? 0 : 1;
  });
}

async function runAsOf(ctx: Context, caseId: string, asOf: string): Promise<number> {
  return withSource(ctx, async (source) => {
    const loaded = await loadFrom(ctx, source, caseId);
    if (!loaded) return 1;
    warnIfFaulty(ctx, loaded);
    const result = stateAsOf(loaded.events, asOf);
    if (ctx.options.json) printJson(ctx, { caseId, source: describeSource(source), verification: loaded.verification, ...result });
    else for (const line of renderAsOf(caseId, result)) ctx.io.out(line);
    return loaded.verification.ok ? 0 : 1;
  });
}

async function runVerify(ctx: Context, caseId: string | undefined): Promise<number> {
  if (ctx.options.threads !== undefined && !ctx.options.all) throw new BadArgument('--threads applies to verify --all');
  const threads = ctx.options.threads;
  if (ctx.options.all) {
    if (caseId !== undefined) throw new BadArgument(`give a case number or --all, not both (got '${caseId}')`);
    return withSource(ctx, async (source) => {
      const progress = progressReporter(ctx, describeSource(source));
      let result;
      try {
        result = await verifyLog(source, progress.update, threads === undefined ? {} : { threads });
      } finally {
        progress.done();
      }
      if (ctx.options.json) printJson(ctx, result);
      else for (const line of renderLogVerification(result)) ctx.io.out(line);
      return result.ok ? 0 : 1;
    });
  }
  if (caseId === undefined) throw new BadArgument('verify needs a case number, or --all for every case in the log');
  return withSource(ctx, async (source) => {
    const loaded = await loadFrom(ctx, source, caseId);
    if (!loaded) return 1;
    const v = loaded.verification;
    if (ctx.options.json) printJson(ctx, { source: describeSource(source), ...v });
    else for (const line of renderCaseVerification(v, describeSource(source))) ctx.io.out(line);
    return v.ok ? 0 : 1;
  });
}

async function runCompare(ctx: Context, caseId: string): Promise<number> {
  const workflows = await ctx.deps.workflows(ctx.config);
  try {
    return await withSource(ctx, async (source) => {
      // The workflow may be moving: read the log between two queries that agree, so both sides describe
      // the same version. Events decided but not yet published are waited for.
      const version = (v: CaseView) => (v.state.status === 'none' ? 0 : v.state.version);
      for (let attempt = 1; ; attempt++) {
        const before = await publishedView(workflows, caseId);
        const loaded = await loadFrom(ctx, source, caseId);
        if (!loaded) return 1;
        const view = await workflows.view(caseId);
        const moved = version(view) !== version(before) || view.publishedSequence !== before.publishedSequence;
        if (moved && attempt < 3) continue;
        if (moved) ctx.io.err(`warning: case ${caseId} kept changing while it was read; compared with the latest view`);
        warnIfFaulty(ctx, loaded);
        const comparison = compareWithWorkflow(loaded.events, view);
        if (ctx.options.json) printJson(ctx, { caseId, source: describeSource(source), verification: loaded.verification, ...comparison });
        else for (const line of renderComparison(caseId, describeSource(source), comparison)) ctx.io.out(line);
        return comparison.same && loaded.verification.ok ? 0 : 1;
      }
    });
  } finally {
    await workflows.close();
  }
}

async function publishedView(workflows: WorkflowViews, caseId: string): Promise<CaseView> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const view = await workflows.view(caseId);
    const version = view.state.status === 'none' ? 0 : view.state.version;
    if (view.publishedSequence >= version || Date.now() > deadline) return view;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function runExport(ctx: Context, caseId: string): Promise<number> {
  const output = ctx.options.output;
  if (output === '') throw new BadArgument('--output needs a file name');
  return withSource(ctx, async (source) => {
    const loaded = await loadFrom(ctx, source, caseId);
    if (!loaded) return 1;
    warnIfFaulty(ctx, loaded);
    noticePersonalData(ctx);
    const dossier = exportDossier(loaded, { source: describeSource(source), now: ctx.deps.now().toISOString(), showPersonalData: ctx.options.showPersonalData === true });
    const text = JSON.stringify(dossier, null, 2);
    if (typeof output === 'string') {
      await writeFile(output, `${text}\n`, { mode: 0o600 });
      ctx.io.err(`wrote the dossier of case ${caseId} (${dossier.events.length} events, verification ${dossier.verification.ok ? 'ok' : 'FAILED'}) to ${output}`);
    } else {
      ctx.io.out(text);
    }
    return loaded.verification.ok ? 0 : 1;
  });
}

// ------------------------------------------------------------------ progress (verify --all)

function progressReporter(ctx: Context, source: string): { update(p: ScanProgress): void; done(): void } {
  const tty = ctx.io === processIo && process.stderr.isTTY === true;
  const started = Date.now();
  let last = 0;
  let announced = false;
  const rate = (p: ScanProgress) => Math.round(p.done / Math.max(0.001, (Date.now() - started) / 1000));
  const pct = (p: ScanProgress) => (p.total > 0 ? Math.min(100, Math.floor((p.done / p.total) * 100)) : 100);
  const n = (x: number) => x.toLocaleString('en');
  return {
    update(p) {
      const now = Date.now();
      if (tty) {
        if (now - last < 100 && p.done < p.total) return;
        last = now;
        const width = 30;
        const filled = Math.round((pct(p) / 100) * width);
        process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct(p)}% ${n(p.done)}/${n(p.total)} events, ${n(p.cases)} cases, ${n(rate(p))} events/s\x1b[K`);
        return;
      }
      if (!announced) {
        announced = true;
        last = now;
        ctx.io.err(`verify: reading ${n(p.total)} events from ${source}`);
        return;
      }
      if (now - last < ctx.deps.progressIntervalMs) return;
      last = now;
      ctx.io.err(`verify: ${n(p.done)}/${n(p.total)} events (${pct(p)}%), ${n(p.cases)} cases, ${n(rate(p))} events/s`);
    },
    done() {
      if (tty && last > 0) process.stderr.write('\r\x1b[K');
    },
  };
}

// ------------------------------------------------------------------ Temporal

class WorkflowUnavailable extends Error {}

const QUERY_TIMEOUT_MS = 20_000;

/** A Temporal connection for caseView queries (loaded on demand: the client is heavy to import). */
async function connectWorkflows(config: AppConfig): Promise<WorkflowViews> {
  const { WorkflowNotFoundError } = await import('@temporalio/client');
  const { caseViewQuery } = await import('../workflows/messages.js');
  const { temporalClient } = await import('../runtime/clients.js');
  const { PayloadKeyError } = await import('../runtime/payload-codec.js');
  let temporal: Awaited<ReturnType<typeof temporalClient>>;
  try {
    temporal = await temporalClient(config, { connection: { connectTimeout: '5s' } });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new WorkflowUnavailable(error instanceof PayloadKeyError ? message : `cannot reach Temporal at ${describeTemporal(config.temporal)} (set TEMPORAL_ADDRESS, TEMPORAL_TLS_*, TEMPORAL_API_KEY): ${message}`);
  }
  const { client, connection } = temporal;
  return {
    async view(caseId) {
      let timer: NodeJS.Timeout | undefined;
      // A query needs a worker to answer it; without one it would wait for the RPC deadline.
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new WorkflowUnavailable(`the workflow of case ${caseId} did not answer its caseView query within ${QUERY_TIMEOUT_MS / 1000} s (is a worker running?)`)),
          QUERY_TIMEOUT_MS,
        );
      });
      try {
        return await Promise.race([client.workflow.getHandle(caseId).query(caseViewQuery), timeout]);
      } catch (error) {
        if (error instanceof WorkflowUnavailable) throw error;
        if (error instanceof WorkflowNotFoundError) {
          throw new WorkflowUnavailable(`there is no workflow for case ${caseId} in namespace ${config.TEMPORAL_NAMESPACE} at ${config.TEMPORAL_ADDRESS}`);
        }
        throw new WorkflowUnavailable(`the caseView query of case ${caseId} failed: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => connection.close().catch(() => undefined),
  };
}
