// Properties of the clock state machine over random case histories. A history is a sequence of steps:
// a case event, or a tick at which the workflow acts on clockSignals exactly as it would (recording
// ClockWarned / ClockBreached). Invariants are checked after every step; folding must be deterministic.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chinaCalendar, chinaDateOf, endOfChinaDay, instantMs } from '../../domain/calendar/index.js';
import {
  clockKey,
  clockSignals,
  evolveClocks,
  foldClocks,
  nextDueAt,
  policyById,
  slaPolicySet,
  type ClockEvent,
  type SlaClock,
  type SlaClocks,
} from '../../domain/sla/index.js';

const department = fc.constantFrom('union', 'court', 'petitions', 'hr', 'justice');

const caseEvent: fc.Arbitrary<{ type: string; data: Record<string, unknown> }> = fc.oneof(
  fc.record({ type: fc.constant('CaseReceived'), data: fc.record({ channel: fc.constantFrom('walk-in', 'hotline-12351', 'online', 'petition-transfer', 'screening') }) }),
  fc.record({
    type: fc.constantFrom(
      'CaseAccepted', 'CaseRejected', 'CaseRouted', 'SessionScheduled', 'SessionHeld', 'CaseResumed',
      'AgreementReached', 'JudicialConfirmationRequested', 'JudicialConfirmationGranted', 'JudicialConfirmationRefused',
      'MediationFailed', 'ReferredToArbitration', 'ReferredToLitigation', 'CaseWithdrawn', 'ReplySent', 'CaseClosed',
      'CaseReopened', 'CaseMerged', 'FeedbackRecorded',
    ),
    data: fc.constant({}),
  }),
  fc.record({ type: fc.constant('CaseSuspended'), data: fc.constant({ reason: 'awaiting-materials' }) }),
  fc.record({
    type: fc.constantFrom('ReferralOpened', 'ReferralAccepted', 'ReferralAnswered', 'ReferralObjected'),
    data: fc.record({ department }),
  }),
  fc.record({
    type: fc.constant('ExtensionAgreed'),
    data: fc.record(
      { days: fc.integer({ min: 1, max: 40 }), clock: fc.constantFrom('mediation-conclude', 'arbitration-award', 'court-confirmation-decide', 'petition-handle') },
      { requiredKeys: ['days'] },
    ),
  }),
  fc.record({ type: fc.constant('RecheckOpened'), data: fc.record({ reason: fc.constantFrom('review-request', 'low-satisfaction') }) }),
);

type Step = { kind: 'event'; after: number; event: { type: string; data: Record<string, unknown> } } | { kind: 'tick'; after: number };
// Up to 3 days between steps and 60 steps keep every deadline from START_MS inside the loaded 2024–2026
// calendar; the late start below runs past it on purpose.
const minutes = fc.integer({ min: 0, max: 3 * 24 * 60 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('event' as const), after: minutes, event: caseEvent }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), after: minutes }) },
);

const START_MS = instantMs('2025-01-02T01:00:00.000Z');

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function checkClock(c: SlaClock): void {
  const policy = policyById(slaPolicySet, c.policyId);
  expect(policy).toBeDefined();
  expect(c.key).toBe(clockKey(c.policyId, c.scope));
  expect(c.dueAt).toBe(endOfChinaDay(c.due));
  // Provisional exactly when the period reaches past the loaded calendar, and then the rule says so.
  expect(c.provisional).toBe(c.due > `${chinaCalendar.lastYear}-12-31`);
  expect(c.rule.includes('counted provisionally')).toBe(c.provisional);
  expect(c.due > chinaDateOf(c.startedAt)).toBe(true);
  expect(instantMs(c.dueAt)).toBeGreaterThan(instantMs(c.startedAt));
  expect(c.warnAt.map((w) => w.threshold)).toEqual(policy?.warnAt);
  for (const w of c.warnAt) {
    expect(instantMs(w.at)).toBeGreaterThan(instantMs(c.startedAt));
    expect(instantMs(w.at)).toBeLessThan(instantMs(c.dueAt));
  }
  expect(new Set(c.warned).size).toBe(c.warned.length);
  for (const t of c.warned) expect(c.warnAt.map((w) => w.threshold)).toContain(t);
  expect(c.status === 'paused').toBe(c.pausedAt !== undefined);
  expect(c.status === 'stopped' || c.status === 'cancelled').toBe(c.endedAt !== undefined);
  const paused = c.pauses.reduce((sum, p) => sum + instantMs(p.to) - instantMs(p.from), 0);
  expect(c.pausedTotalMs).toBe(paused);
  for (const p of c.pauses) expect(instantMs(p.to)).toBeGreaterThanOrEqual(instantMs(p.from));
  const cap = policy?.extend[0]?.maxTotalDays;
  if (cap !== undefined) expect(c.extensions.reduce((sum, e) => sum + e.days, 0)).toBeLessThanOrEqual(cap);
}

