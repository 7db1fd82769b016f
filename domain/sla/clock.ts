// SLA clocks: a state machine per (policy, scope), folded from the case's events. No timers here: the
// workflow asks nextDueAt() how long to sleep and clockSignals() what is due, and records what it acted on
// as ClockWarned / ClockBreached events, which fold back into the clocks.
//
// Paused time: a clock paused on China date P and resumed on date R does not count the days P+1 … R, and the
// due date is recomputed on the calendar from the days still owed (addPeriod with those days skipped).
// This is how suspension is read in Chinese procedure (中止期间不计入期限): the days already used stay used
// and the rest continue after the resumption, with the usual rules: counting starts the day after the
// resumption, and a period in calendar days that ends on a rest day moves to the next working day. A pause
// and resume on the same day changes nothing. Shifting the old due date by the paused days instead would
// keep a holiday move that may no longer apply, and would count rest days that a working-day period skips.
//
// Extensions lengthen the period itself (45 + 15 = 60 days from acceptance), so the move off a rest day
// is only ever applied once, to the final day.
//
// Warnings fall at the end of the China day on which floor(threshold × period) counted days have passed:
// day boundaries a mediation centre reads ("half the days are used"), and never later than the threshold.
//
// A period that runs past the calendar's last loaded year is counted on provisionalExtension (weekends and
// the fixed-date statutory holidays only) instead of failing: the clock is marked `provisional`, its rule
// says why, and recomputeClocks reports the change once the year's notice is loaded. A clock must not stop
// a case from being received because a notice is late; the calendar itself stays strict.
import {
  addPeriodProvisional,
  chinaDateOf,
  endOfChinaDay,
  instantMs,
  nthCountedDay,
  provisionalExtension,
  type Calendar,
  type IsoDate,
  type PeriodUnit,
  type SkippedDays,
} from '../calendar/index.js';
import type { BreachAction, ExtensionRule, SlaPolicy, SlaPolicySet, Trigger, WhereValue } from './policies.js';

/** The part of a case event a clock reads; the events/ schemas are assignable to it. */
export interface ClockEvent {
  type: string;
  occurredAt: string;
  data?: Readonly<Record<string, unknown>>;
}

/** lapsed: a party's own window ran out unused (ClockLapsed); only a clock that is not a duty lapses. */
export type ClockStatus = 'running' | 'paused' | 'stopped' | 'cancelled' | 'lapsed';

export interface SlaClock {
  key: string;
  policyId: string;
  scope?: string;
  status: ClockStatus;
  /** The event's occurredAt, or the data field its trigger names in `startAt` (e.g. effectiveAt). */
  startedAt: string;
  limit: number;
  unit: PeriodUnit;
  /** Last day of the period (China date) and the instant it ends. While paused: as before the pause. */
  due: IsoDate;
  dueAt: string;
  rule: string;
  /**
   * The period reaches past the calendar's last loaded year, so `due` (and the warnings) were counted with
   * weekends and fixed-date holidays only; `rule` says so. False once recomputed on a calendar with that year.
   */
  provisional: boolean;
  warnAt: { threshold: number; at: string }[];
  /** Thresholds already recorded by a ClockWarned event. */
  warned: number[];
  breached: boolean;
  pausedAt?: string;
  pauses: { from: string; to: string }[];
  pausedTotalMs: number;
  extensions: { days: number; at: string }[];
  endedAt?: string;
  endedBy?: string;
  onBreach: BreachAction;
  policyVersion: string;
  calendarVersion: string;
}

export type SlaClocks = Record<string, SlaClock>;

export type ClockSignal =
  | { kind: 'warning'; clockKey: string; policyId: string; threshold: number; at: string }
  | { kind: 'breach'; clockKey: string; policyId: string; scope?: string; at: string; action: BreachAction }
  /** A party's window came to its end unused: recorded as ClockLapsed, with no escalation or supervision. */
  | { kind: 'lapse'; clockKey: string; policyId: string; at: string };

