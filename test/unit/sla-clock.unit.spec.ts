// Every clock transition, given a case's events, when one more event (or a moment) comes, then the clocks.
// Times are written in UTC; China time is 8 hours later (02:00Z = 10:00 in China, same date).
import { describe, expect, it } from 'vitest';
import { CalendarRangeError, chinaCalendar } from '../../domain/calendar/index.js';
import {
  clockSignals,
  evolveClocks,
  foldClocks,
  nextDueAt,
  slaPolicySet,
  type ClockEvent,
  type SlaClock,
  type SlaClocks,
} from '../../domain/sla/index.js';

const ev = (type: string, occurredAt: string, data: Record<string, unknown> = {}): ClockEvent => ({ type, occurredAt, data });
const given = (...events: ClockEvent[]) => foldClocks(events, slaPolicySet, chinaCalendar);
const when = (clocks: SlaClocks, event: ClockEvent) => evolveClocks(clocks, event, slaPolicySet, chinaCalendar);

function clock(clocks: SlaClocks, key: string): SlaClock {
  const c = clocks[key];
  if (!c) throw new Error(`no clock ${key}; have ${Object.keys(clocks).join(', ')}`);
  return c;
}

const received = (at: string, channel = 'walk-in') => ev('CaseReceived', at, { channel });

describe('start', () => {
  it('given nothing, when a walk-in case is received, then the reply and acceptance clocks start with due dates on the calendar', () => {
    const clocks = given(received('2025-09-20T02:00:00.000Z'));

    // 7 days: day 7 is Saturday 09-27, a rest day; the next working day is the make-up Sunday 09-28.
    expect(clock(clocks, 'complaint-reply')).toMatchObject({
      status: 'running',
      startedAt: '2025-09-20T02:00:00.000Z',
      due: '2025-09-28',
      dueAt: '2025-09-28T16:00:00.000Z',
      warnAt: [
        { threshold: 0.5, at: '2025-09-23T16:00:00.000Z' },
        { threshold: 0.75, at: '2025-09-25T16:00:00.000Z' },
      ],
      warned: [],
      breached: false,
      provisional: false,
      policyVersion: 'sla-2026.2',
      calendarVersion: chinaCalendar.version,
    });
    // 3 working days from Saturday 09-20: Sunday 09-21 is a rest day, so 09-22, 09-23, 09-24.
    expect(clock(clocks, 'enterprise-committee-accept')).toMatchObject({ due: '2025-09-24', unit: 'working-days' });
    expect(Object.keys(clocks).sort()).toEqual(['complaint-reply', 'enterprise-committee-accept']);
  });

  it('given a running clock, when its start event comes again, then it is not restarted', () => {
    const clocks = given(received('2025-09-20T02:00:00.000Z'), received('2025-09-22T02:00:00.000Z'));
    expect(clock(clocks, 'complaint-reply').startedAt).toBe('2025-09-20T02:00:00.000Z');
  });

  it('given the mediation clock starts on 2025-09-20, then its due date is 2025-10-09 (day 15 is a holiday)', () => {
    const clocks = given(ev('CaseAccepted', '2025-09-20T02:00:00.000Z'));
    expect(clock(clocks, 'mediation-conclude')).toMatchObject({ due: '2025-10-09', limit: 15, unit: 'calendar-days' });
    expect(clock(clocks, 'mediation-conclude').rule).toContain('2025-10-05');
  });
});

