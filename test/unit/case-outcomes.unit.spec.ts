import { describe, expect, it } from 'vitest';
import { addDays, chinaDateOf } from '../../domain/calendar/index.js';
import {
  agreed,
  AGREEMENT_ID,
  agreementEvent,
  at,
  CASE_ID,
  closed,
  cmd,
  days,
  ev,
  failed,
  inMediation,
  received,
  replied,
  routed,
  sessionHeld,
  T0,
} from '../../testkit/case-fixtures.js';
import { given } from '../support/decider-spec.js';
import { renderRejection } from '../../domain/case/messages.js';

const courtLiaison = { actor: { id: 'court-1', role: 'department-liaison' as const, department: 'court' as const } };

describe('RecordAgreement', () => {
  const agreement = {
    totalAmountFen: 1_500_000,
    items: [{ kind: 'wages' as const, amountFen: 1_500_000 }],
    schedule: [
      { dueOn: '2025-03-31', amountFen: 1_000_000 },
      { dueOn: '2025-04-30', amountFen: 500_000 },
    ],
    terms: '公司分两期支付拖欠工资',
  };

  it('records the agreement (amounts in fen, payment schedule), effective now unless said otherwise', () => {
    const { after } = given(sessionHeld).when(cmd('RecordAgreement', agreement)).then([agreementEvent]);
    expect(after).toMatchObject({ status: 'agreement', outcome: 'agreement', agreement: { paidFen: 0, judicial: 'none' } });
  });

  it('needs a session held first', () => {
    given(inMediation).when(cmd('RecordAgreement', agreement)).thenRejects('illegal-state', /hold a mediation session/);
  });

  it('refuses items or a schedule that do not add up to the total', () => {
    given(sessionHeld)
      .when(cmd('RecordAgreement', { ...agreement, items: [{ kind: 'wages', amountFen: 1 }] }))
      .thenRejects('validation', /items add up to 1 fen, not the total of 1500000 fen/);
    given(sessionHeld)
      .when(cmd('RecordAgreement', { ...agreement, schedule: [{ dueOn: '2025-03-31', amountFen: 1_000_000 }] }))
      .thenRejects('validation', /payment schedule adds up to 1000000 fen/);
  });

  it('refuses an instalment due before the case was received (China date), naming each such field in Chinese', () => {
    const typo = { ...agreement, schedule: [{ dueOn: '2024-03-31', amountFen: 1_000_000 }, { dueOn: '2024-04-30', amountFen: 500_000 }] };
    const { decision } = given(sessionHeld).when(cmd('RecordAgreement', typo));
    expect(decision.ok).toBe(false);
    if (decision.ok) return;
    expect(decision.rejection.code).toBe('validation');
    expect((decision.rejection.problems ?? []).map((p) => [p.key, p.params.field])).toEqual([
      ['agreement.instalment-before-receipt', 'schedule.0.dueOn'],
      ['agreement.instalment-before-receipt', 'schedule.1.dueOn'],
    ]);
    expect(renderRejection(decision.rejection)).toContain('schedule.0.dueOn：该期付款日期 2024-03-31 早于案件登记日期（2025-03-03）');
    // One bad instalment among good ones is named alone.
    given(sessionHeld)
      .when(cmd('RecordAgreement', { ...agreement, schedule: [agreement.schedule[0]!, { dueOn: '2025-03-02', amountFen: 500_000 }] }))
      .thenRejects('validation', /^schedule\.1\.dueOn: the instalment falls due on 2025-03-02, before the case was received \(2025-03-03\)/);
  });

  it('compares instalments with the China date of receipt: due the day of receipt is fine, the UTC day before it is not', () => {
    // Received at 01:00 China time on 2025-03-04, which is still 2025-03-03 in UTC.
    const lateEvening = at(T0, 15);
    const history = sessionHeld.map((e, i) => (i === 0 ? { ...e, occurredAt: lateEvening } : { ...e, occurredAt: e.occurredAt && e.occurredAt > lateEvening ? e.occurredAt : at(lateEvening, i) }));
    const sameDay = { ...agreement, schedule: [{ dueOn: '2025-03-04', amountFen: 1_500_000 }] };
    const dayBefore = { ...agreement, schedule: [{ dueOn: '2025-03-03', amountFen: 1_500_000 }] };
    const now = { now: at(lateEvening, days(2)) };
    expect(given(history).when(cmd('RecordAgreement', sameDay), now).decision.ok).toBe(true);
    given(history).when(cmd('RecordAgreement', dayBefore), now).thenRejects('validation', /schedule\.0\.dueOn.*before the case was received \(2025-03-04\)/);
  });

  it('refuses money as a fraction of a fen', () => {
    given(sessionHeld).when(cmd('RecordAgreement', { ...agreement, totalAmountFen: 15000.5 })).thenRejects('validation', /totalAmountFen/);
  });

  it('refuses outside mediation', () => {
    given(routed).when(cmd('RecordAgreement', agreement)).thenRejects('illegal-state', /needs in-mediation/);
  });
});

