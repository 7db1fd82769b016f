// FROZEN: the decider as it was before issue 9 (commit 035a033), kept for the case workflows that started
// under it: the workflow uses it, with the sla-2025.1 policies, when patched('issue-9-rules') is false, so
// those runs replay exactly. Do not change its rules; new rules go in ../decide.ts.
//
// decide(state, command, context) → events or a rejection. Pure: no clock, no I/O, no randomness.
//
// Shape (emmett style): check the command and the actor once, then one function per command under a
// top-level switch with an exhaustive `never` check. Each function reads top to bottom: the status it
// needs, the rules of the domain, the events it emits.
import { commitmentProblem, findPersonalValues } from '../../../events/personal-data.js';
import { COLLECTIVE_THRESHOLD, Department, type Level } from '../../../events/vocabulary.js';
import {
  addDays,
  addPeriodProvisional,
  CalendarRangeError,
  chinaDateOf,
  endOfChinaDay,
  type Calendar,
} from '../../calendar/index.js';
import { defaultRoutingCatalogue, route, type RoutingRuleSet } from '../../routing/index.js';
import { allowedRoles, blockedWhileSuspended } from '../authority.js';
import { erasePersonalData as erasePersonalDataNow } from '../decide/closing.js';
import { clockSignals, defaultSla, policyById, type SlaClock } from '../clocks.js';
import { evolve } from '../evolve.js';
import { CaseCommandSchema, type CaseCommand, type CommandOf } from '../commands.js';
import { addHours, Emitter, isAfter, type Decision, type DecisionContext, type RejectionCode } from '../decision.js';
import { Actor } from '../../../events/schemas.js';
import { Instant } from '../../../events/vocabulary.js';

// The rejections of this frozen decider carry their English reason only, under one catalogue key.
function reject(code: RejectionCode, reason: string): Decision {
  return { ok: false, rejection: { code, key: 'legacy.rejected', params: { reason }, reason } };
}

function checkContext(context: DecisionContext): string | null {
  if (!Instant.safeParse(context.now).success) return `context.now must be an ISO instant in UTC, got ${context.now}`;
  const actor = Actor.safeParse(context.actor);
  if (!actor.success) return `context.actor is not valid: ${actor.error.issues[0]?.message ?? ''}`;
  if (context.actor.role === 'department-liaison' && !context.actor.department) {
    return 'a department liaison must say which department they act for';
  }
  return null;
}
import {
  levelAbove,
  OUTCOME_STATUSES,
  WORKING_STATUSES,
  type CaseState,
  type OpenCase,
  type OpenStatus,
  type Referral,
} from '../state.js';

export function decide2025(state: CaseState, command: CaseCommand, context: DecisionContext): Decision {
  const decision = decideCommand(state, command, context);
  if (!decision.ok) return decision;
  // The events must fold: evolve also recomputes the SLA clocks on the calendar. A deadline after the
  // loaded years no longer fails (the clock is counted provisionally, see domain/sla/clock.ts), but a
  // clock starting before them still does; finding that out here rejects the command cleanly instead of
  // sealing events that the workflow then cannot apply.
  try {
    decision.events.reduce<CaseState>((folded, event) => evolve(folded, event, context.sla ?? defaultSla), state);
  } catch (error) {
    if (error instanceof CalendarRangeError) return reject('illegal-state', error.message);
    throw error;
  }
  return decision;
}

