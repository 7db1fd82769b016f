// decide(): outcomes: agreement, judicial confirmation, payment, failure, referral out, withdrawal. Split from decide.ts along its section markers; decide.ts dispatches.
import { addPeriodProvisional, CalendarRangeError, chinaDateOf, endOfChinaDay } from '../../calendar/index.js';
import { policyById, type SlaClock } from '../clocks.js';
import type { CommandOf } from '../commands.js';
import { Emitter, isAfter, reject, rejectAll, rejection, type Decision, type DecisionContext } from '../decision.js';
import { WORKING_STATUSES, type OpenCase } from '../state.js';
import { activeReferralOf } from './referrals.js';
import { APPLICATIONS, isActive, needStatus, slaFor } from './helpers.js';

export function recordAgreement(state: OpenCase, cmd: CommandOf<'RecordAgreement'>, e: Emitter, context: DecisionContext): Decision {
  const wrong = needStatus(state, ['in-mediation'], 'RecordAgreement');
  if (wrong) return wrong;
  // After a reopening, the new agreement needs a session held since then.
  const since = state.reopenedAt;
  if (!Object.values(state.sessions).some((s) => s.status === 'held' && (since === null || (s.heldAt !== undefined && !isAfter(since, s.heldAt))))) {
    return reject('illegal-state', since === null ? 'agreement.needs-session' : 'agreement.needs-session-since-reopen', { since: since ?? '' });
  }
  const { data } = cmd;
  const effectiveAt = data.effectiveAt ?? context.now;
  if (isAfter(state.receivedAt, effectiveAt) || isAfter(effectiveAt, context.now)) {
    return reject('validation', 'agreement.effective-out-of-range', { effectiveAt, receivedAt: state.receivedAt, now: context.now });
  }
  const itemsTotal = data.items.reduce((sum, item) => sum + item.amountFen, 0);
  const scheduleTotal = data.schedule.reduce((sum, part) => sum + part.amountFen, 0);
  if (itemsTotal !== data.totalAmountFen) {
    return reject('validation', 'agreement.items-total', { itemsTotal, total: data.totalAmountFen });
  }
  if (scheduleTotal !== data.totalAmountFen) {
    return reject('validation', 'agreement.schedule-total', { scheduleTotal, total: data.totalAmountFen });
  }
  // A payment due before the case existed is a slip (most often the year), and would let "agreement not
  // performed" reopen the case the moment it closes. Compared as China dates, the day the clerk wrote.
  const receivedOn = chinaDateOf(state.receivedAt);
  const early = data.schedule.flatMap((part, i) =>
    part.dueOn < receivedOn ? [rejection('validation', 'agreement.instalment-before-receipt', { field: `schedule.${i}.dueOn`, dueOn: part.dueOn, receivedOn })] : [],
  );
  if (early.length > 0) return rejectAll(early);
  return e
    .emit('AgreementReached', {
      agreementId: e.newId('A'),
      totalAmountFen: data.totalAmountFen,
      items: data.items,
      schedule: data.schedule,
      effectiveAt,
      terms: data.terms,
    })
    .done();
}

/** 人民调解法 第三十三条: the parties apply jointly within 30 days of the agreement taking effect. */
export function requestJudicialConfirmation(
  state: OpenCase,
  cmd: CommandOf<'RequestJudicialConfirmation'>,
  e: Emitter,
  context: DecisionContext,
): Decision {
  const wrong = needStatus(state, ['agreement', 'replied'], 'RequestJudicialConfirmation');
  if (wrong) return wrong;
  const agreement = state.agreement;
  if (!agreement) return reject('not-found', 'agreement.none-to-confirm');
  if (agreement.judicial !== 'none') return reject('illegal-state', 'judicial.already', { judicial: agreement.judicial });
  if (!cmd.data.jointApplication) {
    return reject('validation', 'judicial.joint-application');
  }
  const window = judicialWindow(state, agreement, context);
  if ('ok' in window) return window;
  if (!isAfter(window.dueAt, context.now)) {
    return window.provisional
      ? reject('illegal-state', 'judicial.window-closed-provisional', { limit: window.limit, dueAt: window.dueAt, rule: window.rule })
      : reject('illegal-state', 'judicial.window-closed', { limit: window.limit, dueAt: window.dueAt });
  }
  e.emit('JudicialConfirmationRequested', { agreementId: agreement.agreementId, court: cmd.data.court, jointApplication: true });
  // The court's acceptance is recorded by its liaison accepting this referral (the SLA's court clocks read it).
  if (!activeReferralOf(state, 'court')) {
    e.emit('ReferralOpened', { referralId: e.newId('R'), department: 'court', task: `judicial confirmation of agreement ${agreement.agreementId}` });
  }
  return e.done();
}

export const JUDICIAL_WINDOW_CLOCK = 'judicial-confirmation-apply';

export type Window = Pick<SlaClock, 'limit' | 'dueAt' | 'provisional' | 'rule'>;

/**
 * The window as the judicial-confirmation-apply clock counts it (from effectiveAt, on the SLA calendar), so
 * that a refusal here and the clock's breach fall on the same moment. The clock is this agreement's when it
 * started at its effectiveAt. After a reopened case reaches a second agreement, the clock of a first window
 * that lapsed unused is still running (a start does not restart an active clock); the second window is then
 * counted here the way the clock counts.
 */
