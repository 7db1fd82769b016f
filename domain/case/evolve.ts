// evolve(state, event) → state. Pure, total and never mutating: every branch returns new objects.
// Every event also goes through the SLA clocks (evolveClocks), so the clocks in the state are always
// those the case's history implies under its rules edition's policies and calendar (or, when a caller
// passes `sla`, under those: a recomputation).
import type { CaseEvent, EventOf, EventType, UnsealedEvent } from '../../events/schemas.js';
import { evolveClocks, rulesEditionOf, slaOf, type SlaSetup } from './clocks.js';
import { initialState, OUTCOME_STATUSES, withEdition, type CaseState, type OpenCase } from './state.js';

/** What evolve reads of an event: sealed events (with prevHash and hash) are accepted as they are. */
type Evolvable = UnsealedEvent | CaseEvent;
type Of<T extends EventType> = Omit<EventOf<T>, 'prevHash' | 'hash'>;

export function evolve(stored: CaseState, event: Evolvable, sla?: SlaSetup): CaseState {
  const state = withEdition(stored);
  if (state.status === 'none') {
    // Before CaseReceived there is no case; anything else cannot start one.
    return event.type === 'CaseReceived' ? received(event, sla ?? slaOf(event.data.rulesEdition)) : state;
  }
  const next = apply(state, event);
  const { policies, calendar } = sla ?? slaOf(state.rulesEdition);
  return { ...next, version: event.sequence, clocks: evolveClocks(next.clocks, event, policies, calendar) };
}

/** Folds a whole history, oldest first. */
export function foldEvents(events: readonly Evolvable[], sla?: SlaSetup): CaseState {
  return events.reduce<CaseState>((state, event) => evolve(state, event, sla), initialState);
}

function received(event: Of<'CaseReceived'>, sla: SlaSetup): CaseState {
  const { data } = event;
  return {
    status: 'received',
    caseId: event.caseId,
    version: event.sequence,
    receivedAt: event.occurredAt,
    receivedBy: event.actor,
    channel: data.channel,
    complainantRefs: data.complainants.map((c) => c.personId),
    workerCount: data.workerCount,
    collective: data.collective,
    priority: data.priority,
    respondent: data.respondent,
    claim: data.claim,
    routingRulesVersion: data.routingRulesVersion,
    rulesEdition: rulesEditionOf(data.rulesEdition),
    disputeType: null,
    route: null,
    level: data.respondent.level,
    referrals: {},
    sessions: {},
    supervision: {},
    collectiveAlerted: false,
    suspended: null,
    extensionDays: 0,
    clocks: evolveClocks({}, event, sla.policies, sla.calendar),
    agreement: null,
    outcome: null,
    repliesSent: 0,
    feedbackScore: null,
    recheckOpen: false,
    reopenCount: 0,
    reopenedAt: null,
    mergedFrom: [],
    links: [],
    mergedInto: null,
  };
}