describe('where predicates and guards', () => {
  it('given a transferred petition, then the petition clocks start and the direct-intake acceptance clock does not', () => {
    const clocks = given(received('2025-03-03T02:00:00.000Z', 'petition-transfer'));
    expect(Object.keys(clocks).sort()).toEqual(['complaint-reply', 'petition-accept', 'petition-register-route']);
  });

  it('given a hotline case, then no petition clock starts (the channel list of the acceptance clock matches)', () => {
    const clocks = given(received('2025-03-03T02:00:00.000Z', 'hotline-12351'));
    expect(Object.keys(clocks).sort()).toEqual(['complaint-reply', 'enterprise-committee-accept']);
  });

  it('given a petition being accepted, then petition-handle starts only because petition-accept was running', () => {
    const petition = given(received('2025-03-03T02:00:00.000Z', 'petition-transfer'), ev('CaseAccepted', '2025-03-05T02:00:00.000Z'));
    expect(clock(petition, 'petition-accept').status).toBe('stopped');
    expect(clock(petition, 'petition-handle')).toMatchObject({ status: 'running', due: '2025-05-06' });

    const walkIn = given(received('2025-03-03T02:00:00.000Z'), ev('CaseAccepted', '2025-03-05T02:00:00.000Z'));
    expect(walkIn['petition-handle']).toBeUndefined();
  });

  it('given no arbitration referral, when hr accepts a referral, then no arbitration award clock starts', () => {
    expect(given(ev('ReferralAccepted', '2025-03-05T02:00:00.000Z', { department: 'hr' }))).toEqual({});
  });

  it('given a referral to arbitration, when hr accepts it, then acceptance stops and the 45-day award clock starts', () => {
    const clocks = given(
      ev('ReferredToArbitration', '2025-03-03T02:00:00.000Z'),
      ev('ReferralAccepted', '2025-03-05T02:00:00.000Z', { department: 'hr' }),
    );
    expect(clock(clocks, 'arbitration-accept')).toMatchObject({ status: 'stopped', due: '2025-03-10' });
    // 45 days from 03-05 is Saturday 04-19: moved to Monday 04-21.
    expect(clock(clocks, 'arbitration-award')).toMatchObject({ status: 'running', due: '2025-04-21' });
  });
});

describe('scoped clocks: one referral-objection clock per department', () => {
  const opened = given(
    ev('ReferralOpened', '2025-09-26T02:00:00.000Z', { department: 'court', referralId: 'r1' }),
    ev('ReferralOpened', '2025-09-26T03:00:00.000Z', { department: 'hr', referralId: 'r2' }),
  );

  it('given referrals to court and hr, then each has its own clock of 5 working days', () => {
    expect(Object.keys(opened).sort()).toEqual(['referral-objection:court', 'referral-objection:hr']);
    // 09-28 (make-up Sunday), 09-29, 09-30, then the holiday 10-01…10-08, then 10-09, 10-10.
    expect(clock(opened, 'referral-objection:court')).toMatchObject({ scope: 'court', due: '2025-10-10' });
  });

  it('when the court accepts its referral, then only the court clock stops', () => {
    const clocks = when(opened, ev('ReferralAccepted', '2025-09-29T02:00:00.000Z', { department: 'court', referralId: 'r1' }));
    expect(clock(clocks, 'referral-objection:court')).toMatchObject({ status: 'stopped', endedBy: 'ReferralAccepted' });
    expect(clock(clocks, 'referral-objection:hr').status).toBe('running');
  });

  it('when hr objects, then the hr clock stops', () => {
    const clocks = when(opened, ev('ReferralObjected', '2025-09-29T02:00:00.000Z', { department: 'hr', referralId: 'r2' }));
    expect(clock(clocks, 'referral-objection:hr').status).toBe('stopped');
    expect(clock(clocks, 'referral-objection:court').status).toBe('running');
  });
});

