// decide(): reply, feedback, closing, reopening, merging, linking. Split from decide.ts along its section markers; decide.ts dispatches.
import type { CommandOf } from '../commands.js';
import { Emitter, reject, type Decision, type DecisionContext } from '../decision.js';
import { defaultCasePolicy } from '../policy.js';
import { ENDED_STATUSES, WORKING_STATUSES, type OpenCase } from '../state.js';
import { endedCase } from './mediation.js';
import { closeReferrals, judicialWindow } from './outcomes.js';
import { textSubjectOf } from '../../../events/personal-data.js';
import { isAfter } from '../decision.js';
import { needStatus } from './helpers.js';

/**
 * 回音 (seed 001, 7日内答复): the complainant is told what is being done — accepted and by whom, rejected and
 * where to go, or the result if there is one. Allowed from acceptance or rejection on, whatever the
 * mediation's state; it stops the reply clock. It is not the final result: only a reply given once the
 * case has its outcome (or a re-check asks for one) moves the case to `replied`.
 */
export function sendReply(state: OpenCase, cmd: CommandOf<'SendReply'>, e: Emitter): Decision {
  if (state.status === 'received') return reject('illegal-state', 'reply.before-acceptance');
  if (state.status === 'closed') return reject('illegal-state', 'case.closed');
  if (state.status === 'replied' && !state.recheckOpen) return reject('illegal-state', 'reply.already-replied');
  return e.emit('ReplySent', cmd.data).done();
}

/** 反馈/回访 after the outcome's reply: a score of 2 or less opens a re-check (the reply is reviewed and sent again). */
export function recordFeedback(state: OpenCase, cmd: CommandOf<'RecordFeedback'>, e: Emitter): Decision {
  const wrong = needStatus(state, ['replied'], 'RecordFeedback');
  if (wrong) return wrong;
  if (state.recheckOpen) return reject('illegal-state', 'feedback.recheck-open');
  if (state.feedbackScore !== null) return reject('illegal-state', 'feedback.already');
  e.emit('FeedbackRecorded', cmd.data);
  if (cmd.data.score <= 2) e.emit('RecheckOpened', { reason: 'low-satisfaction', score: cmd.data.score });
  return e.done();
}

export function closeCase(state: OpenCase, cmd: CommandOf<'CloseCase'>, e: Emitter): Decision {
  // A rejection is itself the written answer with reason and channel, so it may close without a reply.
  const wrong = needStatus(state, ['replied', 'rejected'], 'CloseCase');
  if (wrong) return wrong;
  if (state.recheckOpen) return reject('illegal-state', 'close.recheck-open');
  const open = Object.values(state.supervision).find((n) => !n.answered);
  if (open) return reject('illegal-state', 'close.supervision-open', { noticeId: open.noticeId });
  if (!state.outcome) return reject('illegal-state', 'close.no-outcome');
  closeReferrals(state, e, 'case-closed');
  return e.emit('CaseClosed', { outcome: state.outcome, note: cmd.data.note }).done();
}

/**
 * A reopening needs a reason that fits the facts and stays within the centre's bound. A reopened mediation
 * runs its clock again (the policy resets it) and a new agreement needs a session held after this.
 */
export function reopenCase(state: OpenCase, cmd: CommandOf<'ReopenCase'>, e: Emitter, context: DecisionContext): Decision {
  const wrong = needStatus(state, ['closed'], 'ReopenCase');
  if (wrong) return wrong;
  if (state.mergedInto) return reject('illegal-state', 'reopen.merged', { intoCaseId: state.mergedInto });
  if (cmd.data.reason === 'agreement-not-performed') {
    const agreement = state.agreement;
    if (state.outcome !== 'agreement' || !agreement) return reject('validation', 'reopen.no-agreement');
    if (agreement.paidFen >= agreement.totalAmountFen) {
      return reject('validation', 'reopen.agreement-paid', { total: agreement.totalAmountFen });
    }
  }
  const max = (context.policy ?? defaultCasePolicy).maxReopens;
  if (state.reopenCount >= max) return reject('illegal-state', 'reopen.too-often', { max });
  e.emit('CaseReopened', cmd.data);
  // A review request (复查) after closure is a re-check: it owes a new reply.
  if (cmd.data.reason === 'recheck') e.emit('RecheckOpened', { reason: 'review-request' });
  return e.done();
}

