// The scope rules of the authorisation table, case by case (the role × route pairs run on the whole stack
// in test/e2e/authz.e2e.spec.ts), and the claim mapping of a verified token.
import { describe, expect, it } from 'vitest';
import { staffOf, type Staff } from '../../api/auth.js';
import { AUTHORISATION, grantFor, inScope, listFilter, OPERATIONS } from '../../api/authz.js';
import { ApiError } from '../../api/problem.js';
import { testAuthSettings } from '../support/api.js';

const caseIn = (town: string, level: 'enterprise' | 'town' | 'county', departments: Array<'union' | 'hr' | 'court'> = []) => ({ town, level, departments });

describe('scopes', () => {
  const townClerk: Staff = { id: 'c', role: 'intake-clerk', level: 'town', town: '城关镇' };
  const countyClerk: Staff = { id: 'c2', role: 'intake-clerk', level: 'county' };
  const mediator: Staff = { id: 'm', role: 'mediator', level: 'town', town: '城关镇' };
  const liaison: Staff = { id: 'l', role: 'department-liaison', department: 'hr', level: 'county' };

  it('jurisdiction: a town sees its town, the county every town', () => {
    const grant = grantFor(townClerk, 'cases.read');
    expect(inScope(townClerk, grant, caseIn('城关镇', 'enterprise'))).toBe(true);
    expect(inScope(townClerk, grant, caseIn('东城镇', 'enterprise'))).toBe(false);
    expect(inScope(countyClerk, grant, caseIn('东城镇', 'county'))).toBe(true);
    expect(listFilter(townClerk, grant)).toEqual({ town: '城关镇' });
    expect(listFilter(countyClerk, grant)).toEqual({});
  });

  it('level and town: a mediator loses a case escalated above their level', () => {
    const grant = grantFor(mediator, 'cases.command');
    expect(inScope(mediator, grant, caseIn('城关镇', 'enterprise'))).toBe(true);
    expect(inScope(mediator, grant, caseIn('城关镇', 'town'))).toBe(true);
    expect(inScope(mediator, grant, caseIn('城关镇', 'county'))).toBe(false);
    expect(inScope(mediator, grant, caseIn('东城镇', 'enterprise'))).toBe(false);
  });

  it('department: a liaison acts where the department leads or joins', () => {
    const grant = grantFor(liaison, 'cases.command');
    expect(inScope(liaison, grant, caseIn('东城镇', 'county', ['union', 'hr']))).toBe(true);
    expect(inScope(liaison, grant, caseIn('城关镇', 'town', ['union', 'court']))).toBe(false);
    expect(inScope(liaison, grant, caseIn('城关镇', 'town'))).toBe(false);
    expect(listFilter(liaison, grant)).toEqual({ department: 'hr' });
  });

  it('auditors change nothing; the data-protection officer changes nothing; county-wide figures are for county staff', () => {
    for (const op of OPERATIONS.filter((o) => o === 'cases.create' || o === 'cases.command')) {
      expect(AUTHORISATION[op].auditor).toBeUndefined();
      expect(AUTHORISATION[op]['data-protection-officer']).toBeUndefined();
    }
    expect(() => grantFor({ id: 's', role: 'supervisor', level: 'town', town: '城关镇' }, 'kpis.read')).toThrow(ApiError);
    expect(grantFor({ id: 's', role: 'supervisor', level: 'county' }, 'kpis.read').scope).toBe('county');
  });

  it('shows personal data in full only to the roles that need it', () => {
    const full = Object.entries(AUTHORISATION['cases.personal-data']).filter(([, g]) => g?.personalData === 'full').map(([r]) => r).sort();
    expect(full).toEqual(['data-protection-officer', 'department-liaison', 'intake-clerk', 'mediator']);
  });
});