describe('stop and cancel', () => {
  it('given a running reply clock, when the reply is sent, then it stops and signals nothing more', () => {
    const clocks = when(given(received('2025-09-20T02:00:00.000Z')), ev('ReplySent', '2025-09-25T02:00:00.000Z'));
    expect(clock(clocks, 'complaint-reply')).toMatchObject({
      status: 'stopped',
      endedAt: '2025-09-25T02:00:00.000Z',
      endedBy: 'ReplySent',
    });
    expect(clockSignals(clocks, '2025-12-01T00:00:00.000Z').filter((s) => s.clockKey === 'complaint-reply')).toEqual([]);
  });

  it('given running clocks, when the case is withdrawn, then mediation stops (an ending of mediation) and the reply is cancelled', () => {
    const clocks = given(
      received('2025-09-20T02:00:00.000Z'),
      ev('CaseAccepted', '2025-09-21T02:00:00.000Z'),
      ev('CaseWithdrawn', '2025-09-22T02:00:00.000Z'),
    );
    expect(clock(clocks, 'mediation-conclude').status).toBe('stopped');
    expect(clock(clocks, 'complaint-reply')).toMatchObject({ status: 'cancelled', endedBy: 'CaseWithdrawn' });
    expect(nextDueAt(clocks)).toBeUndefined();
  });

  it('given a petition that was handled, when the case is closed, then petition-handle stops and the review window opens', () => {
    const clocks = given(
      received('2025-03-03T02:00:00.000Z', 'petition-transfer'),
      ev('CaseAccepted', '2025-03-05T02:00:00.000Z'),
      ev('ReplySent', '2025-03-20T02:00:00.000Z'),
      ev('CaseClosed', '2025-03-24T02:00:00.000Z'),
    );
    expect(clock(clocks, 'petition-handle').status).toBe('stopped');
    // 30 days from 03-24 is Wednesday 04-23. Closing the file does not cancel the petitioner's own limit.
    expect(clock(clocks, 'review-request')).toMatchObject({ status: 'running', due: '2025-04-23' });
    expect(clock(clocks, 'review-request').onBreach).toMatchObject({ escalate: false, supervise: false });
  });

  it('given a review request, then the review window stops and the 30-day review clock starts', () => {
    const clocks = given(
      received('2025-03-03T02:00:00.000Z', 'petition-transfer'),
      ev('CaseAccepted', '2025-03-05T02:00:00.000Z'),
      ev('CaseClosed', '2025-03-24T02:00:00.000Z'),
      ev('CaseReopened', '2025-04-01T02:00:00.000Z', { reason: 'recheck' }),
      ev('RecheckOpened', '2025-04-01T03:00:00.000Z', { reason: 'review-request' }),
    );
    expect(clock(clocks, 'review-request').status).toBe('stopped');
    expect(clock(clocks, 'review-decide')).toMatchObject({ status: 'running', due: '2025-05-06' });
  });

  it('given a low satisfaction score, when a re-check is opened, then it is not a statutory review', () => {
    const clocks = given(received('2025-03-03T02:00:00.000Z'), ev('RecheckOpened', '2025-03-10T02:00:00.000Z', { reason: 'low-satisfaction' }));
    expect(clocks['review-decide']).toBeUndefined();
  });
});

describe('reset', () => {
  it('given a reply already sent and the case closed, when the case is reopened, then the reply clock starts afresh', () => {
    const clocks = given(
      received('2025-09-20T02:00:00.000Z'),
      ev('ClockWarned', '2025-09-23T16:00:00.000Z', { clockKey: 'complaint-reply', threshold: 0.5 }),
      ev('ReplySent', '2025-09-25T02:00:00.000Z'),
      ev('CaseClosed', '2025-09-26T02:00:00.000Z'),
      ev('CaseReopened', '2025-11-03T02:00:00.000Z', { reason: 'agreement-not-performed' }),
    );
    expect(clock(clocks, 'complaint-reply')).toMatchObject({
      status: 'running',
      startedAt: '2025-11-03T02:00:00.000Z',
      due: '2025-11-10',
      warned: [],
      breached: false,
    });
    expect(clock(clocks, 'complaint-reply').endedAt).toBeUndefined();
  });
});

