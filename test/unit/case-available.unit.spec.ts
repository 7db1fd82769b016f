// Which actions the core offers an actor now (domain/case/available.ts): given a case's events, when the
// dry run asks for an actor at a moment, then exactly the commands decide() would accept are offered.
import { describe, expect, it } from 'vitest';
import { availableActions, COMMAND_TYPES, foldEvents, type Actor } from '../../domain/case/index.js';
import { toHistory } from '../support/decider-spec.js';
import { at, CASE_ID, days, inMediation, received, routed, replied, T0, closed } from '../../testkit/case-fixtures.js';

const clerk: Actor = { id: 'clerk-1', role: 'intake-clerk' };
const mediator: Actor = { id: 'mediator-1', role: 'mediator' };
const auditor: Actor = { id: 'auditor-1', role: 'auditor' };
const hrLiaison: Actor = { id: 'liaison-hr', role: 'department-liaison', department: 'hr' };
const justiceLiaison: Actor = { id: 'liaison-justice', role: 'department-liaison', department: 'justice' };

const offered = (events: Parameters<typeof toHistory>[0], actor: Actor, now = at(T0, 1)) =>
  availableActions(foldEvents(toHistory(events)), COMMAND_TYPES, { now, actor, commandId: 'dry-run', correlationId: 'dry-run' });
const types = (list: ReturnType<typeof offered>) => [...new Set(list.map((a) => a.type))];

describe('available actions, asked of the core', () => {
  it('a received case: the clerk may accept, reject or classify it; an auditor may do nothing', () => {
    const list = offered(received, clerk);
    expect(types(list)).toEqual(expect.arrayContaining(['AcceptCase', 'RejectCase', 'WithdrawCase']));
    expect(types(list)).not.toContain('SendReply'); // no reply before acceptance
    expect(types(list)).not.toContain('ScheduleSession'); // the clerk does not mediate
    expect(list.find((a) => a.type === 'AcceptCase')?.nextStep).toBe(true);
    expect(offered(received, auditor)).toEqual([]);
  });

  it('a routed case: a liaison is offered its own referral only, per referral', () => {
    const hr = offered(routed, hrLiaison).filter((a) => a.type === 'AcceptReferral');
    expect(hr).toEqual([{ type: 'AcceptReferral', target: { referralId: `${CASE_ID}/R-5`, department: 'hr' }, nextStep: true }]);
    expect(offered(routed, justiceLiaison).filter((a) => a.type === 'AcceptReferral')).toEqual([]);
  });

  it('a session is offered for holding only once its time has come', () => {
    const before = offered(inMediation, mediator, at(T0, 1)).filter((a) => a.type === 'HoldSession');
    const after = offered(inMediation, mediator, at(T0, days(2) + 1)).filter((a) => a.type === 'HoldSession');
    expect(before).toEqual([]);
    expect(after.map((a) => a.target?.sessionId)).toEqual([`${CASE_ID}/S-7`]);
  });

  it('after the reply the feedback is next; a closed case offers no next step', () => {
    expect(types(offered(replied, clerk))).toContain('RecordFeedback');
    expect(types(offered(replied, clerk))).not.toContain('SendReply');
    expect(offered(closed, mediator).filter((a) => a.nextStep)).toEqual([]);
    expect(types(offered(closed, mediator))).toContain('ReopenCase');
  });
});