function decideCommand(state: CaseState, command: CaseCommand, context: DecisionContext): Decision {
  const parsed = CaseCommandSchema.safeParse(command);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return reject('validation', `${issue?.path.map(String).join('.') || 'command'}: ${issue?.message ?? 'invalid'}`);
  }
  const contextProblem = checkContext(context);
  if (contextProblem) return reject('validation', contextProblem);

  const cmd = parsed.data;
  const { role } = context.actor;
  if (!allowedRoles[cmd.type].includes(role)) {
    return reject(
      'forbidden',
      role === 'auditor' ? 'an auditor can read cases but not change them' : `a ${role} may not ${inWords(cmd.type)}`,
    );
  }

  if (cmd.type === 'ReceiveCase') {
    if (state.status !== 'none') return reject('illegal-state', `case ${state.caseId} has already been received`);
    return receiveCase(cmd, context);
  }
  if (state.status === 'none') return reject('not-found', `there is no case ${cmd.caseId}`);
  if (cmd.caseId !== state.caseId) {
    return reject('validation', `the command is for case ${cmd.caseId}, but this is case ${state.caseId}`);
  }
  if (state.suspended && blockedWhileSuspended.has(cmd.type)) {
    return reject('illegal-state', `the case is suspended (${state.suspended.reason}); resume it first`);
  }
  if (role === 'complainant' && !state.complainantRefs.includes(context.actor.id)) {
    return reject('forbidden', 'only a complainant of this case may do that');
  }

  const e = new Emitter(state.caseId, state.version, context);
  switch (cmd.type) {
    case 'AcceptCase':
      return acceptCase(state, cmd, e);
    case 'RejectCase':
      return rejectCase(state, cmd, e, context);
    case 'ClassifyCase':
      return classifyCase(state, cmd, e, context);
    case 'RouteCase':
      return routeCase(state, e, context);
    case 'OpenReferral':
      return openReferral(state, cmd, e);
    case 'AcceptReferral':
      return acceptReferral(state, cmd, e, context);
    case 'AnswerReferral':
      return answerReferral(state, cmd, e, context);
    case 'ObjectToReferral':
      return objectToReferral(state, cmd, e, context);
    case 'MarkReferralOverdue':
      return markReferralOverdue(state, cmd, e);
    case 'ScheduleSession':
      return scheduleSession(state, cmd, e, context);
    case 'HoldSession':
      return holdSession(state, cmd, e);
    case 'AgreeExtension':
      return agreeExtension(state, cmd, e, context);
    case 'SuspendCase':
      return suspendCase(state, cmd, e);
    case 'ResumeCase':
      return resumeCase(state, cmd, e);
    case 'CheckClocks':
      return checkClocks(state, e, context);
    case 'EscalateCase':
      return escalateCase(state, cmd, e);
    case 'IssueSupervision':
      return issueSupervision(state, cmd, e, context);
    case 'AnswerSupervision':
      return answerSupervision(state, cmd, e, context);
    case 'RecordAgreement':
      return recordAgreement(state, cmd, e, context);
    case 'RequestJudicialConfirmation':
      return requestJudicialConfirmation(state, cmd, e, context);
    case 'GrantJudicialConfirmation':
      return decideJudicialConfirmation(state, cmd, e, context);
    case 'RefuseJudicialConfirmation':
      return decideJudicialConfirmation(state, cmd, e, context);
    case 'RecordPayment':
      return recordPayment(state, cmd, e);
    case 'RecordMediationFailure':
      return recordMediationFailure(state, cmd, e);
    case 'ReferToArbitration':
      return referToArbitration(state, cmd, e);
    case 'ReferToLitigation':
      return referToLitigation(state, cmd, e);
    case 'WithdrawCase':
      return withdrawCase(state, cmd, e);
    case 'SendReply':
      return sendReply(state, cmd, e);
    case 'RecordFeedback':
      return recordFeedback(state, cmd, e);
    case 'CloseCase':
      return closeCase(state, cmd, e);
    case 'ReopenCase':
      return reopenCase(state, cmd, e);
    case 'MergeCase':
      return mergeCase(state, cmd, e);
    case 'LinkCase':
      return linkCase(state, cmd, e);
    case 'ErasePersonalData':
      // Newer than these rules, and changes nothing they decide: the current rule serves old runs too.
      return erasePersonalDataNow(state, cmd, e, context);
    case 'ApproveExtension':
    case 'RecordMergedDuplicate':
    case 'AcceptApplication':
      return reject('illegal-state', `${cmd.type} is not known to the rules this case started under`);
    default: {
      const unhandled: never = cmd;
      throw new Error(`decide: unhandled command ${JSON.stringify(unhandled)}`);
    }
  }
}

// ------------------------------------------------------------------ intake

function receiveCase(cmd: CommandOf<'ReceiveCase'>, context: DecisionContext): Decision {
  const { data } = cmd;
  if (context.actor.role === 'department-liaison' && !(context.actor.department === 'petitions' && data.channel === 'petition-transfer')) {
    return reject('forbidden', 'a department liaison may only register a petition transferred by the petitions bureau');
  }
  if (data.workerCount < data.complainants.length) {
    return reject('validation', `the worker count (${data.workerCount}) is less than the ${data.complainants.length} complainants listed`);
  }
  if (data.channel === 'petition-transfer' && data.petitionRef === undefined) {
    return reject('validation', 'a transferred petition needs its petition number (petitionRef)');
  }
  const personIds = data.complainants.map((c) => c.personId);
  if (new Set(personIds).size !== personIds.length) return reject('validation', 'a complainant is listed twice');
  for (const [i, complainant] of data.complainants.entries()) {
    for (const { path, field } of findPersonalValues(complainant, `complainants.${i}`)) {
      if (field.ref !== complainant.personId) {
        return reject('validation', `${path}: personal data must be filed under the complainant's own id (${complainant.personId})`);
      }
      const problem = commitmentProblem(field);
      if (problem) return reject('validation', `${path}: ${problem}`);
    }
  }
  const routing = context.routing ?? defaultRoutingCatalogue;
  const ruleSet = routing.ruleSets[routing.currentVersion];
  if (!ruleSet) return reject('not-found', `routing rules ${routing.currentVersion} are not loaded`);

  // 第七条: ten or more workers with a common request make a collective dispute — urgent, and a
  // supervisor is alerted at once (SupervisionIssued right after CaseReceived, same decision).
  const collective = data.workerCount >= COLLECTIVE_THRESHOLD;
  const e = new Emitter(cmd.caseId, 0, context);
  e.emit('CaseReceived', {
    channel: data.channel,
    complainants: data.complainants,
    workerCount: data.workerCount,
    collective,
    priority: collective ? 'urgent' : 'normal',
    respondent: data.respondent,
    claim: data.claim,
    petitionRef: data.petitionRef,
    routingRulesVersion: ruleSet.version,
  });
  if (collective) {
    e.emit('SupervisionIssued', collectiveAlert(e, data.respondent.responsibleDepartment, ruleSet, context));
  }
  return e.done();
}