/**
 * A duty clock is a deadline the centre or a department must meet and can stop by a command: its breach
 * escalates or supervises. Any other clock is a party's own window (人民调解法 第三十三条's 30 days, the
 * review request's 30 days): it lapses, and it never counts as the centre's lateness.
 */
export const isDuty = (clock: Pick<SlaClock, 'onBreach'>): boolean => clock.onBreach.escalate || clock.onBreach.supervise;

export function clockKey(policyId: string, scope?: string): string {
  return scope === undefined ? policyId : `${policyId}:${scope}`;
}

const isActive = (c: SlaClock | undefined): c is SlaClock => c?.status === 'running' || c?.status === 'paused';

function dataField(event: ClockEvent, field: string): unknown {
  return event.data?.[field];
}

function matchesWhere(event: ClockEvent, where: Trigger['where']): boolean {
  if (!where) return true;
  return Object.entries(where).every(([field, expected]) => {
    const actual = dataField(event, field) ?? null;
    const allowed: readonly WhereValue[] = Array.isArray(expected) ? expected : [expected];
    return allowed.includes(actual as WhereValue);
  });
}

function matching(triggers: readonly Trigger[], event: ClockEvent, before: SlaClocks): Trigger | undefined {
  return triggers.find(
    (t) =>
      t.type === event.type &&
      matchesWhere(event, t.where) &&
      (t.whileActive === undefined || isActive(before[t.whileActive])),
  );
}

const matches = (triggers: readonly Trigger[], event: ClockEvent, before: SlaClocks): boolean =>
  matching(triggers, event, before) !== undefined;

/**
 * The moment a clock started by `trigger` counts from. A `startAt` field the event lacks falls back to
 * occurredAt: the event schemas make such fields required (checked in sla-policies.unit.spec.ts), so only
 * partial test events get here.
 */
function startMoment(trigger: Trigger, event: ClockEvent): string {
  if (trigger.startAt === undefined) return event.occurredAt;
  const value = dataField(event, trigger.startAt);
  return typeof value === 'string' ? value : event.occurredAt;
}

type Scheduled = 'due' | 'dueAt' | 'rule' | 'provisional' | 'warnAt' | 'calendarVersion';

/** Computes due, dueAt, rule and warnAt from the clock's own start, period, extensions and closed pauses. */
function schedule(clock: Omit<SlaClock, Scheduled>, thresholds: readonly number[], calendar: Calendar): SlaClock {
  const from = chinaDateOf(clock.startedAt);
  const days = clock.limit + clock.extensions.reduce((sum, e) => sum + e.days, 0);
  const skip: SkippedDays[] = clock.pauses.map((p) => ({ after: chinaDateOf(p.from), through: chinaDateOf(p.to) }));
  const dates = scheduledDates(calendar, from, days, clock.unit, skip, thresholds);
  return {
    ...clock,
    due: dates.due,
    dueAt: dates.dueAt,
    rule: dates.rule,
    provisional: dates.provisional,
    warnAt: dates.warnAt.map((w) => ({ ...w })),
    calendarVersion: calendar.version,
  };
}

interface ScheduledDates {
  due: IsoDate;
  dueAt: string;
  rule: string;
  provisional: boolean;
  warnAt: readonly { threshold: number; at: string }[];
}

/**
 * The due day and warning moments of a period on a calendar. Remembered per calendar object: a case folds
 * its clocks again at every event, and most clocks of a centre start on the same few days with the same
 * limits, and counting the same period day by day again took 40 % of the projector's fold
 * (docs/measurements/2026-11-30-performance.md). The result depends on nothing but the arguments (a calendar object never changes), so a
 * remembered answer is the answer; the memory is dropped wholesale past a bound, and errors are not kept.
 */
