import { describe, expect, it } from 'vitest';
import { allowedRoles } from '../../domain/case/authority.js';
import { COMMAND_TYPES, type CaseCommand } from '../../domain/case/commands.js';
import { decide } from '../../domain/case/decide.js';
import { initialState } from '../../domain/case/state.js';
import { rejectionHttpStatus } from '../../domain/case/decision.js';
import { Role } from '../../events/vocabulary.js';
import { CASE_ID, cmd, receiveCase, received, routed, T0 } from '../../testkit/case-fixtures.js';
import { sampleCommand } from '../../testkit/sample-commands.js';
import { given } from '../support/decider-spec.js';

describe('authority', () => {
  it('has a row for every command, and no row names the auditor', () => {
    expect(Object.keys(allowedRoles).sort()).toEqual([...COMMAND_TYPES].sort());
    for (const roles of Object.values(allowedRoles)) expect(roles).not.toContain('auditor');
  });

  it.each(COMMAND_TYPES)('forbids an auditor to %s', (type) => {
    const state = type === 'ReceiveCase' ? [] : routed;
    given(state)
      .when(sampleCommand(type), { actor: { id: 'audit-1', role: 'auditor' } })
      .thenRejects('forbidden', /an auditor can read cases but not change them/);
  });

  it('forbids an auditor on any command of an ongoing case', () => {
    given(routed)
      .when(cmd('OpenReferral', { department: 'justice', task: 'x' }), { actor: { id: 'audit-1', role: 'auditor' } })
      .thenRejects('forbidden', /auditor/);
  });

  it('enforces every row of the table', () => {
    const command = cmd('AcceptCase', {});
    for (const role of Role.options) {
      const actor = role === 'department-liaison' ? { id: 'x', role, department: 'hr' as const } : { id: 'person-1', role };
      const decision = decide(given(received).state, command, { now: T0, actor, commandId: 'c', correlationId: 'c' });
      expect(decision.ok, role).toBe(allowedRoles.AcceptCase.includes(role));
    }
  });

  it('requires a liaison to say which department they act for', () => {
    given(routed)
      .when(cmd('AcceptReferral', { referralId: `${CASE_ID}/R-5` }), { actor: { id: 'x', role: 'department-liaison' } })
      .thenRejects('validation', /which department/);
  });
});

describe('rejections', () => {
  it('map to HTTP statuses', () => {
    expect(rejectionHttpStatus).toEqual({ validation: 400, forbidden: 403, 'not-found': 404, 'illegal-state': 409 });
  });

  it('answer not-found for a command to a case that does not exist', () => {
    given([]).when(cmd('AcceptCase', {})).thenRejects('not-found', /there is no case case-1/);
  });

  it('answer validation for a command addressed to another case', () => {
    given(received).when({ type: 'AcceptCase', caseId: 'case-2', data: {} }).thenRejects('validation', /for case case-2/);
  });

  it('answer validation for a malformed command or context', () => {
    given(received)
      .when({ type: 'AcceptCase', caseId: CASE_ID, data: { note: 42 } } as unknown as CaseCommand)
      .thenRejects('validation', /data\.note/);
    given(received).when(cmd('AcceptCase', {}), { now: 'yesterday' }).thenRejects('validation', /context\.now/);
    given(received)
      .when({ type: 'Explode', caseId: CASE_ID, data: {} } as unknown as CaseCommand, { actor: { id: 'm', role: 'mediator' } })
      .thenRejects('validation');
  });

  it('never throw and never touch the state they were given', () => {
    const state = given(routed).state;
    const frozen = JSON.stringify(state);
    decide(state, cmd('OpenReferral', { department: 'justice', task: 'x' }), {
      now: T0,
      actor: { id: 'm', role: 'mediator' },
      commandId: 'c',
      correlationId: 'c',
    });
    expect(JSON.stringify(state)).toBe(frozen);
    expect(decide(initialState, receiveCase(), { now: T0, actor: { id: 'c', role: 'intake-clerk' }, commandId: 'c', correlationId: 'c' }).ok).toBe(true);
  });
});
