// decide(): referrals to the departments. Split from decide.ts along its section markers; decide.ts dispatches.
import { Department } from '../../../events/vocabulary.js';
import { clockKey } from '../../sla/index.js';
import type { CommandOf } from '../commands.js';
import { Emitter, isAfter, reject, type Decision, type DecisionContext } from '../decision.js';
import { type OpenCase, type OpenStatus, type Referral } from '../state.js';
import { applicationAwaiting, needStatus } from './helpers.js';

/** Statuses in which departments can be asked for something. */
export const REFERRAL_STATUSES: readonly OpenStatus[] = ['routed', 'in-mediation', 'agreement', 'mediation-failed', 'referred-out', 'replied'];

export function activeReferralOf(state: OpenCase, department: Department): Referral | undefined {
  return Object.values(state.referrals).find(
    (r) => r.department === department && (r.status === 'open' || r.status === 'accepted'),
  );
}

export function openReferral(state: OpenCase, cmd: CommandOf<'OpenReferral'>, e: Emitter): Decision {
  const wrong = needStatus(state, REFERRAL_STATUSES, 'OpenReferral');
  if (wrong) return wrong;
  const active = activeReferralOf(state, cmd.data.department);
  if (active) return reject('illegal-state', 'referral.already-active', { department: cmd.data.department, referralId: active.referralId });
  return e.emit('ReferralOpened', { referralId: e.newId('R'), department: cmd.data.department, task: cmd.data.task }).done();
}

/** The referral named by a command, checked for existence and for the liaison's department. */
export function referralFor(state: OpenCase, referralId: string, context: DecisionContext): Referral | Decision {
  if (state.status === 'closed') return reject('illegal-state', 'case.closed');
  const referral = state.referrals[referralId];
  if (!referral) return reject('not-found', 'referral.not-found', { referralId });
  const { actor } = context;
  if (actor.role === 'department-liaison' && actor.department !== referral.department) {
    return reject('forbidden', 'referral.other-department', { actorDepartment: actor.department ?? '', department: referral.department });
  }
  return referral;
}

export const isDecision = (value: Referral | Decision): value is Decision => 'ok' in value;

export function acceptReferral(state: OpenCase, cmd: CommandOf<'AcceptReferral'>, e: Emitter, context: DecisionContext): Decision {
  const referral = referralFor(state, cmd.data.referralId, context);
  if (isDecision(referral)) return referral;
  if (referral.status !== 'open') return reject('illegal-state', 'referral.already-settled', { referralId: referral.referralId, referralStatus: referral.status });
  // Accepting a referral is joining the case; the acceptance of an application is its own act.
  const awaiting = applicationAwaiting(state, referral.department);
  if (awaiting) return reject('illegal-state', 'referral.application-awaiting', { department: referral.department, application: awaiting });
  return e.emit('ReferralAccepted', { referralId: referral.referralId, department: referral.department }).done();
}

export function answerReferral(state: OpenCase, cmd: CommandOf<'AnswerReferral'>, e: Emitter, context: DecisionContext): Decision {
  const referral = referralFor(state, cmd.data.referralId, context);
  if (isDecision(referral)) return referral;
  if (referral.status !== 'open' && referral.status !== 'accepted') {
    return reject('illegal-state', 'referral.already-settled', { referralId: referral.referralId, referralStatus: referral.status });
  }
  return e
    .emit('ReferralAnswered', { referralId: referral.referralId, department: referral.department, opinion: cmd.data.opinion })
    .done();
}

/**
 * A department says the item is not theirs (信访工作条例 第二十三条). The case is re-routed: the
 * objecting department leaves, and the department it names (required when the lead objects) takes
 * its place — as lead, or as a joining department with a referral of its own.
 */
export function objectToReferral(state: OpenCase, cmd: CommandOf<'ObjectToReferral'>, e: Emitter, context: DecisionContext): Decision {
  const referral = referralFor(state, cmd.data.referralId, context);
  if (isDecision(referral)) return referral;
  if (referral.status !== 'open') {
    return reject('illegal-state', 'referral.objection-not-open', { referralId: referral.referralId, referralStatus: referral.status });
  }
  // 信访工作条例 第二十三条: the objection is due within 5 working days of receipt. After that, or once the
  // referral was marked overdue, the department answers or asks the supervisor to re-route.
  if (referral.overdue) return reject('illegal-state', 'referral.objection-overdue', { referralId: referral.referralId });
  const window = state.clocks[clockKey('referral-objection', referral.department)];
  if (window && (window.breached || !isAfter(window.dueAt, context.now))) {
    return reject('illegal-state', 'referral.objection-window-closed', { referralId: referral.referralId, dueAt: window.dueAt });
  }
  const { suggestedDepartment, reason } = cmd.data;
  if (suggestedDepartment === referral.department) {
    return reject('validation', 'referral.suggest-same-department');
  }
  const current = state.route;
  const isLead = current?.leadDepartment === referral.department;
  if (isLead && suggestedDepartment === undefined) {
    return reject('validation', 'referral.lead-must-suggest');
  }
  e.emit('ReferralObjected', { referralId: referral.referralId, department: referral.department, reason, suggestedDepartment });
  if (!current) return e.done();

  const lead = isLead && suggestedDepartment ? suggestedDepartment : current.leadDepartment;
  const joining = current.joiningDepartments.filter((d) => d !== referral.department && d !== lead);
  if (suggestedDepartment && suggestedDepartment !== lead && !joining.includes(suggestedDepartment)) {
    joining.push(suggestedDepartment);
  }
  e.emit('CaseRouted', {
    ruleId: current.ruleId,
    rulesVersion: current.rulesVersion,
    leadDepartment: lead,
    joiningDepartments: joining,
    level: state.level,
    timeLimitDays: current.timeLimitDays,
    accountableUnit: current.accountableUnit,
    reroute: true,
    // Encrypted at the edge, the objection's words are carried over as they are (the same subject's text).
    reason: typeof reason === 'string' ? `${referral.department} objected: ${reason}` : reason,
  });
  if (suggestedDepartment && suggestedDepartment !== lead && !activeReferralOf(state, suggestedDepartment)) {
    e.emit('ReferralOpened', {
      referralId: e.newId('R'),
      department: suggestedDepartment,
      task: `take over from ${referral.department}, which objected to referral ${referral.referralId}`,
    });
  }
  return e.done();
}

export function markReferralOverdue(state: OpenCase, cmd: CommandOf<'MarkReferralOverdue'>, e: Emitter): Decision {
  const referral = state.referrals[cmd.data.referralId];
  if (!referral) return reject('not-found', 'referral.not-found', { referralId: cmd.data.referralId });
  if (referral.status !== 'open' && referral.status !== 'accepted') {
    return reject('illegal-state', 'referral.already-settled', { referralId: referral.referralId, referralStatus: referral.status });
  }
  if (referral.overdue) return reject('illegal-state', 'referral.already-overdue', { referralId: referral.referralId });
  return e.emit('ReferralOverdue', { referralId: referral.referralId, department: referral.department }).done();
}
