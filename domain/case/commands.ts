// Commands on a case. These zod schemas are the single source of the command types; the API, the
// workflow's update validators and the CLI parse with them.
//
// A command says what someone wants; who and when arrive separately in the DecisionContext (actor,
// now, command id), so the same command replays to the same events.
import { z } from '../../events/zod.js';
import {
  AgreementItem,
  ApplicationAcceptedData,
  CaseRejectedData,
  CaseSuspendedData,
  Claim,
  DuplicateMergedInData,
  ExtensionApprovedData,
  Complainant,
  MediationFailedData,
  PaymentInstalment,
  PText,
  Respondent,
  SessionHeldData,
} from '../../events/schemas.js';
import { MAX_AGREEMENT_ITEMS, MAX_COMPLAINANTS, MAX_PAYMENT_INSTALMENTS, MAX_SESSION_DEPARTMENTS } from '../../events/limits.js';
import { CalendarDate, Channel, Department, DisputeType, Fen, Id, Instant, Text } from '../../events/vocabulary.js';

function command<T extends string, D extends z.ZodRawShape>(type: T, data: D) {
  return z.strictObject({ type: z.literal(type), caseId: Id, data: z.strictObject(data) });
}

export const ReceiveCase = command('ReceiveCase', {
  channel: Channel,
  /** Personal fields arrive already marked (personalValue at the edge, with a random salt). */
  complainants: z.array(Complainant).min(1).max(MAX_COMPLAINANTS),
  workerCount: z.number().int().positive(),
  respondent: Respondent,
  claim: Claim,
  petitionRef: Id.optional(),
});
export const AcceptCase = command('AcceptCase', { note: PText.optional() });
export const RejectCase = command('RejectCase', CaseRejectedData.shape);
export const ClassifyCase = command('ClassifyCase', {
  disputeType: DisputeType,
  /** The count established at classification; absent = as received. */
  workerCount: z.number().int().positive().optional(),
  amountClaimedFen: Fen.optional(),
  note: PText.optional(),
});
export const RouteCase = command('RouteCase', {});
export const OpenReferral = command('OpenReferral', { department: Department, task: PText });
export const AcceptReferral = command('AcceptReferral', { referralId: Id });
export const AnswerReferral = command('AnswerReferral', { referralId: Id, opinion: PText });
export const ObjectToReferral = command('ObjectToReferral', {
  referralId: Id,
  reason: PText,
  suggestedDepartment: Department.optional(),
});
export const MarkReferralOverdue = command('MarkReferralOverdue', { referralId: Id });
export const ScheduleSession = command('ScheduleSession', {
  at: Instant,
  place: z.string().min(1).max(500),
  departments: z.array(Department).min(1).max(MAX_SESSION_DEPARTMENTS),
});
export const HoldSession = command('HoldSession', {
  ...SessionHeldData.shape,
  departmentOpinions: SessionHeldData.shape.departmentOpinions.max(MAX_SESSION_DEPARTMENTS),
});
export const AgreeExtension = command('AgreeExtension', {
  days: z.number().int().positive().max(365),
  clock: Id.optional(),
  complainantConsents: z.boolean(),
  respondentConsents: z.boolean(),
  reason: PText,
});
/** A head-approved extension (arbitration, petitions, court): see ExtensionApprovedData. */
export const ApproveExtension = command('ApproveExtension', ExtensionApprovedData.shape);
export const SuspendCase = command('SuspendCase', CaseSuspendedData.shape);
export const ResumeCase = command('ResumeCase', { note: PText.optional() });
/** Time-driven: the workflow sends it when a clock's next due moment comes (nextDueAt). */
export const CheckClocks = command('CheckClocks', {});
export const EscalateCase = command('EscalateCase', { note: PText });
export const IssueSupervision = command('IssueSupervision', { note: PText });
export const AnswerSupervision = command('AnswerSupervision', { noticeId: Id, response: PText });
export const RecordAgreement = command('RecordAgreement', {
  totalAmountFen: Fen,
  items: z.array(AgreementItem).max(MAX_AGREEMENT_ITEMS),
  schedule: z.array(PaymentInstalment).max(MAX_PAYMENT_INSTALMENTS),
  /** Absent = the moment of recording. */
  effectiveAt: Instant.optional(),
  terms: PText,
});
export const RequestJudicialConfirmation = command('RequestJudicialConfirmation', {
  court: z.string().min(1).max(200),
  jointApplication: z.boolean(),
});
/** The court (judicial confirmation) or hr's arbitration commission (arbitration) accepts the application made to it. */
export const AcceptApplication = command('AcceptApplication', ApplicationAcceptedData.shape);
export const GrantJudicialConfirmation = command('GrantJudicialConfirmation', { rulingRef: Id });
export const RefuseJudicialConfirmation = command('RefuseJudicialConfirmation', { reason: PText });
export const RecordPayment = command('RecordPayment', { amountFen: Fen, paidOn: CalendarDate });
export const RecordMediationFailure = command('RecordMediationFailure', MediationFailedData.shape);
export const ReferToArbitration = command('ReferToArbitration', {
  commission: z.string().min(1).max(200),
  note: PText.optional(),
});
export const ReferToLitigation = command('ReferToLitigation', {
  court: z.string().min(1).max(200),
  paymentOrder: z.boolean(),
  note: PText.optional(),
});
export const WithdrawCase = command('WithdrawCase', { reason: PText });
export const SendReply = command('SendReply', {
  method: z.enum(['written', 'phone', 'in-person', 'public-posting']),
  summary: PText,
});
export const RecordFeedback = command('RecordFeedback', {
  score: z.number().int().min(1).max(5),
  comment: PText.optional(),
});
export const CloseCase = command('CloseCase', { note: PText.optional() });
export const ReopenCase = command('ReopenCase', {
  reason: z.enum(['agreement-not-performed', 'new-facts', 'recheck']),
  note: PText,
});
export const MergeCase = command('MergeCase', { intoCaseId: Id, reason: PText });
/** On the surviving case: the duplicate merged into it (the API sends this after MergeCase). */
export const RecordMergedDuplicate = command('RecordMergedDuplicate', DuplicateMergedInData.shape);
export const LinkCase = command('LinkCase', {
  linkedCaseId: Id,
  relation: z.enum(['same-enterprise', 'same-collective', 'related']),
});

