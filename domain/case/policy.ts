// The centre's own case policy: rules that are not statute but the centre's choice, as data with a version
// (like the routing rules and the SLA policies), so a centre can change them without changing code.

export interface CasePolicy {
  version: string;
  /** How often one case may be reopened; beyond it a new complaint is registered instead. */
  maxReopens: number;
  /** A session is scheduled no further ahead than this (days after the decision). */
  sessionHorizonDays: number;
  /** The earliest infringement date accepted at intake (older claims are far outside every limitation). */
  earliestInfringement: string;
}

export const defaultCasePolicy: CasePolicy = {
  version: 'case-2026.1',
  maxReopens: 2,
  sessionHorizonDays: 180,
  earliestInfringement: '1990-01-01',
};