export function judicialWindow(state: OpenCase, agreement: NonNullable<OpenCase['agreement']>, context: DecisionContext): Window | Decision {
  const clock = state.clocks[JUDICIAL_WINDOW_CLOCK];
  if (clock?.startedAt === agreement.effectiveAt) return clock;
  const sla = slaFor(state, context);
  const policy = policyById(sla.policies, JUDICIAL_WINDOW_CLOCK);
  if (!policy) return reject('not-found', 'sla.policy-missing', { policy: JUDICIAL_WINDOW_CLOCK, version: sla.policies.version });
  try {
    const period = addPeriodProvisional(sla.calendar, chinaDateOf(agreement.effectiveAt), policy.limit, policy.unit);
    return { limit: policy.limit, dueAt: endOfChinaDay(period.due), provisional: period.provisional, rule: period.rule };
  } catch (error) {
    if (error instanceof CalendarRangeError) return reject('illegal-state', 'calendar.out-of-range', { detail: error.message });
    throw error;
  }
}

export function acceptApplication(state: OpenCase, cmd: CommandOf<'AcceptApplication'>, e: Emitter, context: DecisionContext): Decision {
  const { application } = cmd.data;
  const { department, acceptClock } = APPLICATIONS[application];
  const { actor } = context;
  if (actor.role === 'department-liaison' && actor.department !== department) {
    return reject('forbidden', 'application.other-department', { application, department, actorDepartment: actor.department ?? '' });
  }
  // Awaiting acceptance is what the acceptance clock measures; a late acceptance is still one (stopped late).
  if (!isActive(state.clocks[acceptClock])) return reject('illegal-state', 'application.not-awaiting', { application });
  e.emit('ApplicationAccepted', { application });
  // Taking on the application takes on the referral that carries it, if it was still open.
  const referral = activeReferralOf(state, department);
  if (referral?.status === 'open') e.emit('ReferralAccepted', { referralId: referral.referralId, department });
  return e.done();
}

export function decideJudicialConfirmation(
  state: OpenCase,
  cmd: CommandOf<'GrantJudicialConfirmation'> | CommandOf<'RefuseJudicialConfirmation'>,
  e: Emitter,
  context: DecisionContext,
): Decision {
  const { actor } = context;
  if (actor.role === 'department-liaison' && actor.department !== 'court') {
    return reject('forbidden', 'judicial.court-only');
  }
  const agreement = state.agreement;
  if (!agreement || agreement.judicial !== 'requested') {
    return reject('illegal-state', 'judicial.not-requested');
  }
  if (cmd.type === 'GrantJudicialConfirmation') {
    return e.emit('JudicialConfirmationGranted', { agreementId: agreement.agreementId, rulingRef: cmd.data.rulingRef }).done();
  }
  return e.emit('JudicialConfirmationRefused', { agreementId: agreement.agreementId, reason: cmd.data.reason }).done();
}

export function recordPayment(state: OpenCase, cmd: CommandOf<'RecordPayment'>, e: Emitter, context: DecisionContext): Decision {
  const wrong = needStatus(state, ['agreement', 'replied'], 'RecordPayment');
  if (wrong) return wrong;
  const agreement = state.agreement;
  if (!agreement) return reject('not-found', 'agreement.none-to-pay');
  const { amountFen, paidOn } = cmd.data;
  if (amountFen <= 0) return reject('validation', 'payment.zero');
  const owed = agreement.totalAmountFen - agreement.paidFen;
  if (amountFen > owed) return reject('validation', 'payment.exceeds', { amountFen, owed });
  const from = chinaDateOf(agreement.effectiveAt);
  const today = chinaDateOf(context.now);
  if (paidOn < from || paidOn > today) return reject('validation', 'payment.date-out-of-range', { paidOn, from, today });
  return e
    .emit('PaymentRecorded', { agreementId: agreement.agreementId, amountFen, paidOn, paidToDateFen: agreement.paidFen + amountFen })
    .done();
}

export function recordMediationFailure(state: OpenCase, cmd: CommandOf<'RecordMediationFailure'>, e: Emitter): Decision {
  const wrong = needStatus(state, ['routed', 'in-mediation'], 'RecordMediationFailure');
  if (wrong) return wrong;
  return e.emit('MediationFailed', cmd.data).done();
}

export function referToArbitration(state: OpenCase, cmd: CommandOf<'ReferToArbitration'>, e: Emitter): Decision {
  const wrong = needStatus(state, ['mediation-failed'], 'ReferToArbitration');
  if (wrong) return wrong;
  e.emit('ReferredToArbitration', cmd.data);
  // The arbitration commission sits in hr; its liaison accepts (受理) or answers this referral.
  if (!activeReferralOf(state, 'hr')) {
    e.emit('ReferralOpened', { referralId: e.newId('R'), department: 'hr', task: `arbitration application to ${cmd.data.commission}` });
  }
  return e.done();
}

export function referToLitigation(state: OpenCase, cmd: CommandOf<'ReferToLitigation'>, e: Emitter): Decision {
  // After a refused confirmation the parties may go to court on the original dispute (人民调解法 第三十三条).
  const refused = state.status === 'agreement' && state.agreement?.judicial === 'refused';
  if (state.status !== 'mediation-failed' && !refused) {
    return reject('illegal-state', 'litigation.not-now', { status: state.status });
  }
  return e.emit('ReferredToLitigation', cmd.data).done();
}

export function withdrawCase(state: OpenCase, cmd: CommandOf<'WithdrawCase'>, e: Emitter): Decision {
  const wrong = needStatus(state, WORKING_STATUSES, 'WithdrawCase');
  if (wrong) return wrong;
  closeReferrals(state, e, 'case-withdrawn');
  return e.emit('CaseWithdrawn', cmd.data).done();
}

/** Each referral still open ends, on record, before its case does: a closed case has no open referral. */
export function closeReferrals(state: OpenCase, e: Emitter, reason: 'case-closed' | 'case-withdrawn' | 'case-merged'): void {
  for (const r of Object.values(state.referrals)) {
    if (r.status === 'open' || r.status === 'accepted') e.emit('ReferralClosed', { referralId: r.referralId, department: r.department, reason });
  }
}
