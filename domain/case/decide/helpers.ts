// decide(): helpers shared by the sections. Split from decide.ts along its section markers; decide.ts dispatches.
import type { Calendar } from '../../calendar/index.js';
import { defaultRoutingCatalogue, type RoutingRuleSet } from '../../routing/index.js';
import { defaultSla } from '../clocks.js';
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

export function calendarOf(context: DecisionContext): Calendar {
  return (context.sla ?? defaultSla).calendar;
}