function scheduledDates(
  calendar: Calendar,
  from: IsoDate,
  days: number,
  unit: PeriodUnit,
  skip: readonly SkippedDays[],
  thresholds: readonly number[],
): ScheduledDates {
  let memo = scheduledDatesMemo.get(calendar);
  if (memo === undefined) scheduledDatesMemo.set(calendar, (memo = new Map()));
  const key = `${from}|${days}|${unit}|${thresholds.join(',')}|${skip.map((s) => `${s.after}~${s.through}`).join(';')}`;
  const known = memo.get(key);
  if (known !== undefined) return known;
  const period = addPeriodProvisional(calendar, from, days, unit, { skip });
  // Warning days never lie after the due day, so they are provisional only when the due date is.
  const counting = provisionalExtension(calendar);
  const dates: ScheduledDates = {
    due: period.due,
    dueAt: endOfChinaDay(period.due),
    rule: period.rule,
    provisional: period.provisional,
    warnAt: thresholds.map((threshold) => ({
      threshold,
      at: endOfChinaDay(nthCountedDay(counting, from, Math.floor(threshold * days), unit, skip)),
    })),
  };
  if (memo.size >= SCHEDULED_DATES_KEPT) memo.clear();
  memo.set(key, dates);
  return dates;
}

const scheduledDatesMemo = new WeakMap<Calendar, Map<string, ScheduledDates>>();
const SCHEDULED_DATES_KEPT = 20_000;

const reschedule = (clock: SlaClock, calendar: Calendar): SlaClock =>
  schedule(clock, clock.warnAt.map((w) => w.threshold), calendar);

function startClock(
  policy: SlaPolicy,
  scope: string | undefined,
  trigger: Trigger,
  event: ClockEvent,
  policyVersion: string,
  calendar: Calendar,
): SlaClock {
  return schedule(
    {
      key: clockKey(policy.id, scope),
      policyId: policy.id,
      ...(scope === undefined ? {} : { scope }),
      status: 'running',
      startedAt: startMoment(trigger, event),
      limit: policy.limit,
      unit: policy.unit,
      warned: [],
      breached: false,
      pauses: [],
      pausedTotalMs: 0,
      extensions: [],
      onBreach: policy.onBreach,
      policyVersion,
    },
    policy.warnAt,
    calendar,
  );
}

/** Closes an open pause at `at`; a resume stamped before its pause counts as zero paused time. */
function closePause(clock: SlaClock, at: string): SlaClock {
  if (clock.pausedAt === undefined) return clock;
  const { pausedAt, ...rest } = clock;
  const to = instantMs(at) < instantMs(pausedAt) ? pausedAt : at;
  return {
    ...rest,
    pauses: [...clock.pauses, { from: pausedAt, to }],
    pausedTotalMs: clock.pausedTotalMs + (instantMs(to) - instantMs(pausedAt)),
  };
}

function end(clock: SlaClock, status: 'stopped' | 'cancelled' | 'lapsed', event: ClockEvent): SlaClock {
  return { ...closePause(clock, event.occurredAt), status, endedAt: event.occurredAt, endedBy: event.type };
}

function extend(clock: SlaClock, rule: ExtensionRule, event: ClockEvent, calendar: Calendar): SlaClock {
  const days = dataField(event, 'days');
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1) return clock;
  const used = clock.extensions.reduce((sum, e) => sum + e.days, 0);
  // An extension beyond the statute does not move the statutory deadline; the decider should refuse it.
  const granted = rule.maxTotalDays === undefined ? days : Math.min(days, rule.maxTotalDays - used);
  if (granted < 1) return clock;
  return reschedule({ ...clock, extensions: [...clock.extensions, { days: granted, at: event.occurredAt }] }, calendar);
}

