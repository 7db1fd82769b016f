// SLA policies as data: one per row of the deadline table in DOMAIN.md. A clock copies what it needs from
// its policy when it starts (limit, unit, thresholds, breach action), so a case keeps the policy version it
// started with; moving a case to a new version is an explicit repair (recomputeClocks).
//
// Trigger semantics (applied by evolveClocks, see clock.ts):
// - start: starts the clock unless it is already running or paused (a finished clock starts afresh);
// - reset: starts it afresh from the event, whatever its state (a restart, e.g. a reopened case);
// - stop: the obligation was met (counts for the on-time rate; late if the due moment had passed);
// - cancel: the obligation no longer applies (left out of on-time rates; a breach already recorded stays);
// - pause / resume: paused days are not counted; extend: adds `data.days` to the period, up to maxTotalDays.
// A trigger may carry `where` (event data must match) and `whileActive` (another, unscoped clock must be
// running or paused just before the event; all guards read the clocks as they were before the event).
// A start or reset trigger may carry `startAt`: the event data field holding the instant the period counts
// from, when the law counts from something other than the moment the event was recorded (an agreement's
// effectiveAt). Without it the clock starts at the event's occurredAt.
//
// Case endings, decided per policy below:
// - CaseClosed, CaseRejected and CaseMerged cancel the centre's own duties still running: nothing is owed
//   any more (a merged case's work goes on in the case it was merged into), and counting them as met
//   would inflate on-time rates. Exceptions where the event *is* the act owed:
//   CaseRejected stops the acceptance and reply clocks (a rejection is a written answer with the reason and
//   the right channel), CaseClosed stops petition-handle (办结).
// - CaseWithdrawn stops mediation-conclude (withdrawal is one way a mediation ends) and cancels the rest.
// - The two clocks that measure a party's own time limit (judicial-confirmation-apply, review-request) are
//   not cancelled by anything the centre does: the limit runs on after the file is closed, and its lapse
//   must stay on record (a late review request may be refused). They are not duties (onBreach escalates
//   and supervises nobody): at their due moment they lapse (ClockLapsed), they do not breach.

// Type-only: the event names and departments come from the events/ schemas, with no runtime dependency.
import type { EventType as CaseEventType } from '../../events/schemas.js';
import type { Department } from '../../events/vocabulary.js';
import type { PeriodUnit } from '../calendar/index.js';

export type { CaseEventType, Department };

/** A value an event's data field must have; null means the field is absent. A list means any of them. */
export type WhereValue = string | number | boolean | null;

export interface Trigger {
  type: CaseEventType;
  where?: Readonly<Record<string, WhereValue | readonly WhereValue[]>>;
  /** Only while this (unscoped) policy's clock is running or paused. */
  whileActive?: string;
  /** Start and reset only: the data field (an ISO instant) the period counts from instead of occurredAt. */
  startAt?: string;
  /**
   * Stop and cancel of a scoped policy only: an event without the scope field ends every clock of the
   * policy (a closed case ends each department's referral clock).
   */
  allScopes?: boolean;
}

/** Who may extend a clock: both parties together (调解), or the competent body's head (仲裁, 信访, 法院). */
export type ExtensionApproval = 'parties-consent' | 'head';

export interface ExtensionRule {
  /** The event carries the number of days in `data.days`. */
  on: Trigger;
  /** The statutory ceiling of all extensions together; beyond it the clock does not move. */
  maxTotalDays?: number;
  /** Who approves (absent in the 2025 set, where every extension was by party consent). */
  approval?: ExtensionApproval;
  /** The office that approves a head-approved extension, as a clerk names it. */
  approver?: { zh: string; en: string };
  /** Where the ceiling comes from: the law, or the centre's own policy (then written as such). */
  ceilingSource?: string;
}

export interface BreachAction {
  /** Move the case up one level (enterprise/village → town → county/city centre). */
  escalate: boolean;
  /** Issue 督办 to the head of the accountable department. */
  supervise: boolean;
  /** 'lead' = the case's lead department (the intake body before routing); 'scope' = the clock's scope. */
  accountable: Department | 'lead' | 'scope';
}

