// decide(state, command, context) → events or a rejection. Pure: no clock, no I/O, no randomness.
//
// Shape (emmett style): check the command and the actor once, then one function per command under a
// top-level switch with an exhaustive `never` check. The functions live in decide/, one file per section
// of the lifecycle (intake, referrals, mediation, supervision, outcomes, closing; shared helpers). Each
// function reads top to bottom: the status it needs, the rules of the domain, the events it emits.
import { CalendarRangeError } from '../calendar/index.js';
import { allowedRoles, blockedWhileSuspended } from './authority.js';
import { evolve } from './evolve.js';
import { CaseCommandSchema, commandDataSchema, type CaseCommand, type CommandOf } from './commands.js';
import { checkContext, Emitter, reject, rejectAll, rejection, type Decision, type DecisionContext } from './decision.js';
import { textProblemKey } from '../text/index.js';
import { schemaTextProblems } from '../text/fields.js';
import { MAX_EVENT_BYTES, publishedBytes } from '../../events/limits.js';
import type { UnsealedEvent } from '../../events/schemas.js';
import { withEdition, type CaseState } from './state.js';
import {
  closeCase,
  erasePersonalData,
  linkCase,
  mergeCase,
  recordFeedback,
  recordMergedDuplicate,
  reopenCase,
  sendReply,
} from './decide/closing.js';
import { acceptCase, classifyCase, receiveCase, rejectCase, routeCase } from './decide/intake.js';
import { agreeExtension, approveExtension, holdSession, resumeCase, scheduleSession, suspendCase } from './decide/mediation.js';
import {
  acceptApplication,
  decideJudicialConfirmation,
  recordAgreement,
  recordMediationFailure,
  recordPayment,
  referToArbitration,
  referToLitigation,
  requestJudicialConfirmation,
  withdrawCase,
} from './decide/outcomes.js';
import { acceptReferral, answerReferral, markReferralOverdue, objectToReferral, openReferral } from './decide/referrals.js';
import { answerSupervision, checkClocks, escalateCase, issueSupervision } from './decide/supervision.js';

export function decide(stored: CaseState, command: CaseCommand, context: DecisionContext): Decision {
  const state = withEdition(stored);
  const decision = decideCommand(state, command, context);
  if (!decision.ok) return decision;
  // The events must fold: evolve also recomputes the SLA clocks on the calendar. A deadline after the
  // loaded years no longer fails (the clock is counted provisionally, see domain/sla/clock.ts), but a
  // clock starting before them still does; finding that out here rejects the command cleanly instead of
  // sealing events that the workflow then cannot apply.
  try {
    decision.events.reduce<CaseState>((folded, event) => evolve(folded, event, context.sla), state);
  } catch (error) {
    if (error instanceof CalendarRangeError) return reject('illegal-state', 'calendar.out-of-range', { detail: error.message });
    throw error;
  }
  return tooLarge(decision.events) ?? decision;
}

// Hash fields as sealing adds them (fixed length), so the size measured is the size published.
const SEALED = { prevHash: '0'.repeat(64), hash: '0'.repeat(64) };

/**
 * An event larger than the broker takes could never be published: its case's outbox would be stuck behind
 * it for good. Refused here, naming the event and the field that makes it large (events/limits.ts).
 */
function tooLarge(events: readonly UnsealedEvent[]): Decision | undefined {
  for (const event of events) {
    const bytes = publishedBytes({ ...event, ...SEALED });
    if (bytes <= MAX_EVENT_BYTES) continue;
    const fields = Object.entries(event.data as Record<string, unknown>).map(([name, value]) => ({ name, bytes: publishedBytes(value ?? null) }));
    const largest = fields.reduce((a, b) => (b.bytes > a.bytes ? b : a), { name: 'data', bytes: 0 });
    return reject('validation', 'event.too-large', { eventType: event.type, field: largest.name, bytes, limit: MAX_EVENT_BYTES });
  }
  return undefined;
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
  // The plain text the core sees (names at intake, every field the edge does not encrypt); the edge runs the
  // same check on the free text before it encrypts it.
  const badText = schemaTextProblems(commandDataSchema(cmd.type), cmd.data);
  if (badText.length > 0) return rejectAll(badText.map((p) => rejection('validation', textProblemKey[p.kind], { field: p.field, codePoint: p.codePoint })));
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
    case 'AcceptApplication':
      return acceptApplication(state, cmd, e, context);
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
    case 'ErasePersonalData':
      return erasePersonalData(state, cmd, e, context);
    default: {
      const unhandled: never = cmd;
      throw new Error(`decide: unhandled command ${JSON.stringify(unhandled)}`);
    }
  }
}

/**
 * The intake decision without a case: what the API runs before it starts a workflow, so a case the core
 * would refuse is answered with its rejection (4xx) and no case number is burnt. The workflow then runs
 * the same decide() on the same command.
 */
export function decideIntake(command: CommandOf<'ReceiveCase'>, context: DecisionContext): Decision {
  return decide({ status: 'none' }, command, context);
}

export { limitationLastDay } from './decide/intake.js';