/**
 * The duplicate closes here and names the surviving case; the surviving case records it too
 * (RecordMergedDuplicate). The caller looks the target up and passes it in the context.
 */
export function mergeCase(state: OpenCase, cmd: CommandOf<'MergeCase'>, e: Emitter, context: DecisionContext): Decision {
  const wrong = needStatus(state, WORKING_STATUSES, 'MergeCase');
  if (wrong) return wrong;
  const { intoCaseId } = cmd.data;
  if (intoCaseId === state.caseId) return reject('validation', 'merge.self');
  const target = context.mergeTarget;
  if (!target || target.caseId !== intoCaseId) return reject('validation', 'merge.target-not-looked-up', { intoCaseId });
  if (target.status === 'none') return reject('not-found', 'merge.target-not-found', { intoCaseId });
  if (ENDED_STATUSES.includes(target.status)) return reject('illegal-state', 'merge.target-ended', { intoCaseId, status: target.status });
  closeReferrals(state, e, 'case-merged');
  return e
    .emit('CaseMerged', cmd.data)
    .emit('CaseClosed', { outcome: 'merged', note: `duplicate of ${intoCaseId}` })
    .done();
}

/** The surviving case's side of a merge. */
export function recordMergedDuplicate(state: OpenCase, cmd: CommandOf<'RecordMergedDuplicate'>, e: Emitter): Decision {
  const ended = endedCase(state, 'RecordMergedDuplicate');
  if (ended) return ended;
  if (cmd.data.fromCaseId === state.caseId) return reject('validation', 'merge.self');
  if (state.mergedFrom.includes(cmd.data.fromCaseId)) return reject('illegal-state', 'merge.already-recorded', { fromCaseId: cmd.data.fromCaseId });
  return e.emit('DuplicateMergedIn', cmd.data).done();
}

export function linkCase(state: OpenCase, cmd: CommandOf<'LinkCase'>, e: Emitter): Decision {
  if (cmd.data.linkedCaseId === state.caseId) return reject('validation', 'link.self');
  if (state.links.includes(cmd.data.linkedCaseId)) {
    return reject('illegal-state', 'link.already', { linkedCaseId: cmd.data.linkedCaseId });
  }
  return e.emit('CaseLinked', cmd.data).done();
}

/**
 * The data subjects of a case, each with a data key of its own: the complainants, the enterprise's contact
 * person (when one was given) and the case's free text. An erasure destroys all of their keys.
 */
export function personalDataSubjects(state: Pick<OpenCase, 'caseId' | 'complainantRefs' | 'respondent'>): string[] {
  const contact = state.respondent.contact?.personId;
  return [...state.complainantRefs, ...(contact ? [contact] : []), textSubjectOf(state.caseId)];
}

/**
 * 个人信息保护法 第四十七条: the personal data of a case's subjects is erased on request once no legal hold
 * applies. A hold: the case is not closed (it is still being handled), or an agreement's judicial
 * confirmation is pending or may still be applied for (人民调解法 第三十三条: 30 days from the agreement taking
 * effect) — the court would need the parties' identities. The event names the subjects whose keys the edge
 * then destroys (api/routes/erasure.ts); the chain, the figures and the clocks do not change.
 */
export function erasePersonalData(state: OpenCase, cmd: CommandOf<'ErasePersonalData'>, e: Emitter, context: DecisionContext): Decision {
  if (state.personalDataErased) return reject('illegal-state', 'erasure.already');
  if (state.status !== 'closed') return reject('illegal-state', 'erasure.legal-hold-open', { status: state.status });
  const agreement = state.agreement;
  if (agreement?.judicial === 'requested') return reject('illegal-state', 'erasure.legal-hold-judicial-pending', { agreementId: agreement.agreementId });
  if (agreement && agreement.judicial === 'none') {
    const window = judicialWindow(state, agreement, context);
    if ('ok' in window) return window;
    if (isAfter(window.dueAt, context.now)) return reject('illegal-state', 'erasure.legal-hold-judicial-window', { dueAt: window.dueAt });
  }
  const subjects = personalDataSubjects(state);
  return e.emit('PersonalDataErased', { subjects, reason: cmd.data.reason, legalBasis: cmd.data.legalBasis }).done();
}
