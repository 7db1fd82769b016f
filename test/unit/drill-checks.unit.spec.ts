// The fault drill's verdicts (bench/drill-checks.ts) find what they are meant to find: a gap, a duplicate,
// an acknowledged event that never reached the topic, a read model that differs from its rebuild, a stuck
// workflow. The drill (bench/drill.ts, test/e2e/drill.e2e.spec.ts) fails on exactly these.
import { describe, expect, it } from 'vitest';
import { checkCaseLog, dumpDifferences, lostCount, median, renderTable, stuckReason, type TopicRecord } from '../../bench/drill-checks.js';
import { drillPortsFor } from '../../ops/drill.js';
import { loadStackConfig } from '../../ops/config.js';

const log = (...sequences: number[]): TopicRecord[] => sequences.map((s) => ({ sequence: s, eventId: `e${s}` }));

describe('checkCaseLog: sequences 1..N exactly once', () => {
  it('passes a complete log', () => {
    const check = checkCaseLog('C1', log(1, 2, 3, 4), 4, new Map([['e2', 2], ['e4', 4]]));
    expect(check).toEqual({ caseId: 'C1', events: 4, lost: [], duplicated: [], acknowledgedMissing: [] });
  });

  it('finds a gap and a missing tail', () => {
    const check = checkCaseLog('C1', log(1, 2, 4), 6);
    expect(check.lost).toEqual([3, 5, 6]);
    expect(lostCount(check)).toBe(3);
  });

  it('finds a duplicate, each extra copy once', () => {
    const check = checkCaseLog('C1', log(1, 2, 2, 3, 3, 3), 3);
    expect(check.lost).toEqual([]);
    expect(check.duplicated).toEqual([2, 3, 3]);
  });

  it('finds an event a client was told about that is not on the topic, even when the workflow says less', () => {
    // The answer listed e5 at sequence 5; the workflow reports version 4 (it lost the event); the topic has 1..4.
    const acknowledged = new Map([['e5', 5]]);
    const check = checkCaseLog('C1', log(1, 2, 3, 4), 4, acknowledged);
    expect(check.lost).toEqual([5]);
    expect(check.acknowledgedMissing).toEqual(['e5']);
    expect(lostCount(check, acknowledged)).toBe(1);
  });

  it('counts an acknowledged event replaced by another at its sequence as lost', () => {
    const acknowledged = new Map([['e2', 2]]);
    const check = checkCaseLog('C1', [{ sequence: 1, eventId: 'e1' }, { sequence: 2, eventId: 'other' }], 2, acknowledged);
    expect(check.lost).toEqual([]);
    expect(lostCount(check, acknowledged)).toBe(1);
  });
});

describe('dumpDifferences: read models against their rebuild', () => {
  it('is empty for equal dumps and names the table and rows otherwise', () => {
    const live = { case_summary: ['{"a":1}', '{"b":2}'], event_archive: ['x'] };
    expect(dumpDifferences(live, { case_summary: ['{"a":1}', '{"b":2}'], event_archive: ['x'] })).toEqual([]);
    expect(dumpDifferences(live, { case_summary: ['{"a":1}', '{"b":3}'], event_archive: ['x', 'x'] })).toEqual([
      { table: 'case_summary', onlyLive: ['{"b":2}'], onlyRebuilt: ['{"b":3}'] },
      { table: 'event_archive', onlyLive: [], onlyRebuilt: ['x'] },
    ]);
  });
});

describe('stuckReason: finished, or waiting on a person or a clock', () => {
  const waiting = { caseId: 'C1', status: 'RUNNING', pendingActivities: [], workflowTaskAttempt: 0, unpublished: 0 };
  it('passes a workflow that waits', () => {
    expect(stuckReason(waiting)).toBeUndefined();
    expect(stuckReason({ ...waiting, status: 'COMPLETED' })).toBeUndefined();
    expect(stuckReason({ ...waiting, pendingActivities: [{ activityType: 'publishEvents', attempt: 2 }] })).toBeUndefined();
  });
  it('names what keeps it stuck', () => {
    expect(stuckReason({ ...waiting, status: 'FAILED' })).toBe('workflow FAILED');
    expect(stuckReason({ ...waiting, pendingActivities: [{ activityType: 'publishEvents', attempt: 9, lastFailure: 'broker down' }] })).toBe('activity publishEvents at attempt 9: broker down');
    expect(stuckReason({ ...waiting, workflowTaskAttempt: 4 })).toBe('workflow task at attempt 4');
    expect(stuckReason({ ...waiting, unpublished: 2 })).toBe('2 events unpublished');
  });
});

describe('the table', () => {
  it('shows medians and maxima in seconds, and injections that did not recover', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    const table = renderTable([{ fault: 'worker', injections: 2, cases: 5, events: 40, lost: 0, duplicated: 0, downMs: [1_000, 3_000], recoverMs: [2_000], notRecovered: 1 }]);
    expect(table).toContain('| worker | 2 | 5 | 40 | 0 | 0 | 2.0 / 3.0 | 2.0 / 2.0 (1 not recovered) |');
  });
});

describe("the drill's ports under npm test", () => {
  it('are dev + 3,000 for npm run drill: headless, Temporal in its SQLite file, clear of dev, test and bench', () => {
    const drill = loadStackConfig('drill', {});
    expect([drill.temporal.port, drill.kafka.port, drill.database.localPostgresPort, drill.api.port, drill.oidc.port]).toEqual([10233, 12092, 8433, 11080, 12000]);
    expect(drill.temporal).toMatchObject({ ui: false, persistent: true });
    expect(loadStackConfig('test', {}).temporal.persistent).toBe(false);
    const ports = (c: ReturnType<typeof loadStackConfig>) => [c.temporal.port, c.temporal.uiPort, c.kafka.port, c.kafka.controllerPort, c.database.localPostgresPort, c.api.port, c.oidc.port, c.workerMetrics.port];
    const others = new Set((['dev', 'test', 'bench'] as const).flatMap((p) => ports(loadStackConfig(p, {}))));
    for (const p of ports(drill)) {
      expect(others.has(p)).toBe(false);
      expect(p).toBeLessThan(32_768);
    }
  });

  it("are the test stack's ports + 50, a developer's custom ports included, clear of the test stack's", () => {
    const test = loadStackConfig('test', { KAFKA_PORT: '21092', API_PORT: '21080' });
    const ports = drillPortsFor(test);
    expect(ports.KAFKA_PORT).toBe('21142');
    expect(ports.API_PORT).toBe('21130');
    expect(ports.TEMPORAL_PORT).toBe(String(test.temporal.port + 50));
    const taken = [test.temporal.port, test.temporal.uiPort, test.kafka.port, test.kafka.controllerPort, test.kafka.port + 2, test.kafka.port + 3, test.api.port, test.api.port + 1, test.database.localPostgresPort, test.oidc.port, test.workerMetrics.port];
    for (const p of Object.values(ports)) expect(taken).not.toContain(Number(p));
    expect(new Set(Object.values(ports)).size).toBe(Object.values(ports).length);
  });
});
