import { describe, expect, it } from 'vitest';
import { CASE_ID, classified, closed, cmd, ev, routed } from '../../testkit/case-fixtures.js';
import { given } from '../support/decider-spec.js';

const HR = `${CASE_ID}/R-5`;
const COURT = `${CASE_ID}/R-6`;
const hrLiaison = { actor: { id: 'hr-1', role: 'department-liaison' as const, department: 'hr' as const } };
const courtLiaison = { actor: { id: 'court-1', role: 'department-liaison' as const, department: 'court' as const } };
const unionLiaison = { actor: { id: 'union-1', role: 'department-liaison' as const, department: 'union' as const } };

describe('OpenReferral', () => {
  it('opens a referral to a department with its task', () => {
    given(routed)
      .when(cmd('OpenReferral', { department: 'justice', task: '提供法律援助' }))
      .then([ev('ReferralOpened', { referralId: `${CASE_ID}/R-7`, department: 'justice', task: '提供法律援助' })]);
  });

  it('refuses a second referral to a department that has one in progress', () => {
    given(routed).when(cmd('OpenReferral', { department: 'hr', task: 'again' })).thenRejects('illegal-state', /hr already has a referral in progress/);
  });

  it('refuses before the case is routed', () => {
    given(classified).when(cmd('OpenReferral', { department: 'hr', task: 'x' })).thenRejects('illegal-state', /needs routed/);
  });
});

describe('AcceptReferral / AnswerReferral', () => {
  it("lets the department's liaison accept and then answer its referral", () => {
    const { after } = given(routed)
      .when(cmd('AcceptReferral', { referralId: HR }), hrLiaison)
      .then([ev('ReferralAccepted', { referralId: HR, department: 'hr' })]);
    expect(after).toMatchObject({ referrals: { [HR]: { status: 'accepted' } } });

    given([...routed, ev('ReferralAccepted', { referralId: HR, department: 'hr' })])
      .when(cmd('AnswerReferral', { referralId: HR, opinion: '企业确有欠薪，建议调解' }), hrLiaison)
      .then([ev('ReferralAnswered', { referralId: HR, department: 'hr', opinion: '企业确有欠薪，建议调解' })]);
  });

  it('lets a department answer without accepting first', () => {
    given(routed)
      .when(cmd('AnswerReferral', { referralId: COURT, opinion: '可申请支付令' }), courtLiaison)
      .then([ev('ReferralAnswered', { referralId: COURT, department: 'court', opinion: '可申请支付令' })]);
  });

  it("forbids a liaison to act on another department's referral", () => {
    given(routed).when(cmd('AcceptReferral', { referralId: HR }), courtLiaison).thenRejects('forbidden', /liaison of court cannot act on a referral to hr/);
  });

  it('refuses an unknown referral', () => {
    given(routed).when(cmd('AcceptReferral', { referralId: 'nope' }), hrLiaison).thenRejects('not-found', /no referral nope/);
  });

  it('refuses to accept twice or to answer twice', () => {
    const acceptedHr = [...routed, ev('ReferralAccepted', { referralId: HR, department: 'hr' })];
    given(acceptedHr).when(cmd('AcceptReferral', { referralId: HR }), hrLiaison).thenRejects('illegal-state', /already accepted/);
    const answered = [...acceptedHr, ev('ReferralAnswered', { referralId: HR, department: 'hr', opinion: 'x' })];
    given(answered).when(cmd('AnswerReferral', { referralId: HR, opinion: 'y' }), hrLiaison).thenRejects('illegal-state', /already answered/);
  });

  it('refuses referral work on a closed case', () => {
    given(closed).when(cmd('AcceptReferral', { referralId: HR }), hrLiaison).thenRejects('illegal-state', /closed/);
  });
});