function collectiveAlert(e: Emitter, accountableUnit: string, ruleSet: RoutingRuleSet, context: DecisionContext) {
  return {
    noticeId: e.newId('SN'),
    department: 'union' as const, // the intake and coordinating body
    accountableUnit,
    accountableHeadRole: 'principal-head' as const,
    level: 'county' as const, // the emergency path runs through the county joint centre
    reason: 'collective-dispute' as const,
    dueAt: addHours(context.now, ruleSet.collectiveAlertHours),
  };
}

function acceptCase(state: OpenCase, cmd: CommandOf<'AcceptCase'>, e: Emitter): Decision {
  const wrong = needStatus(state, ['received'], 'accept the case');
  if (wrong) return wrong;
  return e.emit('CaseAccepted', { note: cmd.data.note }).done();
}

function rejectCase(state: OpenCase, cmd: CommandOf<'RejectCase'>, e: Emitter, context: DecisionContext): Decision {
  const wrong = needStatus(state, ['received'], 'reject the case');
  if (wrong) return wrong;
  const { data } = cmd;
  let legalBasis = data.legalBasis;
  if (data.reasonCode === 'limitation-expired') {
    legalBasis ??= '劳动争议调解仲裁法 第二十七条';
    const infringedOn = state.claim.infringedOn;
    if (infringedOn !== undefined) {
      const lastDay = limitationLastDay(infringedOn, calendarOf(context));
      if (chinaDateOf(context.now) <= lastDay) {
        return reject('validation', `the claim is still within the one-year limitation, which ends on ${lastDay} (第二十七条)`);
      }
    }
  }
  return e.emit('CaseRejected', { ...data, legalBasis }).done();
}

/**
 * Last day of the one-year limitation (第二十七条) counted from the day the right was infringed:
 * the same date a year later (民法典 第二百零二条; 29 February → 28 February), moved past rest days
 * (第二百零三条). Outside the calendar's years the unmoved date is used: the check is a guard against
 * rejecting too early, and the clerk's judgement remains.
 */
function limitationLastDay(infringedOn: string, calendar: Calendar): string {
  const year = Number(infringedOn.slice(0, 4)) + 1;
  const monthDay = infringedOn.slice(5) === '02-29' ? '02-28' : infringedOn.slice(5);
  let day = `${year}-${monthDay}`;
  try {
    while (!calendar.isWorkingDay(day)) day = addDays(day, 1);
  } catch (error) {
    if (!(error instanceof CalendarRangeError)) throw error;
  }
  return day;
}

function classifyCase(state: OpenCase, cmd: CommandOf<'ClassifyCase'>, e: Emitter, context: DecisionContext): Decision {
  const wrong = needStatus(state, ['accepted', 'classified'], 'classify the case');
  if (wrong) return wrong;
  const workerCount = cmd.data.workerCount ?? state.workerCount;
  if (workerCount < state.complainantRefs.length) {
    return reject('validation', `the worker count (${workerCount}) is less than the ${state.complainantRefs.length} complainants listed`);
  }
  const collective = workerCount >= COLLECTIVE_THRESHOLD;
  e.emit('CaseClassified', {
    disputeType: cmd.data.disputeType,
    workerCount,
    collective,
    amountClaimedFen: cmd.data.amountClaimedFen ?? state.claim.amountClaimedFen,
    note: cmd.data.note,
  });
  // A dispute found collective only now gets the same intake alert it would have had at receipt.
  if (collective && !state.collectiveAlerted) {
    const ruleSet = ruleSetOf(state, context);
    if (!ruleSet) return reject('not-found', `routing rules ${state.routingRulesVersion} are not loaded`);
    e.emit('SupervisionIssued', collectiveAlert(e, state.respondent.responsibleDepartment, ruleSet, context));
  }
  return e.done();
}

function routeCase(state: OpenCase, e: Emitter, context: DecisionContext): Decision {
  const wrong = needStatus(state, ['classified'], 'route the case');
  if (wrong) return wrong;
  // The case is routed by the rule version it was received under, not the newest one.
  const ruleSet = ruleSetOf(state, context);
  if (!ruleSet) return reject('not-found', `routing rules ${state.routingRulesVersion} are not loaded`);
  const chosen = route(ruleSet, {
    disputeType: state.disputeType ?? 'other',
    responsibleDepartment: state.respondent.responsibleDepartment,
    level: state.level,
    collective: state.collective,
    channel: state.channel,
  });
  e.emit('CaseRouted', { ...chosen, reroute: false });
  // Each joining department gets its own referral (and so its own objection clock).
  for (const department of chosen.joiningDepartments) {
    e.emit('ReferralOpened', {
      referralId: e.newId('R'),
      department,
      task: `join the mediation led by ${chosen.leadDepartment} (rule ${chosen.ruleId})`,
    });
  }
  return e.done();
}

