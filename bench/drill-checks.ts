// The fault drill's verdicts (bench/drill.ts), as pure functions so that a unit test can show each one
// finds what it is meant to find (test/unit/drill-checks.unit.spec.ts).

/** One record of the case-events topic, as the drill read it from offset 0. */
export interface TopicRecord {
  sequence: number;
  eventId: string;
}

export interface CaseLogCheck {
  caseId: string;
  /** Records of the case on the topic. */
  events: number;
  /** Sequences missing from 1..expected (expected: the workflow's version, or a higher acknowledged one). */
  lost: number[];
  /** Sequences on the topic more than once (each extra copy counts once). */
  duplicated: number[];
  /** Events a client was told were written (their ids in a 200 answer) that are not on the topic. */
  acknowledgedMissing: string[];
}

/**
 * The topic must hold sequences 1..N of a case exactly once, N being what the workflow says it has written
 * (its version, every event published). An event a command's answer listed must be there too, by its id —
 * whatever the workflow says now.
 */
export function checkCaseLog(caseId: string, records: readonly TopicRecord[], workflowVersion: number, acknowledged: ReadonlyMap<string, number> = new Map()): CaseLogCheck {
  const seen = new Map<number, number>();
  const ids = new Set<string>();
  for (const r of records) {
    seen.set(r.sequence, (seen.get(r.sequence) ?? 0) + 1);
    ids.add(r.eventId);
  }
  const expected = Math.max(workflowVersion, ...acknowledged.values());
  const lost: number[] = [];
  for (let s = 1; s <= expected; s++) if (!seen.has(s)) lost.push(s);
  const duplicated: number[] = [];
  for (const [s, n] of [...seen].sort((a, b) => a[0] - b[0])) for (let i = 1; i < n; i++) duplicated.push(s);
  const acknowledgedMissing = [...acknowledged.keys()].filter((id) => !ids.has(id));
  return { caseId, events: records.length, lost, duplicated, acknowledgedMissing };
}

/** The number of lost events of a case: missing sequences, and acknowledged events not on the topic at a sequence already counted. */
export function lostCount(check: CaseLogCheck, acknowledged: ReadonlyMap<string, number> = new Map()): number {
  const lost = new Set(check.lost);
  for (const id of check.acknowledgedMissing) lost.add(acknowledged.get(id) ?? -1);
  return lost.size;
}

/** Rows of two dumps (readmodels/dump.ts) that differ: for each table, the rows only one side has. */
export function dumpDifferences(live: Record<string, string[]>, rebuilt: Record<string, string[]>): { table: string; onlyLive: string[]; onlyRebuilt: string[] }[] {
  const out: { table: string; onlyLive: string[]; onlyRebuilt: string[] }[] = [];
  for (const table of [...new Set([...Object.keys(live), ...Object.keys(rebuilt)])].sort()) {
    const a = live[table] ?? [];
    const b = rebuilt[table] ?? [];
    const countOf = (rows: string[]) => rows.reduce((m, r) => m.set(r, (m.get(r) ?? 0) + 1), new Map<string, number>());
    const ca = countOf(a);
    const cb = countOf(b);
    const only = (x: Map<string, number>, y: Map<string, number>) => [...x].flatMap(([row, n]) => Array<string>(Math.max(0, n - (y.get(row) ?? 0))).fill(row));
    const onlyLive = only(ca, cb);
    const onlyRebuilt = only(cb, ca);
    if (onlyLive.length > 0 || onlyRebuilt.length > 0) out.push({ table, onlyLive, onlyRebuilt });
  }
  return out;
}

/** What `describe` says of a workflow, reduced to what decides whether it is stuck. */
export interface WorkflowCondition {
  caseId: string;
  status: string;
  pendingActivities: { activityType: string; attempt: number; lastFailure?: string }[];
  /** The attempt of the pending workflow task (0 when none): above 1 it has failed at least once. */
  workflowTaskAttempt: number;
  /** Events written by the workflow and not yet published. */
  unpublished: number;
}

/**
 * Stuck: the workflow failed or was ended from outside; an activity retries (`attempt` above
 * `maxAttempts`); a workflow task keeps failing; or events wait unpublished with no activity to publish
 * them. A running workflow with none of these waits on a person or a clock.
 */
export function stuckReason(c: WorkflowCondition, maxAttempts = 3): string | undefined {
  if (c.status !== 'RUNNING' && c.status !== 'COMPLETED' && c.status !== 'CONTINUED_AS_NEW') return `workflow ${c.status}`;
  const retrying = c.pendingActivities.find((a) => a.attempt > maxAttempts);
  if (retrying) return `activity ${retrying.activityType} at attempt ${retrying.attempt}${retrying.lastFailure ? `: ${retrying.lastFailure}` : ''}`;
  if (c.workflowTaskAttempt > 1) return `workflow task at attempt ${c.workflowTaskAttempt}`;
  if (c.unpublished > 0) return `${c.unpublished} events unpublished`;
  return undefined;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface FaultRow {
  fault: string;
  injections: number;
  cases: number;
  events: number;
  lost: number;
  duplicated: number;
  /** Kill → the piece started again and answering (ms). */
  downMs: number[];
  /** Kill → commands succeed again and the read models have caught up (ms); see bench/drill.ts. */
  recoverMs: number[];
  /** Injections that did not recover within the drill's limit. */
  notRecovered: number;
}

const seconds = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : '–');
const max = (values: readonly number[]) => (values.length > 0 ? Math.max(...values) : NaN);

export function renderTable(rows: readonly FaultRow[]): string {
  const lines = [
    '| fault | injections | cases | events | lost | duplicated | back up, median / max (s) | time to recover, median / max (s) |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.fault} | ${r.injections} | ${r.cases} | ${r.events} | ${r.lost} | ${r.duplicated} | ${seconds(median(r.downMs))} / ${seconds(max(r.downMs))} | ${seconds(median(r.recoverMs))} / ${seconds(max(r.recoverMs))}${r.notRecovered ? ` (${r.notRecovered} not recovered)` : ''} |`,
    ),
  ];
  return lines.join('\n');
}