describe('claim mapping', () => {
  const base = { sub: 'u1', iss: testAuthSettings.issuer };
  it('reads role, department and jurisdiction from the configured claims, with a role map and nested lists', () => {
    const settings = { ...testAuthSettings, claims: { ...testAuthSettings.claims, role: 'realm_access.roles' }, roleMap: { 调解员: 'mediator' } };
    expect(staffOf({ ...base, realm_access: { roles: ['offline_access', '调解员'] }, mediation_level: 'town', mediation_town: '城关镇' }, settings)).toEqual({
      id: 'u1',
      role: 'mediator',
      level: 'town',
      town: '城关镇',
    });
  });

  it('never yields system or complainant, and a liaison needs a department', () => {
    for (const role of ['system', 'complainant']) expect(() => staffOf({ ...base, mediation_role: role }, testAuthSettings)).toThrow(ApiError);
    expect(() => staffOf({ ...base, mediation_role: ['system', 'auditor'] }, testAuthSettings)).not.toThrow();
    expect(staffOf({ ...base, mediation_role: ['system', 'auditor'] }, testAuthSettings).role).toBe('auditor');
    expect(() => staffOf({ ...base, mediation_role: 'department-liaison' }, testAuthSettings)).toThrow(ApiError);
    expect(() => staffOf({ ...base, mediation_role: 'department-liaison', mediation_department: 'police' }, testAuthSettings)).toThrow(ApiError);
  });

  // Issue 21: a town-level token without a town got every town. Missing scope claims mean no access.
  it('fails closed on a missing, empty or unknown scope claim, naming the claim', () => {
    const refused = (claims: Record<string, unknown>) => {
      try {
        staffOf({ ...base, ...claims }, testAuthSettings);
      } catch (err) {
        expect(err).toBeInstanceOf(ApiError);
        const e = err as ApiError;
        return { status: e.status, code: e.code, claim: (e.params as { claim?: string }).claim };
      }
      return undefined;
    };
    const noAccess = (claim: string) => ({ status: 403, code: 'missing-scope-claim', claim });
    for (const role of ['intake-clerk', 'mediator', 'supervisor']) {
      expect(refused({ mediation_role: role, mediation_level: 'town' }), `${role} town, no town`).toEqual(noAccess('mediation_town'));
      expect(refused({ mediation_role: role, mediation_level: 'town', mediation_town: '' }), `${role} empty town`).toEqual(noAccess('mediation_town'));
      expect(refused({ mediation_role: role, mediation_level: 'town', mediation_town: '  ' }), `${role} blank town`).toEqual(noAccess('mediation_town'));
      expect(refused({ mediation_role: role, mediation_level: 'enterprise' }), `${role} enterprise, no town`).toEqual(noAccess('mediation_town'));
      expect(refused({ mediation_role: role }), `${role} no level`).toEqual(noAccess('mediation_level'));
      expect(refused({ mediation_role: role, mediation_level: 'province' }), `${role} unknown level`).toEqual(noAccess('mediation_level'));
      expect(refused({ mediation_role: role, mediation_level: 'county', mediation_town: '' }), `${role} county, empty town`).toEqual(noAccess('mediation_town'));
    }
    expect(refused({ mediation_role: 'department-liaison', mediation_level: 'county' })).toEqual(noAccess('mediation_department'));
    // The controls: complete claims pass.
    expect(refused({ mediation_role: 'intake-clerk', mediation_level: 'town', mediation_town: '城关镇' })).toBeUndefined();
    expect(refused({ mediation_role: 'supervisor', mediation_level: 'county' })).toBeUndefined();
    expect(refused({ mediation_role: 'auditor' })).toBeUndefined();
  });

  it('never reads a missing town as every town, even if a staff record without one gets through', () => {
    const noTown: Staff = { id: 'x', role: 'intake-clerk', level: 'town' };
    const noLevel: Staff = { id: 'y', role: 'mediator' };
    expect(inScope(noTown, grantFor(noTown, 'cases.read'), caseIn('城关镇', 'enterprise'))).toBe(false);
    expect(inScope(noLevel, grantFor(noLevel, 'cases.command'), caseIn('城关镇', 'enterprise'))).toBe(false);
    expect(listFilter(noTown, grantFor(noTown, 'cases.read'))).toEqual({ town: '__none__' });
    expect(() => grantFor({ id: 's', role: 'supervisor', level: 'town' }, 'kpis.read')).toThrow(ApiError);
  });
});
