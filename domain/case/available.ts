// Which commands an actor may send on a case now, found by asking decide() itself: each command is tried
// on the current state with harmless probe data (a dry run, nothing is written), once per target where a
// command names one (a referral, a session, a notice, a clock). The console shows only these actions, so
// no rule of the core is copied into it.
//
// A probe the core refuses for its data ('validation': e.g. a session time in the past) still counts as
// available: what the user enters decides. Refusals for the state ('illegal-state'), the actor
// ('forbidden') or a missing target ('not-found') mean the action is not open to this actor now.
import { chinaDateOf } from '../calendar/index.js';
import { Department } from '../../events/vocabulary.js';
import { Application } from '../../events/schemas.js';
import type { CaseCommand, CommandType } from './commands.js';
import { decide } from './decide.js';
import type { DecisionContext, Rejection } from './decision.js';
import type { CaseState, OpenCase } from './state.js';

/** What an action is aimed at, when its command names a target. */
export interface ActionTarget {
  referralId?: string;
  sessionId?: string;
  noticeId?: string;
  clock?: string;
  department?: Department;
}

export interface AvailableAction {
  type: CommandType;
  target?: ActionTarget;
  /** Moves the case towards its outcome, reply and closing (what makes a case "waiting for me"). */
  nextStep: boolean;
}

/** Commands that are someone's next piece of work on a case; the others can be taken at any time. */
const NEXT_STEPS: ReadonlySet<CommandType> = new Set<CommandType>([
  'AcceptCase',
  'ClassifyCase',
  'RouteCase',
  'AcceptReferral',
  'AnswerReferral',
  'ScheduleSession',
  'HoldSession',
  'RecordAgreement',
  'AnswerSupervision',
  'AcceptApplication',
  'GrantJudicialConfirmation',
  'RefuseJudicialConfirmation',
  'SendReply',
  'RecordFeedback',
  'CloseCase',
]);

/** Commands not offered to people: the workflow sends them, or the API sends them on another's behalf. */
// ErasePersonalData has its own route (POST /cases/:id/erase-personal-data), which also destroys the keys.
const NOT_OFFERED: ReadonlySet<CommandType> = new Set<CommandType>(['ReceiveCase', 'CheckClocks', 'RecordMergedDuplicate', 'MarkReferralOverdue', 'ErasePersonalData']);

export type Probe = { data: Record<string, unknown>; target?: ActionTarget; mergeTarget?: DecisionContext['mergeTarget'] };

const HOUR = 3_600_000;

