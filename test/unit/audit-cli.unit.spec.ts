// The `mediation audit` commands in-process: help, bad arguments (exit 2), and every command end to end on
// an event archive in PGlite (no server), with the workflow's view stubbed for compare.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMoment, type AuditDeps } from '../../cli/audit.js';
import { runAudit } from '../../cli/main.js';
import { main, type CliIo } from '../../cli/main.js';
import { foldEvents } from '../../domain/case/index.js';
import { nextDueAt } from '../../domain/sla/index.js';
import { canonicalJson, verifyChain, type CaseEvent } from '../../events/index.js';
import { openDb } from '../../readmodels/db.js';
import { createSchemaSql } from '../../readmodels/schema.js';
import type { CaseView } from '../../workflows/messages.js';
import { decidedHistory } from './audit-fixtures.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line) };
  return { io, out, err };
}

async function run(...argv: string[]) {
  const c = capture();
  const code = await main(argv, c.io);
  return { code, out: c.out, err: c.err };
}

describe('mediation audit: help', () => {
  it('lists audit among the commands of mediation --help', async () => {
    const { code, out } = await run('--help');
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/\n\s+audit\s+the auditor's replay/);
  });

  it('lists the audit commands on audit --help', async () => {
    const { code, out } = await run('audit', '--help');
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('Usage: mediation audit <command> [options]');
    for (const name of ['replay', 'as-of', 'verify', 'compare', 'export']) expect(text).toMatch(new RegExp(`\\n  ${name}\\s+\\S`));
    expect(text).toContain('Exit codes: 0 ok; 1 faults or differences found');
  });

  it.each([
    ['replay', 'Usage: mediation audit replay [options] <case>'],
    ['as-of', 'Usage: mediation audit as-of [options] <case> <time>'],
    ['verify', 'Usage: mediation audit verify [options] [case]'],
    ['compare', 'Usage: mediation audit compare [options] <case>'],
    ['export', 'Usage: mediation audit export [options] <case>'],
  ])('%s --help prints its usage and options and exits 0', async (name, usage) => {
    for (const flag of ['--help', '-h']) {
      const { code, out, err } = await run('audit', name, flag);
      expect(code).toBe(0);
      expect(err).toEqual([]);
      expect(out[0]).toBe(usage + out[0]!.slice(usage.length));
      expect(out.join('\n')).toContain('--from <kafka|archive>');
    }
  });
});

describe('mediation audit: bad arguments exit with 2 and say what is wrong', () => {
  it.each([
    [[], 'Usage: mediation audit'],
    [['frobnicate'], "error: unknown command 'frobnicate'"],
    [['constructor'], "error: unknown command 'constructor'"],
    [['replay'], "error: missing required argument 'case'"],
    [['replay', 'MC-1', 'MC-2'], "error: too many arguments for 'replay'"],
    [['replay', 'MC-1', '--frm', 'archive'], "error: unknown option '--frm'"],
    [['replay', 'MC-1', '--from', 'postgres'], "error: option '--from <kafka|archive>' argument 'postgres' is invalid. Allowed choices are kafka, archive"],
    [['replay', 'MC-1', '--from'], "error: option '--from <kafka|archive>' argument missing"],
    [['replay', 'MC-1', '--output', 'x.json'], "error: unknown option '--output'"],
    [['replay', 'MC-1', '--from', 'archive', '--all-partitions'], 'error: --all-partitions applies to the Kafka topic'],
    [['as-of', 'MC-1'], "error: missing required argument 'time'"],
    [['as-of', 'MC-1', 'yesterday'], "invalid for argument 'time'. 'yesterday' is not a time"],
    [['as-of', 'MC-1', '2025-02-30'], "'2025-02-30' is not a time"],
    [['as-of', 'MC-1', '2025-03-01T25:00'], "'2025-03-01T25:00' is not a time"],
    [['replay', '-x'], "error: unknown option '-x'"],
    [['verify', '--all', '--threads', '65'], "'65' must be a whole number from 0 to 64"],
    [['verify', 'MC-1', '--threads', '2'], 'error: --threads applies to verify --all'],
    [['verify'], 'error: verify needs a case number, or --all'],
    [['verify', 'MC-1', '--all'], "error: give a case number or --all, not both (got 'MC-1')"],
    [['verify', '--all', '--all-partitions'], 'error: --all reads every partition already'],
    [['compare', 'MC-1', '--show-personal-data'], "error: unknown option '--show-personal-data'"],
    [['export'], "error: missing required argument 'case'"],
  ])('given %j', async (args, message) => {
    const { code, out, err } = await run('audit', ...args);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err[0]).toContain(message);
  });

  it('points to the help of the command', async () => {
    const { err } = await run('audit', 'verify');
    expect(err[1]).toBe("Run 'mediation audit verify --help' for usage.");
  });

  it('given a bad connection setting, then exit 2 naming the variable', async () => {
    const c = capture();
    const code = await runAudit(['replay', 'MC-1'], c.io, { env: { KAFKA_BROKERS: 'localhost' } });
    expect(code).toBe(2);
    expect(c.err[0]).toMatch(/KAFKA_BROKERS.*: expected host:port/);
  });

  it('given --from archive without a database, then exit 2 naming DATABASE_URL and PGLITE_PATH', async () => {
    const c = capture();
    const code = await runAudit(['verify', '--all', '--from', 'archive'], c.io, { env: {} });
    expect(code).toBe(2);
    expect(c.err[0]).toBe('error: --from archive needs DATABASE_URL (a PostgreSQL server) or PGLITE_PATH (a PGlite directory)');
  });
});