function recordSignal(clocks: SlaClocks, event: ClockEvent): SlaClocks {
  const key = dataField(event, 'clockKey');
  const clock = typeof key === 'string' ? clocks[key] : undefined;
  if (!clock) return clocks;
  if (event.type === 'ClockLapsed') return isActive(clock) ? { ...clocks, [clock.key]: end(clock, 'lapsed', event) } : clocks;
  if (event.type === 'ClockWarned') {
    const threshold = dataField(event, 'threshold');
    const known = clock.warnAt.some((w) => w.threshold === threshold);
    if (typeof threshold !== 'number' || !known || clock.warned.includes(threshold)) return clocks;
    return { ...clocks, [clock.key]: { ...clock, warned: [...clock.warned, threshold] } };
  }
  return clock.breached ? clocks : { ...clocks, [clock.key]: { ...clock, breached: true } };
}

/** One policy's reaction to one event, or the clock unchanged. Guards read `before`, the pre-event clocks. */
function applyPolicy(
  policy: SlaPolicy,
  policyVersion: string,
  before: SlaClocks,
  event: ClockEvent,
  calendar: Calendar,
): SlaClock | undefined {
  let scope: string | undefined;
  if (policy.scopeBy !== undefined) {
    const value = dataField(event, policy.scopeBy);
    if (typeof value !== 'string') return undefined;
    scope = value;
  }
  const clock = before[clockKey(policy.id, scope)];

  const reset = matching(policy.reset, event, before);
  if (reset) return startClock(policy, scope, reset, event, policyVersion, calendar);
  const start = matching(policy.start, event, before);
  if (start) return isActive(clock) ? clock : startClock(policy, scope, start, event, policyVersion, calendar);
  if (!isActive(clock)) return clock;
  if (matches(policy.stop, event, before)) return end(clock, 'stopped', event);
  if (matches(policy.cancel, event, before)) return end(clock, 'cancelled', event);
  if (clock.status === 'running' && matches(policy.pause, event, before)) {
    return { ...clock, status: 'paused', pausedAt: event.occurredAt };
  }
  if (clock.status === 'paused' && matches(policy.resume, event, before)) {
    return reschedule({ ...closePause(clock, event.occurredAt), status: 'running' }, calendar);
  }
  const extension = policy.extend.find((rule) => matches([rule.on], event, before));
  return extension ? extend(clock, extension, event, calendar) : clock;
}

/**
 * A scoped policy's clocks ended by an event that names no scope (the case closed, withdrawn, merged):
 * every active clock of the policy, when a cancel (or stop) trigger marked `allScopes` matches.
 */
function endAllScopes(policy: SlaPolicy, before: SlaClocks, event: ClockEvent): SlaClock[] {
  if (policy.scopeBy === undefined || typeof dataField(event, policy.scopeBy) === 'string') return [];
  const status = matches(policy.cancel.filter((t) => t.allScopes), event, before)
    ? 'cancelled'
    : matches(policy.stop.filter((t) => t.allScopes), event, before)
      ? 'stopped'
      : undefined;
  if (!status) return [];
  return Object.values(before)
    .filter((clock) => clock.policyId === policy.id && isActive(clock))
    .map((clock) => end(clock, status, event));
}

/**
 * Per policy set and event type, the policies with a trigger of that type (start, stop, pause, resume,
 * reset, cancel or extend). Every other policy leaves every clock as it is: each of its branches in
 * applyPolicy and endAllScopes needs a trigger whose type is the event's. Folding a case looks at two or
 * three policies per event instead of all of them (the projector spent most of its fold here).
 */
const reactingPolicies = new WeakMap<SlaPolicySet, Map<string, readonly SlaPolicy[]>>();

function policiesReactingTo(policies: SlaPolicySet, type: string): readonly SlaPolicy[] {
  let byType = reactingPolicies.get(policies);
  if (!byType) {
    byType = new Map();
    reactingPolicies.set(policies, byType);
  }
  let found = byType.get(type);
  if (!found) {
    found = policies.policies.filter((p) =>
      [...p.start, ...p.stop, ...p.pause, ...p.resume, ...p.reset, ...p.cancel, ...p.extend.map((e) => e.on)].some((t) => t.type === type),
    );
    byType.set(type, found);
  }
  return found;
}

