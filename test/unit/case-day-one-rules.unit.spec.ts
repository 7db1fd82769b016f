// The rules a mediation centre would catch in its first week (issue 9), as given / when / then.
import { describe, expect, it } from 'vitest';
import { addDays, chinaDateOf } from '../../domain/calendar/index.js';
import { decide, decideIntake } from '../../domain/case/decide.js';
import { foldEvents } from '../../domain/case/evolve.js';
import { invariantViolations } from '../../domain/case/invariants.js';
import { initialState, type CaseState } from '../../domain/case/state.js';
import { creditCodeCheckChar, creditCodeProblem, phoneProblem, residentIdProblem } from '../../domain/identifiers/index.js';
import { personalValue } from '../../events/personal-data.js';
import {
  AGREEMENT_ID,
  accepted,
  agreed,
  agreementEvent,
  at,
  CASE_ID,
  caseReceived,
  claim,
  closed,
  cmd,
  complainant,
  days,
  ev,
  inMediation,
  receiveCase,
  received,
  replied,
  respondent,
  routed,
  SALT_1,
  SESSION_ID,
  sessionHeld,
  T0,
} from '../../testkit/case-fixtures.js';
import { given, toHistory } from '../support/decider-spec.js';

const clocksOf = (state: CaseState) => (state.status === 'none' ? {} : state.clocks);
const reply = (summary = '已受理，由工会牵头调解') => cmd('SendReply', { method: 'phone', summary });

// ------------------------------------------------------------------ 1. reply (回音) and feedback (反馈)

describe('1. the 7-day reply (回音) is not the final result', () => {
  it('given an accepted case, when a reply is sent on day 3, then it stops the reply clock and the case stays accepted', () => {
    const { after } = given(accepted)
      .when(reply(), { now: at(T0, days(3)) })
      .then([ev('ReplySent', { method: 'phone', summary: '已受理，由工会牵头调解' })]);
    expect(after).toMatchObject({ status: 'accepted', outcome: null, repliesSent: 1 });
    expect(clocksOf(after)['complaint-reply']).toMatchObject({ status: 'stopped', breached: false });
  });

  it('given a rejected case, when the reply tells where to go instead, then it is the reply of the result', () => {
    const rejected = [...received, ev('CaseRejected', { reasonCode: 'not-a-labour-dispute', explanation: '民间借贷', redirectTo: 'civil-court' })];
    const { after } = given(rejected).when(reply('请向人民法院起诉')).then([ev('ReplySent', { method: 'phone', summary: '请向人民法院起诉' })]);
    expect(after).toMatchObject({ status: 'replied', outcome: 'rejected' });
  });

  it('given a reply during mediation, when feedback (反馈) is recorded, then it is refused: feedback follows the outcome', () => {
    given([...inMediation, ev('ReplySent', { method: 'phone', summary: '调解中' })])
      .when(cmd('RecordFeedback', { score: 4 }))
      .thenRejects('illegal-state', /record feedback: the case is in-mediation \(needs replied\)/);
  });

  it('given a reply on day 3, when the outcome comes, then its reply is still owed and moves the case to replied', () => {
    const early = [...sessionHeld, ev('ReplySent', { method: 'phone', summary: '调解中' }), agreementEvent];
    const { after } = given(early).when(reply('已达成调解协议')).then([ev('ReplySent', { method: 'phone', summary: '已达成调解协议' })]);
    expect(after).toMatchObject({ status: 'replied', repliesSent: 2 });
  });

  it('given a normal case — reply on day 3, agreement on day 12 — when the clocks are checked, then nothing breached, escalated or supervised', () => {
    const history = [
      caseReceived(),
      ev('CaseAccepted', {}),
      ev('CaseClassified', { disputeType: 'wage-arrears', workerCount: 1, collective: false }),
      ...routed.slice(3),
      ev('ReferralAccepted', { referralId: `${CASE_ID}/R-5`, department: 'hr' }, at(T0, days(1))),
      ev('ReferralAccepted', { referralId: `${CASE_ID}/R-6`, department: 'court' }, at(T0, days(1))),
      ev('SessionScheduled', { sessionId: SESSION_ID, at: at(T0, days(4)), place: '调解室', departments: ['union'] }, at(T0, days(2))),
      ev('ReplySent', { method: 'phone', summary: '已受理，正在调解' }, at(T0, days(3))),
      ev('SessionHeld', { sessionId: SESSION_ID, outcome: 'progress', minutes: '达成一致', departmentOpinions: [] }, at(T0, days(10))),
      ev('AgreementReached', { ...agreementEvent.data, effectiveAt: at(T0, days(12)) }, at(T0, days(12))),
    ];
    for (const day of [7, 8, 12, 13]) {
      const decision = decide(foldEvents(toHistory(history)), cmd('CheckClocks', {}), {
        now: at(T0, days(day)),
        actor: { id: 'wf', role: 'system' },
        commandId: 'c',
        correlationId: 'c',
      });
      if (!decision.ok) throw new Error(decision.rejection.reason);
      const types = decision.events.map((e) => e.type);
      expect(types, `day ${day}`).not.toContain('ClockBreached');
      expect(types).not.toContain('CaseEscalated');
      expect(types).not.toContain('SupervisionIssued');
    }
  });
});

