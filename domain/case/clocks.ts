// The decider's one door to the SLA module (owned by domain/sla/): the case state holds the clocks,
// evolve folds every event into them, CheckClocks turns due signals into events.
import { chinaCalendar, type Calendar } from '../calendar/index.js';
import { slaPolicySet, type SlaPolicySet } from '../sla/index.js';

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
