// SLA repair: fold a case's history under the old and the new policy or calendar versions and say, clock by
// clock, what would have been different. ClockWarned / ClockBreached events in the history are facts and
// fold into both sides; whether a breach was *deserved* is judged from the moments themselves.
// A provisional clock (counted past the loaded years) recomputed on a calendar that now has the year is
// reported even when its due date stays the same: the date has become definite.
import { instantMs, type Calendar, type IsoDate } from '../calendar/index.js';
import { foldClocks, type ClockEvent, type ClockStatus, type SlaClock } from './clock.js';
import type { SlaPolicySet } from './policies.js';

export interface ClockView {
  status: ClockStatus;
  due: IsoDate;
  dueAt: string;
  /** The clock ran past its due moment: stopped, cancelled or paused after it, or still running at `asOf`. */
  late: boolean;
  /** Counted past the calendar's loaded years (see SlaClock.provisional). */
  provisional: boolean;
  policyVersion: string;
  calendarVersion: string;
}

export interface ClockDiff {
  clockKey: string;
  policyId: string;
  /** Undefined: the clock does not exist under those versions. */
  before?: ClockView;
  after?: ClockView;
  /** One line per difference, e.g. "due 2025-10-09 → 2025-10-10". */
  changes: string[];
}

function isLate(clock: SlaClock, asOf: string): boolean {
  const end = clock.endedAt ?? clock.pausedAt ?? asOf;
  return instantMs(end) >= instantMs(clock.dueAt);
}

function view(clock: SlaClock, asOf: string): ClockView {
  return {
    status: clock.status,
    due: clock.due,
    dueAt: clock.dueAt,
    late: isLate(clock, asOf),
    provisional: clock.provisional,
    policyVersion: clock.policyVersion,
    calendarVersion: clock.calendarVersion,
  };
}

function compare(before: SlaClock, after: SlaClock, asOf: string): string[] {
  const changes: string[] = [];
  if (before.status !== after.status) changes.push(`status ${before.status} → ${after.status}`);
  if (before.due !== after.due) {
    const was = before.provisional ? ' (provisional)' : '';
    changes.push(`due ${before.due}${was} → ${after.due} (${after.rule})`);
  }
  if (before.provisional && !after.provisional) {
    changes.push(`no longer provisional: counted on ${after.calendarVersion}${before.due === after.due ? ', due unchanged' : ''}`);
  } else if (!before.provisional && after.provisional) {
    changes.push(`now provisional: ${after.calendarVersion} does not cover ${after.due}`);
  }
  for (const w of after.warnAt) {
    const old = before.warnAt.find((b) => b.threshold === w.threshold);
    if (old?.at !== w.at) changes.push(`warning at ${w.threshold * 100}% ${old?.at ?? 'none'} → ${w.at}`);
  }
  const wasLate = isLate(before, asOf);
  const nowLate = isLate(after, asOf);
  if (wasLate && !nowLate) {
    changes.push(
      after.breached
        ? 'the recorded breach would not have happened'
        : 'the breach would not have happened',
    );
  }
  if (!wasLate && nowLate) changes.push('a breach would have happened');
  return changes;
}

/**
 * Differences per clock between folding `events` under the old and under the new versions, judged as of
 * `asOf` (default: the last event). Clocks that come out the same are left out.
 */
export function recomputeClocks(
  events: readonly ClockEvent[],
  newPolicies: SlaPolicySet,
  newCalendar: Calendar,
  oldPolicies: SlaPolicySet,
  oldCalendar: Calendar,
  asOf: string | undefined = events[events.length - 1]?.occurredAt,
): ClockDiff[] {
  if (asOf === undefined) return [];
  const before = foldClocks(events, oldPolicies, oldCalendar);
  const after = foldClocks(events, newPolicies, newCalendar);
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const diffs: ClockDiff[] = [];
  for (const key of keys) {
    const b = before[key];
    const a = after[key];
    const policyId = (a ?? b)?.policyId ?? key;
    if (b && a) {
      const changes = compare(b, a, asOf);
      if (changes.length > 0) diffs.push({ clockKey: key, policyId, before: view(b, asOf), after: view(a, asOf), changes });
    } else if (b) {
      diffs.push({ clockKey: key, policyId, before: view(b, asOf), changes: [`no such clock under ${newPolicies.version}`] });
    } else if (a) {
      diffs.push({ clockKey: key, policyId, after: view(a, asOf), changes: [`new clock under ${newPolicies.version}`] });
    }
  }
  return diffs;
}