describe('the judicial-confirmation window is the clock’s (人民调解法 第三十三条: from the agreement taking effect)', () => {
  const request = cmd('RequestJudicialConfirmation', { court: '秀洲区人民法院', jointApplication: true });
  const TODAY = '2025-06-16T02:00:00.000Z'; // Monday, 10:00 in Beijing
  const EFFECTIVE = '2025-06-11T02:00:00.000Z'; // signed five days before it was recorded
  // Day 30 after 06-11 is Friday 07-11, a working day: 25 days after today's China date.
  const DUE = '2025-07-11';
  const DUE_AT = '2025-07-11T16:00:00.000Z';
  const LAST_SECOND = '2025-07-11T15:59:59.000Z';
  const DAY_31 = '2025-07-12T02:00:00.000Z';
  const requested = ev('JudicialConfirmationRequested', { agreementId: AGREEMENT_ID, court: '秀洲区人民法院', jointApplication: true });

  function recordedToday() {
    const data = { ...agreementEvent.data, effectiveAt: EFFECTIVE };
    const { agreementId: _id, ...command } = data;
    const { events, after } = given(sessionHeld)
      .when(cmd('RecordAgreement', command), { now: TODAY })
      .then([ev('AgreementReached', data)]);
    return { history: [...sessionHeld, ...events], after };
  }

  it('starts the clock at effectiveAt, so it is due 25 days after the day the agreement was recorded', () => {
    const { after } = recordedToday();
    if (after.status === 'none') throw new Error('no case');
    expect(after.clocks['judicial-confirmation-apply']).toMatchObject({
      status: 'running',
      startedAt: EFFECTIVE,
      due: DUE,
      dueAt: DUE_AT,
      provisional: false,
    });
    expect(addDays(chinaDateOf(TODAY), 25)).toBe(DUE);
  });

  it('accepts an application until the clock’s due moment and refuses it on day 31, when the window has lapsed', () => {
    const { history } = recordedToday();
    given(history).when(request, { now: LAST_SECOND }).then([requested]);
    given(history).when(request, { now: DAY_31 }).thenRejects('illegal-state', new RegExp(`closed at ${DUE_AT.replace(/\./g, '\\.')}`));

    // The same moment, seen from the clock: CheckClocks on day 31 records the lapse at DUE_AT, quietly.
    const check = given(history).when(cmd('CheckClocks', {}), { now: DAY_31 }).decision;
    if (!check.ok) throw new Error(check.rejection.reason);
    const ofThisClock = check.events.filter((e) => (e.data as { clockKey?: string }).clockKey === 'judicial-confirmation-apply');
    expect(ofThisClock.map((e) => ({ type: e.type, data: e.data }))).toEqual([
      { type: 'ClockWarned', data: { clockKey: 'judicial-confirmation-apply', threshold: 0.5, at: '2025-06-26T16:00:00.000Z' } },
      { type: 'ClockWarned', data: { clockKey: 'judicial-confirmation-apply', threshold: 0.75, at: '2025-07-03T16:00:00.000Z' } },
      { type: 'ClockLapsed', data: { clockKey: 'judicial-confirmation-apply', at: DUE_AT } },
    ]);
    const checked = given([...history, ...check.events]);
    if (checked.state.status === 'none') throw new Error('no case');
    const clock = checked.state.clocks['judicial-confirmation-apply'];
    expect(clock).toMatchObject({ status: 'lapsed', breached: false, dueAt: DUE_AT, endedBy: 'ClockLapsed' });
    const refusal = checked.when(request, { now: DAY_31 }).decision;
    expect(refusal.ok).toBe(false);
    if (!refusal.ok) expect(refusal.rejection.reason).toContain(`closed at ${clock?.dueAt}`);
  });

  it('gives a second agreement (reopened case) its own window, though the first one lapsed unused', () => {
    const SECOND = `${CASE_ID}/A-2nd`;
    const secondAgreement = [
      ...closed,
      ev('CaseReopened', { reason: 'agreement-not-performed', note: '企业未按期支付' }, '2025-05-20T02:00:00.000Z'),
      ev('AgreementReached', { ...agreementEvent.data, agreementId: SECOND, effectiveAt: '2025-06-02T02:00:00.000Z' }, '2025-06-02T02:00:00.000Z'),
    ];
    const { state } = given(secondAgreement);
    if (state.status === 'none') throw new Error('no case');
    // The first window's clock (from T0, due 2025-04-02) is still running, so it did not restart.
    expect(state.clocks['judicial-confirmation-apply']).toMatchObject({ startedAt: T0, due: '2025-04-02', status: 'running' });
    // 30 days from Monday 06-02 end on Wednesday 07-02.
    given(secondAgreement).when(request, { now: '2025-06-10T02:00:00.000Z' }).then([
      ev('JudicialConfirmationRequested', { agreementId: SECOND, court: '秀洲区人民法院', jointApplication: true }),
      // The court referral of the first round ended with the closed case; the application opens a new one.
      ev('ReferralOpened', { referralId: `${CASE_ID}/R-${secondAgreement.length + 2}`, department: 'court', task: `judicial confirmation of agreement ${SECOND}` }),
    ]);
    given(secondAgreement)
      .when(request, { now: '2025-07-02T16:00:00.000Z' })
      .thenRejects('illegal-state', /closed at 2025-07-02T16:00:00\.000Z/);
  });
});