export interface SlaPolicy {
  id: string;
  name: { zh: string; en: string };
  limit: number;
  unit: PeriodUnit;
  source: string;
  /** A scoped policy runs one clock per value of this event data field, keyed `policyId:value`. */
  scopeBy?: string;
  start: readonly Trigger[];
  stop: readonly Trigger[];
  pause: readonly Trigger[];
  resume: readonly Trigger[];
  reset: readonly Trigger[];
  cancel: readonly Trigger[];
  extend: readonly ExtensionRule[];
  /** Fractions of the period after which a warning is due. */
  warnAt: readonly number[];
  onBreach: BreachAction;
}

export interface SlaPolicySet {
  version: string;
  policies: readonly SlaPolicy[];
}

const WARN_AT = [0.5, 0.75] as const;
const escalateTo = (accountable: BreachAction['accountable']): BreachAction => ({
  escalate: true,
  supervise: true,
  accountable,
});
const NO_ESCALATION: BreachAction = { escalate: false, supervise: false, accountable: 'lead' };

const on = (type: CaseEventType, extra: Omit<Trigger, 'type'> = {}): Trigger => ({ type, ...extra });
const fromDepartment = (type: CaseEventType, department: Department): Trigger => on(type, { where: { department } });
const extensionOf = (clock: string, maxTotalDays?: number): ExtensionRule => ({
  on: on('ExtensionAgreed', { where: { clock } }),
  ...(maxTotalDays === undefined ? {} : { maxTotalDays }),
});
const petitionTransfer = on('CaseReceived', { where: { channel: 'petition-transfer' } });

const none: readonly Trigger[] = [];
// The case is over for this engine: closed, withdrawn, rejected, or merged into another case (CaseMerged
// carries `intoCaseId`; the surviving case carries the work on).
const caseEnded: readonly Trigger[] = [on('CaseClosed'), on('CaseWithdrawn'), on('CaseRejected'), on('CaseMerged')];
const base = { pause: none, resume: none, reset: none, extend: [] as readonly ExtensionRule[], warnAt: WARN_AT };

/**
 * The first policy set (sla-2025.1): the base the current set is written against, as revisions below, so
 * that each revision reads as what it changes.
 */
