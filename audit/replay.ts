// Replaying a case from its log: the parsed events, the timeline (who did what, why, and what it did to
// the SLA clocks) and the state at any moment. Pure: the events arrive from audit/source.ts, the moment
// from the caller.
import { evolve, foldEvents, initialState, type CaseState, type SlaSetup } from '../domain/case/index.js';
import { defaultSla } from '../domain/case/clocks.js';
import type { SlaClock, SlaClocks } from '../domain/sla/index.js';
import { parseEvent, redact, type Actor, type CaseEvent } from '../events/index.js';
import type { StoredRecord } from './records.js';
import { verifyEvents, type CaseVerification } from './verify.js';

export interface LoadedCase {
  caseId: string;
  records: StoredRecord[];
  /**
   * The events that parse (upcast to the current schema versions), in sequence order, one per sequence:
   * the first copy of a duplicated sequence wins. What could not be parsed is in `verification`.
   */
  events: CaseEvent[];
  verification: CaseVerification;
}

/** Verifies the stored records as they are, then parses them for replay. */
export function loadCase(caseId: string, records: readonly StoredRecord[]): LoadedCase {
  const verification = verifyEvents(caseId, records);
  const bySequence = new Map<number, CaseEvent>();
  for (const record of records) {
    if (record.decodeError !== undefined) continue;
    let event: CaseEvent;
    try {
      event = parseEvent(record.raw);
    } catch {
      continue; // reported by verifyEvents as a schema fault
    }
    if (event.caseId !== caseId || bySequence.has(event.sequence)) continue;
    bySequence.set(event.sequence, event);
  }
  const events = [...bySequence.values()].sort((a, b) => a.sequence - b.sequence);
  return { caseId, records: [...records], events, verification };
}

// ------------------------------------------------------------------ timeline

export type ClockChangeKind =
  | 'started'
  | 'restarted'
  | 'paused'
  | 'resumed'
  | 'extended'
  | 'rescheduled'
  | 'warned'
  | 'breached'
  | 'stopped'
  | 'cancelled'
  | 'lapsed';

export interface ClockChange {
  clock: string;
  change: ClockChangeKind;
  /** One line for a person, e.g. "due 2025-10-09 → 2025-10-12 (extended by 3 days)". */
  detail: string;
  status: SlaClock['status'];
  due: string;
  dueAt: string;
}

export interface TimelineEntry {
  sequence: number;
  occurredAt: string;
  type: CaseEvent['type'];
  actor: Actor;
  /** The case status before and after the event ('none' before the case exists). */
  status: { before: string; after: string };
  /** data.reason / data.reasonCode, when the event carries one. */
  reason?: string;
  /** The free-text fields the event carries: note, explanation, minutes, opinion, response, … */
  notes: string[];
  /** The event's data, with personal fields redacted unless asked otherwise. */
  data: unknown;
  clockChanges: ClockChange[];
}

const REASON_FIELDS = ['reason', 'reasonCode'] as const;
const NOTE_FIELDS = ['note', 'explanation', 'minutes', 'opinion', 'response', 'comment', 'summary', 'terms', 'task', 'partiesNotified'] as const;

export interface ReplayOptions {
  sla?: SlaSetup;
  /** Keep names, ID numbers and phones in `data` (default: redacted to `{ pii, ref }`). */
  showPersonalData?: boolean;
}

/** Each event in order: time, sequence, type, actor, reason and notes, and what it did to the clocks. */
export function timeline(events: readonly CaseEvent[], options: ReplayOptions = {}): TimelineEntry[] {
  const sla = options.sla ?? defaultSla;
  let state: CaseState = initialState;
  return events.map((event) => {
    const next = evolve(state, event, sla);
    const data = event.data as Record<string, unknown>;
    const reason = REASON_FIELDS.map((f) => data[f]).find((v): v is string => typeof v === 'string');
    const notes = NOTE_FIELDS.map((f) => data[f]).filter((v): v is string => typeof v === 'string');
    const entry: TimelineEntry = {
      sequence: event.sequence,
      occurredAt: event.occurredAt,
      type: event.type,
      actor: event.actor,
      status: { before: state.status, after: next.status },
      ...(reason === undefined ? {} : { reason }),
      notes,
      data: options.showPersonalData ? event.data : redact(event.data),
      clockChanges: clockChanges(clocksOf(state), clocksOf(next)),
    };
    state = next;
    return entry;
  });
}

function clocksOf(state: CaseState): SlaClocks {
  return state.status === 'none' ? {} : state.clocks;
}

const unitWord = (clock: SlaClock) => (clock.unit === 'working-days' ? 'working days' : 'calendar days');

/** What changed between two sets of clocks, one entry per changed clock, in key order. */
export function clockChanges(before: SlaClocks, after: SlaClocks): ClockChange[] {
  const changes: ClockChange[] = [];
  for (const key of Object.keys(after).sort()) {
    const a = after[key]!;
    const b = before[key];
    if (b === a) continue;
    const change = describeChange(b, a);
    if (change) changes.push({ clock: key, ...change, status: a.status, due: a.due, dueAt: a.dueAt });
  }
  return changes;
}