describe('judicial confirmation (人民调解法 第三十三条)', () => {
  const request = cmd('RequestJudicialConfirmation', { court: '秀洲区人民法院', jointApplication: true });

  it('applies jointly within 30 days and refers the case to the court', () => {
    const courtDone = [...agreed, ev('ReferralAnswered', { referralId: `${CASE_ID}/R-6`, department: 'court', opinion: '同意调解方案' })];
    const { after } = given(courtDone)
      .when(request, { now: at(T0, days(10)) })
      .then([
        ev('JudicialConfirmationRequested', { agreementId: AGREEMENT_ID, court: '秀洲区人民法院', jointApplication: true }),
        ev('ReferralOpened', { referralId: `${CASE_ID}/R-12`, department: 'court', task: `judicial confirmation of agreement ${AGREEMENT_ID}` }),
      ]);
    expect(after).toMatchObject({ agreement: { judicial: 'requested' } });
  });

  it('reuses a court referral already in progress', () => {
    // The routed fixture already referred the case to the court.
    const { events } = given(agreed).when(request).then([
      ev('JudicialConfirmationRequested', { agreementId: AGREEMENT_ID, court: '秀洲区人民法院', jointApplication: true }),
    ]);
    expect(events).toHaveLength(1);
  });

  it('accepts an application on the 30th day and refuses it after', () => {
    // Effective Monday 03-03 (Beijing): day 30 is Wednesday 04-02, a working day.
    given(agreed).when(request, { now: '2025-04-02T15:59:59.000Z' }).then([
      ev('JudicialConfirmationRequested', { agreementId: AGREEMENT_ID, court: '秀洲区人民法院', jointApplication: true }),
    ]);
    given(agreed)
      .when(request, { now: '2025-04-02T16:00:00.000Z' })
      .thenRejects('illegal-state', /30-day window for judicial confirmation closed at 2025-04-02T16:00:00.000Z/);
  });

  it('counts a window that runs past the loaded years provisionally, and says so when it refuses', () => {
    // Effective Sunday 2026-12-20: day 30 is Tuesday 2027-01-19, a working day under the provisional rule.
    const lateAgreement = [...sessionHeld, { ...agreementEvent, data: { ...agreementEvent.data, effectiveAt: '2026-12-20T02:00:00.000Z' } }];
    const { state } = given(lateAgreement);
    if (state.status === 'none') throw new Error('no case');
    expect(state.clocks['judicial-confirmation-apply']).toMatchObject({ due: '2027-01-19', provisional: true });
    given(lateAgreement).when(request, { now: '2026-12-21T02:00:00.000Z' }).then([
      ev('JudicialConfirmationRequested', { agreementId: AGREEMENT_ID, court: '秀洲区人民法院', jointApplication: true }),
    ]);
    given(lateAgreement)
      .when(request, { now: '2027-01-19T16:00:00.000Z' })
      .thenRejects('illegal-state', /closed at 2027-01-19T16:00:00\.000Z .*counted provisionally: the 2027 holiday notice is not loaded/);
  });

  it('refuses an application by one party alone', () => {
    given(agreed)
      .when(cmd('RequestJudicialConfirmation', { court: 'x', jointApplication: false }))
      .thenRejects('validation', /both parties must apply/);
  });

  it('refuses a second application', () => {
    const requested = [...agreed, ev('JudicialConfirmationRequested', { agreementId: AGREEMENT_ID, court: 'x', jointApplication: true })];
    given(requested).when(request).thenRejects('illegal-state', /already requested/);
  });

  it('lets the court grant or refuse, once', () => {
    const requested = [...agreed, ev('JudicialConfirmationRequested', { agreementId: AGREEMENT_ID, court: 'x', jointApplication: true })];
    const { after } = given(requested)
      .when(cmd('GrantJudicialConfirmation', { rulingRef: '(2025)浙0411民特1号' }), courtLiaison)
      .then([ev('JudicialConfirmationGranted', { agreementId: AGREEMENT_ID, rulingRef: '(2025)浙0411民特1号' })]);
    expect(after).toMatchObject({ agreement: { judicial: 'granted' } });
    given(requested)
      .when(cmd('RefuseJudicialConfirmation', { reason: '协议内容违反法律规定' }), courtLiaison)
      .then([ev('JudicialConfirmationRefused', { agreementId: AGREEMENT_ID, reason: '协议内容违反法律规定' })]);
    given(agreed).when(cmd('GrantJudicialConfirmation', { rulingRef: 'x' }), courtLiaison).thenRejects('illegal-state', /no judicial confirmation/);
  });

  it('forbids any department but the court to decide', () => {
    const requested = [...agreed, ev('JudicialConfirmationRequested', { agreementId: AGREEMENT_ID, court: 'x', jointApplication: true })];
    given(requested)
      .when(cmd('GrantJudicialConfirmation', { rulingRef: 'x' }), { actor: { id: 'hr', role: 'department-liaison', department: 'hr' } })
      .thenRejects('forbidden', /only the court/);
    given(requested).when(cmd('GrantJudicialConfirmation', { rulingRef: 'x' }), { actor: { id: 'm', role: 'mediator' } }).thenRejects('forbidden');
  });

  it('refuses without an agreement', () => {
    given(failed).when(request).thenRejects('illegal-state');
  });
});