export const slaPolicySet2025: SlaPolicySet = {
  version: 'sla-2025.1',
  policies: [
    {
      // From receipt until the reply (回音) reaches the complainant; a reopened case owes a new reply.
      ...base,
      id: 'complaint-reply',
      name: { zh: '投诉答复', en: 'Reply to the complainant' },
      limit: 7,
      unit: 'calendar-days',
      source: '员工投诉制度（seed 001）：工会接到投诉后……在七天内将结果答复投诉人或在企业张榜公布',
      start: [on('CaseReceived')],
      stop: [on('ReplySent'), on('CaseRejected')],
      reset: [on('CaseReopened')],
      cancel: [on('CaseClosed'), on('CaseWithdrawn'), on('CaseMerged')],
      onBreach: escalateTo('lead'),
    },
    {
      // Routing hands the case to the department responsible for the enterprise, which asks it to negotiate;
      // a scheduled or held session, or any outcome of the talks, is the enterprise's response.
      ...base,
      id: 'negotiation-response',
      name: { zh: '协商回应', en: 'Other side responds to the negotiation request' },
      limit: 5,
      unit: 'calendar-days',
      source:
        '企业劳动争议协商调解规定（人社部令第17号）第十条：一方当事人提出协商要求后，另一方当事人应当积极做出口头或者书面回应。5日内不做出回应的，视为不愿协商（条号待对照公报原文核实）',
      start: [on('CaseRouted')],
      stop: [on('SessionScheduled'), on('SessionHeld'), on('AgreementReached'), on('MediationFailed')],
      cancel: [...caseEnded, on('ReferredToArbitration'), on('ReferredToLitigation')],
      onBreach: escalateTo('lead'),
    },
    {
      // Every directly received case must be accepted or rejected; transferred petitions have their own
      // 15-day acceptance clock (petition-accept) instead.
      ...base,
      id: 'enterprise-committee-accept',
      name: { zh: '调解组织受理', en: 'Mediation committee accepts or rejects' },
      limit: 3,
      unit: 'working-days',
      source:
        '企业劳动争议协商调解规定（人社部令第17号）第二十一条：调解委员会接到调解申请后，对属于劳动争议受理范围且双方当事人同意调解的，应当在3个工作日内受理（条号待对照公报原文核实）',
      start: [on('CaseReceived', { where: { channel: ['walk-in', 'hotline-12351', 'online', 'screening'] } })],
      stop: [on('CaseAccepted'), on('CaseRejected')],
      cancel: [on('CaseClosed'), on('CaseWithdrawn'), on('CaseMerged')],
      onBreach: escalateTo('lead'),
    },
    {
      // The statute counts from receipt of the mediation application; this engine treats the accepted case as
      // the application, so the clock can start up to 3 working days later than a strict reading.
      // Referral to arbitration or litigation ends the mediation as surely as a failure does.
      ...base,
      id: 'mediation-conclude',
      name: { zh: '调解结案', en: 'Mediation concludes' },
      limit: 15,
      unit: 'calendar-days',
      source:
        '劳动争议调解仲裁法第十四条：自劳动争议调解组织收到调解申请之日起十五日内未达成调解协议的，当事人可以依法申请仲裁；浙江省劳动人事争议调解仲裁条例第十条（经双方当事人同意可以延长）',
      start: [on('CaseAccepted')],
      stop: [
        on('AgreementReached'),
        on('MediationFailed'),
        on('CaseWithdrawn'),
        on('ReferredToArbitration'),
        on('ReferredToLitigation'),
      ],
      pause: [on('CaseSuspended')],
      resume: [on('CaseResumed')],
      // ExtensionAgreed without data.clock extends this clock. Both parties' consent is the decider's check.
      extend: [{ on: on('ExtensionAgreed', { where: { clock: ['mediation-conclude', null] } }) }],
      cancel: [on('CaseClosed'), on('CaseRejected'), on('CaseMerged')],
      onBreach: escalateTo('lead'),
    },
    {
      // The parties' own 30 days to apply jointly; the centre watches it so it can remind them. The statute
      // counts from the agreement taking effect, which may precede its recording; the decider refuses a late
      // application by this clock's due moment.
      ...base,
      id: 'judicial-confirmation-apply',
      name: { zh: '申请司法确认', en: 'Apply for judicial confirmation' },
      limit: 30,
      unit: 'calendar-days',
      source: '人民调解法第三十三条：双方当事人可以自调解协议生效之日起三十日内共同向人民法院申请司法确认',
      start: [on('AgreementReached', { startAt: 'effectiveAt' })],
      stop: [on('JudicialConfirmationRequested')],
      cancel: none,
      onBreach: NO_ESCALATION,
    },
    {
      // No event of its own marks the court's acceptance: the court liaison records it by accepting the
      // court referral; a decision implies acceptance.
      ...base,
      id: 'court-confirmation-accept',
      name: { zh: '法院受理司法确认', en: 'Court accepts the confirmation application' },
      limit: 3,
      unit: 'calendar-days',
      source: '最高人民法院关于人民调解协议司法确认程序的若干规定（法释〔2011〕5号）第四条：人民法院收到当事人司法确认申请，应当在三日内决定是否受理',
      start: [on('JudicialConfirmationRequested')],
      stop: [fromDepartment('ReferralAccepted', 'court'), on('JudicialConfirmationGranted'), on('JudicialConfirmationRefused')],
      cancel: caseEnded,
      onBreach: escalateTo('court'),
    },
    {
      // Counted from the court's acceptance, i.e. the court referral accepted while the acceptance clock runs.
      ...base,
      id: 'court-confirmation-decide',
      name: { zh: '法院作出确认决定', en: 'Court decides on confirmation' },
      limit: 15,
      unit: 'calendar-days',
      source:
        '最高人民法院关于人民调解协议司法确认程序的若干规定（法释〔2011〕5号）第五条：应当自受理司法确认申请之日起十五日内作出是否确认的决定；因特殊情况需要延长的，经本院院长批准，可以延长十日',
      start: [on('ReferralAccepted', { where: { department: 'court' }, whileActive: 'court-confirmation-accept' })],
      stop: [on('JudicialConfirmationGranted'), on('JudicialConfirmationRefused')],
      extend: [extensionOf('court-confirmation-decide', 10)],
      cancel: caseEnded,
      onBreach: escalateTo('court'),
    },
    {
      // The arbitration commission sits in hr: accepting the hr referral, answering it (a written refusal)
      // or objecting to it are all its decision within the 5 days.
      ...base,
      id: 'arbitration-accept',
      name: { zh: '仲裁受理', en: 'Arbitration commission accepts' },
      limit: 5,
      unit: 'calendar-days',
      source: '劳动争议调解仲裁法第二十九条：劳动争议仲裁委员会收到仲裁申请之日起五日内，认为符合受理条件的，应当受理……不符合受理条件的，应当书面通知申请人不予受理',
      start: [on('ReferredToArbitration')],
      stop: [
        fromDepartment('ReferralAccepted', 'hr'),
        fromDepartment('ReferralAnswered', 'hr'),
        fromDepartment('ReferralObjected', 'hr'),
      ],
      cancel: caseEnded,
      onBreach: escalateTo('hr'),
    },
    {
      // From the commission's acceptance to its answer (the award). Suspension is excluded (办案规则).
      // The restarts of 办案规则 第四十五至四十七条 (added party, corrected materials, changed claims) have no
      // event in the case stream yet; when one is added it belongs in `reset` here.
      ...base,
      id: 'arbitration-award',
      name: { zh: '仲裁裁决', en: 'Arbitration award' },
      limit: 45,
      unit: 'calendar-days',
      source:
        '劳动争议调解仲裁法第四十三条：应当自劳动争议仲裁委员会受理仲裁申请之日起四十五日内结束；案情复杂需要延期的，经劳动争议仲裁委员会主任批准，可以延期并书面通知当事人，但是延长期限不得超过十五日',
      start: [on('ReferralAccepted', { where: { department: 'hr' }, whileActive: 'arbitration-accept' })],
      stop: [fromDepartment('ReferralAnswered', 'hr')],
      pause: [on('CaseSuspended')],
      resume: [on('CaseResumed')],
      extend: [extensionOf('arbitration-award', 15)],
      cancel: caseEnded,
      onBreach: escalateTo('hr'),
    },
    {
      ...base,
      id: 'petition-register-route',
      name: { zh: '信访登记转送', en: 'Petition registered and routed' },
      limit: 15,
      unit: 'calendar-days',
      source: '信访工作条例第二十二条：信访部门收到信访事项，应当予以登记，并区分情况，在15日内分别按照下列方式处理',
      start: [petitionTransfer],
      stop: [on('CaseRouted'), on('CaseRejected')],
      cancel: [on('CaseClosed'), on('CaseWithdrawn'), on('CaseMerged')],
      onBreach: escalateTo('petitions'),
    },
    {
      ...base,
      id: 'petition-accept',
      name: { zh: '信访受理告知', en: 'Petition accepted or not, in writing' },
      limit: 15,
      unit: 'calendar-days',
      source: '信访工作条例第二十三条：对转送、交办的信访事项……应当自收到之日起15日内书面告知信访人接收情况以及处理途径和程序',
      start: [petitionTransfer],
      stop: [on('CaseAccepted'), on('CaseRejected')],
      cancel: [on('CaseClosed'), on('CaseWithdrawn'), on('CaseMerged')],
      onBreach: escalateTo('lead'),
    },
    {
      // One clock per department referred; any answer from that department ends its objection window.
      ...base,
      id: 'referral-objection',
      name: { zh: '交办异议', en: 'Objection to a mis-routed referral' },
      limit: 5,
      unit: 'working-days',
      source: '信访工作条例第二十三条：不属于本机关、单位或者本系统职权范围的，有关机关、单位应当自收到之日起5个工作日内提出异议，并详细说明理由',
      scopeBy: 'department',
      start: [on('ReferralOpened')],
      stop: [on('ReferralAccepted'), on('ReferralAnswered'), on('ReferralObjected')],
      cancel: caseEnded,
      onBreach: escalateTo('scope'),
    },
    {
      // From acceptance of a transferred petition to its conclusion (办结 = the case is closed).
      ...base,
      id: 'petition-handle',
      name: { zh: '信访办结', en: 'Petition handled' },
      limit: 60,
      unit: 'calendar-days',
      source: '信访工作条例第三十四条：信访事项应当自受理之日起60日内办结；情况复杂的，经本机关、单位负责人批准，可以适当延长办理期限，但延长期限不得超过30日，并告知信访人延期理由',
      start: [on('CaseAccepted', { whileActive: 'petition-accept' })],
      stop: [on('CaseClosed')],
      extend: [extensionOf('petition-handle', 30)],
      cancel: [on('CaseWithdrawn'), on('CaseRejected'), on('CaseMerged')],
      onBreach: escalateTo('lead'),
    },
    {
      // The petitioner's 30 days to ask for a review, from the written handling opinion (given at closure).
      // A second review round (复核) is not modelled: it would need its own start event.
      ...base,
      id: 'review-request',
      name: { zh: '请求复查', en: 'Review requested' },
      limit: 30,
      unit: 'calendar-days',
      source: '信访工作条例第三十五条：信访人对信访事项处理意见不服的，可以自收到书面答复之日起30日内请求原办理机关、单位的上一级机关、单位复查',
      start: [on('CaseClosed', { whileActive: 'petition-handle' })],
      stop: [on('RecheckOpened', { where: { reason: 'review-request' } })],
      cancel: none,
      onBreach: NO_ESCALATION,
    },
    {
      // A re-check opened on the petitioner's request is a 复查 (a low satisfaction score opens a re-check
      // too, without this statutory limit); its written opinion ends the clock.
      ...base,
      id: 'review-decide',
      name: { zh: '复查答复', en: 'Review decided' },
      limit: 30,
      unit: 'calendar-days',
      source: '信访工作条例第三十五、三十六条：收到复查请求之日起30日内提出复查意见，并予以书面答复',
      start: [on('RecheckOpened', { where: { reason: 'review-request' } })],
      stop: [on('ReplySent'), on('CaseClosed')],
      cancel: [on('CaseWithdrawn'), on('CaseMerged')],
      onBreach: escalateTo('lead'),
    },
  ],
};