/** Well-formed data for each command on this case, one probe per target it can name (the dry run's, and the duty property test's). */
export function probesFor(type: CommandType, c: OpenCase, now: string): Probe[] {
  const later = new Date(Date.parse(now) + HOUR).toISOString();
  const today = chinaDateOf(now);
  const other = `${c.caseId}-probe`;
  const referrals = Object.values(c.referrals);
  switch (type) {
    case 'AcceptCase':
    case 'RouteCase':
    case 'ResumeCase':
    case 'CloseCase':
      return [{ data: {} }];
    case 'RejectCase':
      return [{ data: { reasonCode: 'not-a-labour-dispute', explanation: '-', redirectTo: 'civil-court' } }];
    case 'ClassifyCase':
      return [{ data: { disputeType: c.disputeType ?? c.claim.disputeTypeHint ?? 'wage-arrears' } }];
    case 'OpenReferral':
      return Department.options.map((department) => ({ data: { department, task: '-' }, target: { department } }));
    case 'AcceptReferral':
      return referrals.map((r) => ({ data: { referralId: r.referralId }, target: { referralId: r.referralId, department: r.department } }));
    case 'AnswerReferral':
      return referrals.map((r) => ({ data: { referralId: r.referralId, opinion: '-' }, target: { referralId: r.referralId, department: r.department } }));
    case 'ObjectToReferral':
      return referrals.map((r) => ({ data: { referralId: r.referralId, reason: '-' }, target: { referralId: r.referralId, department: r.department } }));
    case 'MarkReferralOverdue':
      return referrals.map((r) => ({ data: { referralId: r.referralId }, target: { referralId: r.referralId } }));
    case 'ScheduleSession':
      return [{ data: { at: later, place: '-', departments: [c.route?.leadDepartment ?? 'justice'] } }];
    case 'HoldSession':
      return Object.values(c.sessions).map((s) => ({
        data: { sessionId: s.sessionId, outcome: 'progress', minutes: '-', departmentOpinions: [] },
        target: { sessionId: s.sessionId },
      }));
    case 'AgreeExtension':
      return [{ data: { days: 1, complainantConsents: true, respondentConsents: true, reason: '-' } }];
    case 'ApproveExtension':
      return Object.keys(c.clocks).map((clock) => ({
        data: { days: 1, clock, approvedBy: '-', reason: '-', partiesNotified: '-' },
        target: { clock },
      }));
    case 'SuspendCase':
      return [{ data: { reason: 'awaiting-materials' } }];
    case 'EscalateCase':
    case 'IssueSupervision':
      return [{ data: { note: '-' } }];
    case 'AnswerSupervision':
      return Object.values(c.supervision).map((n) => ({ data: { noticeId: n.noticeId, response: '-' }, target: { noticeId: n.noticeId, department: n.department } }));
    case 'RecordAgreement':
      return [{ data: { totalAmountFen: 100, items: [{ kind: 'wages', amountFen: 100 }], schedule: [{ dueOn: today, amountFen: 100 }], terms: '-' } }];
    case 'RequestJudicialConfirmation':
      return [{ data: { court: '-', jointApplication: true } }];
    case 'AcceptApplication':
      return Application.options.map((application) => ({ data: { application } }));
    case 'GrantJudicialConfirmation':
      return [{ data: { rulingRef: '-' } }];
    case 'RefuseJudicialConfirmation':
      return [{ data: { reason: '-' } }];
    case 'RecordPayment':
      return [{ data: { amountFen: 1, paidOn: today } }];
    case 'RecordMediationFailure':
      return [{ data: { reason: 'no-agreement' } }];
    case 'ReferToArbitration':
      return [{ data: { commission: '-' } }];
    case 'ReferToLitigation':
      return [{ data: { court: '-', paymentOrder: false } }];
    case 'WithdrawCase':
      return [{ data: { reason: '-' } }];
    case 'SendReply':
      return [{ data: { method: 'written', summary: '-' } }];
    case 'RecordFeedback':
      return [{ data: { score: 3 } }];
    case 'ReopenCase':
      return [{ data: { reason: 'new-facts', note: '-' } }];
    case 'MergeCase':
      return [{ data: { intoCaseId: other, reason: '-' }, mergeTarget: { caseId: other, status: 'received' } }];
    case 'LinkCase':
      return [{ data: { linkedCaseId: other, relation: 'related' } }];
    case 'ReceiveCase':
    case 'CheckClocks':
    case 'RecordMergedDuplicate':
    case 'ErasePersonalData':
      return [];
    default: {
      const unhandled: never = type;
      throw new Error(`availableActions: no probe for ${String(unhandled)}`);
    }
  }
}

/** Only the data decides: the state, the actor and the target allow the command. */
const onlyData = (r: Rejection) => r.code === 'validation' && (r.problems ?? [r]).every((p) => p.code === 'validation');

/**
 * The actions `context.actor` may take on the case at `context.now`, in the order of COMMAND_TYPES.
 * Pure, like decide(): the same state and context give the same list.
 */
export function availableActions(state: CaseState, types: readonly CommandType[], context: DecisionContext): AvailableAction[] {
  if (state.status === 'none') return [];
  const out: AvailableAction[] = [];
  for (const type of types) {
    if (NOT_OFFERED.has(type)) continue;
    for (const probe of probesFor(type, state, context.now)) {
      const command = { type, caseId: state.caseId, data: probe.data } as CaseCommand;
      const decision = decide(state, command, { ...context, ...(probe.mergeTarget ? { mergeTarget: probe.mergeTarget } : {}) });
      if (decision.ok || onlyData(decision.rejection)) {
        out.push({ type, ...(probe.target ? { target: probe.target } : {}), nextStep: NEXT_STEPS.has(type) });
      }
    }
  }
  return out;
}