const isSignal = (event: ClockEvent): boolean => event.type === 'ClockWarned' || event.type === 'ClockBreached' || event.type === 'ClockLapsed';

/** The clocks after one event. Pure: the input is never changed, changed clocks are new objects. */
export function evolveClocks(clocks: SlaClocks, event: ClockEvent, policies: SlaPolicySet, calendar: Calendar): SlaClocks {
  if (isSignal(event)) return recordSignal(clocks, event);
  return applyPolicies(policiesReactingTo(policies, event.type), policies.version, clocks, event, calendar);
}

/**
 * evolveClocks looking at every policy of the set, the reference evolveClocks must agree with
 * (test/unit/sla-policy-index.unit.spec.ts folds generated histories both ways).
 */
export function evolveClocksOverEveryPolicy(clocks: SlaClocks, event: ClockEvent, policies: SlaPolicySet, calendar: Calendar): SlaClocks {
  if (isSignal(event)) return recordSignal(clocks, event);
  return applyPolicies(policies.policies, policies.version, clocks, event, calendar);
}

function applyPolicies(candidates: readonly SlaPolicy[], version: string, clocks: SlaClocks, event: ClockEvent, calendar: Calendar): SlaClocks {
  let next = clocks;
  for (const policy of candidates) {
    for (const ended of endAllScopes(policy, clocks, event)) next = { ...next, [ended.key]: ended };
    const updated = applyPolicy(policy, version, clocks, event, calendar);
    if (updated && updated !== next[updated.key]) next = { ...next, [updated.key]: updated };
  }
  return next;
}

export function foldClocks(events: readonly ClockEvent[], policies: SlaPolicySet, calendar: Calendar): SlaClocks {
  return events.reduce<SlaClocks>((clocks, event) => evolveClocks(clocks, event, policies, calendar), {});
}

/** Warnings and breaches due at `now` and not yet recorded, earliest first. Only running clocks signal. */
export function clockSignals(clocks: SlaClocks, now: string): ClockSignal[] {
  const nowMs = instantMs(now);
  const signals: ClockSignal[] = [];
  for (const clock of Object.values(clocks)) {
    if (clock.status !== 'running') continue;
    for (const w of clock.warnAt) {
      if (!clock.warned.includes(w.threshold) && instantMs(w.at) <= nowMs) {
        signals.push({ kind: 'warning', clockKey: clock.key, policyId: clock.policyId, threshold: w.threshold, at: w.at });
      }
    }
    if (!clock.breached && instantMs(clock.dueAt) <= nowMs) {
      if (!isDuty(clock)) {
        signals.push({ kind: 'lapse', clockKey: clock.key, policyId: clock.policyId, at: clock.dueAt });
        continue;
      }
      signals.push({
        kind: 'breach',
        clockKey: clock.key,
        policyId: clock.policyId,
        ...(clock.scope === undefined ? {} : { scope: clock.scope }),
        at: clock.dueAt,
        action: clock.onBreach,
      });
    }
  }
  const rank = (s: ClockSignal) => (s.kind === 'warning' ? s.threshold : 1);
  return signals.sort(
    (a, b) => instantMs(a.at) - instantMs(b.at) || rank(a) - rank(b) || a.clockKey.localeCompare(b.clockKey),
  );
}

/**
 * The earliest warning or breach moment not yet recorded on any running clock: the workflow sleeps until
 * then. It may already have passed (e.g. after a resume); then clockSignals has work to do at once.
 */
export function nextDueAt(clocks: SlaClocks): string | undefined {
  let next: string | undefined;
  const consider = (at: string) => {
    if (next === undefined || instantMs(at) < instantMs(next)) next = at;
  };
  for (const clock of Object.values(clocks)) {
    if (clock.status !== 'running') continue;
    for (const w of clock.warnAt) if (!clock.warned.includes(w.threshold)) consider(w.at);
    if (!clock.breached) consider(clock.dueAt);
  }
  return next;
}