describe('parseMoment', () => {
  it.each([
    ['2025-03-05T10:00:00Z', '2025-03-05T10:00:00.000Z'],
    ['2025-03-05T10:00:00.250+08:00', '2025-03-05T02:00:00.250Z'],
    ['2025-03-05T10:00', '2025-03-05T02:00:00.000Z'],
    ['2025-03-05', '2025-03-05T15:59:59.999Z'],
  ])('reads %s as %s', (text, instant) => {
    expect(parseMoment(text)).toBe(instant);
  });
  it.each(['2025-3-5', '2025-03-05 10:00', '2025-02-29', 'now', '2025-03-05T10:00:61'])('refuses %s', (text) => {
    expect(parseMoment(text)).toBeNull();
  });
});

describe('mediation audit on an event archive (PGlite)', () => {
  const CASE = 'MC-2025-000001';
  const history = decidedHistory(CASE);
  const other = decidedHistory('MC-2025-000002').slice(0, 5);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const schema = 'rm_audit';

  async function archive(events: readonly CaseEvent[], texts?: Map<number, string>) {
    const db = await openDb({ pglitePath: dir });
    try {
      await db.exec(createSchemaSql(schema));
      for (const e of events) {
        await db.query(
          `insert into ${schema}.event_archive (case_id, sequence, event_id, type, occurred_at, event) values ($1, $2, $3, $4, $5, $6)`,
          [e.caseId, e.sequence, e.eventId, e.type, e.occurredAt, texts?.get(e.sequence) ?? canonicalJson(e)],
        );
      }
    } finally {
      await db.close();
    }
  }

  function deps(overrides: Partial<AuditDeps> = {}): Partial<AuditDeps> {
    return { env, now: () => new Date('2025-03-14T00:00:00.000Z'), ...overrides };
  }
  async function audit(argv: string[], overrides: Partial<AuditDeps> = {}) {
    const c = capture();
    const code = await runAudit(argv, c.io, deps(overrides));
    return { code, out: c.out, err: c.err };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
    env = { PGLITE_PATH: join(dir, 'pglite'), READMODEL_SCHEMA: schema };
    dir = env.PGLITE_PATH!;
    await archive([...history, ...other]);
  });
  afterAll(() => {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('replay prints the timeline with actors, reasons and clock changes, and exits 0', async () => {
    const { code, out, err } = await audit(['replay', CASE, '--from', 'archive']);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out[0]).toBe(`Case ${CASE}: 26 events from event archive rm_audit.event_archive in PGlite ${dir}`);
    const text = out.join('\n');
    expect(text).toContain('#1  2025-03-03T02:00:00.000Z  CaseReceived  by intake-clerk-1 (intake-clerk)  [none → received]');
    expect(text).toContain('      reason: awaiting-materials');
    expect(text).toContain('      clock mediation-conclude: paused (was due 2025-03-18)');
    expect(text).toContain('complainants[0].name=[personal data person-1]');
    expect(text).not.toContain('张三');
  });

  it('replay --json --show-personal-data gives the timeline with the names, and says so on stderr', async () => {
    const { code, out, err } = await audit(['replay', CASE, '--from', 'archive', '--json', '--show-personal-data']);
    expect(code).toBe(0);
    const doc = JSON.parse(out.join('\n')) as { timeline: { type: string }[]; verification: { ok: boolean } };
    expect(doc.timeline).toHaveLength(26);
    expect(doc.verification.ok).toBe(true);
    expect(out.join('\n')).toContain('张三');
    expect(err[0]).toMatch(/^notice: personal data is shown/);
  });

  it('as-of prints the state and clocks at the moment', async () => {
    const { code, out } = await audit(['as-of', CASE, '2025-03-06T10:00', '--from', 'archive']);
    expect(code).toBe(0);
    expect(out[0]).toBe(`Case ${CASE} as of 2025-03-06T02:00:00.000Z: 8 events applied (up to sequence 8)`);
    expect(out.join('\n')).toMatch(/status: in-mediation \(suspended since 2025-03-05T02:00:00.000Z: awaiting-materials\)/);
    expect(out.join('\n')).toMatch(/mediation-conclude\s+paused\s+due 2025-03-18/);
    const json = await audit(['as-of', CASE, '2025-03-06', '--from', 'archive', '--json']);
    expect(JSON.parse(json.out.join('\n'))).toMatchObject({ caseId: CASE, asOf: '2025-03-06T15:59:59.999Z', sequence: 8, state: { status: 'in-mediation' } });
  });

  it('verify of a case and of the whole archive pass, with progress lines on stderr', async () => {
    const one = await audit(['verify', CASE, '--from', 'archive']);
    expect(one.code).toBe(0);
    expect(one.out[0]).toMatch(new RegExp(`^case ${CASE}: 26 events, sequences 1..26, chain intact \\(head [0-9a-f]{64}\\)`));
    const all = await audit(['verify', '--all', '--from', 'archive', '--json'], { progressIntervalMs: 0 });
    expect(all.code).toBe(0);
    expect(JSON.parse(all.out.join('\n'))).toMatchObject({ ok: true, cases: 2, records: 31, faults: [], faultyCases: 0 });
    expect(all.err[0]).toBe(`verify: reading 31 events from event archive rm_audit.event_archive in PGlite ${dir}`);
  });

  it('compare against the workflow view: no difference exits 0, a difference exits 1 and is listed', async () => {
    const state = foldEvents(history);
    const view = (): CaseView =>
      JSON.parse(
        JSON.stringify({
          state,
          lastHash: history[25]!.hash,
          publishedSequence: 26,
          clocks: state.status === 'none' ? {} : state.clocks,
          nextDueAt: state.status === 'none' ? null : (nextDueAt(state.clocks) ?? null),
        }),
      ) as CaseView;
    const same = await audit(['compare', CASE, '--from', 'archive'], { workflows: async () => ({ view: async () => view(), close: async () => undefined }) });
    expect(same.code).toBe(0);
    expect(same.out[1]).toBe('no difference: the replayed state equals the workflow state');

    let closed = false;
    const differing = await audit(['compare', CASE, '--from', 'archive'], {
      workflows: async () => ({
        view: async () => {
          const v = view();
          if (v.state.status !== 'none') v.state.status = 'closed';
          return v;
        },
        close: async () => {
          closed = true;
        },
      }),
    });
    expect(closed).toBe(true);
    expect(differing.code).toBe(1);
    expect(differing.out.slice(1)).toEqual(['1 difference(s):', '  state.status: replayed "in-mediation", workflow "closed"']);
  });

  it('export writes the dossier: redacted, verifiable, exit 0', async () => {
    const file = join(dir, '..', 'dossier.json');
    const { code, out, err } = await audit(['export', CASE, '--from', 'archive', '--output', file]);
    expect(code).toBe(0);
    expect(out).toEqual([]);
    expect(err[0]).toBe(`wrote the dossier of case ${CASE} (26 events, verification ok) to ${file}`);
    const dossier = JSON.parse(readFileSync(file, 'utf8')) as { events: { event: unknown }[]; exportedAt: string; state: { status: string } };
    expect(dossier.exportedAt).toBe('2025-03-14T00:00:00.000Z');
    expect(dossier.state.status).toBe('in-mediation');
    expect(verifyChain(dossier.events.map((e) => e.event))).toEqual({ ok: true });
    expect(readFileSync(file, 'utf8')).not.toContain('张三');
  });

  it('a case with no events is an error, exit 1', async () => {
    const { code, err } = await audit(['replay', 'MC-none', '--from', 'archive']);
    expect(code).toBe(1);
    expect(err[0]).toBe(`error: no events of case MC-none in event archive rm_audit.event_archive in PGlite ${dir}`);
  });

  it('given an archived event changed afterwards, then verify exits 1 with the case, sequence and fault', async () => {
    const db = await openDb({ pglitePath: dir });
    try {
      await db.query(`update ${schema}.event_archive set event = jsonb_set(event, '{data,place}', '"会议室"') where case_id = $1 and sequence = 7`, [CASE]);
    } finally {
      await db.close();
    }
    const one = await audit(['verify', CASE, '--from', 'archive']);
    expect(one.code).toBe(1);
    expect(one.out[0]).toMatch(new RegExp(`^FAULT  case ${CASE}  sequence 7  hash-mismatch: stored hash ${history[6]!.hash}, computed [0-9a-f]{64}  \\(at rm_audit.event_archive\\)$`));
    const all = await audit(['verify', '--all', '--from', 'archive']);
    expect(all.code).toBe(1);
    expect(all.out[0]).toBe(one.out[0]);
    expect(all.out[1]).toMatch(/^verified 31 events in 2 cases in .* s \(.* events\/s\) from event archive .*: 1 fault\(s\) in 1 case\(s\)$/);

    // Replay still shows the timeline, warns, and exits 1.
    const replay = await audit(['replay', CASE, '--from', 'archive']);
    expect(replay.code).toBe(1);
    expect(replay.err[0]).toMatch(new RegExp(`^warning: the log of case ${CASE} has 1 fault\\(s\\)`));
    expect(replay.out.join('\n')).toContain('place=会议室');
  });
});