// ---------------------------------------------------------------- sla-2026.1

const endsCase = (extra: Omit<Trigger, 'type'> = {}): readonly Trigger[] =>
  caseEnded.map((t) => ({ ...t, ...extra }));

/**
 * The mediation's own ceiling. The law names none: 第十四条 only lets the parties seek arbitration after 15
 * days, and 浙江省劳动人事争议调解仲裁条例 第十条 allows an extension by both parties' consent without a limit.
 * So this is the centre's policy, configurable here: at most 15 days more in all (one more statutory
 * period), after which the parties are pointed to arbitration.
 */
export const MEDIATION_EXTENSION_CEILING_DAYS = 15;

const headExtension = (clock: string, maxTotalDays: number, approver: { zh: string; en: string }, ceilingSource: string): ExtensionRule => ({
  on: on('ExtensionApproved', { where: { clock } }),
  maxTotalDays,
  approval: 'head',
  approver,
  ceilingSource,
});

/**
 * What sla-2026.1 changes from sla-2025.1:
 * - a case ending (closed, withdrawn, rejected, merged) ends every department's referral-objection clock
 *   (before, those clocks ignored events without a department, so a closed case could still breach); a
 *   referral closed with its case (ReferralClosed) cancels its own clock;
 * - a reopened mediation (agreement not performed, new facts) gets its mediation clock again, counted
 *   afresh from the reopening;
 * - the mediation extension has a ceiling (the centre's policy, above);
 * - the arbitration award, petition handling and the court's confirmation decision are extended by their
 *   head's approval (ExtensionApproved), within the statute's ceiling, not by the parties' consent.
 */
