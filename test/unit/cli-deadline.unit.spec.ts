import { describe, expect, it } from 'vitest';
import { main, type CliIo } from '../../cli/main.js';

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line) };
  const code = await main(argv, io);
  return { code, out, err };
}

describe('mediation deadline', () => {
  it('given a start and 15 days, then it prints the due date and the rule on two lines', async () => {
    const { code, out, err } = await run('deadline', '--from', '2025-09-20', '--days', '15');
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toHaveLength(2);
    expect(out[0]).toBe('2025-10-09');
    expect(out[1]).toMatch(/^15 calendar days from 2025-09-20 end on 2025-10-09; .*2025-10-05/);
  });

  it('given --working-days and --json, then it prints one JSON object', async () => {
    const { code, out } = await run('deadline', '--from=2025-09-26', '--days=3', '--working-days', '--json');
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0] ?? '')).toMatchObject({
      from: '2025-09-26',
      days: 3,
      unit: 'working-days',
      due: '2025-09-30',
      calendarVersion: 'cn-holidays-2026.1',
    });
  });

  it.each([
    [['--days', '3'], '--from is required'],
    [['--from', '2025-02-30', '--days', '3'], "--from '2025-02-30'"],
    [['--from', '2025-03-01'], '--days is required'],
    [['--from', '2025-03-01', '--days', '0'], "--days '0'"],
    [['--from', '2025-03-01', '--days', '2.5'], "--days '2.5'"],
    [['--from', '2025-03-01', '--days', '3', '--weeks'], '--weeks'],
    [['--from', '2025-03-01', '--days', '3', 'extra'], 'extra'],
    [['--from', '2023-06-01', '--days', '3'], '--from: 2023-06-01 is outside the loaded calendar'],
    [['--from', '2026-12-20', '--days', '15'], '--days: 2027-01-01 is outside the loaded calendar'],
  ])('given %j, then it names the bad flag and exits with 2', async (args, message) => {
    const { code, out, err } = await run('deadline', ...args);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err[0]).toContain(message);
  });

  it('given --help, then it prints the usage and exits with 0', async () => {
    const { code, out } = await run('deadline', '--help');
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('Usage: mediation deadline --from YYYY-MM-DD --days N [--working-days] [--json]');
  });
});

describe('mediation (dispatcher)', () => {
  it('lists the commands on --help', async () => {
    const { code, out } = await run('--help');
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/Commands:\n\s+deadline/);
  });

  it('rejects an unknown command, or none, with exit code 2', async () => {
    const unknown = await run('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.err[0]).toBe("error: unknown command 'frobnicate'");
    expect((await run()).code).toBe(2);
  });
});
