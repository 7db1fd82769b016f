// decide(state, command, context) → events or a rejection. Pure: no clock, no I/O, no randomness.
//
// Shape (emmett style): check the command and the actor once, then one function per command under a
// top-level switch with an exhaustive `never` check. Each function reads top to bottom: the status it
// needs, the rules of the domain, the events it emits.
import { commitmentProblem, findPersonalValues } from '../../events/personal-data.js';
import { COLLECTIVE_THRESHOLD, Department, type Level } from '../../events/vocabulary.js';
import {
  addDays,
  addPeriodProvisional,
  CalendarRangeError,
  chinaDateOf,
  endOfChinaDay,
  type Calendar,
} from '../calendar/index.js';
import { defaultRoutingCatalogue, route, type RoutingRuleSet } from '../routing/index.js';
import { allowedRoles, blockedWhileSuspended } from './authority.js';
import { clockSignals, defaultSla, policyById, type SlaClock } from './clocks.js';
import { clockKey, type ExtensionRule } from '../sla/index.js';
import { evolve } from './evolve.js';
import { CaseCommandSchema, type CaseCommand, type CommandOf } from './commands.js';
import {
  addHours,
  checkContext,
  Emitter,
  isAfter,
  reject,
  rejectAll,
  rejection,
  type Decision,
  type DecisionContext,
  type Rejection,
} from './decision.js';
import { accountableFor, accountableUnitOf, leadOf } from './rules.js';
import { defaultCasePolicy } from './policy.js';
import { defaultRegistry, isRegistered } from '../registry/index.js';
import { creditCodeProblem, hasControlCharacter, phoneProblem, residentIdProblem } from '../identifiers/index.js';
import {
  ENDED_STATUSES,
  levelAbove,
  OUTCOME_STATUSES,
  WORKING_STATUSES,
  type CaseState,
  type OpenCase,
  type OpenStatus,
  type Referral,
} from './state.js';

export function decide(state: CaseState, command: CaseCommand, context: DecisionContext): Decision {
  const decision = decideCommand(state, command, context);
  if (!decision.ok) return decision;
  // The events must fold: evolve also recomputes the SLA clocks on the calendar. A deadline after the
  // loaded years no longer fails (the clock is counted provisionally, see domain/sla/clock.ts), but a
  // clock starting before them still does; finding that out here rejects the command cleanly instead of
  // sealing events that the workflow then cannot apply.
  try {
    decision.events.reduce<CaseState>((folded, event) => evolve(folded, event, context.sla ?? defaultSla), state);
  } catch (error) {
    if (error instanceof CalendarRangeError) return reject('illegal-state', 'calendar.out-of-range', { detail: error.message });
    throw error;
  }
  return decision;
}

function decideCommand(state: CaseState, command: CaseCommand, context: DecisionContext): Decision {
  const parsed = CaseCommandSchema.safeParse(command);
  if (!parsed.success) {
    // Every problem, not only the first: a clerk fixes a form once.
    return rejectAll(
      parsed.error.issues.map((issue) =>
        rejection('validation', 'command.invalid', { field: issue.path.map(String).join('.') || 'command', problem: issue.message }),
      ),
    );
  }
  const contextProblem = checkContext(context);
  if (contextProblem) return contextProblem;

  const cmd = parsed.data;
  const controls = controlCharacterPaths(cmd.data, '');
  if (controls.length > 0) return rejectAll(controls.map((field) => rejection('validation', 'text.control-character', { field })));
  const { role } = context.actor;
  if (!allowedRoles[cmd.type].includes(role)) {
    return role === 'auditor'
      ? reject('forbidden', 'role.auditor-read-only')
      : reject('forbidden', 'role.not-allowed', { role, command: cmd.type });
  }

  if (cmd.type === 'ReceiveCase') {
    if (state.status !== 'none') return reject('illegal-state', 'case.already-received', { caseId: state.caseId });
    return receiveCase(cmd, context);
  }
  if (state.status === 'none') return reject('not-found', 'case.not-found', { caseId: cmd.caseId });
  if (cmd.caseId !== state.caseId) {
    return reject('validation', 'case.wrong-case', { commandCaseId: cmd.caseId, caseId: state.caseId });
  }
  if (state.suspended && blockedWhileSuspended.has(cmd.type)) {
    return reject('illegal-state', 'case.suspended', { suspensionReason: state.suspended.reason });
  }
  if (role === 'complainant' && !state.complainantRefs.includes(context.actor.id)) {
    return reject('forbidden', 'complainant.not-party');
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
      return holdSession(state, cmd, e, context);
    case 'AgreeExtension':
      return agreeExtension(state, cmd, e, context);
    case 'ApproveExtension':
      return approveExtension(state, cmd, e, context);
    case 'SuspendCase':
      return suspendCase(state, cmd, e, context);
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
      return recordPayment(state, cmd, e, context);
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
      return reopenCase(state, cmd, e, context);
    case 'MergeCase':
      return mergeCase(state, cmd, e, context);
    case 'RecordMergedDuplicate':
      return recordMergedDuplicate(state, cmd, e);
    case 'LinkCase':
      return linkCase(state, cmd, e);
    default: {
      const unhandled: never = cmd;
      throw new Error(`decide: unhandled command ${JSON.stringify(unhandled)}`);
    }
  }
}