function revise(policy: SlaPolicy): SlaPolicy {
  switch (policy.id) {
    case 'mediation-conclude':
      return {
        ...policy,
        reset: [on('CaseReopened', { where: { reason: ['agreement-not-performed', 'new-facts'] } })],
        extend: [
          {
            on: on('ExtensionAgreed', { where: { clock: ['mediation-conclude', null] } }),
            maxTotalDays: MEDIATION_EXTENSION_CEILING_DAYS,
            approval: 'parties-consent',
            ceilingSource:
              '本中心规定（可配置）：调解延期须经双方当事人同意（浙江省劳动人事争议调解仲裁条例 第十条），累计不超过15日；法律未规定上限',
          },
        ],
      };
    case 'arbitration-award':
      return {
        ...policy,
        extend: [headExtension('arbitration-award', 15, { zh: '仲裁委员会主任', en: 'the arbitration commission chair' }, '劳动争议调解仲裁法 第四十三条')],
      };
    case 'petition-handle':
      return {
        ...policy,
        extend: [headExtension('petition-handle', 30, { zh: '信访办理机关负责人', en: 'the head of the body handling the petition' }, '信访工作条例 第三十四条')],
      };
    case 'court-confirmation-decide':
      return {
        ...policy,
        extend: [headExtension('court-confirmation-decide', 10, { zh: '法院院长', en: 'the court president' }, '法释〔2011〕5号 第五条')],
      };
    case 'referral-objection':
      return {
        ...policy,
        cancel: [...endsCase({ allScopes: true }), on('ReferralClosed')],
      };
    default:
      return policy;
  }
}

