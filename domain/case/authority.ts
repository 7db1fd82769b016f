// Who may issue which command. Table-driven so it reads as a policy, not as code.
//
// - An auditor reads everything and changes nothing: it appears in no row.
// - A department liaison acts only for its own department: on that department's referral, supervision
//   notice, or (court) judicial confirmation. decide.ts checks the department once the target is known.
// - A supervisor may act on anything a mediator may, and issues and answers supervision (督办).
// - 'system' is the workflow itself (timers, automatic intake from screening and the hotline).
import type { Role } from '../../events/vocabulary.js';
import type { CommandType } from './commands.js';

const STAFF: readonly Role[] = ['intake-clerk', 'mediator', 'supervisor'];
const MEDIATION: readonly Role[] = ['mediator', 'supervisor'];
const REFERRAL: readonly Role[] = ['department-liaison', 'mediator', 'supervisor'];

export const allowedRoles: Readonly<Record<CommandType, readonly Role[]>> = {
  ReceiveCase: ['intake-clerk', 'supervisor', 'system', 'department-liaison'],
  AcceptCase: STAFF,
  RejectCase: STAFF,
  ClassifyCase: STAFF,
  RouteCase: [...STAFF, 'system'],
  OpenReferral: MEDIATION,
  AcceptReferral: REFERRAL,
  AnswerReferral: REFERRAL,
  ObjectToReferral: ['department-liaison', 'supervisor'],
  MarkReferralOverdue: ['supervisor', 'system'],
  ScheduleSession: MEDIATION,
  HoldSession: MEDIATION,
  AgreeExtension: MEDIATION,
  // The head's approval is recorded by the body's liaison (its own clock only) or a supervisor.
  ApproveExtension: ['department-liaison', 'supervisor'],
  SuspendCase: MEDIATION,
  ResumeCase: MEDIATION,
  CheckClocks: ['system', 'supervisor'],
  EscalateCase: ['supervisor'],
  IssueSupervision: ['supervisor'],
  AnswerSupervision: ['supervisor', 'department-liaison'],
  RecordAgreement: MEDIATION,
  RequestJudicialConfirmation: MEDIATION,
  GrantJudicialConfirmation: ['department-liaison', 'supervisor'],
  RefuseJudicialConfirmation: ['department-liaison', 'supervisor'],
  RecordPayment: MEDIATION,
  RecordMediationFailure: MEDIATION,
  ReferToArbitration: MEDIATION,
  ReferToLitigation: MEDIATION,
  WithdrawCase: [...STAFF, 'complainant'],
  SendReply: STAFF,
  RecordFeedback: [...STAFF, 'complainant', 'system'],
  CloseCase: MEDIATION,
  ReopenCase: MEDIATION,
  MergeCase: ['intake-clerk', 'supervisor'],
  RecordMergedDuplicate: ['intake-clerk', 'supervisor', 'system'],
  LinkCase: STAFF,
};

/**
 * Commands that would move a suspended case forward. Suspension (waiting for materials, a party away)
 * stops the work, not the bookkeeping: referrals, supervision, clocks, links and withdrawal go on.
 */
export const blockedWhileSuspended: ReadonlySet<CommandType> = new Set<CommandType>([
  'AcceptCase',
  'RejectCase',
  'ClassifyCase',
  'RouteCase',
  'ScheduleSession',
  'HoldSession',
  'AgreeExtension',
  'ApproveExtension',
  'RecordAgreement',
  'RecordMediationFailure',
  'SuspendCase',
  'MergeCase',
]);