describe('RecordPayment', () => {
  it('records payments against the agreement, keeping the running total', () => {
    const { after } = given(agreed)
      .when(cmd('RecordPayment', { amountFen: 1_000_000, paidOn: '2025-03-31' }), { now: at(T0, days(30)) })
      .then([ev('PaymentRecorded', { agreementId: AGREEMENT_ID, amountFen: 1_000_000, paidOn: '2025-03-31', paidToDateFen: 1_000_000 })]);
    expect(after).toMatchObject({ agreement: { paidFen: 1_000_000 } });
  });

  it('keeps recording after the reply', () => {
    given(replied)
      .when(cmd('RecordPayment', { amountFen: 500_000, paidOn: '2025-04-30' }), { now: at(T0, days(60)) })
      .then([ev('PaymentRecorded', { agreementId: AGREEMENT_ID, amountFen: 500_000, paidOn: '2025-04-30', paidToDateFen: 500_000 })]);
  });

  it('refuses more than is owed, and nothing at all', () => {
    const paid = [...agreed, ev('PaymentRecorded', { agreementId: AGREEMENT_ID, amountFen: 1_000_000, paidOn: '2025-03-31', paidToDateFen: 1_000_000 })];
    given(paid)
      .when(cmd('RecordPayment', { amountFen: 500_001, paidOn: '2025-04-30' }))
      .thenRejects('validation', /500001 fen exceeds the 500000 fen still owed/);
    given(paid).when(cmd('RecordPayment', { amountFen: 0, paidOn: '2025-04-30' })).thenRejects('validation', /more than 0 fen/);
  });

  it('refuses without an agreement', () => {
    given(failed).when(cmd('RecordPayment', { amountFen: 1, paidOn: '2025-04-30' })).thenRejects('illegal-state');
    const repliedAfterFailure = [...failed, ev('ReplySent', { method: 'written' as const, summary: '调解不成' })];
    given(repliedAfterFailure)
      .when(cmd('RecordPayment', { amountFen: 1, paidOn: '2025-04-30' }))
      .thenRejects('not-found', /no mediation agreement to pay/);
  });
});

