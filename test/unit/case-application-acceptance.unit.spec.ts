// The acceptance (受理) of an application by the body it is made to — the court a judicial-confirmation
// application (法释〔2011〕5号 第四、五条), hr's arbitration commission an arbitration application (劳动争议调解仲裁法
// 第二十九条、第四十三条) — is that body's own act, distinct from its joining the mediation as a referral. In the
// usual route court and hr sit in the mediation with their referrals accepted long before: the acceptance
// must still be recordable, stop the acceptance clock and start the decision / award clock.
import { describe, expect, it } from 'vitest';
import { availableActions } from '../../domain/case/available.js';
import { COMMAND_TYPES } from '../../domain/case/commands.js';
import { renderRejection } from '../../domain/case/messages.js';
import type { CaseState } from '../../domain/case/state.js';
import type { Actor } from '../../events/schemas.js';
import type { Department } from '../../events/vocabulary.js';
import { AGREEMENT_ID, agreementEvent, at, CASE_ID, cmd, days, ev, routed, SESSION_ID, T0 } from '../../testkit/case-fixtures.js';
import { given } from '../support/decider-spec.js';

const liaison = (department: Department): { actor: Actor } => ({ actor: { id: `${department}-1`, role: 'department-liaison', department } });
const HR_REFERRAL = `${CASE_ID}/R-5`;
const COURT_REFERRAL = `${CASE_ID}/R-6`;
const session = [
  ev('SessionScheduled', { sessionId: SESSION_ID, at: at(T0, days(2)), place: '王江泾镇调解室', departments: ['union', 'hr', 'court'] }),
  ev('SessionHeld', { sessionId: SESSION_ID, outcome: 'progress', minutes: '双方陈述', departmentOpinions: [] }),
];
/** The usual route: hr and court join the mediation and accept their referrals. */
const joined = [
  ...routed,
  ev('ReferralAccepted', { referralId: HR_REFERRAL, department: 'hr' }),
  ev('ReferralAccepted', { referralId: COURT_REFERRAL, department: 'court' }),
  ...session,
];
const applied = ev('JudicialConfirmationRequested', { agreementId: AGREEMENT_ID, court: '秀洲区人民法院', jointApplication: true });
/** Agreement, and the joint application to the court, whose referral is accepted already. */
const requested = [...joined, agreementEvent, applied];
const acceptJudicial = cmd('AcceptApplication', { application: 'judicial-confirmation' });
const acceptArbitration = cmd('AcceptApplication', { application: 'arbitration' });
const DAY_1 = at(T0, days(1));

function clocksOf(state: CaseState) {
  if (state.status === 'none') throw new Error('no case');
  return state.clocks;
}

describe('the court accepts a judicial-confirmation application while it sits in the mediation', () => {
  it('cannot take the application by referral: its referral is accepted already, and a second one is refused', () => {
    const before = given(requested);
    expect(clocksOf(before.state)['court-confirmation-accept']).toMatchObject({ status: 'running', limit: 3 });
    before.when(cmd('AcceptReferral', { referralId: COURT_REFERRAL }), liaison('court')).thenRejects('illegal-state', /already accepted/);
    before.when(cmd('OpenReferral', { department: 'court', task: '司法确认' })).thenRejects('illegal-state', /already has a referral in progress|in progress/);
  });

  it('records its acceptance with AcceptApplication: the 3-day clock stops in time, the 15-day decision clock starts', () => {
    const { after } = given(requested).when(acceptJudicial, { ...liaison('court'), now: DAY_1 }).then([ev('ApplicationAccepted', { application: 'judicial-confirmation' })]);
    const clocks = clocksOf(after);
    expect(clocks['court-confirmation-accept']).toMatchObject({ status: 'stopped', breached: false, endedAt: DAY_1, endedBy: 'ApplicationAccepted' });
    expect(clocks['court-confirmation-decide']).toMatchObject({ status: 'running', startedAt: DAY_1, limit: 15, unit: 'calendar-days' });
  });

  it('lets the court president extend the decision by 10 days (第五条), which could never happen before', () => {
    const accepted = [...requested, { ...ev('ApplicationAccepted', { application: 'judicial-confirmation' }), occurredAt: DAY_1 }];
    const decide = clocksOf(given(accepted).state)['court-confirmation-decide']!;
    const extension = cmd('ApproveExtension', { days: 10, clock: 'court-confirmation-decide', approvedBy: '院长', reason: '案情复杂', partiesNotified: '书面通知' });
    const { after } = given(accepted)
      .when(extension, { ...liaison('court'), now: at(DAY_1, days(5)) })
      .then([ev('ExtensionApproved', extension.data)]);
    expect(clocksOf(after)['court-confirmation-decide']).toMatchObject({ status: 'running', extensions: [{ days: 10 }] });
    expect(Date.parse(clocksOf(after)['court-confirmation-decide']!.dueAt) - Date.parse(decide.dueAt)).toBeGreaterThanOrEqual(10 * 86_400_000);
  });

  it('escalates nothing and supervises nobody when the court accepted in time and the 3 days pass', () => {
    const accepted = [...requested, { ...ev('ApplicationAccepted', { application: 'judicial-confirmation' }), occurredAt: DAY_1 }];
    const check = given(accepted).when(cmd('CheckClocks', {}), { now: at(T0, days(5)) }).decision;
    if (!check.ok) throw new Error(check.rejection.reason);
    const court = check.events.filter((e) => JSON.stringify(e.data).includes('court'));
    expect(court.map((e) => e.type)).not.toContain('ClockBreached');
    expect(court.map((e) => e.type)).not.toContain('SupervisionIssued');
  });

  it('is the court’s act: another department is refused, a supervisor may record it, and only while an application waits', () => {
    given(requested).when(acceptJudicial, liaison('hr')).thenRejects('forbidden', /accepted by court/);
    expect(given(requested).when(acceptJudicial, { actor: { id: 'sup-1', role: 'supervisor' } }).decision.ok).toBe(true);
    given([...joined, agreementEvent]).when(acceptJudicial, liaison('court')).thenRejects('illegal-state', /no application for judicial confirmation is awaiting/);
    given([...requested, ev('ApplicationAccepted', { application: 'judicial-confirmation' })])
      .when(acceptJudicial, liaison('court'))
      .thenRejects('illegal-state', /awaiting acceptance/);
    const refusal = given(requested).when(acceptJudicial, liaison('hr')).decision;
    if (refusal.ok) throw new Error('accepted');
    expect(renderRejection(refusal.rejection)).toBe('司法确认申请由法院受理，人力社保局联络员不能登记受理');
  });

  it('is offered by the dry run to the court’s liaison exactly while the application waits', () => {
    const offered = (events: Parameters<typeof given>[0], department: Department) =>
      availableActions(given(events).state, COMMAND_TYPES, { now: DAY_1, commandId: 'probe', correlationId: 'probe', ...liaison(department) })
        .filter((a) => a.type === 'AcceptApplication').length;
    expect(offered(requested, 'court')).toBe(1);
    expect(offered(requested, 'hr')).toBe(0);
    expect(offered([...joined, agreementEvent], 'court')).toBe(0);
    expect(offered([...requested, ev('ApplicationAccepted', { application: 'judicial-confirmation' })], 'court')).toBe(0);
  });
});

