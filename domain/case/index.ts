export { decide, decideIntake } from './decide.js';
export { evolve, foldEvents } from './evolve.js';
export {
  initialState,
  withEdition,
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
export type { Actor } from '../../events/schemas.js';
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
export { CURRENT_RULES_EDITION, defaultSla, nextDueAt, RULES_EDITIONS, slaOf, type RulesEdition, type SlaSetup } from './clocks.js';
export { limitationLastDay } from './decide.js';
export { renderRejection, renderMessage, rejectionMessages, REJECTION_KEYS, LOCALES, type Locale, type RejectionKey, type MessageParams } from './messages.js';
export { leadOf, accountableFor, accountableUnitOf } from './rules.js';
export { defaultCasePolicy, type CasePolicy } from './policy.js';
export { ENDED_STATUSES } from './state.js';
export { availableActions, type AvailableAction, type ActionTarget } from './available.js';
export { personalDataSubjects } from './decide/closing.js';
export { effectsOf, type CaseEffect, type ReferralSettlement } from './effects.js';
