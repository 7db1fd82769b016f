// The state of one case, as the decider needs it. Folded from the case's events by evolve.ts.
//
// State is a discriminated union on `status`. Every opened case carries the same case file (below), so
// the union has two shapes: no case yet, or a case file with one of the lifecycle statuses. What each
// status guarantees about the file (e.g. 'agreement' has an agreement) is checked by assertInvariants.
// Everything is plain JSON (records, arrays, ISO strings, null) so a workflow query can return it.
import type { Actor, CaseOutcome, Claim, Respondent } from '../../events/schemas.js';
import type { Channel, Department, DisputeType, Level } from '../../events/vocabulary.js';
import { RULES_EDITIONS, type RulesEdition, type SlaClocks } from './clocks.js';

/**
 * received → accepted → classified → routed → in-mediation → (agreement | mediation-failed → referred-out |
 * withdrawn | rejected) → replied → closed. A closed case can be reopened. Suspension is a flag
 * (`suspended`), not a status, because it returns to the status it interrupted.
 */
export type OpenStatus =
  | 'received'
  | 'accepted'
  | 'classified'
  | 'routed'
  | 'in-mediation'
  | 'agreement'
  | 'mediation-failed'
  | 'referred-out'
  | 'withdrawn'
  | 'rejected'
  | 'replied'
  | 'closed';

/** Statuses in which the case is still being worked towards an outcome. */
export const WORKING_STATUSES: readonly OpenStatus[] = ['received', 'accepted', 'classified', 'routed', 'in-mediation'];
/** Statuses in which the case is over: nothing escalates, suspends or extends it any more. */
export const ENDED_STATUSES: readonly OpenStatus[] = ['withdrawn', 'rejected', 'closed'];
/** Statuses that carry an outcome and are waiting for the reply. */
export const OUTCOME_STATUSES: readonly OpenStatus[] = ['agreement', 'mediation-failed', 'referred-out', 'withdrawn', 'rejected'];

export interface RouteInfo {
  ruleId: string;
  rulesVersion: string;
  leadDepartment: Department;
  joiningDepartments: Department[];
  timeLimitDays: number;
  accountableUnit: string;
}

/** closed: ended with its case (ReferralClosed). */
export type ReferralStatus = 'open' | 'accepted' | 'answered' | 'objected' | 'closed';
export interface Referral {
  referralId: string;
  department: Department;
  status: ReferralStatus;
  overdue: boolean;
  openedAt: string;
}

export interface Session {
  sessionId: string;
  at: string;
  status: 'scheduled' | 'held';
  /** When it was recorded as held. */
  heldAt?: string;
}

export interface SupervisionNotice {
  noticeId: string;
  department: Department;
  reason: 'clock-breach' | 'collective-dispute' | 'manual';
  dueAt: string;
  answered: boolean;
}

export type JudicialStatus = 'none' | 'requested' | 'granted' | 'refused';
export interface Agreement {
  agreementId: string;
  totalAmountFen: number;
  paidFen: number;
  effectiveAt: string;
  judicial: JudicialStatus;
}

export interface CaseFile {
  caseId: string;
  /** Sequence of the last event folded in; the next event is version + 1. */
  version: number;
  receivedAt: string;
  receivedBy: Actor;
  channel: Channel;
  /** Person refs of the complainants (their personal data stays in the events). */
  complainantRefs: string[];
  workerCount: number;
  collective: boolean;
  priority: 'normal' | 'urgent';
  respondent: Respondent;
  claim: Claim;
  routingRulesVersion: string;
  /** The rules edition the case was received under (CaseReceived): its SLA policies for its whole life. */
  rulesEdition: RulesEdition;
  disputeType: DisputeType | null;
  route: RouteInfo | null;
  /** Where the case sits in the mediation network now (escalation raises it). */
  level: Level;
  referrals: Record<string, Referral>;
  sessions: Record<string, Session>;
  supervision: Record<string, SupervisionNotice>;
  collectiveAlerted: boolean;
  suspended: { reason: string; since: string } | null;
  extensionDays: number;
  /** SLA clocks (domain/sla); they also remember which warnings and breaches were announced. */
  clocks: SlaClocks;
  agreement: Agreement | null;
  outcome: CaseOutcome | null;
  repliesSent: number;
  feedbackScore: number | null;
  recheckOpen: boolean;
  reopenCount: number;
  /** The last reopening (a new agreement needs a session held after it); null if never reopened. */
  reopenedAt: string | null;
  /** Duplicates merged into this case. */
  mergedFrom: string[];
  links: string[];
  mergedInto: string | null;
  /** PersonalDataErased is on record (absent in states carried over from before it existed). */
  personalDataErased?: boolean;
}

export type CaseState = { status: 'none' } | (CaseFile & { status: OpenStatus });
export type OpenCase = Extract<CaseState, { caseId: string }>;

export const initialState: CaseState = { status: 'none' };

export const LEVEL_ORDER: readonly Level[] = ['enterprise', 'town', 'county'];

/** The next level up, or null at the county joint centre (there is nothing higher). */
export function levelAbove(level: Level): Level | null {
  return LEVEL_ORDER[LEVEL_ORDER.indexOf(level) + 1] ?? null;
}

/**
 * A state as stored or carried may predate the rules edition in the state (a read-model document, a run's
 * carry, a view queried from a run): those cases were received under the first edition. decide and evolve
 * read every state through this, so such a state folds on like any other.
 */
export function withEdition(state: CaseState): CaseState {
  if (state.status === 'none' || (state as Partial<CaseFile>).rulesEdition !== undefined) return state;
  return { ...state, rulesEdition: RULES_EDITIONS[0] };
}