/** Runs a history like the workflow would and returns the events it recorded and the clocks it holds. */
function simulate(steps: readonly Step[], startMs = START_MS): { events: ClockEvent[]; clocks: SlaClocks } {
  let nowMs = startMs;
  let clocks: SlaClocks = deepFreeze({});
  const events: ClockEvent[] = [];
  const apply = (event: ClockEvent) => {
    events.push(event);
    clocks = deepFreeze(evolveClocks(clocks, event, slaPolicySet, chinaCalendar));
    for (const c of Object.values(clocks)) checkClock(c);
  };

  for (const s of steps) {
    nowMs += s.after * 60_000;
    const now = new Date(nowMs).toISOString();
    if (s.kind === 'event') {
      apply({ type: s.event.type, occurredAt: now, data: s.event.data });
      continue;
    }
    const next = nextDueAt(clocks);
    const signals = clockSignals(clocks, now);
    // The workflow sleeps until nextDueAt: nothing can be due before it.
    if (signals.length > 0) expect(next !== undefined && instantMs(next) <= nowMs).toBe(true);
    for (const signal of signals) {
      const c = clocks[signal.clockKey];
      expect(c?.status).toBe('running');
      expect(instantMs(signal.at)).toBeLessThanOrEqual(nowMs);
      if (signal.kind === 'breach') {
        expect(signal.at).toBe(c?.dueAt);
        expect(c?.breached).toBe(false);
        apply({ type: 'ClockBreached', occurredAt: now, data: { clockKey: signal.clockKey, at: signal.at } });
      } else if (signal.kind === 'lapse') {
        expect(signal.at).toBe(c?.dueAt);
        apply({ type: 'ClockLapsed', occurredAt: now, data: { clockKey: signal.clockKey, at: signal.at } });
        expect(clocks[signal.clockKey]?.status).toBe('lapsed');
      } else {
        expect(c?.warned).not.toContain(signal.threshold);
        apply({ type: 'ClockWarned', occurredAt: now, data: { clockKey: signal.clockKey, threshold: signal.threshold, at: signal.at } });
      }
    }
    expect(clockSignals(clocks, now)).toEqual([]);
  }
  return { events, clocks };
}

describe('clock properties over random histories', () => {
  it('never produce an invalid clock, signal only running clocks at or after their moments, and fold deterministically', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const { events, clocks } = simulate(steps);
        const replayed = foldClocks(events, slaPolicySet, chinaCalendar);
        expect(replayed).toStrictEqual(clocks);
        expect(foldClocks(events, slaPolicySet, chinaCalendar)).toStrictEqual(replayed);
        // Plain JSON: what the workflow holds survives Temporal payloads and Kafka unchanged.
        expect(JSON.parse(JSON.stringify(clocks))).toStrictEqual(clocks);
      }),
      { numRuns: 300 },
    );
  });

  it('across the end of the loaded calendar: never fail, count provisionally, fold deterministically', () => {
    // From mid-November 2026, up to 180 days of history: into 2027, whose notice is not loaded.
    const lateStart = instantMs('2026-11-15T01:00:00.000Z');
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const { events, clocks } = simulate(steps, lateStart);
        expect(foldClocks(events, slaPolicySet, chinaCalendar)).toStrictEqual(clocks);
        expect(JSON.parse(JSON.stringify(clocks))).toStrictEqual(clocks);
      }),
      { numRuns: 200 },
    );
  });

  it('a breach is only ever recorded for a clock whose due moment had passed while it was running', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const { events, clocks } = simulate(steps);
        for (const c of Object.values(clocks)) {
          if (!c.breached) continue;
          const breach = events.find(
            (e) => e.type === 'ClockBreached' && e.data?.['clockKey'] === c.key && instantMs(e.occurredAt) >= instantMs(c.startedAt),
          );
          expect(breach).toBeDefined();
          expect(instantMs(String(breach?.occurredAt))).toBeGreaterThanOrEqual(instantMs(String(breach?.data?.['at'])));
        }
      }),
      { numRuns: 200 },
    );
  });
});
