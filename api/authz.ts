// Authorisation as data: one table says, for every operation of the API, which staff roles may perform it
// and within which scope. Every route names its operation; the route checks the role before it does
// anything, and the scope against the case (or narrows a list to it). Tested pair by pair in
// test/e2e/authz.e2e.spec.ts with real tokens.
import type { CaseState } from '../domain/case/index.js';
import { LEVEL_ORDER } from '../domain/case/state.js';
import type { Department, Level } from '../events/index.js';
import type { Staff, StaffRole } from './auth.js';
import { ApiError } from './problem.js';

/**
 * - `all`: every case.
 * - `jurisdiction`: staff of a town see their town's cases; county staff (no town) every case.
 * - `county`: county staff only (figures over all towns, without a town dimension).
 * - `department`: cases their department leads or joins (a route or a referral); lists are their department's.
 * - `level-and-town`: cases of their town at or below their level in the network (escalated cases leave them);
 *   lists are their town's.
 */
export type Scope = 'all' | 'jurisdiction' | 'county' | 'department' | 'level-and-town';

export interface Grant {
  scope: Scope;
  /** For operations that return complainants' names and phones: in full (each read logged) or redacted. */
  personalData?: 'full' | 'redacted';
}

export const OPERATIONS = [
  'cases.create',
  'cases.command',
  'cases.read',
  'cases.state',
  'cases.personal-data',
  'cases.archive',
  'cases.actions',
  'cases.audit',
  'work.read',
  'queues.read',
  'deadlines.read',
  'supervision.read',
  'kpis.read',
  'dead-letters.read',
  'dead-letters.retry',
  'access-log.read',
  'temporal.payloads',
  'cases.erase-personal-data',
] as const;
export type Operation = (typeof OPERATIONS)[number];

const J: Grant = { scope: 'jurisdiction' };
const M: Grant = { scope: 'level-and-town' };
const D: Grant = { scope: 'department' };
const A: Grant = { scope: 'all' };
const C: Grant = { scope: 'county' };

export const AUTHORISATION: Readonly<Record<Operation, Partial<Record<StaffRole, Grant>>>> = {
  //                     intake clerk         mediator             liaison              supervisor                   auditor                 data-protection officer
  'cases.create':        { 'intake-clerk': J },
  'cases.command':       { 'intake-clerk': J, mediator: M, 'department-liaison': D, supervisor: J },
  'cases.read':          { 'intake-clerk': J, mediator: M, 'department-liaison': D, supervisor: J, auditor: A, 'data-protection-officer': A },
  'cases.state':         { 'intake-clerk': J, mediator: M, 'department-liaison': D, supervisor: J, auditor: A },
  'cases.personal-data': {
    'intake-clerk': { ...J, personalData: 'full' },
    mediator: { ...M, personalData: 'full' },
    'department-liaison': { ...D, personalData: 'full' },
    supervisor: { ...J, personalData: 'redacted' },
    auditor: { ...A, personalData: 'redacted' },
    'data-protection-officer': { ...A, personalData: 'full' },
  },
  'cases.archive':       { supervisor: J, auditor: A },
  // The console: the actions the core would accept now (a dry run), the auditor's replay, "my work".
  'cases.actions':       { 'intake-clerk': J, mediator: M, 'department-liaison': D, supervisor: J, auditor: A },
  'cases.audit':         { supervisor: J, auditor: A },
  'work.read':           { 'intake-clerk': J, mediator: M, 'department-liaison': D, supervisor: J },
  'queues.read':         { 'intake-clerk': J, mediator: M, 'department-liaison': D, supervisor: J, auditor: A },
  'deadlines.read':      { mediator: M, 'department-liaison': D, supervisor: J, auditor: A },
  'supervision.read':    { 'department-liaison': D, supervisor: J, auditor: A },
  'kpis.read':           { supervisor: C, auditor: A },
  'dead-letters.read':   { supervisor: C, auditor: A },
  // Re-driving parked events changes no case, only the read models; a county supervisor (not the auditor,
  // who checks the system and does not operate it).
  'dead-letters.retry':  { supervisor: C },
  'access-log.read':     { auditor: A, 'data-protection-officer': A },
  // The Temporal Web UI's codec endpoint: decoded payloads carry any case's data, unscoped, so only the
  // roles that may read every case's data (a county supervisor, an auditor, the data-protection officer).
  'temporal.payloads':   { supervisor: C, auditor: A, 'data-protection-officer': A },
  'cases.erase-personal-data': { 'data-protection-officer': A },
};