describe('a referral still open when the application arrives', () => {
  // The court joined but never accepted its referral: the application does not open a second one.
  const openCourt = [...routed, ev('ReferralAccepted', { referralId: HR_REFERRAL, department: 'hr' }), ...session, agreementEvent, applied];

  it('is accepted with the application, and cannot stand in for it', () => {
    given(openCourt).when(acceptJudicial, liaison('court')).then([
      ev('ApplicationAccepted', { application: 'judicial-confirmation' }),
      ev('ReferralAccepted', { referralId: COURT_REFERRAL, department: 'court' }),
    ]);
    given(openCourt)
      .when(cmd('AcceptReferral', { referralId: COURT_REFERRAL }), liaison('court'))
      .thenRejects('illegal-state', /awaits court's acceptance: record it with AcceptApplication/);
  });
});

describe('hr’s arbitration commission accepts an arbitration application while hr sits in the mediation', () => {
  const referred = [
    ...joined,
    ev('MediationFailed', { reason: 'respondent-unwilling' }),
    ev('ReferredToArbitration', { commission: '秀洲区劳动人事争议仲裁委员会' }),
  ];

  it('cannot accept by referral (accepted in the mediation), and records the acceptance: the 45-day award clock starts', () => {
    expect(clocksOf(given(referred).state)['arbitration-accept']).toMatchObject({ status: 'running', limit: 5 });
    given(referred).when(cmd('AcceptReferral', { referralId: HR_REFERRAL }), liaison('hr')).thenRejects('illegal-state', /already accepted/);
    const { after } = given(referred).when(acceptArbitration, { ...liaison('hr'), now: DAY_1 }).then([ev('ApplicationAccepted', { application: 'arbitration' })]);
    expect(clocksOf(after)['arbitration-accept']).toMatchObject({ status: 'stopped', breached: false });
    expect(clocksOf(after)['arbitration-award']).toMatchObject({ status: 'running', startedAt: DAY_1, limit: 45 });
  });

  it('ends the award clock with the commission’s answer (the award) on its referral', () => {
    const accepted = [...referred, ev('ApplicationAccepted', { application: 'arbitration' })];
    const { after } = given(accepted)
      .when(cmd('AnswerReferral', { referralId: HR_REFERRAL, opinion: '已作出仲裁裁决' }), liaison('hr'))
      .then([ev('ReferralAnswered', { referralId: HR_REFERRAL, department: 'hr', opinion: '已作出仲裁裁决' })]);
    expect(clocksOf(after)['arbitration-award']).toMatchObject({ status: 'stopped', breached: false });
  });

  it('is hr’s act, not the court’s', () => {
    given(referred).when(acceptArbitration, liaison('court')).thenRejects('forbidden', /accepted by hr/);
  });
});
