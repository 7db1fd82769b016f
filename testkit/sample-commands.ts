// One well-formed command of every type, for tests that sweep all commands (authority, properties).
import type { CaseCommand, CommandType } from '../domain/case/commands.js';
import { CASE_ID, claim, complainant, respondent } from './case-fixtures.js';

export const sampleCommands: { [T in CommandType]: Extract<CaseCommand, { type: T }>['data'] } = {
  ReceiveCase: { channel: 'walk-in', complainants: [complainant()], workerCount: 1, respondent, claim },
  AcceptCase: {},
  RejectCase: { reasonCode: 'not-a-labour-dispute', explanation: '民间借贷', redirectTo: 'civil-court' },
  ClassifyCase: { disputeType: 'wage-arrears' },
  RouteCase: {},
  OpenReferral: { department: 'justice', task: '法律援助' },
  AcceptReferral: { referralId: `${CASE_ID}/R-5` },
  AnswerReferral: { referralId: `${CASE_ID}/R-5`, opinion: '意见' },
  ObjectToReferral: { referralId: `${CASE_ID}/R-5`, reason: '不属职权', suggestedDepartment: 'justice' },
  MarkReferralOverdue: { referralId: `${CASE_ID}/R-5` },
  ScheduleSession: { at: '2026-12-01T02:00:00.000Z', place: '调解室', departments: ['union'] },
  HoldSession: { sessionId: `${CASE_ID}/S-7`, outcome: 'progress', minutes: '记录', departmentOpinions: [] },
  AgreeExtension: { days: 5, complainantConsents: true, respondentConsents: true, reason: '核账' },
  ApproveExtension: { days: 10, clock: 'arbitration-award', approvedBy: '仲裁委员会主任', reason: '案情复杂', partiesNotified: '书面通知（延字〔2025〕1号）' },
  SuspendCase: { reason: 'awaiting-materials' },
  ResumeCase: {},
  CheckClocks: {},
  EscalateCase: { note: '升级' },
  IssueSupervision: { note: '督办' },
  AnswerSupervision: { noticeId: `${CASE_ID}/SN-2`, response: '已办' },
  RecordAgreement: {
    totalAmountFen: 100_000,
    items: [{ kind: 'wages', amountFen: 100_000 }],
    schedule: [{ dueOn: '2025-06-30', amountFen: 100_000 }],
    terms: '一次付清',
  },
  RequestJudicialConfirmation: { court: '人民法院', jointApplication: true },
  AcceptApplication: { application: 'judicial-confirmation' },
  GrantJudicialConfirmation: { rulingRef: '民特1号' },
  RefuseJudicialConfirmation: { reason: '不予确认' },
  RecordPayment: { amountFen: 50_000, paidOn: '2025-06-30' },
  RecordMediationFailure: { reason: 'no-agreement' },
  ReferToArbitration: { commission: '仲裁委' },
  ReferToLitigation: { court: '人民法院', paymentOrder: false },
  WithdrawCase: { reason: '撤回' },
  SendReply: { method: 'written', summary: '答复' },
  RecordFeedback: { score: 4 },
  CloseCase: {},
  ReopenCase: { reason: 'new-facts', note: '新情况' },
  MergeCase: { intoCaseId: 'case-0', reason: '重复' },
  RecordMergedDuplicate: { fromCaseId: 'case-8', reason: '重复' },
  LinkCase: { linkedCaseId: 'case-9', relation: 'related' },
  ErasePersonalData: { reason: '当事人申请删除', legalBasis: '个人信息保护法 第四十七条' },
};

export function sampleCommand(type: CommandType): CaseCommand {
  return { type, caseId: CASE_ID, data: sampleCommands[type] } as CaseCommand;
}