/** The grant of a role for an operation, or a 403 naming both. */
export function grantFor(staff: Staff, operation: Operation): Grant {
  const grant = AUTHORISATION[operation][staff.role];
  if (!grant) throw new ApiError(403, 'forbidden', 'forbidden.role', { role: staff.role, operation });
  if (grant.scope === 'county' && !countyWide(staff)) throw new ApiError(403, 'forbidden', 'forbidden.role', { role: `${staff.role}@${staff.town ?? staff.level ?? '?'}`, operation });
  return grant;
}

/** What the scope rules look at in a case. */
export interface CaseFacts {
  caseId: string;
  town: string;
  level: Level;
  departments: Department[];
}

export function factsOf(state: CaseState): CaseFacts | undefined {
  if (state.status === 'none') return undefined;
  const departments = new Set<Department>();
  if (state.route) {
    departments.add(state.route.leadDepartment);
    for (const d of state.route.joiningDepartments) departments.add(d);
  }
  for (const r of Object.values(state.referrals)) departments.add(r.department);
  return { caseId: state.caseId, town: state.respondent.town, level: state.level, departments: [...departments] };
}

export function inScope(staff: Staff, grant: Grant, facts: Omit<CaseFacts, 'caseId'>): boolean {
  switch (grant.scope) {
    case 'all':
      return true;
    case 'county':
      return countyWide(staff);
    case 'jurisdiction':
      return countyWide(staff) || (staff.town !== undefined && staff.town === facts.town);
    case 'department':
      return staff.department !== undefined && facts.departments.includes(staff.department);
    case 'level-and-town':
      return (countyWide(staff) || (staff.town !== undefined && staff.town === facts.town)) && LEVEL_ORDER.indexOf(facts.level) <= LEVEL_ORDER.indexOf(staff.level ?? 'enterprise');
    default: {
      const never: never = grant.scope;
      return never;
    }
  }
}

/**
 * County staff: the county level and no town. Only that reads as "every town"; a missing level or town is
 * never taken as the widest scope (api/auth.ts refuses such tokens before they get here).
 */
export function countyWide(staff: Staff): boolean {
  return staff.town === undefined && staff.level === 'county';
}

/** 403 unless the case is within the grant's scope. */
export function requireInScope(staff: Staff, grant: Grant, facts: CaseFacts): void {
  if (!inScope(staff, grant, facts)) throw new ApiError(403, 'forbidden', 'forbidden.scope', { caseId: facts.caseId, scope: describeScope(staff, grant) });
}

export function describeScope(staff: Staff, grant: Grant): string {
  switch (grant.scope) {
    case 'department':
      return `department ${staff.department ?? '?'}`;
    case 'level-and-town':
      return `${staff.level ?? 'enterprise'} level, ${staff.town ?? 'county'}`;
    case 'jurisdiction':
    case 'county':
      return staff.town ?? 'county';
    case 'all':
      return 'all';
  }
}

/**
 * The whole of a caller's scope as a list query narrows it in SQL (readmodels/open-cases.ts): town and
 * department as listFilter says, and for `level-and-town` the levels at or below the caller's.
 */
export function caseListScope(staff: Staff, grant: Grant): { town?: string; department?: Department; levels?: Level[] } {
  const filter = listFilter(staff, grant);
  if (grant.scope !== 'level-and-town') return filter;
  return { ...filter, levels: LEVEL_ORDER.slice(0, LEVEL_ORDER.indexOf(staff.level ?? 'enterprise') + 1) };
}

/** How a list is narrowed for this caller: a forced town and/or department. */
export function listFilter(staff: Staff, grant: Grant): { town?: string; department?: Department } {
  switch (grant.scope) {
    case 'all':
    case 'county':
      return {};
    case 'jurisdiction':
    case 'level-and-town':
      // Fail closed: no town and not county staff narrows to nothing (auth.ts refuses such tokens first).
      return countyWide(staff) ? {} : { town: staff.town ?? '__none__' };
    case 'department':
      return staff.department ? { department: staff.department } : { department: '__none__' as Department };
  }
}
