// decide(): intake: receipt, acceptance, rejection, classification, routing. Split from decide.ts along its section markers; decide.ts dispatches.
import { commitmentProblem, findPersonalValues, plainValueOf } from '../../../events/personal-data.js';
import { COLLECTIVE_THRESHOLD } from '../../../events/vocabulary.js';
import { addDays, CalendarRangeError, chinaDateOf, type Calendar } from '../../calendar/index.js';
import { defaultRoutingCatalogue, route, type RoutingRuleSet } from '../../routing/index.js';
import { CURRENT_RULES_EDITION } from '../clocks.js';
import type { CommandOf } from '../commands.js';
import {
  addHours,
  Emitter,
  reject,
  rejectAll,
  rejection,
  type Decision,
  type DecisionContext,
  type Rejection,
} from '../decision.js';
import { defaultCasePolicy } from '../policy.js';
import { defaultRegistry, isRegistered } from '../../registry/index.js';
import { creditCodeProblem, phoneProblem, residentIdProblem } from '../../identifiers/index.js';
import type { OpenCase } from '../state.js';
import { calendarOf, needStatus, ruleSetOf } from './helpers.js';

/**
 * The intake decision. Every problem found is named (a clerk corrects the form once), so the checks below
 * collect instead of returning at the first.
 */
export function receiveCase(cmd: CommandOf<'ReceiveCase'>, context: DecisionContext): Decision {
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
    // The values are checked while present: an erased value has nothing left to check, and an encrypted
    // one was checked by this same decision at the edge, on the plaintext, before it was encrypted
    // (api/routes/cases.ts runs decideIntake first).
    const idNumber = plainValueOf(complainant.idNumber);
    const idProblem = idNumber === undefined ? null : residentIdProblem(idNumber);
    if (idProblem) problem(`intake.resident-id-${idProblem}`, { field: `complainants.${i}.idNumber` });
    const phone = plainValueOf(complainant.phone);
    if (phone !== undefined && phoneProblem(phone)) problem('intake.phone-format', { field: `complainants.${i}.phone` });
  }
  // The enterprise's contact person: a subject of their own, checked like a complainant.
  const contact = data.respondent.contact;
  if (contact) {
    for (const { path, field } of findPersonalValues(contact, 'respondent.contact')) {
      if (field.ref !== contact.personId) {
        problem('intake.personal-data-ref', { field: path, personId: contact.personId });
        continue;
      }
      const commitment = commitmentProblem(field);
      if (commitment) problem('intake.personal-data-commitment', { field: path, problem: commitment });
    }
    if (personIds.includes(contact.personId)) problem('intake.complainant-twice');
    const phone = plainValueOf(contact.phone);
    if (phone !== undefined && phoneProblem(phone)) problem('intake.phone-format', { field: 'respondent.contact.phone' });
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
    rulesEdition: CURRENT_RULES_EDITION,
  });
  if (collective) {
    e.emit('SupervisionIssued', collectiveAlert(e, data.respondent.responsibleDepartment, ruleSet, context));
  }
  return e.done();
}

export function collectiveAlert(e: Emitter, accountableUnit: string, ruleSet: RoutingRuleSet, context: DecisionContext) {
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

export function acceptCase(state: OpenCase, cmd: CommandOf<'AcceptCase'>, e: Emitter): Decision {
  const wrong = needStatus(state, ['received'], 'AcceptCase');
  if (wrong) return wrong;
  return e.emit('CaseAccepted', { note: cmd.data.note }).done();
}

export function rejectCase(state: OpenCase, cmd: CommandOf<'RejectCase'>, e: Emitter, context: DecisionContext): Decision {
  const wrong = needStatus(state, ['received'], 'RejectCase');
  if (wrong) return wrong;
  const { data } = cmd;
  let legalBasis = data.legalBasis;
  if (data.reasonCode === 'limitation-expired') {
    legalBasis ??= '劳动争议调解仲裁法 第二十七条';
    const infringedOn = state.claim.infringedOn;
    if (infringedOn !== undefined) {
      const lastDay = limitationLastDay(infringedOn, calendarOf(state, context));
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

export function classifyCase(state: OpenCase, cmd: CommandOf<'ClassifyCase'>, e: Emitter, context: DecisionContext): Decision {
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

export function routeCase(state: OpenCase, e: Emitter, context: DecisionContext): Decision {
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
