import { describe, expect, it } from 'vitest';
import { at, CASE_ID, caseReceived, cmd, days, ev, inMediation, received, routed, SESSION_ID, sessionHeld, T0 } from '../../testkit/case-fixtures.js';
import { given } from '../support/decider-spec.js';

describe('ScheduleSession / HoldSession', () => {
  it('schedules the first session, which starts the mediation', () => {
    const data = { at: at(T0, days(2)), place: '王江泾镇调解室', departments: ['union' as const, 'hr' as const] };
    const { after } = given(routed).when(cmd('ScheduleSession', data)).then([ev('SessionScheduled', { sessionId: SESSION_ID, ...data })]);
    expect(after).toMatchObject({ status: 'in-mediation', sessions: { [SESSION_ID]: { status: 'scheduled' } } });
  });

  it('refuses a session in the past', () => {
    given(routed)
      .when(cmd('ScheduleSession', { at: at(T0, -1), place: 'x', departments: ['union'] }))
      .thenRejects('validation', /in the past/);
  });

  it('refuses a session before routing', () => {
    given(received).when(cmd('ScheduleSession', { at: at(T0, 1), place: 'x', departments: ['union'] })).thenRejects('illegal-state');
  });

  it('holds a scheduled session once, with the departments’ opinions', () => {
    const data = {
      sessionId: SESSION_ID,
      outcome: 'progress' as const,
      minutes: '企业承认欠薪',
      departmentOpinions: [{ department: 'hr' as const, opinion: '应足额支付' }],
    };
    const { after } = given(inMediation).when(cmd('HoldSession', data), { now: at(T0, days(2)) }).then([ev('SessionHeld', data)]);
    expect(after).toMatchObject({ sessions: { [SESSION_ID]: { status: 'held' } } });
    given(sessionHeld).when(cmd('HoldSession', data), { now: at(T0, days(2)) }).thenRejects('illegal-state', /already held/);
  });

  it('refuses to hold an unknown session', () => {
    given(inMediation)
      .when(cmd('HoldSession', { sessionId: 'nope', outcome: 'adjourned', minutes: 'x', departmentOpinions: [] }))
      .thenRejects('not-found', /no session nope/);
  });
});

describe('AgreeExtension (劳动争议调解仲裁法 第十四条)', () => {
  const extension = (complainantConsents: boolean, respondentConsents: boolean) =>
    cmd('AgreeExtension', { days: 10, complainantConsents, respondentConsents, reason: '需核对工资台账' });

  it('extends the mediation with both parties’ consent, moving the mediation clock', () => {
    const { after } = given(inMediation)
      .when(extension(true, true))
      .then([ev('ExtensionAgreed', { days: 10, consent: { complainant: true, respondent: true }, reason: '需核对工资台账' })]);
    if (after.status === 'none') throw new Error('no case');
    expect(after.extensionDays).toBe(10);
    // 15 days from acceptance on 2025-03-03 end on 03-18; ten more end on 03-28.
    expect(after.clocks['mediation-conclude']).toMatchObject({ due: '2025-03-28' });
  });

  it.each([
    [false, true],
    [true, false],
    [false, false],
  ])("refuses without both parties' consent (complainant %s, respondent %s)", (c, r) => {
    given(inMediation).when(extension(c, r)).thenRejects('validation', /an extension needs both parties' consent/);
  });

  it('refuses a named deadline that has no extension rule, or is not running', () => {
    const named = (clock: string, days = 5) =>
      cmd('AgreeExtension', { days, clock, complainantConsents: true, respondentConsents: true, reason: 'x' });
    given(inMediation).when(named('complaint-reply')).thenRejects('validation', /complaint-reply deadline cannot be extended/);
    given(inMediation).when(named('petition-handle')).thenRejects('validation', /approval of the head of the body handling the petition, not by the parties/);
    given(inMediation).when(approved('petition-handle', 5)).thenRejects('illegal-state', /petition-handle deadline is not running/);
  });

  it('keeps a head-approved deadline within its statutory ceiling (信访 第三十四条: +30 days), without party consent', () => {
    const petition = [
      caseReceived({ channel: 'petition-transfer', petitionRef: 'XF-1' }),
      ev('CaseAccepted', {}),
    ];
    given(petition).when(approved('petition-handle', 20)).then([ev('ExtensionApproved', approvedData('petition-handle', 20))]);
    const extended = [...petition, ev('ExtensionApproved', approvedData('petition-handle', 20))];
    given(extended).when(approved('petition-handle', 11)).thenRejects('validation', /at most 30 days in all \(20 already granted/);
    given(extended).when(approved('petition-handle', 10)).then([ev('ExtensionApproved', approvedData('petition-handle', 10))]);
  });
});

function approvedData(clock: string, days: number) {
  return { days, clock, approvedBy: '信访局负责人', reason: '情况复杂，需调取社保记录', partiesNotified: '延期告知书已送达双方' };
}
function approved(clock: string, days: number) {
  return cmd('ApproveExtension', approvedData(clock, days));
}

describe('SuspendCase / ResumeCase', () => {
  const suspended = [...inMediation, ev('CaseSuspended', { reason: 'awaiting-materials' as const, note: '等待工资表' })];

  it('suspends a case in progress and pauses the mediation clock', () => {
    const { after } = given(inMediation)
      .when(cmd('SuspendCase', { reason: 'awaiting-materials', note: '等待工资表' }))
      .then([ev('CaseSuspended', { reason: 'awaiting-materials', note: '等待工资表' })]);
    if (after.status === 'none') throw new Error('no case');
    expect(after.suspended).toEqual({ reason: 'awaiting-materials', since: T0 });
    expect(after.clocks['mediation-conclude']?.status).toBe('paused');
  });

  it('refuses work that moves the case forward while suspended', () => {
    given(suspended)
      .when(cmd('HoldSession', { sessionId: SESSION_ID, outcome: 'progress', minutes: 'x', departmentOpinions: [] }))
      .thenRejects('illegal-state', /suspended \(awaiting-materials\); resume it first/);
    given(suspended).when(cmd('SuspendCase', { reason: 'other' })).thenRejects('illegal-state', /suspended/);
  });

  it('lets bookkeeping go on while suspended', () => {
    given(suspended)
      .when(cmd('AcceptReferral', { referralId: `${CASE_ID}/R-5` }))
      .then([ev('ReferralAccepted', { referralId: `${CASE_ID}/R-5`, department: 'hr' })]);
  });

  it('resumes, and the paused days are not counted', () => {
    const resumeAt = at(T0, days(5));
    const { after } = given(suspended)
      .when(cmd('ResumeCase', { note: '材料已补齐' }), { now: resumeAt })
      .then([ev('CaseResumed', { note: '材料已补齐' })]);
    if (after.status === 'none') throw new Error('no case');
    expect(after.suspended).toBeNull();
    expect(after.clocks['mediation-conclude']?.status).toBe('running');
    // Paused 03-03 → 03-08: five days not counted, so 03-18 becomes 03-23, a Sunday, which moves to
    // the next working day (民法典 第二百零三条).
    expect(after.clocks['mediation-conclude']!.due).toBe('2025-03-24');
  });

  it('refuses to resume a case that is not suspended', () => {
    given(inMediation).when(cmd('ResumeCase', {})).thenRejects('illegal-state', /not suspended/);
  });

  it('refuses to suspend a case that already has an outcome', () => {
    given([...sessionHeld, ev('MediationFailed', { reason: 'no-agreement' })])
      .when(cmd('SuspendCase', { reason: 'other' }))
      .thenRejects('illegal-state', /cannot suspend the case/);
  });
});