function apply(state: OpenCase, event: Evolvable): OpenCase {
  switch (event.type) {
    case 'CaseReceived':
      // A second CaseReceived cannot happen (decide refuses it); ignoring it keeps evolve total.
      return state;
    case 'CaseAccepted':
      return { ...state, status: 'accepted' };
    case 'CaseRejected':
      return { ...state, status: 'rejected', outcome: 'rejected' };
    case 'CaseClassified':
      return {
        ...state,
        status: 'classified',
        disputeType: event.data.disputeType,
        workerCount: event.data.workerCount,
        collective: event.data.collective,
        priority: event.data.collective ? 'urgent' : state.priority,
      };
    case 'CaseRouted': {
      const { data } = event;
      return {
        ...state,
        // A re-route during mediation keeps the mediation going.
        status: state.status === 'classified' ? 'routed' : state.status,
        level: data.level,
        route: {
          ruleId: data.ruleId,
          rulesVersion: data.rulesVersion,
          leadDepartment: data.leadDepartment,
          joiningDepartments: data.joiningDepartments,
          timeLimitDays: data.timeLimitDays,
          accountableUnit: data.accountableUnit,
        },
      };
    }
    case 'ReferralOpened':
      return {
        ...state,
        referrals: {
          ...state.referrals,
          [event.data.referralId]: {
            referralId: event.data.referralId,
            department: event.data.department,
            status: 'open',
            overdue: false,
            openedAt: event.occurredAt,
          },
        },
      };
    case 'ReferralAccepted':
      return updateReferral(state, event.data.referralId, { status: 'accepted' });
    case 'ReferralAnswered':
      return updateReferral(state, event.data.referralId, { status: 'answered' });
    case 'ReferralObjected':
      return updateReferral(state, event.data.referralId, { status: 'objected' });
    case 'ReferralClosed':
      return updateReferral(state, event.data.referralId, { status: 'closed' });
    case 'ReferralOverdue':
      return updateReferral(state, event.data.referralId, { overdue: true });
    case 'SessionScheduled':
      return {
        ...state,
        status: 'in-mediation',
        sessions: {
          ...state.sessions,
          [event.data.sessionId]: { sessionId: event.data.sessionId, at: event.data.at, status: 'scheduled' },
        },
      };
    case 'SessionHeld': {
      const session = state.sessions[event.data.sessionId];
      if (!session) return state;
      return { ...state, sessions: { ...state.sessions, [session.sessionId]: { ...session, status: 'held', heldAt: event.occurredAt } } };
    }
    case 'ExtensionAgreed':
      return { ...state, extensionDays: state.extensionDays + event.data.days };
    case 'ExtensionApproved':
      return { ...state, extensionDays: state.extensionDays + event.data.days };
    case 'CaseSuspended':
      return { ...state, suspended: { reason: event.data.reason, since: event.occurredAt } };
    case 'CaseResumed':
      return { ...state, suspended: null };
    case 'ClockWarned':
    case 'ClockBreached':
    case 'ClockLapsed':
      // Recorded in the clocks themselves (evolveClocks), so CheckClocks announces each once.
      return state;
    case 'CaseEscalated':
      return { ...state, level: event.data.toLevel };
    case 'SupervisionIssued':
      return {
        ...state,
        collectiveAlerted: state.collectiveAlerted || event.data.reason === 'collective-dispute',
        supervision: {
          ...state.supervision,
          [event.data.noticeId]: {
            noticeId: event.data.noticeId,
            department: event.data.department,
            reason: event.data.reason,
            dueAt: event.data.dueAt,
            answered: false,
          },
        },
      };
    case 'SupervisionAnswered': {
      const notice = state.supervision[event.data.noticeId];
      if (!notice) return state;
      return { ...state, supervision: { ...state.supervision, [notice.noticeId]: { ...notice, answered: true } } };
    }
    case 'AgreementReached':
      return {
        ...state,
        status: 'agreement',
        outcome: 'agreement',
        agreement: {
          agreementId: event.data.agreementId,
          totalAmountFen: event.data.totalAmountFen,
          paidFen: 0,
          effectiveAt: event.data.effectiveAt,
          judicial: 'none',
        },
      };
    case 'JudicialConfirmationRequested':
      return updateAgreement(state, { judicial: 'requested' });
    case 'ApplicationAccepted':
      // The acceptance lives in the clocks: it stops the acceptance clock and starts the decision clock.
      return state;
    case 'JudicialConfirmationGranted':
      return updateAgreement(state, { judicial: 'granted' });
    case 'JudicialConfirmationRefused':
      return updateAgreement(state, { judicial: 'refused' });
    case 'PaymentRecorded':
      return updateAgreement(state, { paidFen: event.data.paidToDateFen });
    case 'MediationFailed':
      return { ...state, status: 'mediation-failed', outcome: 'mediation-failed' };
    case 'ReferredToArbitration':
      return { ...state, status: 'referred-out', outcome: 'referred-to-arbitration' };
    case 'ReferredToLitigation':
      return { ...state, status: 'referred-out', outcome: 'referred-to-litigation' };
    case 'CaseWithdrawn':
      return { ...state, status: 'withdrawn', outcome: 'withdrawn', suspended: null };
    case 'ReplySent':
      // A reply before the outcome (回音: accepted, being mediated) stops the reply clock but is not the
      // result: the case stays where it is. With an outcome (or a re-check open) it is the result's reply.
      if (!OUTCOME_STATUSES.includes(state.status) && !state.recheckOpen) return { ...state, repliesSent: state.repliesSent + 1 };
      return { ...state, status: 'replied', repliesSent: state.repliesSent + 1, recheckOpen: false, feedbackScore: null };
    case 'FeedbackRecorded':
      return { ...state, feedbackScore: event.data.score };
    case 'RecheckOpened':
      return { ...state, recheckOpen: true };
    case 'CaseClosed':
      return { ...state, status: 'closed' };
    case 'CaseReopened':
      if (event.data.reason === 'recheck') {
        // A review (复查) reconsiders the reply, not the outcome: the case waits for a new reply.
        return { ...state, status: 'replied', reopenCount: state.reopenCount + 1, reopenedAt: event.occurredAt };
      }
      return {
        ...state,
        // Back to mediation when the case had a route, otherwise back to intake.
        status: state.route ? 'in-mediation' : 'received',
        outcome: null,
        feedbackScore: null,
        recheckOpen: false,
        reopenCount: state.reopenCount + 1,
        reopenedAt: event.occurredAt,
      };
    case 'CaseMerged':
      return { ...state, outcome: 'merged', mergedInto: event.data.intoCaseId, suspended: null };
    case 'DuplicateMergedIn':
      return { ...state, mergedFrom: [...state.mergedFrom, event.data.fromCaseId] };
    case 'CaseLinked':
      return { ...state, links: [...state.links, event.data.linkedCaseId] };
    case 'PersonalDataErased':
      // Nothing the case's rules, clocks or figures read: the erasure is on record, the case is unchanged.
      return { ...state, personalDataErased: true };
    default: {
      const unhandled: never = event;
      throw new Error(`evolve: unhandled event ${JSON.stringify(unhandled)}`);
    }
  }
}

function updateReferral(state: OpenCase, referralId: string, change: Partial<OpenCase['referrals'][string]>): OpenCase {
  const referral = state.referrals[referralId];
  if (!referral) return state;
  return { ...state, referrals: { ...state.referrals, [referralId]: { ...referral, ...change } } };
}

function updateAgreement(state: OpenCase, change: Partial<NonNullable<OpenCase['agreement']>>): OpenCase {
  if (!state.agreement) return state;
  return { ...state, agreement: { ...state.agreement, ...change } };
}
