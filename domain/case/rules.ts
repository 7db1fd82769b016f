// Rules about a case that more than the decider reads (the read models, the audit): one home each.
import { Department } from '../../events/vocabulary.js';
import type { BreachAction } from '../sla/index.js';
import type { OpenCase } from './state.js';

/** The lead department; before routing, the intake and coordinating body (union). */
export function leadOf(state: OpenCase): Department {
  return state.route?.leadDepartment ?? 'union';
}

/** The department whose head answers for a breached clock, as its policy's breach action says. */
export function accountableFor(state: OpenCase, onBreach: Pick<BreachAction, 'accountable'>, scope?: string): Department {
  const { accountable } = onBreach;
  if (accountable === 'lead') return leadOf(state);
  if (accountable === 'scope') {
    const scoped = Department.safeParse(scope);
    return scoped.success ? scoped.data : leadOf(state);
  }
  return accountable;
}

/**
 * 一把手负责制 (seed 003): the lead answers through the enterprise's responsible department; any other
 * department answers through its own head.
 */
export function accountableUnitOf(state: OpenCase, department: Department): string {
  return department === leadOf(state) ? (state.route?.accountableUnit ?? state.respondent.responsibleDepartment) : department;
}