describe('ObjectToReferral (mis-routing, 信访工作条例 第二十三条)', () => {
  it('removes a joining department that objects and re-routes to the department it names', () => {
    const { after } = given(routed)
      .when(cmd('ObjectToReferral', { referralId: COURT, reason: '尚未进入诉讼程序', suggestedDepartment: 'justice' }), courtLiaison)
      .then([
        ev('ReferralObjected', { referralId: COURT, department: 'court', reason: '尚未进入诉讼程序', suggestedDepartment: 'justice' }),
        ev('CaseRouted', {
          ruleId: 'wage-arrears',
          rulesVersion: '2025.1',
          leadDepartment: 'union',
          joiningDepartments: ['hr', 'justice'],
          level: 'town',
          timeLimitDays: 15,
          accountableUnit: '经信局',
          reroute: true,
          reason: 'court objected: 尚未进入诉讼程序',
        }),
        ev('ReferralOpened', {
          referralId: `${CASE_ID}/R-9`,
          department: 'justice',
          task: `take over from court, which objected to referral ${COURT}`,
        }),
      ]);
    expect(after).toMatchObject({ status: 'routed', referrals: { [COURT]: { status: 'objected' } } });
  });

  it('just drops a joining department that objects without naming another', () => {
    given(routed)
      .when(cmd('ObjectToReferral', { referralId: HR, reason: '不属职权范围' }), hrLiaison)
      .then([
        ev('ReferralObjected', { referralId: HR, department: 'hr', reason: '不属职权范围' }),
        ev('CaseRouted', {
          ruleId: 'wage-arrears',
          rulesVersion: '2025.1',
          leadDepartment: 'union',
          joiningDepartments: ['court'],
          level: 'town',
          timeLimitDays: 15,
          accountableUnit: '经信局',
          reroute: true,
          reason: 'hr objected: 不属职权范围',
        }),
      ]);
  });

  it('hands the lead to the named department when the lead objects', () => {
    const unionReferral = [...routed, ev('ReferralOpened', { referralId: `${CASE_ID}/R-7`, department: 'union', task: '牵头调处' })];
    const { after } = given(unionReferral)
      .when(cmd('ObjectToReferral', { referralId: `${CASE_ID}/R-7`, reason: '社保争议应由人社牵头', suggestedDepartment: 'hr' }), unionLiaison)
      .then([
        ev('ReferralObjected', { referralId: `${CASE_ID}/R-7`, department: 'union', reason: '社保争议应由人社牵头', suggestedDepartment: 'hr' }),
        ev('CaseRouted', {
          ruleId: 'wage-arrears',
          rulesVersion: '2025.1',
          leadDepartment: 'hr',
          joiningDepartments: ['court'],
          level: 'town',
          timeLimitDays: 15,
          accountableUnit: '经信局',
          reroute: true,
          reason: 'union objected: 社保争议应由人社牵头',
        }),
      ]);
    expect(after).toMatchObject({ route: { leadDepartment: 'hr', joiningDepartments: ['court'] } });
  });

  it('requires the lead department to name who should lead instead', () => {
    const unionReferral = [...routed, ev('ReferralOpened', { referralId: `${CASE_ID}/R-7`, department: 'union', task: '牵头调处' })];
    given(unionReferral)
      .when(cmd('ObjectToReferral', { referralId: `${CASE_ID}/R-7`, reason: '不属我方' }), unionLiaison)
      .thenRejects('validation', /name the department that should lead/);
  });

  it('refuses to suggest the objecting department itself', () => {
    given(routed)
      .when(cmd('ObjectToReferral', { referralId: HR, reason: 'x', suggestedDepartment: 'hr' }), hrLiaison)
      .thenRejects('validation', /another department/);
  });

  it('refuses an objection after the referral was accepted', () => {
    given([...routed, ev('ReferralAccepted', { referralId: HR, department: 'hr' })])
      .when(cmd('ObjectToReferral', { referralId: HR, reason: 'x' }), hrLiaison)
      .thenRejects('illegal-state', /only an open referral/);
  });

  it('forbids a mediator to object on behalf of a department', () => {
    given(routed)
      .when(cmd('ObjectToReferral', { referralId: HR, reason: 'x' }), { actor: { id: 'm-1', role: 'mediator' } })
      .thenRejects('forbidden', /a mediator may not object to a referral/);
  });
});

describe('MarkReferralOverdue', () => {
  it('marks an open referral overdue once', () => {
    const { after } = given(routed)
      .when(cmd('MarkReferralOverdue', { referralId: HR }))
      .then([ev('ReferralOverdue', { referralId: HR, department: 'hr' })]);
    expect(after).toMatchObject({ referrals: { [HR]: { overdue: true, status: 'open' } } });
    given([...routed, ev('ReferralOverdue', { referralId: HR, department: 'hr' })])
      .when(cmd('MarkReferralOverdue', { referralId: HR }))
      .thenRejects('illegal-state', /already marked overdue/);
  });

  it('refuses an answered or unknown referral', () => {
    given([...routed, ev('ReferralAnswered', { referralId: HR, department: 'hr', opinion: 'x' })])
      .when(cmd('MarkReferralOverdue', { referralId: HR }))
      .thenRejects('illegal-state', /already answered/);
    given(routed).when(cmd('MarkReferralOverdue', { referralId: 'x' })).thenRejects('not-found');
  });
});