function describeChange(b: SlaClock | undefined, a: SlaClock): { change: ClockChangeKind; detail: string } | null {
  const period = `${a.limit}${a.extensions.length > 0 ? `+${a.extensions.reduce((s, e) => s + e.days, 0)}` : ''} ${unitWord(a)}`;
  const provisional = a.provisional ? ', provisional' : '';
  if (!b) return { change: 'started', detail: `started: due ${a.due} (${period} from ${a.startedAt}${provisional})` };
  const dueMove = b.due === a.due ? `due ${a.due}` : `due ${b.due} → ${a.due}`;
  if (a.startedAt !== b.startedAt || ((b.status === 'stopped' || b.status === 'cancelled' || b.status === 'lapsed') && a.status === 'running')) {
    return { change: 'restarted', detail: `restarted: due ${a.due} (${period} from ${a.startedAt}${provisional})` };
  }
  if (b.status !== a.status) {
    switch (a.status) {
      case 'paused':
        return { change: 'paused', detail: `paused (was due ${b.due})` };
      case 'running': {
        const paused = a.pauses[a.pauses.length - 1];
        return { change: 'resumed', detail: `resumed: ${dueMove}${paused ? ` (paused ${paused.from} → ${paused.to})` : ''}` };
      }
      case 'lapsed':
        return { change: 'lapsed', detail: `lapsed (a party's window, not a breach): was due ${a.dueAt}` };
      case 'stopped':
      case 'cancelled': {
        const late = a.endedAt !== undefined && Date.parse(a.endedAt) >= Date.parse(a.dueAt);
        return { change: a.status, detail: `${a.status} ${late ? 'after' : 'before'} its due moment ${a.dueAt}` };
      }
    }
  }
  if (a.extensions.length > b.extensions.length) {
    const days = a.extensions.slice(b.extensions.length).reduce((s, e) => s + e.days, 0);
    return { change: 'extended', detail: `extended by ${days} days: ${dueMove}` };
  }
  if (a.breached && !b.breached) return { change: 'breached', detail: `breached: was due ${a.dueAt}` };
  const warned = a.warned.filter((t) => !b.warned.includes(t));
  if (warned.length > 0) return { change: 'warned', detail: `warned at ${warned.map((t) => `${Math.round(t * 100)}%`).join(', ')} (due ${a.due})` };
  if (b.due !== a.due || b.dueAt !== a.dueAt) return { change: 'rescheduled', detail: `rescheduled: ${dueMove}` };
  return null;
}

// ------------------------------------------------------------------ the state at a moment

/** A clock as it stood at a moment. */
export interface ClockAt {
  clock: string;
  policyId: string;
  status: SlaClock['status'];
  startedAt: string;
  due: string;
  dueAt: string;
  provisional: boolean;
  /** Running: milliseconds to its due moment at `asOf`, negative once overdue. Otherwise null. */
  msLeft: number | null;
  /** Running past its due moment at `asOf`, or ended (or paused) after it. */
  late: boolean;
  /** Warning thresholds whose moment had passed at `asOf`, and those a ClockWarned had recorded. */
  warningsDue: number[];
  warned: number[];
  breached: boolean;
  endedAt?: string;
  endedBy?: string;
}

export function clocksAt(clocks: SlaClocks, asOf: string): ClockAt[] {
  const at = Date.parse(asOf);
  return Object.keys(clocks)
    .sort()
    .map((key) => {
      const c = clocks[key]!;
      const dueMs = Date.parse(c.dueAt);
      const endMs = c.endedAt !== undefined ? Date.parse(c.endedAt) : c.pausedAt !== undefined ? Date.parse(c.pausedAt) : at;
      return {
        clock: key,
        policyId: c.policyId,
        status: c.status,
        startedAt: c.startedAt,
        due: c.due,
        dueAt: c.dueAt,
        provisional: c.provisional,
        msLeft: c.status === 'running' ? dueMs - at : null,
        late: endMs >= dueMs,
        warningsDue: c.warnAt.filter((w) => Date.parse(w.at) <= at).map((w) => w.threshold),
        warned: c.warned,
        breached: c.breached,
        ...(c.endedAt === undefined ? {} : { endedAt: c.endedAt }),
        ...(c.endedBy === undefined ? {} : { endedBy: c.endedBy }),
      };
    });
}

export interface StateAsOf {
  asOf: string;
  /** The last event folded in (0: none yet) and how many there were. */
  sequence: number;
  eventsApplied: number;
  /** The first event after the moment, if any. */
  nextEvent: { sequence: number; occurredAt: string; type: string } | null;
  state: CaseState;
  clocks: ClockAt[];
}

/**
 * The case as it stood at `asOf` (an ISO instant): the events that had occurred by then, folded in
 * sequence order — the history up to the first event after the moment, so the state is always one the
 * case really passed through — with its clocks evaluated at that moment.
 */
export function stateAsOf(events: readonly CaseEvent[], asOf: string, sla: SlaSetup = defaultSla): StateAsOf {
  const at = Date.parse(asOf);
  if (Number.isNaN(at)) throw new Error(`not an instant: ${asOf}`);
  const cut = events.findIndex((e) => Date.parse(e.occurredAt) > at);
  const applied = cut < 0 ? events : events.slice(0, cut);
  const state = foldEvents(applied, sla);
  const next = cut < 0 ? undefined : events[cut];
  return {
    asOf: new Date(at).toISOString(),
    sequence: applied[applied.length - 1]?.sequence ?? 0,
    eventsApplied: applied.length,
    nextEvent: next ? { sequence: next.sequence, occurredAt: next.occurredAt, type: next.type } : null,
    state,
    clocks: clocksAt(clocksOf(state), new Date(at).toISOString()),
  };
}