describe('pause and resume: paused days are not counted', () => {
  const accepted = given(ev('CaseAccepted', '2025-09-20T02:00:00.000Z'));
  const paused = when(accepted, ev('CaseSuspended', '2025-09-22T03:00:00.000Z', { reason: 'awaiting-materials' }));

  it('when the case is suspended, then the mediation clock pauses and signals nothing', () => {
    expect(clock(paused, 'mediation-conclude')).toMatchObject({ status: 'paused', pausedAt: '2025-09-22T03:00:00.000Z' });
    expect(clockSignals(paused, '2025-12-01T00:00:00.000Z')).toEqual([]);
    expect(nextDueAt(paused)).toBeUndefined();
  });

  it('when it resumes on 10-10, then 09-23 … 10-10 are not counted and the due date is recomputed on the calendar', () => {
    const resumed = when(paused, ev('CaseResumed', '2025-10-10T03:00:00.000Z'));
    const c = clock(resumed, 'mediation-conclude');
    // Days 1–2 were 09-21 and 09-22; day 3 is 10-11; day 15 is Thursday 10-23.
    expect(c).toMatchObject({
      status: 'running',
      due: '2025-10-23',
      dueAt: '2025-10-23T16:00:00.000Z',
      pauses: [{ from: '2025-09-22T03:00:00.000Z', to: '2025-10-10T03:00:00.000Z' }],
      pausedTotalMs: 18 * 86_400_000,
      warnAt: [
        { threshold: 0.5, at: '2025-10-15T16:00:00.000Z' },
        { threshold: 0.75, at: '2025-10-19T16:00:00.000Z' },
      ],
    });
    expect(c.pausedAt).toBeUndefined();
    expect(c.rule).toContain('18 paused days not counted');
  });

  it('when it is paused and resumed on the same day, then the due date does not move', () => {
    const resumed = when(paused, ev('CaseResumed', '2025-09-22T09:00:00.000Z'));
    expect(clock(resumed, 'mediation-conclude').due).toBe(clock(accepted, 'mediation-conclude').due);
    expect(clock(resumed, 'mediation-conclude').pausedTotalMs).toBe(6 * 3_600_000);
  });

  it('when a paused clock is stopped, then the open pause is closed', () => {
    const stopped = when(paused, ev('AgreementReached', '2025-09-24T03:00:00.000Z'));
    expect(clock(stopped, 'mediation-conclude')).toMatchObject({ status: 'stopped', pausedTotalMs: 2 * 86_400_000 });
    expect(clock(stopped, 'mediation-conclude').pausedAt).toBeUndefined();
  });

  it('a clock without pause triggers does not pause', () => {
    const clocks = when(given(received('2025-09-20T02:00:00.000Z')), ev('CaseSuspended', '2025-09-21T02:00:00.000Z', { reason: 'other' }));
    expect(clock(clocks, 'complaint-reply').status).toBe('running');
  });
});

describe('extensions', () => {
  const accepted = given(ev('CaseAccepted', '2025-09-20T02:00:00.000Z'));

  it('given the mediation clock, when both parties agree 10 more days (no clock named), then the period is 25 days', () => {
    const clocks = when(accepted, ev('ExtensionAgreed', '2025-10-01T02:00:00.000Z', { days: 10 }));
    expect(clock(clocks, 'mediation-conclude')).toMatchObject({
      due: '2025-10-15',
      extensions: [{ days: 10, at: '2025-10-01T02:00:00.000Z' }],
    });
  });

  it('given an extension naming another clock, then the mediation clock does not move', () => {
    const clocks = when(accepted, ev('ExtensionAgreed', '2025-10-01T02:00:00.000Z', { days: 10, clock: 'arbitration-award' }));
    expect(clock(clocks, 'mediation-conclude')).toMatchObject({ due: '2025-10-09', extensions: [] });
  });

  it('given the arbitration award clock, when 20 days are approved, then only the statutory 15 are granted, and no more later', () => {
    const award = given(
      ev('ReferredToArbitration', '2025-03-03T02:00:00.000Z'),
      ev('ReferralAccepted', '2025-03-05T02:00:00.000Z', { department: 'hr' }),
      ev('ExtensionApproved', '2025-04-10T02:00:00.000Z', { days: 20, clock: 'arbitration-award' }),
    );
    // 60 days from 03-05 is 05-04, a May Day holiday; the next working day is 05-06.
    expect(clock(award, 'arbitration-award')).toMatchObject({ due: '2025-05-06', extensions: [{ days: 15 }] });
    const again = when(award, ev('ExtensionApproved', '2025-04-11T02:00:00.000Z', { days: 5, clock: 'arbitration-award' }));
    expect(again).toBe(award);
    // sla-2026.1: the head approves it; a party-consent ExtensionAgreed does not move the award clock.
    const byParties = given(
      ev('ReferredToArbitration', '2025-03-03T02:00:00.000Z'),
      ev('ReferralAccepted', '2025-03-05T02:00:00.000Z', { department: 'hr' }),
      ev('ExtensionAgreed', '2025-04-10T02:00:00.000Z', { days: 10, clock: 'arbitration-award' }),
    );
    expect(clock(byParties, 'arbitration-award')).toMatchObject({ extensions: [] });
  });
});

