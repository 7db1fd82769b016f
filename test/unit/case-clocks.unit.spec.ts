import { describe, expect, it } from 'vitest';
import { CASE_ID, caseReceived, closed, cmd, ev, received, respondent, routed } from '../../testkit/case-fixtures.js';
import { given } from '../support/decider-spec.js';

// Received on Monday 2025-03-03 (walk-in): the committee must accept within 3 working days (due end of
// Thursday 03-06, warnings at the end of 03-04 and 03-05); the reply to the complainant is due in 7 days
// (warning at half time: the end of 03-06).
const END_OF = (date: string) => `${date}T16:00:00.000Z`; // midnight in Beijing
const FRIDAY_MORNING = '2025-03-07T00:00:00.000Z';

describe('CheckClocks', () => {
  it('does nothing while no clock is due', () => {
    given(received).when(cmd('CheckClocks', {}), { now: '2025-03-04T08:00:00.000Z' }).then([]);
  });

  const dueOnFriday = [
    ev('ClockWarned', { clockKey: 'enterprise-committee-accept', threshold: 0.5, at: END_OF('2025-03-04') }),
    ev('ClockWarned', { clockKey: 'enterprise-committee-accept', threshold: 0.75, at: END_OF('2025-03-05') }),
    ev('ClockWarned', { clockKey: 'complaint-reply', threshold: 0.5, at: END_OF('2025-03-06') }),
    ev('ClockBreached', { clockKey: 'enterprise-committee-accept', at: END_OF('2025-03-06') }),
    ev('CaseEscalated', { fromLevel: 'town', toLevel: 'county', reason: 'clock-breach', clockKey: 'enterprise-committee-accept' }),
    ev('SupervisionIssued', {
      noticeId: `${CASE_ID}/SN-7`,
      department: 'union', // no route yet: the intake body
      accountableUnit: '经信局',
      accountableHeadRole: 'principal-head',
      level: 'county',
      reason: 'clock-breach',
      clockKey: 'enterprise-committee-accept',
      dueAt: '2025-03-10T00:00:00.000Z', // 72 hours (rules 2025.1)
    }),
  ];

  it('announces warnings, then a breach with escalation one level up and supervision of the accountable head', () => {
    const { after } = given(received).when(cmd('CheckClocks', {}), { now: FRIDAY_MORNING }).then(dueOnFriday);
    expect(after).toMatchObject({ level: 'county', supervision: { [`${CASE_ID}/SN-7`]: { answered: false } } });
  });

  it('announces each warning and breach once', () => {
    const { events } = given(received).when(cmd('CheckClocks', {}), { now: FRIDAY_MORNING }).then(dueOnFriday);
    given([...received, ...events]).when(cmd('CheckClocks', {}), { now: FRIDAY_MORNING }).then([]);
  });

  it('still supervises at the county joint centre, where there is no higher level', () => {
    const atCounty = [caseReceived({ respondent: { ...respondent, level: 'county' } })];
    const decision = given(atCounty).when(cmd('CheckClocks', {}), { now: FRIDAY_MORNING }).decision;
    if (!decision.ok) throw new Error(decision.rejection.reason);
    const types = decision.events.map((e) => e.type);
    expect(types).not.toContain('CaseEscalated');
    expect(types).toContain('SupervisionIssued');
  });

  it('marks a referral overdue when its department’s clock is breached, and supervises that department', () => {
    // Routed on Monday 03-03: hr's 5 working days to object end with Monday 03-10.
    const decision = given(routed).when(cmd('CheckClocks', {}), { now: '2025-03-11T01:00:00.000Z' }).decision;
    if (!decision.ok) throw new Error(decision.rejection.reason);
    const types = decision.events.map((e) => `${e.type}:${(e.data as { clockKey?: string; department?: string }).clockKey ?? (e.data as { department?: string }).department ?? ''}`);
    const breachAt = types.indexOf('ClockBreached:referral-objection:hr');
    expect(breachAt).toBeGreaterThan(-1);
    expect(types.slice(breachAt + 1, breachAt + 3)).toEqual(['SupervisionIssued:referral-objection:hr', 'ReferralOverdue:hr']);
    const notice = decision.events[breachAt + 1]!;
    expect(notice.data).toMatchObject({ department: 'hr', accountableUnit: 'hr', reason: 'clock-breach' });
    // Several breaches in one check raise the case one level only.
    expect(types.filter((t) => t.startsWith('CaseEscalated'))).toHaveLength(1);
  });

  it('is allowed to the system and supervisors only', () => {
    given(received).when(cmd('CheckClocks', {}), { actor: { id: 'm-1', role: 'mediator' } }).thenRejects('forbidden');
  });
});