/** Erases the personal data of a closed case's subjects (data-protection officer; see PersonalDataErasedData). */
export const ErasePersonalData = command('ErasePersonalData', {
  reason: Text,
  legalBasis: z.string().trim().min(1).max(500),
});

export const CaseCommandSchema = z.discriminatedUnion('type', [
  ReceiveCase,
  AcceptCase,
  RejectCase,
  ClassifyCase,
  RouteCase,
  OpenReferral,
  AcceptReferral,
  AnswerReferral,
  ObjectToReferral,
  MarkReferralOverdue,
  ScheduleSession,
  HoldSession,
  AgreeExtension,
  ApproveExtension,
  SuspendCase,
  ResumeCase,
  CheckClocks,
  EscalateCase,
  IssueSupervision,
  AnswerSupervision,
  RecordAgreement,
  RequestJudicialConfirmation,
  AcceptApplication,
  GrantJudicialConfirmation,
  RefuseJudicialConfirmation,
  RecordPayment,
  RecordMediationFailure,
  ReferToArbitration,
  ReferToLitigation,
  WithdrawCase,
  SendReply,
  RecordFeedback,
  CloseCase,
  ReopenCase,
  MergeCase,
  RecordMergedDuplicate,
  LinkCase,
  ErasePersonalData,
]);
export type CaseCommand = z.infer<typeof CaseCommandSchema>;
export type CommandType = CaseCommand['type'];
export type CommandOf<T extends CommandType> = Extract<CaseCommand, { type: T }>;
export const COMMAND_TYPES = CaseCommandSchema.options.map((option) => option.shape.type.value) as CommandType[];

/** The data schema of one command type (the edge walks it for the personalText fields to encrypt). */
export function commandDataSchema(type: CommandType): z.ZodObject {
  return CaseCommandSchema.options.find((option) => option.shape.type.value === type)!.shape.data as unknown as z.ZodObject;
}
