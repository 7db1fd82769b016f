// What a case's events require of the world (domain/case/effects.ts): given a history, when an event is
// decided, then the effects the workflow performs.
import { describe, expect, it } from 'vitest';
import { effectsOf } from '../../domain/case/effects.js';
import { foldEvents } from '../../domain/case/evolve.js';
import { clockKey } from '../../domain/sla/index.js';
import { toHistory } from '../support/decider-spec.js';
import { CASE_ID, ev, replied, routed, T0, type EventInput } from '../../testkit/case-fixtures.js';

const HR = `${CASE_ID}/R-5`;
const COURT = `${CASE_ID}/R-6`;

/** The effects of the last event of the history, with the state the history leads to. */
function effectsOfLast(history: readonly EventInput[]) {
  const events = toHistory(history);
  return effectsOf(foldEvents(events), events[events.length - 1]!);
}

describe('the effects of a case event', () => {
  it('given a routed case, when a referral opens, then its task starts, due when its referral-objection clock is', () => {
    const state = foldEvents(toHistory(routed));
    if (state.status === 'none') throw new Error('no case');
    const due = state.clocks[clockKey('referral-objection', 'hr')]?.dueAt;
    expect(due).toBeDefined();
    const opened = toHistory(routed).find((e) => e.type === 'ReferralOpened' && e.data.department === 'hr')!;
    expect(effectsOf(state, opened)).toEqual([{ kind: 'start-referral', referralId: HR, department: 'hr', dueAt: due }]);
  });

  it('when the department accepts, answers, objects, or the referral closes with its case, then its task is told how it ended', () => {
    expect(effectsOfLast([...routed, ev('ReferralAccepted', { referralId: HR, department: 'hr' })])).toEqual([{ kind: 'settle-referral', referralId: HR, status: 'accepted' }]);
    expect(effectsOfLast([...routed, ev('ReferralAnswered', { referralId: HR, department: 'hr', opinion: '同意' })])).toEqual([{ kind: 'settle-referral', referralId: HR, status: 'answered' }]);
    expect(effectsOfLast([...replied, ev('ReferralClosed', { referralId: COURT, department: 'court', reason: 'case-closed' })])).toEqual([{ kind: 'settle-referral', referralId: COURT, status: 'cancelled' }]);
  });

  it('when a case ends over referrals still open, then each is cancelled; when they were closed on record first, then none', () => {
    expect(effectsOfLast([...replied, ev('CaseClosed', { outcome: 'agreement' })])).toEqual([
      { kind: 'settle-referral', referralId: HR, status: 'cancelled' },
      { kind: 'settle-referral', referralId: COURT, status: 'cancelled' },
    ]);
    const closedOnRecord = [
      ...replied,
      ev('ReferralClosed', { referralId: HR, department: 'hr', reason: 'case-closed' }),
      ev('ReferralClosed', { referralId: COURT, department: 'court', reason: 'case-closed' }),
      ev('CaseClosed', { outcome: 'agreement' }),
    ];
    expect(effectsOfLast(closedOnRecord)).toEqual([]);
  });

  it('requires nothing of any other event', () => {
    expect(effectsOfLast([...routed, ev('SessionScheduled', { sessionId: `${CASE_ID}/S-1`, at: T0, place: '调解室', departments: ['union'] })])).toEqual([]);
  });
});
