// The fault drill (bench/drill.ts, `npm run drill`) with one injection of each kind, on servers of its own:
// the worker, the Kafka broker, the API+projector, PostgreSQL and the Temporal dev server are each killed
// (SIGKILL) under a steady load of cases through the API, and started again by the supervisor. Nothing may
// be lost or duplicated, every check must be green (topic 1..N once per case, read models = rebuild,
// audit verify --all, audit compare on a sample, no case stuck), and every injection must recover.
//
// Its servers' ports are the test stack's + 50 (ops/drill.ts drillPortsFor), so a developer's custom
// ports carry over and nothing collides with the test stack, the browser tests or the secured listeners.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { FaultRow } from '../../bench/drill-checks.js';
import { loadStackConfig, repoRoot } from '../../ops/config.js';
import { drillPortsFor } from '../../ops/drill.js';
import { describeWithStack } from '../support/stack.js';

interface DrillReport {
  ok: boolean;
  failures: string[];
  rows: FaultRow[];
  injections: { fault: string; killedAt: number; upAt: number; recoveredAt: number | null }[];
  checks: string[];
}

describeWithStack('fault drill: one injection of each kind (bench/drill.ts on its own servers)', () => {
  it('loses and duplicates nothing, recovers from every fault, and every check is green', async () => {
    const dataDir = path.join(process.env.MEDIATION_DATA_DIR ?? path.join(repoRoot, '.data', 'test'), 'drill');
    const report = path.join(dataDir, '..', 'drill-report.json');
    fs.rmSync(report, { force: true });
    const ports = drillPortsFor(loadStackConfig('test'));
    const output: string[] = [];
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bench', 'drill.ts'), '--injections', '1', '--cases', '3', '--gap-ms', '1000', '--compare', '3', '--report', report], {
        cwd: repoRoot,
        // The drill drops the test stack's addresses itself (ops/drill.ts EXTERNAL_SETTINGS) and starts its own.
        env: { ...process.env, ...ports, MEDIATION_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
      child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
      child.once('exit', (c) => resolve(c));
    });
    const text = output.join('');
    expect(fs.existsSync(report), `no report; the drill said:\n${text.slice(-4000)}`).toBe(true);
    const result = JSON.parse(fs.readFileSync(report, 'utf8')) as DrillReport;
    expect(result.failures, text.slice(-4000)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(code).toBe(0);

    // One injection of each of the five faults, each recovered, with cases in flight and events to check.
    const faults = result.rows.slice(0, -1);
    expect(faults.map((r) => r.injections)).toEqual([1, 1, 1, 1, 1]);
    for (const row of faults) {
      expect(row.notRecovered, row.fault).toBe(0);
      expect(row.recoverMs, row.fault).toHaveLength(1);
      expect(row.cases, row.fault).toBeGreaterThan(0);
    }
    const all = result.rows[result.rows.length - 1]!;
    expect(all.events).toBeGreaterThan(50);
    expect(all.lost).toBe(0);
    expect(all.duplicated).toBe(0);
    expect(result.checks.every((c) => c.endsWith('ok')), result.checks.join('\n')).toBe(true);
    expect(text).toContain('| fault | injections | cases | events | lost | duplicated |');
  }, 20 * 60_000);
});
