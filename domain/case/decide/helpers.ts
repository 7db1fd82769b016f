// decide(): helpers shared by the sections. Split from decide.ts along its section markers; decide.ts dispatches.
import { Application } from '../../../events/schemas.js';
import type { Department } from '../../../events/vocabulary.js';
import type { Calendar } from '../../calendar/index.js';
import { defaultRoutingCatalogue, type RoutingRuleSet } from '../../routing/index.js';
import { slaOf, type SlaClock, type SlaSetup } from '../clocks.js';
import type { CaseCommand } from '../commands.js';
import { reject, type Decision, type DecisionContext } from '../decision.js';
import type { OpenCase, OpenStatus } from '../state.js';


export function needStatus(state: OpenCase, allowed: readonly OpenStatus[], command: CaseCommand['type']): Decision | null {
  if (allowed.includes(state.status)) return null;
  return reject('illegal-state', 'status.needed', { command, status: state.status, allowed: [...allowed] });
}

export function ruleSetOf(state: OpenCase, context: DecisionContext): RoutingRuleSet | undefined {
  return (context.routing ?? defaultRoutingCatalogue).ruleSets[state.routingRulesVersion];
}

/** The policies and calendar a case is decided with: its rules edition's, unless the caller passes others. */
export function slaFor(state: OpenCase, context: DecisionContext): SlaSetup {
  return context.sla ?? slaOf(state.rulesEdition);
}

export function calendarOf(state: OpenCase, context: DecisionContext): Calendar {
  return slaFor(state, context).calendar;
}

/**
 * Who accepts each application, and the clock that waits for the acceptance: the body's own act (受理),
 * distinct from its joining the mediation as a referral (DOMAIN.md, lifecycle step 6).
 */
export const APPLICATIONS: Readonly<Record<Application, { department: Department; acceptClock: string }>> = {
  'judicial-confirmation': { department: 'court', acceptClock: 'court-confirmation-accept' },
  arbitration: { department: 'hr', acceptClock: 'arbitration-accept' },
};

/** The application of a department that is waiting for its acceptance now, if any. */
export function applicationAwaiting(state: OpenCase, department: Department): Application | undefined {
  return Application.options.find((a) => APPLICATIONS[a].department === department && isActive(state.clocks[APPLICATIONS[a].acceptClock]));
}

export const isActive = (clock: SlaClock | undefined): boolean => clock?.status === 'running' || clock?.status === 'paused';