// ------------------------------------------------------------------ referrals

/** Statuses in which departments can be asked for something. */
const REFERRAL_STATUSES: readonly OpenStatus[] = ['routed', 'in-mediation', 'agreement', 'mediation-failed', 'referred-out', 'replied'];

function activeReferralOf(state: OpenCase, department: Department): Referral | undefined {
  return Object.values(state.referrals).find(
    (r) => r.department === department && (r.status === 'open' || r.status === 'accepted'),
  );
}

function openReferral(state: OpenCase, cmd: CommandOf<'OpenReferral'>, e: Emitter): Decision {
  const wrong = needStatus(state, REFERRAL_STATUSES, 'open a referral');
  if (wrong) return wrong;
  const active = activeReferralOf(state, cmd.data.department);
  if (active) return reject('illegal-state', `${cmd.data.department} already has a referral in progress (${active.referralId})`);
  return e.emit('ReferralOpened', { referralId: e.newId('R'), department: cmd.data.department, task: cmd.data.task }).done();
}

/** The referral named by a command, checked for existence and for the liaison's department. */
function referralFor(state: OpenCase, referralId: string, context: DecisionContext): Referral | Decision {
  if (state.status === 'closed') return reject('illegal-state', 'the case is closed; reopen it first');
  const referral = state.referrals[referralId];
  if (!referral) return reject('not-found', `there is no referral ${referralId} in this case`);
  const { actor } = context;
  if (actor.role === 'department-liaison' && actor.department !== referral.department) {
    return reject('forbidden', `a liaison of ${actor.department} cannot act on a referral to ${referral.department}`);
  }
  return referral;
}

const isDecision = (value: Referral | Decision): value is Decision => 'ok' in value;

function acceptReferral(state: OpenCase, cmd: CommandOf<'AcceptReferral'>, e: Emitter, context: DecisionContext): Decision {
  const referral = referralFor(state, cmd.data.referralId, context);
  if (isDecision(referral)) return referral;
  if (referral.status !== 'open') return reject('illegal-state', `referral ${referral.referralId} is already ${referral.status}`);
  return e.emit('ReferralAccepted', { referralId: referral.referralId, department: referral.department }).done();
}