// ------------------------------------------------------------------ intake

/**
 * The intake decision. Every problem found is named (a clerk corrects the form once), so the checks below
 * collect instead of returning at the first.
 */
function receiveCase(cmd: CommandOf<'ReceiveCase'>, context: DecisionContext): Decision {
  const { data } = cmd;
  if (context.actor.role === 'department-liaison' && !(context.actor.department === 'petitions' && data.channel === 'petition-transfer')) {
    return reject('forbidden', 'intake.liaison-petition-only');
  }
  const problems: Rejection[] = [];
  const problem = (key: Parameters<typeof rejection>[1], params: Parameters<typeof rejection>[2] = {}) =>
    problems.push(rejection('validation', key, params));
  if (data.workerCount < data.complainants.length) {
    problem('intake.worker-count', { workerCount: data.workerCount, complainants: data.complainants.length });
  }
  if (data.channel === 'petition-transfer' && data.petitionRef === undefined) problem('intake.petition-ref-missing');
  const personIds = data.complainants.map((c) => c.personId);
  if (new Set(personIds).size !== personIds.length) problem('intake.complainant-twice');
  for (const [i, complainant] of data.complainants.entries()) {
    for (const { path, field } of findPersonalValues(complainant, `complainants.${i}`)) {
      if (field.ref !== complainant.personId) {
        problem('intake.personal-data-ref', { field: path, personId: complainant.personId });
        continue;
      }
      const commitment = commitmentProblem(field);
      if (commitment) problem('intake.personal-data-commitment', { field: path, problem: commitment });
    }
    // The values are checked while present (an erased value has nothing left to check).
    const idNumber = complainant.idNumber?.value;
    const idProblem = idNumber === undefined ? null : residentIdProblem(idNumber);
    if (idProblem) problem(`intake.resident-id-${idProblem}`, { field: `complainants.${i}.idNumber` });
    const phone = complainant.phone?.value;
    if (phone !== undefined && phoneProblem(phone)) problem('intake.phone-format', { field: `complainants.${i}.phone` });
  }
  const credit = creditCodeProblem(data.respondent.creditCode);
  if (credit) problem(`intake.credit-code-${credit}`, { field: 'respondent.creditCode' });
  const registry = context.registry ?? defaultRegistry;
  if (!isRegistered(registry.responsibleDepartments, data.respondent.responsibleDepartment)) {
    problem('intake.unknown-code', { field: 'respondent.responsibleDepartment', value: data.respondent.responsibleDepartment, registry: registry.version });
  }
  if (!isRegistered(registry.towns, data.respondent.town)) {
    problem('intake.unknown-code', { field: 'respondent.town', value: data.respondent.town, registry: registry.version });
  }
  const { infringedOn } = data.claim;
  if (infringedOn !== undefined) {
    const policy = context.policy ?? defaultCasePolicy;
    if (infringedOn > chinaDateOf(context.now)) problem('intake.infringed-in-future', { field: 'claim.infringedOn', date: infringedOn });
    else if (infringedOn < policy.earliestInfringement) {
      problem('intake.infringed-too-early', { field: 'claim.infringedOn', date: infringedOn, earliest: policy.earliestInfringement });
    }
  }
  const routing = context.routing ?? defaultRoutingCatalogue;
  const ruleSet = routing.ruleSets[routing.currentVersion];
  if (!ruleSet) problems.push(rejection('not-found', 'routing.rules-not-loaded', { version: routing.currentVersion }));
  if (problems.length > 0 || !ruleSet) return rejectAll(problems);

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

/**
 * The intake decision without a case: what the API runs before it starts a workflow, so a case the core
 * would refuse is answered with its rejection (4xx) and no case number is burnt. The workflow then runs
 * the same decide() on the same command.
 */
export function decideIntake(command: CommandOf<'ReceiveCase'>, context: DecisionContext): Decision {
  return decide({ status: 'none' }, command, context);
}

/** Paths of string fields that hold NUL or another control character (PostgreSQL refuses NUL). */
function controlCharacterPaths(value: unknown, path: string): string[] {
  const at = (key: string | number) => (path === '' ? String(key) : `${path}.${key}`);
  if (typeof value === 'string') return hasControlCharacter(value) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => controlCharacterPaths(item, at(i)));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => controlCharacterPaths(item, at(key)));
  }
  return [];
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
  const wrong = needStatus(state, ['received'], 'AcceptCase');
  if (wrong) return wrong;
  return e.emit('CaseAccepted', { note: cmd.data.note }).done();
}