const accepts = (application: 'judicial-confirmation' | 'arbitration', extra: Omit<Trigger, 'type' | 'where'> = {}): Trigger =>
  on('ApplicationAccepted', { where: { application }, ...extra });

/**
 * What sla-2026.2 changes from sla-2026.1: the acceptance of an application is the body's own act
 * (ApplicationAccepted), distinct from its joining the mediation. In the usual route the court and hr sit in
 * the mediation with a referral accepted long before, so no referral of theirs could record the acceptance
 * and the acceptance clock breached with nothing the centre could do. Now ApplicationAccepted stops the
 * acceptance clock and starts the decision (award) clock. The referral triggers stay for histories recorded
 * before, where accepting the referral the application opened was the acceptance; the decider no longer
 * lets a referral be accepted while its department's application awaits acceptance, so in new histories they
 * never fire. Triggers on a new event type change no recorded history.
 */
function revise21(policy: SlaPolicy): SlaPolicy {
  switch (policy.id) {
    case 'court-confirmation-accept':
      return { ...policy, stop: [accepts('judicial-confirmation'), ...policy.stop] };
    case 'court-confirmation-decide':
      return { ...policy, start: [accepts('judicial-confirmation', { whileActive: 'court-confirmation-accept' }), ...policy.start] };
    case 'arbitration-accept':
      return { ...policy, stop: [accepts('arbitration'), ...policy.stop] };
    case 'arbitration-award':
      return { ...policy, start: [accepts('arbitration', { whileActive: 'arbitration-accept' }), ...policy.start] };
    default:
      return policy;
  }
}

export const slaPolicySet: SlaPolicySet = {
  version: 'sla-2026.2',
  policies: slaPolicySet2025.policies.map(revise).map(revise21),
};

export function policyById(policies: SlaPolicySet, id: string): SlaPolicy | undefined {
  return policies.policies.find((p) => p.id === id);
}

/** What a breach of this policy requires of the case decider (CaseEscalated, SupervisionIssued). */
export function breachAction(policy: SlaPolicy): BreachAction {
  return policy.onBreach;
}
