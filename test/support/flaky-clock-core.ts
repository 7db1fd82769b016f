// The case core with one fault injected, for test/int/clock-check-retry.int.spec.ts only: a clock check is
// rejected for its first 30 seconds past the due moment it is for, as a transient failure would be, and
// decided by the real core after that. Deterministic (it reads the decision's time, which is the workflow's),
// so the workflow replays. Swapped in for the workflow's import of domain/case/index.js by the test's bundle.
import { decide as coreDecide, nextDueAt, type CaseCommand, type CaseState, type Decision, type DecisionContext } from '../../domain/case/index.js';
import { reject } from '../../domain/case/decision.js';

export * from '../../domain/case/index.js';

export const REJECTED_FOR_MS = 30_000;

export function decide(state: CaseState, command: CaseCommand, context: DecisionContext): Decision {
  if (command.type === 'CheckClocks' && state.status !== 'none') {
    const due = nextDueAt(state.clocks);
    if (due !== undefined && Date.parse(context.now) - Date.parse(due) < REJECTED_FOR_MS) {
      return reject('illegal-state', 'calendar.out-of-range', { detail: 'injected: a transient rejection of the clock check' });
    }
  }
  return coreDecide(state, command, context);
}
