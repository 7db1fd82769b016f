// Proof that the replay equals what the workflow holds: the state folded from the log against the
// workflow's caseView query, path by path, and the log's head against the workflow's chain head.
import { foldEvents, type SlaSetup } from '../domain/case/index.js';
import { defaultSla } from '../domain/case/clocks.js';
import type { CaseEvent } from '../events/index.js';
import type { CaseView } from '../workflows/messages.js';

export interface Difference {
  /** e.g. `state.clocks["mediation-conclude"].due`, `lastHash`. */
  path: string;
  replayed: unknown;
  workflow: unknown;
}

export interface Comparison {
  same: boolean;
  replayedEvents: number;
  replayedSequence: number;
  workflow: { version: number; publishedSequence: number; lastHash: string; status: string };
  differences: Difference[];
}

/** Both sides as JSON: a query result has been through JSON, so undefined fields are gone there too. */
const asJson = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

export function compareWithWorkflow(events: readonly CaseEvent[], view: CaseView, sla: SlaSetup = defaultSla): Comparison {
  const replayed = foldEvents(events, sla);
  const last = events[events.length - 1];
  const differences: Difference[] = [];
  const version = view.state.status === 'none' ? 0 : view.state.version;

  // The chain's head first: a log that stops short of the workflow explains every difference after it.
  const lastHash = last?.hash ?? null;
  if (lastHash !== view.lastHash) differences.push({ path: 'lastHash', replayed: lastHash, workflow: view.lastHash });
  if ((last?.sequence ?? 0) !== view.publishedSequence) {
    differences.push({ path: 'publishedSequence', replayed: last?.sequence ?? 0, workflow: view.publishedSequence });
  }
  diff(asJson(replayed), asJson(view.state), 'state', differences);
  const replayedClocks = replayed.status === 'none' ? {} : replayed.clocks;
  diff(asJson(replayedClocks), asJson(view.clocks), 'clocks', differences);

  return {
    same: differences.length === 0,
    replayedEvents: events.length,
    replayedSequence: last?.sequence ?? 0,
    workflow: { version, publishedSequence: view.publishedSequence, lastHash: view.lastHash, status: view.state.status },
    differences,
  };
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Appends every path at which two JSON values differ; a missing field is `undefined` on its side. */
export function diff(a: unknown, b: unknown, path: string, out: Difference[]): Difference[] {
  if (a === b) return out;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) diff(a[i], b[i], child(path, i), out);
    return out;
  }
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) diff(a[key], b[key], child(path, key), out);
    return out;
  }
  out.push({ path, replayed: a, workflow: b });
  return out;
}