describe('RecordMediationFailure / ReferToArbitration / ReferToLitigation', () => {
  it('records a failed mediation', () => {
    const { after } = given(sessionHeld)
      .when(cmd('RecordMediationFailure', { reason: 'respondent-unwilling', note: '企业拒绝支付' }))
      .then([ev('MediationFailed', { reason: 'respondent-unwilling', note: '企业拒绝支付' })]);
    expect(after).toMatchObject({ status: 'mediation-failed', outcome: 'mediation-failed' });
  });

  it('may fail before any session (the other side never responds)', () => {
    given(routed).when(cmd('RecordMediationFailure', { reason: 'respondent-unwilling' })).then([ev('MediationFailed', { reason: 'respondent-unwilling' })]);
  });

  it('refers a failed mediation to arbitration, with a referral to hr (仲裁委)', () => {
    const answeredHr = [...failed, ev('ReferralAnswered', { referralId: `${CASE_ID}/R-5`, department: 'hr', opinion: 'x' })];
    const { after } = given(answeredHr)
      .when(cmd('ReferToArbitration', { commission: '秀洲区劳动人事争议仲裁委员会' }))
      .then([
        ev('ReferredToArbitration', { commission: '秀洲区劳动人事争议仲裁委员会' }),
        ev('ReferralOpened', { referralId: `${CASE_ID}/R-12`, department: 'hr', task: 'arbitration application to 秀洲区劳动人事争议仲裁委员会' }),
      ]);
    expect(after).toMatchObject({ status: 'referred-out', outcome: 'referred-to-arbitration' });
  });

  it('refers to litigation after a failure, or after a refused judicial confirmation', () => {
    const data = { court: '秀洲区人民法院', paymentOrder: true };
    given(failed).when(cmd('ReferToLitigation', data)).then([ev('ReferredToLitigation', data)]);
    const refused = [
      ...agreed,
      ev('JudicialConfirmationRequested', { agreementId: AGREEMENT_ID, court: 'x', jointApplication: true }),
      ev('JudicialConfirmationRefused', { agreementId: AGREEMENT_ID, reason: 'x' }),
    ];
    const { after } = given(refused).when(cmd('ReferToLitigation', data)).then([ev('ReferredToLitigation', data)]);
    expect(after).toMatchObject({ status: 'referred-out', outcome: 'referred-to-litigation' });
    given(agreed).when(cmd('ReferToLitigation', data)).thenRejects('illegal-state', /refused judicial confirmation/);
  });

  it('refuses arbitration before mediation has failed', () => {
    given(inMediation).when(cmd('ReferToArbitration', { commission: 'x' })).thenRejects('illegal-state', /needs mediation-failed/);
  });
});

describe('WithdrawCase', () => {
  it('lets the complainant withdraw, and ends a suspension', () => {
    const suspended = [...inMediation, ev('CaseSuspended', { reason: 'party-unavailable' })];
    const { after } = given(suspended)
      .when(cmd('WithdrawCase', { reason: '已与企业自行和解' }), { actor: { id: 'person-1', role: 'complainant' } })
      .then([
        // The joining departments' referrals end with the case, on record.
        ev('ReferralClosed', { referralId: `${CASE_ID}/R-5`, department: 'hr', reason: 'case-withdrawn' }),
        ev('ReferralClosed', { referralId: `${CASE_ID}/R-6`, department: 'court', reason: 'case-withdrawn' }),
        ev('CaseWithdrawn', { reason: '已与企业自行和解' }),
      ]);
    expect(after).toMatchObject({ status: 'withdrawn', outcome: 'withdrawn', suspended: null });
  });

  it('forbids someone who is not a complainant of the case', () => {
    given(received).when(cmd('WithdrawCase', { reason: 'x' }), { actor: { id: 'stranger', role: 'complainant' } }).thenRejects('forbidden');
  });

  it('refuses once there is an outcome', () => {
    given(agreed).when(cmd('WithdrawCase', { reason: 'x' })).thenRejects('illegal-state', /cannot withdraw/);
  });
});