function rejectCase(state: OpenCase, cmd: CommandOf<'RejectCase'>, e: Emitter, context: DecisionContext): Decision {
  const wrong = needStatus(state, ['received'], 'RejectCase');
  if (wrong) return wrong;
  const { data } = cmd;
  let legalBasis = data.legalBasis;
  if (data.reasonCode === 'limitation-expired') {
    legalBasis ??= '劳动争议调解仲裁法 第二十七条';
    const infringedOn = state.claim.infringedOn;
    if (infringedOn !== undefined) {
      const lastDay = limitationLastDay(infringedOn, calendarOf(context));
      if (chinaDateOf(context.now) <= lastDay) {
        return reject('validation', 'reject.within-limitation', { lastDay });
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
export function limitationLastDay(infringedOn: string, calendar: Calendar): string {
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
  const wrong = needStatus(state, ['accepted', 'classified'], 'ClassifyCase');
  if (wrong) return wrong;
  const workerCount = cmd.data.workerCount ?? state.workerCount;
  if (workerCount < state.complainantRefs.length) {
    return reject('validation', 'intake.worker-count', { workerCount, complainants: state.complainantRefs.length });
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
    if (!ruleSet) return reject('not-found', 'routing.rules-not-loaded', { version: state.routingRulesVersion });
    e.emit('SupervisionIssued', collectiveAlert(e, state.respondent.responsibleDepartment, ruleSet, context));
  }
  return e.done();
}

function routeCase(state: OpenCase, e: Emitter, context: DecisionContext): Decision {
  const wrong = needStatus(state, ['classified'], 'RouteCase');
  if (wrong) return wrong;
  // The case is routed by the rule version it was received under, not the newest one.
  const ruleSet = ruleSetOf(state, context);
  if (!ruleSet) return reject('not-found', 'routing.rules-not-loaded', { version: state.routingRulesVersion });
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
  const wrong = needStatus(state, REFERRAL_STATUSES, 'OpenReferral');
  if (wrong) return wrong;
  const active = activeReferralOf(state, cmd.data.department);
  if (active) return reject('illegal-state', 'referral.already-active', { department: cmd.data.department, referralId: active.referralId });
  return e.emit('ReferralOpened', { referralId: e.newId('R'), department: cmd.data.department, task: cmd.data.task }).done();
}

/** The referral named by a command, checked for existence and for the liaison's department. */
function referralFor(state: OpenCase, referralId: string, context: DecisionContext): Referral | Decision {
  if (state.status === 'closed') return reject('illegal-state', 'case.closed');
  const referral = state.referrals[referralId];
  if (!referral) return reject('not-found', 'referral.not-found', { referralId });
  const { actor } = context;
  if (actor.role === 'department-liaison' && actor.department !== referral.department) {
    return reject('forbidden', 'referral.other-department', { actorDepartment: actor.department ?? '', department: referral.department });
  }
  return referral;
}

const isDecision = (value: Referral | Decision): value is Decision => 'ok' in value;

function acceptReferral(state: OpenCase, cmd: CommandOf<'AcceptReferral'>, e: Emitter, context: DecisionContext): Decision {
  const referral = referralFor(state, cmd.data.referralId, context);
  if (isDecision(referral)) return referral;
  if (referral.status !== 'open') return reject('illegal-state', 'referral.already-settled', { referralId: referral.referralId, referralStatus: referral.status });
  return e.emit('ReferralAccepted', { referralId: referral.referralId, department: referral.department }).done();
}

function answerReferral(state: OpenCase, cmd: CommandOf<'AnswerReferral'>, e: Emitter, context: DecisionContext): Decision {
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
function objectToReferral(state: OpenCase, cmd: CommandOf<'ObjectToReferral'>, e: Emitter, context: DecisionContext): Decision {
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
    reason: `${referral.department} objected: ${reason}`,
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
  if (!referral) return reject('not-found', 'referral.not-found', { referralId: cmd.data.referralId });
  if (referral.status !== 'open' && referral.status !== 'accepted') {
    return reject('illegal-state', 'referral.already-settled', { referralId: referral.referralId, referralStatus: referral.status });
  }
  if (referral.overdue) return reject('illegal-state', 'referral.already-overdue', { referralId: referral.referralId });
  return e.emit('ReferralOverdue', { referralId: referral.referralId, department: referral.department }).done();
}

// ------------------------------------------------------------------ mediation

function scheduleSession(state: OpenCase, cmd: CommandOf<'ScheduleSession'>, e: Emitter, context: DecisionContext): Decision {
  const wrong = needStatus(state, ['routed', 'in-mediation'], 'ScheduleSession');
  if (wrong) return wrong;
  if (isAfter(context.now, cmd.data.at)) return reject('validation', 'session.in-past');
  const horizon = (context.policy ?? defaultCasePolicy).sessionHorizonDays;
  if (isAfter(cmd.data.at, addHours(context.now, horizon * 24))) {
    return reject('validation', 'session.too-far', { days: horizon });
  }
  return e.emit('SessionScheduled', { sessionId: e.newId('S'), ...cmd.data }).done();
}

function holdSession(state: OpenCase, cmd: CommandOf<'HoldSession'>, e: Emitter, context: DecisionContext): Decision {
  const wrong = needStatus(state, ['in-mediation'], 'HoldSession');
  if (wrong) return wrong;
  const session = state.sessions[cmd.data.sessionId];
  if (!session) return reject('not-found', 'session.not-found', { sessionId: cmd.data.sessionId });
  if (session.status === 'held') return reject('illegal-state', 'session.already-held', { sessionId: session.sessionId });
  if (isAfter(session.at, context.now)) return reject('illegal-state', 'session.not-yet', { sessionId: session.sessionId, at: session.at });
  return e.emit('SessionHeld', cmd.data).done();
}

/**
 * Extends the mediation's 15 days (第十四条), which only both parties together can do (浙江省条例 第十条),
 * within the centre's ceiling (domain/sla/policies.ts). Other bodies' clocks are extended by their head
 * (ApproveExtension), not by the parties.
 */
function agreeExtension(state: OpenCase, cmd: CommandOf<'AgreeExtension'>, e: Emitter, context: DecisionContext): Decision {
  const { data } = cmd;
  const key = data.clock ?? 'mediation-conclude';
  const ended = endedCase(state, 'AgreeExtension');
  if (ended) return ended;
  const found = extensionRuleFor(key, context);
  if ('ok' in found) return found;
  if (found.rule.approval === 'head') {
    return reject('validation', 'extension.needs-head', { clock: key, approver: found.rule.approver?.en ?? 'the head', approverZh: found.rule.approver?.zh ?? '负责人' });
  }
  if (key === 'mediation-conclude') {
    const wrong = needStatus(state, ['routed', 'in-mediation'], 'AgreeExtension');
    if (wrong) return wrong;
  }
  if (!data.complainantConsents || !data.respondentConsents) return reject('validation', 'extension.needs-consent');
  const refused = extensionRefused(state, key, found.rule, data.days, context);
  if (refused) return refused;
  return e
    .emit('ExtensionAgreed', { days: data.days, clock: data.clock, consent: { complainant: true, respondent: true }, reason: data.reason })
    .done();
}

/**
 * 仲裁 (第四十三条), 信访 (第三十四条), 法院 (法释〔2011〕5号 第五条): the competent head approves an extension
 * with a written reason, and the parties are notified. The parties' consent is not asked.
 */
function approveExtension(state: OpenCase, cmd: CommandOf<'ApproveExtension'>, e: Emitter, context: DecisionContext): Decision {
  const { data } = cmd;
  const ended = endedCase(state, 'ApproveExtension');
  if (ended) return ended;
  const found = extensionRuleFor(data.clock, context);
  if ('ok' in found) return found;
  if (found.rule.approval !== 'head') return reject('validation', 'extension.needs-consent-not-head', { clock: data.clock });
  const { actor } = context;
  const department = departmentOfClock(data.clock);
  if (actor.role === 'department-liaison' && department && actor.department !== department) {
    return reject('forbidden', 'extension.other-department', { actorDepartment: actor.department ?? '', department });
  }
  const refused = extensionRefused(state, data.clock, found.rule, data.days, context);
  if (refused) return refused;
  return e.emit('ExtensionApproved', data).done();
}

/** The department whose head extends a clock (the arbitration commission sits in hr). */
function departmentOfClock(clock: string): Department | undefined {
  if (clock.startsWith('arbitration-')) return 'hr';
  if (clock.startsWith('petition-')) return 'petitions';
  if (clock.startsWith('court-')) return 'court';
  return undefined;
}

function extensionRuleFor(key: string, context: DecisionContext): { rule: ExtensionRule } | Decision {
  const policy = policyById((context.sla ?? defaultSla).policies, key);
  const rule = policy?.extend[0];
  if (!policy || !rule) return reject('validation', 'extension.not-extendable', { clock: key });
  return { rule };
}

/** A clock that is not running, has breached, or would pass its ceiling cannot be extended. */
function extensionRefused(state: OpenCase, key: string, rule: ExtensionRule, days: number, context: DecisionContext): Decision | null {
  const clock = state.clocks[key];
  if (!clock || (clock.status !== 'running' && clock.status !== 'paused')) return reject('illegal-state', 'extension.not-running', { clock: key });
  // The breach stands: an extension cannot revive a deadline that has passed.
  if (clock.breached || !isAfter(clock.dueAt, context.now)) return reject('illegal-state', 'extension.breached', { clock: key, dueAt: clock.dueAt });
  const granted = clock.extensions.reduce((sum, extension) => sum + extension.days, 0);
  if (rule.maxTotalDays !== undefined && granted + days > rule.maxTotalDays) {
    return reject('validation', 'extension.ceiling', { clock: key, max: rule.maxTotalDays, granted, source: rule.ceilingSource ?? '' });
  }
  return null;
}

/** Withdrawn, rejected and closed cases take no more escalation, suspension or extension. */
function endedCase(state: OpenCase, command: CaseCommand['type']): Decision | null {
  if (!ENDED_STATUSES.includes(state.status)) return null;
  return reject('illegal-state', 'case.ended', { command, status: state.status });
}

function suspendCase(state: OpenCase, cmd: CommandOf<'SuspendCase'>, e: Emitter, context: DecisionContext): Decision {
  const ended = endedCase(state, 'SuspendCase');
  if (ended) return ended;
  const wrong = needStatus(state, WORKING_STATUSES, 'SuspendCase');
  if (wrong) return wrong;
  const { expectedEndOn } = cmd.data;
  if (expectedEndOn !== undefined && expectedEndOn < chinaDateOf(context.now)) {
    return reject('validation', 'suspension.end-in-past', { date: expectedEndOn });
  }
  return e.emit('CaseSuspended', cmd.data).done();
}

function resumeCase(state: OpenCase, cmd: CommandOf<'ResumeCase'>, e: Emitter): Decision {
  if (!state.suspended) return reject('illegal-state', 'suspension.not-suspended');
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
    const up = levelAbove(level);
    if (signal.action.escalate && !escalated && up) {
      e.emit('CaseEscalated', { fromLevel: level, toLevel: up, reason: 'clock-breach', clockKey: signal.clockKey });
      level = up;
      escalated = true;
    }
    const scoped = Department.safeParse(signal.scope);
    if (signal.action.supervise) {
      const department = accountableFor(state, signal.action, signal.scope);
      e.emit('SupervisionIssued', supervision(state, e, context, department, level, 'clock-breach', signal.clockKey));
    }
    const referral = scoped.success ? activeReferralOf(state, scoped.data) : undefined;
    if (referral && !referral.overdue) {
      e.emit('ReferralOverdue', { referralId: referral.referralId, department: referral.department });
    }
  }
  return e.done();
}

function supervision(
  state: OpenCase,
  e: Emitter,
  context: DecisionContext,
  department: Department,
  level: Level,
  reason: 'clock-breach' | 'manual',
  clockKey?: string,
  note?: string,
) {
  const accountableUnit = accountableUnitOf(state, department);
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
  const ended = endedCase(state, 'EscalateCase');
  if (ended) return ended;
  const up = levelAbove(state.level);
  if (!up) return reject('illegal-state', 'escalation.at-top');
  return e.emit('CaseEscalated', { fromLevel: state.level, toLevel: up, reason: 'manual', note: cmd.data.note }).done();
}

function issueSupervision(state: OpenCase, cmd: CommandOf<'IssueSupervision'>, e: Emitter, context: DecisionContext): Decision {
  if (state.status === 'closed') return reject('illegal-state', 'case.closed');
  return e
    .emit('SupervisionIssued', supervision(state, e, context, leadOf(state), state.level, 'manual', undefined, cmd.data.note))
    .done();
}

function answerSupervision(state: OpenCase, cmd: CommandOf<'AnswerSupervision'>, e: Emitter, context: DecisionContext): Decision {
  const notice = state.supervision[cmd.data.noticeId];
  if (!notice) return reject('not-found', 'supervision.not-found', { noticeId: cmd.data.noticeId });
  const { actor } = context;
  if (actor.role === 'department-liaison' && actor.department !== notice.department) {
    return reject('forbidden', 'supervision.other-department', { actorDepartment: actor.department ?? '', department: notice.department });
  }
  if (notice.answered) return reject('illegal-state', 'supervision.already-answered', { noticeId: notice.noticeId });
  return e.emit('SupervisionAnswered', cmd.data).done();
}

// ------------------------------------------------------------------ outcomes

function recordAgreement(state: OpenCase, cmd: CommandOf<'RecordAgreement'>, e: Emitter, context: DecisionContext): Decision {
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
function requestJudicialConfirmation(
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
  if (!policy) return reject('not-found', 'sla.policy-missing', { policy: JUDICIAL_WINDOW_CLOCK, version: sla.policies.version });
  try {
    const period = addPeriodProvisional(sla.calendar, chinaDateOf(agreement.effectiveAt), policy.limit, policy.unit);
    return { limit: policy.limit, dueAt: endOfChinaDay(period.due), provisional: period.provisional, rule: period.rule };
  } catch (error) {
    if (error instanceof CalendarRangeError) return reject('illegal-state', 'calendar.out-of-range', { detail: error.message });
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

function recordPayment(state: OpenCase, cmd: CommandOf<'RecordPayment'>, e: Emitter, context: DecisionContext): Decision {
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

function recordMediationFailure(state: OpenCase, cmd: CommandOf<'RecordMediationFailure'>, e: Emitter): Decision {
  const wrong = needStatus(state, ['routed', 'in-mediation'], 'RecordMediationFailure');
  if (wrong) return wrong;
  return e.emit('MediationFailed', cmd.data).done();
}

function referToArbitration(state: OpenCase, cmd: CommandOf<'ReferToArbitration'>, e: Emitter): Decision {
  const wrong = needStatus(state, ['mediation-failed'], 'ReferToArbitration');
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
    return reject('illegal-state', 'litigation.not-now', { status: state.status });
  }
  return e.emit('ReferredToLitigation', cmd.data).done();
}

function withdrawCase(state: OpenCase, cmd: CommandOf<'WithdrawCase'>, e: Emitter): Decision {
  const wrong = needStatus(state, WORKING_STATUSES, 'WithdrawCase');
  if (wrong) return wrong;
  closeReferrals(state, e, 'case-withdrawn');
  return e.emit('CaseWithdrawn', cmd.data).done();
}

/** Each referral still open ends, on record, before its case does: a closed case has no open referral. */
function closeReferrals(state: OpenCase, e: Emitter, reason: 'case-closed' | 'case-withdrawn' | 'case-merged'): void {
  for (const r of Object.values(state.referrals)) {
    if (r.status === 'open' || r.status === 'accepted') e.emit('ReferralClosed', { referralId: r.referralId, department: r.department, reason });
  }
}

// ------------------------------------------------------------------ reply, feedback, closing

/**
 * 回音 (seed 001, 7日内答复): the complainant is told what is being done — accepted and by whom, rejected and
 * where to go, or the result if there is one. Allowed from acceptance or rejection on, whatever the
 * mediation's state; it stops the reply clock. It is not the final result: only a reply given once the
 * case has its outcome (or a re-check asks for one) moves the case to `replied`.
 */
function sendReply(state: OpenCase, cmd: CommandOf<'SendReply'>, e: Emitter): Decision {
  if (state.status === 'received') return reject('illegal-state', 'reply.before-acceptance');
  if (state.status === 'closed') return reject('illegal-state', 'case.closed');
  if (state.status === 'replied' && !state.recheckOpen) return reject('illegal-state', 'reply.already-replied');
  return e.emit('ReplySent', cmd.data).done();
}

/** 反馈/回访 after the outcome's reply: a score of 2 or less opens a re-check (the reply is reviewed and sent again). */
function recordFeedback(state: OpenCase, cmd: CommandOf<'RecordFeedback'>, e: Emitter): Decision {
  const wrong = needStatus(state, ['replied'], 'RecordFeedback');
  if (wrong) return wrong;
  if (state.recheckOpen) return reject('illegal-state', 'feedback.recheck-open');
  if (state.feedbackScore !== null) return reject('illegal-state', 'feedback.already');
  e.emit('FeedbackRecorded', cmd.data);
  if (cmd.data.score <= 2) e.emit('RecheckOpened', { reason: 'low-satisfaction', score: cmd.data.score });
  return e.done();
}

function closeCase(state: OpenCase, cmd: CommandOf<'CloseCase'>, e: Emitter): Decision {
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
function reopenCase(state: OpenCase, cmd: CommandOf<'ReopenCase'>, e: Emitter, context: DecisionContext): Decision {
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
function mergeCase(state: OpenCase, cmd: CommandOf<'MergeCase'>, e: Emitter, context: DecisionContext): Decision {
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
function recordMergedDuplicate(state: OpenCase, cmd: CommandOf<'RecordMergedDuplicate'>, e: Emitter): Decision {
  const ended = endedCase(state, 'RecordMergedDuplicate');
  if (ended) return ended;
  if (cmd.data.fromCaseId === state.caseId) return reject('validation', 'merge.self');
  if (state.mergedFrom.includes(cmd.data.fromCaseId)) return reject('illegal-state', 'merge.already-recorded', { fromCaseId: cmd.data.fromCaseId });
  return e.emit('DuplicateMergedIn', cmd.data).done();
}

function linkCase(state: OpenCase, cmd: CommandOf<'LinkCase'>, e: Emitter): Decision {
  if (cmd.data.linkedCaseId === state.caseId) return reject('validation', 'link.self');
  if (state.links.includes(cmd.data.linkedCaseId)) {
    return reject('illegal-state', 'link.already', { linkedCaseId: cmd.data.linkedCaseId });
  }
  return e.emit('CaseLinked', cmd.data).done();
}

// ------------------------------------------------------------------ helpers

function needStatus(state: OpenCase, allowed: readonly OpenStatus[], command: CaseCommand['type']): Decision | null {
  if (allowed.includes(state.status)) return null;
  return reject('illegal-state', 'status.needed', { command, status: state.status, allowed: [...allowed] });
}

function ruleSetOf(state: OpenCase, context: DecisionContext): RoutingRuleSet | undefined {
  return (context.routing ?? defaultRoutingCatalogue).ruleSets[state.routingRulesVersion];
}

function calendarOf(context: DecisionContext): Calendar {
  return (context.sla ?? defaultSla).calendar;
}
