// The decider's one door to the SLA module (owned by domain/sla/): the case state holds the clocks,
// evolve folds every event into them, CheckClocks turns due signals into events.
import { chinaCalendar, type Calendar } from '../calendar/index.js';
import { slaPolicySet, slaPolicySet2025, type SlaPolicySet } from '../sla/index.js';

export {
  evolveClocks,
  clockSignals,
  nextDueAt,
  policyById,
  type ClockSignal,
  type SlaClock,
  type SlaClocks,
} from '../sla/index.js';

/** The policies and calendar clocks are computed with. Passing another set recomputes past clocks. */
export interface SlaSetup {
  policies: SlaPolicySet;
  calendar: Calendar;
}

export const defaultSla: SlaSetup = { policies: slaPolicySet, calendar: chinaCalendar };

/** The set running cases started under before issue 9 (the workflow uses it when not patched). */
export const legacySla2025: SlaSetup = { policies: slaPolicySet2025, calendar: chinaCalendar };
