export {
  clockKey,
  clockSignals,
  evolveClocks,
  evolveClocksOverEveryPolicy,
  foldClocks,
  isDuty,
  nextDueAt,
  type ClockEvent,
  type ClockSignal,
  type ClockStatus,
  type SlaClock,
  type SlaClocks,
} from './clock.js';
export {
  breachAction,
  policyById,
  slaPolicySet,
  slaPolicySet2025,
  MEDIATION_EXTENSION_CEILING_DAYS,
  type ExtensionApproval,
  type BreachAction,
  type CaseEventType,
  type Department,
  type ExtensionRule,
  type SlaPolicy,
  type SlaPolicySet,
  type Trigger,
  type WhereValue,
} from './policies.js';
export { recomputeClocks, type ClockDiff, type ClockView } from './recompute.js';
export { caseLight, clockLights, deadlineLight, deadlineOf, lightingClocks, LIGHTS, worstLight, type Deadline, type Light } from './light.js';
