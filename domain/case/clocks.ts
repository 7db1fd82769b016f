// The decider's one door to the SLA module (owned by domain/sla/): the case state holds the clocks,
// evolve folds every event into them, CheckClocks turns due signals into events.
//
// Which policies a case's clocks follow is a fact of its stream: CaseReceived names the rules edition
// in force at receipt, the state keeps it, and decide and evolve read it (slaOf). So the workflow, the
// projector, audit replay and compare, the dossier and the console's available actions all count a case's
// deadlines the same way without asking the workflow. A rule change that must not touch running cases is
// a new edition here (docs/rule-changes.md).
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

/** Every rules edition this build knows, oldest first; a case keeps the one it was received under. */
export const RULES_EDITIONS = ['2026.2'] as const;
export type RulesEdition = (typeof RULES_EDITIONS)[number];
/** The edition a case received today runs under. */
export const CURRENT_RULES_EDITION: RulesEdition = '2026.2';

const editions: Readonly<Record<RulesEdition, SlaSetup>> = {
  '2026.2': { policies: slaPolicySet, calendar: chinaCalendar },
};

/** A stream's rules edition. One this build does not know is an error, not a guess. */
export function rulesEditionOf(value: string): RulesEdition {
  const known = RULES_EDITIONS.find((edition) => edition === value);
  if (!known) throw new Error(`rules edition ${value} is not known to this build (known: ${RULES_EDITIONS.join(', ')})`);
  return known;
}

/** The SLA setup of a rules edition. */
export function slaOf(edition: string): SlaSetup {
  return editions[rulesEditionOf(edition)];
}

/** The current edition's setup: for what has no case to read an edition from. */
export const defaultSla: SlaSetup = editions[CURRENT_RULES_EDITION];
