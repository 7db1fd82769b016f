export { decide } from './decide.js';
export { evolve, foldEvents } from './evolve.js';
export {
  initialState,
  levelAbove,
  LEVEL_ORDER,
  OUTCOME_STATUSES,
  WORKING_STATUSES,
  type Agreement,
  type CaseFile,
  type CaseState,
  type JudicialStatus,
  type OpenCase,
  type OpenStatus,
  type Referral,
  type ReferralStatus,
  type RouteInfo,
  type Session,
  type SupervisionNotice,
} from './state.js';
export {
  rejectionHttpStatus,
  type Decision,
  type DecisionContext,
  type Rejection,
  type RejectionCode,
} from './decision.js';
export * from './commands.js';
export { allowedRoles, blockedWhileSuspended } from './authority.js';
export { assertInvariants, invariantViolations } from './invariants.js';
export { defaultSla, nextDueAt, type SlaSetup } from './clocks.js';
export { limitationLastDay } from './decide.js';