// ------------------------------------------------------------------ 2. extensions

const petition = [caseReceived({ channel: 'petition-transfer', petitionRef: 'XF-1' }), ev('CaseAccepted', {})];
const approval = (clock: string, days: number) => ({
  days,
  clock,
  approvedBy: '信访局负责人',
  reason: '情况复杂，需调取社保缴费记录',
  partiesNotified: '延期告知书已于当日送达双方',
});
const consent = (days: number, c = true, r = true) =>
  cmd('AgreeExtension', { days, complainantConsents: c, respondentConsents: r, reason: '双方同意继续调解' });

describe('2. extensions: who approves, and how far', () => {
  it('given a transferred petition, when its head approves +30 days, then it is accepted without any party consent', () => {
    const { after } = given(petition)
      .when(cmd('ApproveExtension', approval('petition-handle', 30)), { actor: { id: 'p', role: 'department-liaison', department: 'petitions' } })
      .then([ev('ExtensionApproved', approval('petition-handle', 30))]);
    expect(clocksOf(after)['petition-handle']).toMatchObject({ limit: 60, extensions: [{ days: 30 }] });
  });

  it('given a petition clock, when the parties "agree" to extend it, then it is refused: its head approves', () => {
    given(petition)
      .when(cmd('AgreeExtension', { days: 10, clock: 'petition-handle', complainantConsents: true, respondentConsents: true, reason: 'x' }))
      .thenRejects('validation', /approval of the head of the body handling the petition/);
  });

  it('given the mediation clock, when a head approves an extension, then it is refused: only both parties can', () => {
    given(inMediation).when(cmd('ApproveExtension', approval('mediation-conclude', 5))).thenRejects('validation', /only by both parties' consent/);
    given(inMediation).when(consent(5, true, false)).thenRejects('validation', /both parties' consent/);
  });

  it("given a liaison of another department, when it approves the petitions body's extension, then it is refused", () => {
    given(petition)
      .when(cmd('ApproveExtension', approval('petition-handle', 10)), { actor: { id: 'h', role: 'department-liaison', department: 'hr' } })
      .thenRejects('forbidden');
  });

  it("given the mediation clock, when the parties extend it past the centre's 15-day ceiling, then it is refused (two +365 no more)", () => {
    given(inMediation).when(consent(365)).thenRejects('validation', /at most 15 days in all \(0 already granted; 本中心规定/);
    const extended = [...inMediation, ev('ExtensionAgreed', { days: 10, consent: { complainant: true, respondent: true }, reason: 'x' })];
    given(extended).when(consent(6)).thenRejects('validation', /at most 15 days in all \(10 already granted/);
    given(extended).when(consent(5)).then([ev('ExtensionAgreed', { days: 5, consent: { complainant: true, respondent: true }, reason: '双方同意继续调解' })]);
  });

  it('given a mediation clock past its due moment, when the parties extend it, then it is refused: the breach stands', () => {
    // Accepted on Monday 03-03: 15 days end on 03-18; on day 20 the clock is past due (breach not yet recorded).
    given(inMediation).when(consent(5), { now: at(T0, days(20)) }).thenRejects('illegal-state', /already passed .* the breach stands/);
    const breached = [...inMediation, ev('ClockBreached', { clockKey: 'mediation-conclude', at: at(T0, days(16)) }, at(T0, days(16)))];
    given(breached).when(consent(5), { now: at(T0, days(16)) }).thenRejects('illegal-state', /the breach stands/);
  });
});

// ------------------------------------------------------------------ 3. closing, reopening, referrals, merging

describe('3. closing ends every duty clock; a closed case has no open referral', () => {
  it('given a replied case with open referrals, when it closes, then each referral ends first and no duty clock runs', () => {
    const { after } = given(replied)
      .when(cmd('CloseCase', {}))
      .then([
        ev('ReferralClosed', { referralId: `${CASE_ID}/R-5`, department: 'hr', reason: 'case-closed' }),
        ev('ReferralClosed', { referralId: `${CASE_ID}/R-6`, department: 'court', reason: 'case-closed' }),
        ev('CaseClosed', { outcome: 'agreement' }),
      ]);
    expect(clocksOf(after)['referral-objection:hr']?.status).toBe('cancelled');
    expect(clocksOf(after)['referral-objection:court']?.status).toBe('cancelled');
    expect(invariantViolations(after)).toEqual([]);
  });

  it('given a withdrawn, rejected or closed case, when it is escalated, suspended or extended, then it is refused', () => {
    const withdrawn = [...inMediation, ev('CaseWithdrawn', { reason: '自行和解' })];
    const rejected = [...received, ev('CaseRejected', { reasonCode: 'not-a-labour-dispute', explanation: 'x', redirectTo: 'civil-court' })];
    for (const history of [withdrawn, rejected, closed]) {
      given(history).when(cmd('EscalateCase', { note: 'x' })).thenRejects('illegal-state', /cannot escalate the case: the case is/);
      given(history).when(cmd('SuspendCase', { reason: 'other' })).thenRejects('illegal-state', /cannot suspend the case/);
      given(history).when(consent(5)).thenRejects('illegal-state', /cannot extend the mediation/);
    }
  });
});

describe('3. reopening needs a reason that fits the facts', () => {
  const partlyPaid = [
    ...agreed,
    ev('PaymentRecorded', { agreementId: AGREEMENT_ID, amountFen: 1_000_000, paidOn: '2025-03-31', paidToDateFen: 1_000_000 }),
    ev('ReplySent', { method: 'written', summary: '协议已达成' }),
    ev('ReferralClosed', { referralId: `${CASE_ID}/R-5`, department: 'hr', reason: 'case-closed' }),
    ev('ReferralClosed', { referralId: `${CASE_ID}/R-6`, department: 'court', reason: 'case-closed' }),
    ev('CaseClosed', { outcome: 'agreement' }),
  ];
  const reopenAt = at(T0, days(40));
  const notPerformed = cmd('ReopenCase', { reason: 'agreement-not-performed', note: '第二期未付' });

  it('given an agreement paid in full, when reopened as "not performed", then it is refused', () => {
    const paid = [
      ...agreed,
      ev('PaymentRecorded', { agreementId: AGREEMENT_ID, amountFen: 1_500_000, paidOn: '2025-03-31', paidToDateFen: 1_500_000 }),
      ...partlyPaid.slice(agreed.length + 1),
    ];
    given(paid).when(notPerformed).thenRejects('validation', /paid in full/);
  });

  it('given an unpaid balance, when reopened as "not performed", then mediation gets its clock again, counted from the reopening', () => {
    const { after } = given(partlyPaid).when(notPerformed, { now: reopenAt }).then([ev('CaseReopened', { reason: 'agreement-not-performed', note: '第二期未付' })]);
    expect(after).toMatchObject({ status: 'in-mediation', reopenCount: 1 });
    expect(clocksOf(after)['mediation-conclude']).toMatchObject({ status: 'running', startedAt: reopenAt, breached: false, extensions: [] });
  });

  it('given a reopened case, when a new agreement is recorded without a session held since, then it is refused; after one, it is accepted', () => {
    const reopened = [...partlyPaid, ev('CaseReopened', { reason: 'agreement-not-performed', note: 'x' }, reopenAt)];
    const newAgreement = cmd('RecordAgreement', {
      totalAmountFen: 500_000,
      items: [{ kind: 'wages', amountFen: 500_000 }],
      schedule: [{ dueOn: '2025-05-31', amountFen: 500_000 }],
      terms: '余款一次付清',
    });
    given(reopened).when(newAgreement, { now: at(reopenAt, 48) }).thenRejects('illegal-state', /hold a mediation session after that/);
    const sessionAgain = [
      ...reopened,
      ev('SessionScheduled', { sessionId: `${CASE_ID}/S-99`, at: at(reopenAt, 24), place: '调解室', departments: ['union'] }, reopenAt),
      ev('SessionHeld', { sessionId: `${CASE_ID}/S-99`, outcome: 'progress', minutes: '企业承诺付清', departmentOpinions: [] }, at(reopenAt, 24)),
    ];
    expect(given(sessionAgain).when(newAgreement, { now: at(reopenAt, 48) }).decision.ok).toBe(true);
  });

  it("given a case reopened twice already, when it is reopened again, then it is refused by the centre's bound", () => {
    const twice = [...closed, ev('CaseReopened', { reason: 'new-facts', note: 'a' }), ev('CaseClosed', { outcome: 'agreement' })];
    const state = foldEvents(toHistory(twice));
    expect(state).toMatchObject({ reopenCount: 1 });
    const thrice = [...twice, ev('CaseReopened', { reason: 'new-facts', note: 'b' }), ev('CaseClosed', { outcome: 'agreement' })];
    given(thrice).when(cmd('ReopenCase', { reason: 'new-facts', note: 'c' })).thenRejects('illegal-state', /reopened 2 times, the most the centre allows/);
  });
});

describe('3. objecting to a mis-routed referral', () => {
  const liaison = { actor: { id: 'hr-1', role: 'department-liaison' as const, department: 'hr' as const } };
  const objection = cmd('ObjectToReferral', { referralId: `${CASE_ID}/R-5`, reason: '不属于本部门职责', suggestedDepartment: 'justice' });

  it('given a referral opened on Monday 03-03, when hr objects on day 8 (after its 5 working days), then it is refused', () => {
    given(routed).when(objection, { ...liaison, now: at(T0, days(8)) }).thenRejects('illegal-state', /5 working days to object .* ended at 2025-03-10T16:00/);
  });

  it('given a referral marked overdue, when its department objects, then it is refused', () => {
    given([...routed, ev('ReferralOverdue', { referralId: `${CASE_ID}/R-5`, department: 'hr' })])
      .when(objection, liaison)
      .thenRejects('illegal-state', /overdue: answer it, or ask the supervisor to re-route/);
  });

  it('given a referral within its window, when its department objects, then the case is re-routed', () => {
    const decision = given(routed).when(objection, { ...liaison, now: at(T0, days(2)) }).decision;
    expect(decision.ok && decision.events.map((e) => e.type)).toEqual(['ReferralObjected', 'CaseRouted', 'ReferralOpened']);
  });
});

describe('3. merging needs an open target, and both cases record it', () => {
  const merge = cmd('MergeCase', { intoCaseId: 'case-0', reason: '重复投诉' });
  it('given no lookup of the target, when merged, then it is refused', () => {
    given(received).when(merge).thenRejects('validation', /was not looked up/);
  });
  it('given a target that does not exist or is closed, when merged, then it is refused', () => {
    given(received).when(merge, { mergeTarget: { caseId: 'case-0', status: 'none' } }).thenRejects('not-found', /no case case-0 to merge into/);
    given(received).when(merge, { mergeTarget: { caseId: 'case-0', status: 'closed' } }).thenRejects('illegal-state', /merged only into an open case/);
  });
  it('given an open target, when merged, then the duplicate closes and the target records the duplicate', () => {
    given(received)
      .when(merge, { mergeTarget: { caseId: 'case-0', status: 'in-mediation' } })
      .then([ev('CaseMerged', { intoCaseId: 'case-0', reason: '重复投诉' }), ev('CaseClosed', { outcome: 'merged', note: 'duplicate of case-0' })]);
    const { after } = given(inMediation)
      .when(cmd('RecordMergedDuplicate', { fromCaseId: 'case-7', reason: '重复投诉' }))
      .then([ev('DuplicateMergedIn', { fromCaseId: 'case-7', reason: '重复投诉' })]);
    expect(after).toMatchObject({ mergedFrom: ['case-7'], status: 'in-mediation' });
  });
});

// ------------------------------------------------------------------ 4. dates and facts that cannot be

describe('4. impossible dates', () => {
  it('given a session scheduled for day 2, when it is recorded as held on day 1, then it is refused', () => {
    const data = { sessionId: SESSION_ID, outcome: 'progress' as const, minutes: 'x', departmentOpinions: [] };
    given(inMediation).when(cmd('HoldSession', data), { now: at(T0, days(1)) }).thenRejects('illegal-state', /cannot be held before then/);
    given(inMediation).when(cmd('HoldSession', data), { now: at(T0, days(2)) }).then([ev('SessionHeld', data)]);
  });

  it('given a case in mediation, when a session is scheduled in year 0001 or a year ahead, then it is refused', () => {
    const schedule = (when: string) => cmd('ScheduleSession', { at: when, place: '调解室', departments: ['union'] });
    given(routed).when(schedule('0001-01-01T00:00:00.000Z')).thenRejects('validation', /in the past/);
    given(routed).when(schedule(at(T0, days(365)))).thenRejects('validation', /at most 180 days ahead/);
  });

  it('given a held session, when an agreement takes effect before receipt or in the future, then it is refused', () => {
    const agreement = (effectiveAt: string) =>
      cmd('RecordAgreement', { totalAmountFen: 100, items: [{ kind: 'wages', amountFen: 100 }], schedule: [{ dueOn: '2025-04-01', amountFen: 100 }], effectiveAt, terms: 'x' });
    given(sessionHeld).when(agreement(at(T0, -24))).thenRejects('validation', /effectiveAt: .* between the receipt/);
    given(sessionHeld).when(agreement(at(T0, 24))).thenRejects('validation', /effectiveAt/);
  });

  it('given an agreement, when a payment is dated before it or after today, then it is refused', () => {
    const pay = (paidOn: string) => cmd('RecordPayment', { amountFen: 100, paidOn });
    const today = chinaDateOf(at(T0, days(10)));
    given(agreed).when(pay(addDays(chinaDateOf(T0), -1)), { now: at(T0, days(10)) }).thenRejects('validation', /paidOn: .* between the agreement/);
    given(agreed).when(pay(addDays(today, 1)), { now: at(T0, days(10)) }).thenRejects('validation', /paidOn/);
    expect(given(agreed).when(pay(today), { now: at(T0, days(10)) }).decision.ok).toBe(true);
  });

  it('given a complaint, when the infringement date is in the future or before 1990, then intake refuses it', () => {
    const on = (infringedOn: string) => receiveCase({ claim: { ...claim, infringedOn } });
    given([]).when(on(addDays(chinaDateOf(T0), 1))).thenRejects('validation', /claim.infringedOn: .* is in the future/);
    given([]).when(on('1989-12-31')).thenRejects('validation', /claim.infringedOn: 1989-12-31 is before 1990-01-01/);
  });

  it('given a work-injury case, when it is suspended for the 工伤认定 with an expected end date, then it is recorded', () => {
    const data = { reason: 'awaiting-work-injury-determination' as const, expectedEndOn: addDays(chinaDateOf(T0), 60), note: '人社局受理工伤认定申请' };
    const { after } = given(inMediation).when(cmd('SuspendCase', data)).then([ev('CaseSuspended', data)]);
    expect(clocksOf(after)['mediation-conclude']?.status).toBe('paused');
    given(inMediation)
      .when(cmd('SuspendCase', { reason: 'awaiting-capacity-appraisal', expectedEndOn: addDays(chinaDateOf(T0), -1) }))
      .thenRejects('validation', /expectedEndOn/);
  });
});

// ------------------------------------------------------------------ 5. intake

describe('5. intake checks real identifiers and names every problem', () => {
  const withPerson = (idNumber?: string, phone?: string) => ({
    ...complainant(),
    ...(idNumber ? { idNumber: personalValue('person-1', idNumber, SALT_1) } : {}),
    ...(phone ? { phone: personalValue('person-1', phone, SALT_1) } : {}),
  });

  it('checks the resident ID check digit (GB 11643, mod 11-2) and the birth date', () => {
    expect(residentIdProblem('11010519491231002X')).toBeNull();
    expect(residentIdProblem('110105194912310021')).toBe('check-digit');
    expect(residentIdProblem('110105194902300020')).toBe('birth-date');
    expect(residentIdProblem('1101051949123100')).toBe('format');
    given([]).when(receiveCase({ complainants: [withPerson('110105194912310021')] })).thenRejects('validation', /complainants.0.idNumber: the check digit/);
    expect(given([]).when(receiveCase({ complainants: [withPerson('11010519491231002X')] })).decision.ok).toBe(true);
  });

  it('checks the unified social credit code check character (GB 32100)', () => {
    expect(creditCodeProblem('91350100M000100Y43')).toBeNull();
    expect(creditCodeProblem('91350100M000100Y44')).toBe('check-char');
    expect(creditCodeProblem('91350100M000100YI3')).toBe('format');
    expect(creditCodeCheckChar('91330400MA2B3C4D5')).toBe('6');
    given([]).when(receiveCase({ respondent: { ...respondent, creditCode: '91330400MA2B3C4D5E' } })).thenRejects('validation', /respondent.creditCode: the check character/);
  });

  it('accepts mainland mobile and landline numbers, and nothing else', () => {
    for (const ok of ['13800138000', '+86 138 0013 8000', '0573-82345678', '010-62345678', '0573-8234567-801']) expect(phoneProblem(ok), ok).toBeNull();
    for (const bad of ['12345', '23800138000', '12351', '0573-0234567', '1380013800']) expect(phoneProblem(bad), bad).toBe('format');
    given([]).when(receiveCase({ complainants: [withPerson(undefined, '12351')] })).thenRejects('validation', /complainants.0.phone: not a mainland/);
  });

  it('refuses NUL and control characters in text fields, naming the field', () => {
    given([]).when(receiveCase({ claim: { ...claim, summary: '拖欠工资\u0000' } })).thenRejects('validation', /^claim.summary: must not contain NUL/);
    given(inMediation).when(cmd('WithdrawCase', { reason: 'x\u0007' })).thenRejects('validation', /^reason: must not contain/);
    // Line breaks in long text are fine.
    expect(given(inMediation).when(cmd('WithdrawCase', { reason: '第一行\n第二行' })).decision.ok).toBe(true);
  });

  it('takes the responsible department and the town from the registry, naming the unknown field', () => {
    given([]).when(receiveCase({ respondent: { ...respondent, town: '不存在镇' } })).thenRejects('validation', /respondent.town: 不存在镇 is not in the registry \(registry-2026.1\)/);
    given([]).when(receiveCase({ respondent: { ...respondent, responsibleDepartment: '随便局' } })).thenRejects('validation', /respondent.responsibleDepartment/);
  });

  it('names every problem found, not only the first', () => {
    const decision = decideIntake(
      receiveCase({
        workerCount: 1,
        complainants: [withPerson('110105194912310021', '12345'), { ...complainant('person-2', '李四') }],
        respondent: { ...respondent, creditCode: '91330400MA2B3C4D5E', town: '不存在镇' },
        channel: 'petition-transfer',
      }),
      { now: T0, actor: { id: 'clerk', role: 'intake-clerk' }, commandId: 'c', correlationId: 'c' },
    );
    if (decision.ok) throw new Error('expected a rejection');
    expect(decision.rejection.code).toBe('validation');
    expect(decision.rejection.problems?.map((p) => p.key)).toEqual([
      'intake.worker-count',
      'intake.petition-ref-missing',
      'intake.resident-id-check-digit',
      'intake.phone-format',
      'intake.credit-code-check-char',
      'intake.unknown-code',
    ]);
    expect(decision.rejection.reason).toMatch(/^6 problems: /);
  });

  it('lets the API dry-run intake with the same decision the workflow makes', () => {
    const context = { now: T0, actor: { id: 'a', role: 'auditor' as const }, commandId: 'c', correlationId: 'c' };
    expect(decideIntake(receiveCase(), context)).toEqual(decide(initialState, receiveCase(), context));
    expect(decideIntake(receiveCase(), context).ok).toBe(false);
  });
});