describe('EscalateCase (manual)', () => {
  it('moves the case one level up', () => {
    const { after } = given(received)
      .when(cmd('EscalateCase', { note: '群体上访苗头' }))
      .then([ev('CaseEscalated', { fromLevel: 'town', toLevel: 'county', reason: 'manual', note: '群体上访苗头' })]);
    expect(after).toMatchObject({ level: 'county' });
  });

  it('refuses at the county joint centre', () => {
    given([...received, ev('CaseEscalated', { fromLevel: 'town', toLevel: 'county', reason: 'manual' })])
      .when(cmd('EscalateCase', { note: 'x' }))
      .thenRejects('illegal-state', /already at the county joint centre/);
  });

  it('is for supervisors only', () => {
    given(received).when(cmd('EscalateCase', { note: 'x' }), { actor: { id: 'm', role: 'mediator' } }).thenRejects('forbidden');
  });
});

describe('IssueSupervision / AnswerSupervision', () => {
  const notice = {
    noticeId: `${CASE_ID}/SN-7`,
    department: 'union' as const,
    accountableUnit: '经信局',
    accountableHeadRole: 'principal-head' as const,
    level: 'town' as const,
    reason: 'manual' as const,
    dueAt: '2025-03-06T02:00:00.000Z',
    note: '请一把手过问',
  };

  it('issues a notice to the lead department, answerable by the responsible department’s head', () => {
    given(routed).when(cmd('IssueSupervision', { note: '请一把手过问' })).then([ev('SupervisionIssued', notice)]);
  });

  it('takes one answer per notice', () => {
    const issued = [...routed, ev('SupervisionIssued', notice)];
    const { after } = given(issued)
      .when(cmd('AnswerSupervision', { noticeId: notice.noticeId, response: '已约谈企业负责人' }))
      .then([ev('SupervisionAnswered', { noticeId: notice.noticeId, response: '已约谈企业负责人' })]);
    expect(after).toMatchObject({ supervision: { [notice.noticeId]: { answered: true } } });
    given([...issued, ev('SupervisionAnswered', { noticeId: notice.noticeId, response: 'x' })])
      .when(cmd('AnswerSupervision', { noticeId: notice.noticeId, response: 'y' }))
      .thenRejects('illegal-state', /already answered/);
  });

  it('lets only the supervised department’s liaison answer', () => {
    const issued = [...routed, ev('SupervisionIssued', notice)];
    given(issued)
      .when(cmd('AnswerSupervision', { noticeId: notice.noticeId, response: 'x' }), {
        actor: { id: 'hr-1', role: 'department-liaison', department: 'hr' },
      })
      .thenRejects('forbidden', /liaison of hr cannot answer a notice to union/);
    given(issued)
      .when(cmd('AnswerSupervision', { noticeId: notice.noticeId, response: '已处理' }), {
        actor: { id: 'u-1', role: 'department-liaison', department: 'union' },
      })
      .then([ev('SupervisionAnswered', { noticeId: notice.noticeId, response: '已处理' })]);
  });

  it('refuses an unknown notice', () => {
    given(routed).when(cmd('AnswerSupervision', { noticeId: 'x', response: 'y' })).thenRejects('not-found');
  });

  it('is issued by supervisors only', () => {
    given(routed).when(cmd('IssueSupervision', { note: 'x' }), { actor: { id: 'm', role: 'mediator' } }).thenRejects('forbidden');
  });
});

describe('closed cases', () => {
  it('refuse escalation and supervision until reopened', () => {
    given(closed).when(cmd('EscalateCase', { note: 'x' })).thenRejects('illegal-state', /cannot escalate the case: the case is closed/);
    given(closed).when(cmd('IssueSupervision', { note: 'x' })).thenRejects('illegal-state', /closed; reopen it first/);
  });
});