describe('warnings and breach', () => {
  const start = given(received('2025-09-20T02:00:00.000Z'));

  it('given a running clock, when nothing is due yet, then there are no signals and the workflow sleeps until the first warning', () => {
    expect(clockSignals(start, '2025-09-21T00:00:00.000Z')).toEqual([]);
    // The acceptance clock's 50% warning: the end of its first working day, 09-22.
    expect(nextDueAt(start)).toBe('2025-09-22T16:00:00.000Z');
  });

  it('when the 50% and 75% moments pass, then warnings are signalled in time order', () => {
    const signals = clockSignals(start, '2025-09-23T16:00:00.000Z');
    expect(signals).toEqual([
      { kind: 'warning', clockKey: 'enterprise-committee-accept', policyId: 'enterprise-committee-accept', threshold: 0.5, at: '2025-09-22T16:00:00.000Z' },
      { kind: 'warning', clockKey: 'complaint-reply', policyId: 'complaint-reply', threshold: 0.5, at: '2025-09-23T16:00:00.000Z' },
      { kind: 'warning', clockKey: 'enterprise-committee-accept', policyId: 'enterprise-committee-accept', threshold: 0.75, at: '2025-09-23T16:00:00.000Z' },
    ]);
  });

  it('when a warning is recorded, then it is not signalled again and the next moment moves on', () => {
    const clocks = when(start, ev('ClockWarned', '2025-09-22T16:00:05.000Z', { clockKey: 'enterprise-committee-accept', threshold: 0.5 }));
    expect(clock(clocks, 'enterprise-committee-accept').warned).toEqual([0.5]);
    expect(clockSignals(clocks, '2025-09-22T23:00:00.000Z')).toEqual([]);
    expect(nextDueAt(clocks)).toBe('2025-09-23T16:00:00.000Z');
  });

  it('when the due moment passes, then a breach is signalled with what it requires: escalate and supervise', () => {
    const beforeDue = clockSignals(start, '2025-09-28T15:59:59.999Z').filter((s) => s.kind === 'breach' && s.clockKey === 'complaint-reply');
    expect(beforeDue).toEqual([]);
    const breaches = clockSignals(start, '2025-09-28T16:00:00.000Z').filter((s) => s.kind === 'breach' && s.clockKey === 'complaint-reply');
    expect(breaches).toEqual([
      {
        kind: 'breach',
        clockKey: 'complaint-reply',
        policyId: 'complaint-reply',
        at: '2025-09-28T16:00:00.000Z',
        action: { escalate: true, supervise: true, accountable: 'lead' },
      },
    ]);
  });

  it('when a breach is recorded, then the clock is breached, keeps running, and no longer signals or wakes the workflow', () => {
    let clocks = start;
    for (const threshold of [0.5, 0.75]) {
      clocks = when(clocks, ev('ClockWarned', '2025-09-26T00:00:00.000Z', { clockKey: 'complaint-reply', threshold }));
    }
    clocks = when(clocks, ev('ClockBreached', '2025-09-28T16:00:01.000Z', { clockKey: 'complaint-reply' }));
    expect(clock(clocks, 'complaint-reply')).toMatchObject({ status: 'running', breached: true, warned: [0.5, 0.75] });
    expect(clockSignals(clocks, '2025-10-30T00:00:00.000Z').filter((s) => s.clockKey === 'complaint-reply')).toEqual([]);
  });

  it('ignores a recorded warning for an unknown clock or threshold', () => {
    expect(when(start, ev('ClockWarned', '2025-09-26T00:00:00.000Z', { clockKey: 'nope', threshold: 0.5 }))).toBe(start);
    expect(when(start, ev('ClockWarned', '2025-09-26T00:00:00.000Z', { clockKey: 'complaint-reply', threshold: 0.6 }))).toBe(start);
  });
});

describe('purity and errors', () => {
  it('never changes the clocks it is given', () => {
    const before = given(received('2025-09-20T02:00:00.000Z'), ev('CaseAccepted', '2025-09-20T03:00:00.000Z'));
    const snapshot = structuredClone(before);
    when(before, ev('CaseSuspended', '2025-09-21T02:00:00.000Z', { reason: 'other' }));
    when(before, ev('ReplySent', '2025-09-21T02:00:00.000Z'));
    expect(before).toStrictEqual(snapshot);
  });

  it('given an event whose clock would start before the loaded calendar, then evolving fails loudly', () => {
    expect(() => given(received('2023-12-30T02:00:00.000Z'))).toThrow(CalendarRangeError);
  });
});