function answerReferral(state: OpenCase, cmd: CommandOf<'AnswerReferral'>, e: Emitter, context: DecisionContext): Decision {
  const referral = referralFor(state, cmd.data.referralId, context);
  if (isDecision(referral)) return referral;
  if (referral.status !== 'open' && referral.status !== 'accepted') {
    return reject('illegal-state', `referral ${referral.referralId} is already ${referral.status}`);
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
function objectToReferral(state: OpenCase, cmd: CommandOf<'ObjectToReferral'>, e: Emitter, context: DecisionContext): Decision {
  const referral = referralFor(state, cmd.data.referralId, context);
  if (isDecision(referral)) return referral;
  if (referral.status !== 'open') {
    return reject('illegal-state', `referral ${referral.referralId} is ${referral.status}; only an open referral can be objected to`);
  }
  const { suggestedDepartment, reason } = cmd.data;
  if (suggestedDepartment === referral.department) {
    return reject('validation', 'the department suggested instead must be another department');
  }
  const current = state.route;
  const isLead = current?.leadDepartment === referral.department;
  if (isLead && suggestedDepartment === undefined) {
    return reject('validation', 'the lead department objects: name the department that should lead instead');
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

function markReferralOverdue(state: OpenCase, cmd: CommandOf<'MarkReferralOverdue'>, e: Emitter): Decision {
  const referral = state.referrals[cmd.data.referralId];
  if (!referral) return reject('not-found', `there is no referral ${cmd.data.referralId} in this case`);
  if (referral.status !== 'open' && referral.status !== 'accepted') {
    return reject('illegal-state', `referral ${referral.referralId} is already ${referral.status}`);
  }
  if (referral.overdue) return reject('illegal-state', `referral ${referral.referralId} is already marked overdue`);
  return e.emit('ReferralOverdue', { referralId: referral.referralId, department: referral.department }).done();
}

// ------------------------------------------------------------------ mediation

function scheduleSession(state: OpenCase, cmd: CommandOf<'ScheduleSession'>, e: Emitter, context: DecisionContext): Decision {
  const wrong = needStatus(state, ['routed', 'in-mediation'], 'schedule a mediation session');
  if (wrong) return wrong;
  if (isAfter(context.now, cmd.data.at)) return reject('validation', 'a session cannot be scheduled in the past');
  return e.emit('SessionScheduled', { sessionId: e.newId('S'), ...cmd.data }).done();
}

function holdSession(state: OpenCase, cmd: CommandOf<'HoldSession'>, e: Emitter): Decision {
  const wrong = needStatus(state, ['in-mediation'], 'hold a mediation session');
  if (wrong) return wrong;
  const session = state.sessions[cmd.data.sessionId];
  if (!session) return reject('not-found', `there is no session ${cmd.data.sessionId} in this case`);
  if (session.status === 'held') return reject('illegal-state', `session ${session.sessionId} was already held`);
  return e.emit('SessionHeld', cmd.data).done();
}

/**
 * Extends a deadline. Without `clock` it is the mediation's 15 days (第十四条), which only both
 * parties together can extend. A named clock must be running and have an extension rule in its SLA
 * policy, and the extension must stay within that rule's statutory ceiling (e.g. 仲裁 +15 days,
 * 信访 +30 days): beyond it the SLA clock would not move, so the decider refuses.
 */
function agreeExtension(state: OpenCase, cmd: CommandOf<'AgreeExtension'>, e: Emitter, context: DecisionContext): Decision {
  const { data } = cmd;
  const clockKey = data.clock ?? 'mediation-conclude';
  if (clockKey === 'mediation-conclude') {
    const wrong = needStatus(state, ['routed', 'in-mediation'], 'extend the mediation');
    if (wrong) return wrong;
  }
  // 劳动争议调解仲裁法 第十四条 / 浙江省条例 第十条: only both parties together can extend.
  if (!data.complainantConsents || !data.respondentConsents) {
    return reject('validation', "an extension needs both parties' consent");
  }
  const policy = (context.sla ?? defaultSla).policies.policies.find((p) => p.id === clockKey);
  const rule = policy?.extend.find((r) => r.on.type === 'ExtensionAgreed');
  if (!policy || !rule) return reject('validation', `the ${clockKey} deadline cannot be extended`);
  const clock = state.clocks[clockKey];
  if (!clock || (clock.status !== 'running' && clock.status !== 'paused')) {
    return reject('illegal-state', `the ${clockKey} deadline is not running`);
  }
  const granted = clock.extensions.reduce((sum, extension) => sum + extension.days, 0);
  if (rule.maxTotalDays !== undefined && granted + data.days > rule.maxTotalDays) {
    return reject(
      'validation',
      `the ${clockKey} deadline can be extended by at most ${rule.maxTotalDays} days in all (${granted} already granted)`,
    );
  }
  return e
    .emit('ExtensionAgreed', {
      days: data.days,
      clock: data.clock,
      consent: { complainant: true, respondent: true },
      reason: data.reason,
    })
    .done();
}

function suspendCase(state: OpenCase, cmd: CommandOf<'SuspendCase'>, e: Emitter): Decision {
  const wrong = needStatus(state, WORKING_STATUSES, 'suspend the case');
  if (wrong) return wrong;
  return e.emit('CaseSuspended', cmd.data).done();
}

function resumeCase(state: OpenCase, cmd: CommandOf<'ResumeCase'>, e: Emitter): Decision {
  if (!state.suspended) return reject('illegal-state', 'the case is not suspended');
  return e.emit('CaseResumed', { note: cmd.data.note }).done();
}

// ------------------------------------------------------------------ clocks and supervision

/**
 * Time-driven. Each due warning becomes ClockWarned. Each breach becomes ClockBreached and, as its
 * policy says, escalation one level up and supervision (督办) of the accountable department's head.
 * Several breaches found in one check raise the case one level, not several: escalation moves one
 * step at a time, and the next check escalates again if clocks are still breached. A breach of a
 * department's referral clock also marks that referral overdue.
 */
function checkClocks(state: OpenCase, e: Emitter, context: DecisionContext): Decision {
  let level = state.level;
  let escalated = false;
  for (const signal of clockSignals(state.clocks, context.now)) {
    if (signal.kind === 'warning') {
      e.emit('ClockWarned', { clockKey: signal.clockKey, threshold: signal.threshold, at: signal.at });
      continue;
    }
    e.emit('ClockBreached', { clockKey: signal.clockKey, at: signal.at });
    // A party's window (escalates and supervises nobody, has no scope): its breach was all these rules recorded.
    if (signal.kind === 'lapse') continue;
    const up = levelAbove(level);
    if (signal.action.escalate && !escalated && up) {
      e.emit('CaseEscalated', { fromLevel: level, toLevel: up, reason: 'clock-breach', clockKey: signal.clockKey });
      level = up;
      escalated = true;
    }
    const scoped = Department.safeParse(signal.scope);
    if (signal.action.supervise) {
      const accountable = signal.action.accountable;
      const department =
        accountable === 'lead' ? leadOf(state) : accountable === 'scope' ? (scoped.success ? scoped.data : leadOf(state)) : accountable;
      e.emit('SupervisionIssued', supervision(state, e, context, department, level, 'clock-breach', signal.clockKey));
    }
    const referral = scoped.success ? activeReferralOf(state, scoped.data) : undefined;
    if (referral && !referral.overdue) {
      e.emit('ReferralOverdue', { referralId: referral.referralId, department: referral.department });
    }
  }
  return e.done();
}

function leadOf(state: OpenCase): Department {
  return state.route?.leadDepartment ?? 'union';
}

function supervision(
  state: OpenCase,
  e: Emitter,
  context: DecisionContext,
  department: Department,
  level: Level,
  reason: 'clock-breach' | 'manual',
  clockKey?: string,
  note?: CommandOf<'IssueSupervision'>['data']['note'],
) {
  // 一把手负责制: the lead answers through the enterprise's responsible department; any other
  // department answers through its own head.
  const accountableUnit =
    department === leadOf(state) ? (state.route?.accountableUnit ?? state.respondent.responsibleDepartment) : department;
  const dueHours = ruleSetOf(state, context)?.supervisionDueHours ?? 72;
  return {
    noticeId: e.newId('SN'),
    department,
    accountableUnit,
    accountableHeadRole: 'principal-head' as const,
    level,
    reason,
    clockKey,
    dueAt: addHours(context.now, dueHours),
    note,
  };
}

function escalateCase(state: OpenCase, cmd: CommandOf<'EscalateCase'>, e: Emitter): Decision {
  if (state.status === 'closed') return reject('illegal-state', 'the case is closed; reopen it first');
  const up = levelAbove(state.level);
  if (!up) {
    return reject('illegal-state', 'the case is already at the county joint centre, the highest level; issue supervision instead');
  }
  return e.emit('CaseEscalated', { fromLevel: state.level, toLevel: up, reason: 'manual', note: cmd.data.note }).done();
}

function issueSupervision(state: OpenCase, cmd: CommandOf<'IssueSupervision'>, e: Emitter, context: DecisionContext): Decision {
  if (state.status === 'closed') return reject('illegal-state', 'the case is closed; reopen it first');
  return e
    .emit('SupervisionIssued', supervision(state, e, context, leadOf(state), state.level, 'manual', undefined, cmd.data.note))
    .done();
}

function answerSupervision(state: OpenCase, cmd: CommandOf<'AnswerSupervision'>, e: Emitter, context: DecisionContext): Decision {
  const notice = state.supervision[cmd.data.noticeId];
  if (!notice) return reject('not-found', `there is no supervision notice ${cmd.data.noticeId} in this case`);
  const { actor } = context;
  if (actor.role === 'department-liaison' && actor.department !== notice.department) {
    return reject('forbidden', `a liaison of ${actor.department} cannot answer a notice to ${notice.department}`);
  }
  if (notice.answered) return reject('illegal-state', `supervision notice ${notice.noticeId} is already answered`);
  return e.emit('SupervisionAnswered', cmd.data).done();
}

// ------------------------------------------------------------------ outcomes

function recordAgreement(state: OpenCase, cmd: CommandOf<'RecordAgreement'>, e: Emitter, context: DecisionContext): Decision {
  const wrong = needStatus(state, ['in-mediation'], 'record an agreement');
  if (wrong) return wrong;
  if (!Object.values(state.sessions).some((s) => s.status === 'held')) {
    return reject('illegal-state', 'hold a mediation session before recording an agreement');
  }
  const { data } = cmd;
  const itemsTotal = data.items.reduce((sum, item) => sum + item.amountFen, 0);
  const scheduleTotal = data.schedule.reduce((sum, part) => sum + part.amountFen, 0);
  if (itemsTotal !== data.totalAmountFen) {
    return reject('validation', `the items add up to ${itemsTotal} fen, not the total of ${data.totalAmountFen} fen`);
  }
  if (scheduleTotal !== data.totalAmountFen) {
    return reject('validation', `the payment schedule adds up to ${scheduleTotal} fen, not the total of ${data.totalAmountFen} fen`);
  }
  return e
    .emit('AgreementReached', {
      agreementId: e.newId('A'),
      totalAmountFen: data.totalAmountFen,
      items: data.items,
      schedule: data.schedule,
      effectiveAt: data.effectiveAt ?? context.now,
      terms: data.terms,
    })
    .done();
}

/** 人民调解法 第三十三条: the parties apply jointly within 30 days of the agreement taking effect. */
function requestJudicialConfirmation(
  state: OpenCase,
  cmd: CommandOf<'RequestJudicialConfirmation'>,
  e: Emitter,
  context: DecisionContext,
): Decision {
  const wrong = needStatus(state, ['agreement', 'replied'], 'apply for judicial confirmation');
  if (wrong) return wrong;
  const agreement = state.agreement;
  if (!agreement) return reject('not-found', 'there is no mediation agreement to confirm');
  if (agreement.judicial !== 'none') return reject('illegal-state', `judicial confirmation was already ${agreement.judicial}`);
  if (!cmd.data.jointApplication) {
    return reject('validation', 'both parties must apply for judicial confirmation together (人民调解法 第三十三条)');
  }
  const window = judicialWindow(state, agreement, context);
  if ('ok' in window) return window;
  if (!isAfter(window.dueAt, context.now)) {
    const provisional = window.provisional ? `; the window was counted provisionally (${window.rule})` : '';
    return reject(
      'illegal-state',
      `the ${window.limit}-day window for judicial confirmation closed at ${window.dueAt} (人民调解法 第三十三条)${provisional}`,
    );
  }
  e.emit('JudicialConfirmationRequested', { agreementId: agreement.agreementId, court: cmd.data.court, jointApplication: true });
  // The court's acceptance is recorded by its liaison accepting this referral (the SLA's court clocks read it).
  if (!activeReferralOf(state, 'court')) {
    e.emit('ReferralOpened', { referralId: e.newId('R'), department: 'court', task: `judicial confirmation of agreement ${agreement.agreementId}` });
  }
  return e.done();
}

const JUDICIAL_WINDOW_CLOCK = 'judicial-confirmation-apply';

type Window = Pick<SlaClock, 'limit' | 'dueAt' | 'provisional' | 'rule'>;

/**
 * The window as the judicial-confirmation-apply clock counts it (from effectiveAt, on the SLA calendar), so
 * that a refusal here and the clock's breach fall on the same moment. The clock is this agreement's when it
 * started at its effectiveAt. After a reopened case reaches a second agreement, the clock of a first window
 * that lapsed unused is still running (a start does not restart an active clock); the second window is then
 * counted here the way the clock counts.
 */
function judicialWindow(state: OpenCase, agreement: NonNullable<OpenCase['agreement']>, context: DecisionContext): Window | Decision {
  const clock = state.clocks[JUDICIAL_WINDOW_CLOCK];
  if (clock?.startedAt === agreement.effectiveAt) return clock;
  const sla = context.sla ?? defaultSla;
  const policy = policyById(sla.policies, JUDICIAL_WINDOW_CLOCK);
  if (!policy) return reject('not-found', `the SLA policy ${JUDICIAL_WINDOW_CLOCK} is not in ${sla.policies.version}`);
  try {
    const period = addPeriodProvisional(sla.calendar, chinaDateOf(agreement.effectiveAt), policy.limit, policy.unit);
    return { limit: policy.limit, dueAt: endOfChinaDay(period.due), provisional: period.provisional, rule: period.rule };
  } catch (error) {
    if (error instanceof CalendarRangeError) return reject('illegal-state', error.message);
    throw error;
  }
}

function decideJudicialConfirmation(
  state: OpenCase,
  cmd: CommandOf<'GrantJudicialConfirmation'> | CommandOf<'RefuseJudicialConfirmation'>,
  e: Emitter,
  context: DecisionContext,
): Decision {
  const { actor } = context;
  if (actor.role === 'department-liaison' && actor.department !== 'court') {
    return reject('forbidden', 'only the court decides on judicial confirmation');
  }
  const agreement = state.agreement;
  if (!agreement || agreement.judicial !== 'requested') {
    return reject('illegal-state', 'no judicial confirmation has been applied for');
  }
  if (cmd.type === 'GrantJudicialConfirmation') {
    return e.emit('JudicialConfirmationGranted', { agreementId: agreement.agreementId, rulingRef: cmd.data.rulingRef }).done();
  }
  return e.emit('JudicialConfirmationRefused', { agreementId: agreement.agreementId, reason: cmd.data.reason }).done();
}

function recordPayment(state: OpenCase, cmd: CommandOf<'RecordPayment'>, e: Emitter): Decision {
  const wrong = needStatus(state, ['agreement', 'replied'], 'record a payment');
  if (wrong) return wrong;
  const agreement = state.agreement;
  if (!agreement) return reject('not-found', 'there is no mediation agreement to pay');
  const { amountFen, paidOn } = cmd.data;
  if (amountFen <= 0) return reject('validation', 'a payment must be more than 0 fen');
  const owed = agreement.totalAmountFen - agreement.paidFen;
  if (amountFen > owed) return reject('validation', `the payment of ${amountFen} fen exceeds the ${owed} fen still owed`);
  return e
    .emit('PaymentRecorded', { agreementId: agreement.agreementId, amountFen, paidOn, paidToDateFen: agreement.paidFen + amountFen })
    .done();
}

function recordMediationFailure(state: OpenCase, cmd: CommandOf<'RecordMediationFailure'>, e: Emitter): Decision {
  const wrong = needStatus(state, ['routed', 'in-mediation'], 'record that mediation failed');
  if (wrong) return wrong;
  return e.emit('MediationFailed', cmd.data).done();
}

function referToArbitration(state: OpenCase, cmd: CommandOf<'ReferToArbitration'>, e: Emitter): Decision {
  const wrong = needStatus(state, ['mediation-failed'], 'refer the case to arbitration');
  if (wrong) return wrong;
  e.emit('ReferredToArbitration', cmd.data);
  // The arbitration commission sits in hr; its liaison accepts (受理) or answers this referral.
  if (!activeReferralOf(state, 'hr')) {
    e.emit('ReferralOpened', { referralId: e.newId('R'), department: 'hr', task: `arbitration application to ${cmd.data.commission}` });
  }
  return e.done();
}

function referToLitigation(state: OpenCase, cmd: CommandOf<'ReferToLitigation'>, e: Emitter): Decision {
  // After a refused confirmation the parties may go to court on the original dispute (人民调解法 第三十三条).
  const refused = state.status === 'agreement' && state.agreement?.judicial === 'refused';
  if (state.status !== 'mediation-failed' && !refused) {
    return reject('illegal-state', `the case is ${state.status}; litigation follows a failed mediation or a refused judicial confirmation`);
  }
  return e.emit('ReferredToLitigation', cmd.data).done();
}

function withdrawCase(state: OpenCase, cmd: CommandOf<'WithdrawCase'>, e: Emitter): Decision {
  const wrong = needStatus(state, WORKING_STATUSES, 'withdraw the case');
  if (wrong) return wrong;
  return e.emit('CaseWithdrawn', cmd.data).done();
}

// ------------------------------------------------------------------ reply, feedback, closing

function sendReply(state: OpenCase, cmd: CommandOf<'SendReply'>, e: Emitter): Decision {
  const afterRecheck = state.status === 'replied' && state.recheckOpen;
  if (!OUTCOME_STATUSES.includes(state.status) && !afterRecheck) {
    return reject('illegal-state', `the case is ${state.status}; a reply is sent once the case has an outcome (or a re-check is open)`);
  }
  return e.emit('ReplySent', cmd.data).done();
}

/** 回访: a score of 2 or less opens a re-check (the reply is reviewed and sent again). */
function recordFeedback(state: OpenCase, cmd: CommandOf<'RecordFeedback'>, e: Emitter): Decision {
  const wrong = needStatus(state, ['replied'], 'record feedback');
  if (wrong) return wrong;
  if (state.recheckOpen) return reject('illegal-state', 'a re-check is open; feedback waits for its new reply');
  if (state.feedbackScore !== null) return reject('illegal-state', 'feedback on this reply is already recorded');
  e.emit('FeedbackRecorded', cmd.data);
  if (cmd.data.score <= 2) e.emit('RecheckOpened', { reason: 'low-satisfaction', score: cmd.data.score });
  return e.done();
}

function closeCase(state: OpenCase, cmd: CommandOf<'CloseCase'>, e: Emitter): Decision {
  // A rejection is itself the written answer with reason and channel, so it may close without a reply.
  const wrong = needStatus(state, ['replied', 'rejected'], 'close the case');
  if (wrong) return wrong;
  if (state.recheckOpen) return reject('illegal-state', 'a re-check is open; send its reply before closing');
  const open = Object.values(state.supervision).find((n) => !n.answered);
  if (open) return reject('illegal-state', `answer supervision notice ${open.noticeId} before closing`);
  if (!state.outcome) return reject('illegal-state', 'the case has no outcome to close with');
  return e.emit('CaseClosed', { outcome: state.outcome, note: cmd.data.note }).done();
}

function reopenCase(state: OpenCase, cmd: CommandOf<'ReopenCase'>, e: Emitter): Decision {
  const wrong = needStatus(state, ['closed'], 'reopen the case');
  if (wrong) return wrong;
  if (state.mergedInto) return reject('illegal-state', `this case was merged into ${state.mergedInto}; reopen that case instead`);
  if (cmd.data.reason === 'agreement-not-performed' && state.outcome !== 'agreement') {
    return reject('validation', 'the case did not end in an agreement');
  }
  e.emit('CaseReopened', cmd.data);
  // A review request (复查) after closure is a re-check: it owes a new reply.
  if (cmd.data.reason === 'recheck') e.emit('RecheckOpened', { reason: 'review-request' });
  return e.done();
}

function mergeCase(state: OpenCase, cmd: CommandOf<'MergeCase'>, e: Emitter): Decision {
  const wrong = needStatus(state, WORKING_STATUSES, 'merge the case');
  if (wrong) return wrong;
  if (cmd.data.intoCaseId === state.caseId) return reject('validation', 'a case cannot be merged into itself');
  // The duplicate closes here; its complainant is answered through the surviving case.
  return e
    .emit('CaseMerged', cmd.data)
    .emit('CaseClosed', { outcome: 'merged', note: `duplicate of ${cmd.data.intoCaseId}` })
    .done();
}

function linkCase(state: OpenCase, cmd: CommandOf<'LinkCase'>, e: Emitter): Decision {
  if (cmd.data.linkedCaseId === state.caseId) return reject('validation', 'a case cannot be linked to itself');
  if (state.links.includes(cmd.data.linkedCaseId)) {
    return reject('illegal-state', `case ${cmd.data.linkedCaseId} is already linked`);
  }
  return e.emit('CaseLinked', cmd.data).done();
}

// ------------------------------------------------------------------ helpers

function needStatus(state: OpenCase, allowed: readonly OpenStatus[], action: string): Decision | null {
  if (allowed.includes(state.status)) return null;
  return reject('illegal-state', `cannot ${action}: the case is ${state.status} (needs ${allowed.join(' or ')})`);
}

function ruleSetOf(state: OpenCase, context: DecisionContext): RoutingRuleSet | undefined {
  return (context.routing ?? defaultRoutingCatalogue).ruleSets[state.routingRulesVersion];
}

function calendarOf(context: DecisionContext): Calendar {
  return (context.sla ?? defaultSla).calendar;
}

/** 'AnswerReferral' → 'answer referral', for rejection reasons. */
function inWords(commandType: CaseCommand['type']): string {
  return commandType.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
