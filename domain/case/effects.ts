// What a case's events require of the world besides being published: the effects the workflow performs.
// A referral is a task of its own (a child workflow with the department's deadline); the case tells it
// when the department acted or when the case ended. The rule lives here, as data, so the workflow maps
// each effect onto a Temporal call without knowing event types.
import type { CaseEvent, UnsealedEvent } from '../../events/schemas.js';
import { clockKey } from '../sla/index.js';
import type { CaseState } from './state.js';

/** How a referral was settled, as the referral's task is told. */
export type ReferralSettlement = 'accepted' | 'answered' | 'objected' | 'cancelled';

export type CaseEffect =
  /** Open the referral's task; it is due when the department's referral-objection clock is. */
  | { kind: 'start-referral'; referralId: string; department: string; dueAt: string }
  /** Tell the referral's task how it ended. */
  | { kind: 'settle-referral'; referralId: string; status: ReferralSettlement };

const CASE_ENDINGS = new Set<CaseEvent['type']>(['CaseWithdrawn', 'CaseClosed', 'CaseMerged', 'CaseRejected']);

/** The effects of one event, given the state its decision led to. */
export function effectsOf(after: CaseState, event: CaseEvent | UnsealedEvent): CaseEffect[] {
  if (after.status === 'none') return [];
  switch (event.type) {
    case 'ReferralOpened': {
      const clock = after.clocks[clockKey('referral-objection', event.data.department)];
      return [{ kind: 'start-referral', referralId: event.data.referralId, department: event.data.department, dueAt: clock?.dueAt ?? event.occurredAt }];
    }
    case 'ReferralAccepted':
      return [{ kind: 'settle-referral', referralId: event.data.referralId, status: 'accepted' }];
    case 'ReferralAnswered':
      return [{ kind: 'settle-referral', referralId: event.data.referralId, status: 'answered' }];
    case 'ReferralObjected':
      return [{ kind: 'settle-referral', referralId: event.data.referralId, status: 'objected' }];
    case 'ReferralClosed':
      return [{ kind: 'settle-referral', referralId: event.data.referralId, status: 'cancelled' }];
    default:
      // A case that ends cancels every referral still open (the decider closes them on record first, so
      // this finds one only in a history where it did not).
      if (!CASE_ENDINGS.has(event.type)) return [];
      return Object.values(after.referrals)
        .filter((r) => r.status === 'open' || r.status === 'accepted')
        .map((r) => ({ kind: 'settle-referral', referralId: r.referralId, status: 'cancelled' }));
  }
}