describe('past the loaded calendar (2024–2026; the 2027 notice is not out)', () => {
  const PROVISIONAL = 'counted provisionally: the 2027 holiday notice is not loaded';

  it('given a case received on Friday 2026-12-25, then the reply clock is due provisionally on 2027-01-04, and says why', () => {
    const clocks = given(received('2026-12-25T02:00:00.000Z'));
    const reply = clock(clocks, 'complaint-reply');
    // Day 7 is 2027-01-01 (元旦, fixed by date), then a weekend: Monday 2027-01-04.
    expect(reply).toMatchObject({
      status: 'running',
      due: '2027-01-04',
      dueAt: '2027-01-04T16:00:00.000Z',
      provisional: true,
      calendarVersion: chinaCalendar.version,
      warnAt: [
        { threshold: 0.5, at: '2026-12-28T16:00:00.000Z' },
        { threshold: 0.75, at: '2026-12-30T16:00:00.000Z' },
      ],
    });
    expect(reply.rule).toContain('day 7 (2027-01-01) is a holiday (元旦)');
    expect(reply.rule).toContain(PROVISIONAL);
    expect(reply.rule).toContain('recompute when it is loaded');
    // Plain JSON: it survives a Temporal payload or a read-model row unchanged.
    expect(JSON.parse(JSON.stringify(reply))).toEqual(reply);
    // The acceptance clock ends on Wednesday 12-30, inside the loaded year.
    expect(clock(clocks, 'enterprise-committee-accept')).toMatchObject({ due: '2026-12-30', provisional: false });
    expect(nextDueAt(clocks)).toBe('2026-12-28T16:00:00.000Z');
  });

  it('given a working-day clock started on 2026-12-30, then 1 January and the weekend are not counted', () => {
    const accept = clock(given(received('2026-12-30T02:00:00.000Z')), 'enterprise-committee-accept');
    // 12-31 (1), 01-01 holiday, 01-02/03 weekend, 01-04 (2), 01-05 (3).
    expect(accept).toMatchObject({ due: '2027-01-05', provisional: true });
    expect(accept.rule).toContain('3 rest days not counted');
  });

  it('given a pause that pushes the due date into 2027, when the clock resumes, then it becomes provisional instead of failing', () => {
    // Accepted Tuesday 2026-12-01: due 12-16. Suspended 12-10 after 9 counted days, resumed 12-28: the other 6
    // run 12-29 … 2027-01-03 (a Sunday), so the period ends on Monday 2027-01-04.
    const accepted = given(ev('CaseAccepted', '2026-12-01T02:00:00.000Z'));
    expect(clock(accepted, 'mediation-conclude')).toMatchObject({ due: '2026-12-16', provisional: false });
    const paused = when(accepted, ev('CaseSuspended', '2026-12-10T02:00:00.000Z', { reason: 'other' }));
    const resumed = when(paused, ev('CaseResumed', '2026-12-28T02:00:00.000Z'));
    expect(clock(resumed, 'mediation-conclude')).toMatchObject({ status: 'running', due: '2027-01-04', provisional: true });
    expect(clock(resumed, 'mediation-conclude').rule).toContain(PROVISIONAL);
  });

  it('given a case received in 2027 itself, then its clocks are provisional too', () => {
    const clocks = given(received('2027-03-01T02:00:00.000Z'));
    expect(clock(clocks, 'complaint-reply')).toMatchObject({ due: '2027-03-08', provisional: true });
  });
});

describe('start moment from event data (startAt)', () => {
  it('given an agreement recorded on 2025-06-16 that took effect on 2025-06-11, then the confirmation clock counts from 06-11', () => {
    const clocks = given(ev('AgreementReached', '2025-06-16T02:00:00.000Z', { effectiveAt: '2025-06-11T02:00:00.000Z' }));
    expect(clock(clocks, 'judicial-confirmation-apply')).toMatchObject({
      startedAt: '2025-06-11T02:00:00.000Z',
      due: '2025-07-11',
      dueAt: '2025-07-11T16:00:00.000Z',
    });
  });

  it('given an event without the field, then the clock starts when the event occurred', () => {
    const clocks = given(ev('AgreementReached', '2025-06-16T02:00:00.000Z'));
    expect(clock(clocks, 'judicial-confirmation-apply')).toMatchObject({ startedAt: '2025-06-16T02:00:00.000Z', due: '2025-07-16' });
  });
});
