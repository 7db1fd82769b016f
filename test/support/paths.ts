// The outcome paths of a case (DOMAIN.md, "The lifecycle of a case") as data: each path is the input that
// starts the case and a list of steps — a staff command, a stretch of (skipped) time, another case started,
// an expectation on a case, or a command that must be refused — with the status and the ordered event types
// the case must end with. The lifecycle tests run them on the time-skipping server and check the result
// against the workflow's view and the Kafka topic; test/fixtures/record-histories.ts records their
// histories for the replay test.
//
// Timing: a path starts "now" (the test server starts at the real time) and its sleeps stay short — the
// reply is sent within 3 days, before the 7-day reply clock's first warning (end of the 3rd day) — so that
// no clock warns or breaches inside a path and its event list does not depend on the weekday it runs on.
// The clocks have their own tests (case-clocks-all.int.spec.ts).
//
// Ids of referrals, sessions and notices derive from event sequences; a step that needs one is a function
// of the case's state at that moment, so the paths do not hard-code sequence numbers.
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, type Duration } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { chinaDateOf } from '../../domain/calendar/index.js';
import type { CaseCommand } from '../../domain/case/commands.js';
import type { RejectionCode } from '../../domain/case/decision.js';
import type { OpenCase, OpenStatus } from '../../domain/case/state.js';
import type { Actor, CaseEvent, Department, DisputeType, EventType, Level } from '../../events/index.js';
import type { caseWorkflow } from '../../workflows/case-workflow.js';
import { signCommand } from '../../runtime/command-signing.js';
import {
  caseViewQuery,
  commandUpdates,
  type CaseView,
  type CaseWorkflowInput,
  type CommandRequest,
  type ReferralStatus,
} from '../../workflows/messages.js';
import { clerk, mediator, receiveInput, request, supervisor } from '../../testkit/cases.js';

type CaseHandle = WorkflowHandle<typeof caseWorkflow>;
type Build = (state: OpenCase) => CommandRequest;

export type Step =
  /** A staff command; `build` reads ids (referrals, sessions, notices) from the target case's state. */
  | { kind: 'command'; caseId: string; build: Build }
  /** Skipped time: env.sleep on the time-skipping server. */
  | { kind: 'sleep'; duration: Duration; why: string }
  /** Another case (e.g. the one a duplicate is merged into). */
  | { kind: 'start'; input: CaseWorkflowInput }
  | { kind: 'expect'; caseId: string; status?: OpenStatus; level?: Level; check?: (state: OpenCase, view: CaseView) => void }
  /** A command the core must refuse: the update fails and the case is unchanged. */
  | { kind: 'rejected'; caseId: string; build: Build; code: RejectionCode };

export interface ExpectedCase {
  caseId: string;
  status: OpenStatus;
  events: EventType[];
}

export interface LifecyclePath {
  name: PathName;
  title: string;
  input: CaseWorkflowInput;
  steps: Step[];
  expected: ExpectedCase & {
    /** The referral child workflows, in the order their ReferralOpened events appear. */
    referrals: { department: Department; status: ReferralStatus; overdue: boolean }[];
    /** Other cases the path touches. */
    others?: ExpectedCase[];
  };
}

// ------------------------------------------------------------------ building blocks

export const liaison = (department: Department): Actor => ({ id: `liaison-${department}`, role: 'department-liaison', department });
export const complainantOf = (caseId: string): Actor => ({ id: `${caseId}-p1`, role: 'complainant' });

const DAY = 86_400_000;

export function command(req: CommandRequest): Step {
  return { kind: 'command', caseId: req.command.caseId, build: () => req };
}
export function commandOn(caseId: string, build: Build): Step {
  return { kind: 'command', caseId, build };
}
export function sleep(duration: Duration, why: string): Step {
  return { kind: 'sleep', duration, why };
}
export function expectCase(caseId: string, expectation: Omit<Extract<Step, { kind: 'expect' }>, 'kind' | 'caseId'>): Step {
  return { kind: 'expect', caseId, ...expectation };
}
export function rejected(req: CommandRequest | Build, code: RejectionCode, caseId?: string): Step {
  if (typeof req === 'function') {
    if (!caseId) throw new Error('rejected(build) needs the case id');
    return { kind: 'rejected', caseId, build: req, code };
  }
  return { kind: 'rejected', caseId: req.command.caseId, build: () => req, code };
}

/** The referral of a department still waiting for it (open or accepted). */
export function activeReferral(state: OpenCase, department: Department): string {
  const found = Object.values(state.referrals).find((r) => r.department === department && (r.status === 'open' || r.status === 'accepted'));
  if (!found) throw new Error(`case ${state.caseId} has no active referral to ${department}`);
  return found.referralId;
}
function scheduledSession(state: OpenCase): string {
  const found = Object.values(state.sessions).find((s) => s.status === 'scheduled');
  if (!found) throw new Error(`case ${state.caseId} has no scheduled session`);
  return found.sessionId;
}
function openNotice(state: OpenCase, reason: 'collective-dispute' | 'clock-breach' | 'manual'): string {
  const found = Object.values(state.supervision).find((n) => n.reason === reason && !n.answered);
  if (!found) throw new Error(`case ${state.caseId} has no open ${reason} notice`);
  return found.noticeId;
}

const cmd = <C extends CaseCommand>(c: C, actor: Actor) => command(request(c, actor));

export function intake(caseId: string, disputeType: DisputeType, workerCount?: number): Step[] {
  return [
    cmd({ type: 'AcceptCase', caseId, data: { note: '属劳动争议，当事人同意调解' } }, clerk),
    cmd({ type: 'ClassifyCase', caseId, data: { disputeType, ...(workerCount ? { workerCount } : {}) } }, clerk),
    cmd({ type: 'RouteCase', caseId, data: {} }, clerk),
  ];
}

export function scheduleSession(caseId: string, atMs: number, departments: Department[]): Step {
  return cmd({ type: 'ScheduleSession', caseId, data: { at: new Date(atMs).toISOString(), place: '城关镇劳动争议联合调处室', departments } }, mediator);
}

export function answerReferral(caseId: string, department: Department, opinion: string): Step {
  return commandOn(caseId, (s) => request({ type: 'AnswerReferral', caseId, data: { referralId: activeReferral(s, department), opinion } }, liaison(department)));
}

export function acceptReferral(caseId: string, department: Department): Step {
  return commandOn(caseId, (s) => request({ type: 'AcceptReferral', caseId, data: { referralId: activeReferral(s, department) } }, liaison(department)));
}

export function holdSession(caseId: string, outcome: 'progress' | 'adjourned' | 'party-absent' = 'progress'): Step {
  return commandOn(caseId, (s) =>
    request(
      {
        type: 'HoldSession',
        caseId,
        data: { sessionId: scheduledSession(s), outcome, minutes: '双方陈述意见，调解员释法说理', departmentOpinions: [{ department: 'union', opinion: '建议分期支付' }] },
      },
      mediator,
    ),
  );
}

export function recordAgreement(caseId: string, instalments: { dueOn: string; amountFen: number }[]): Step {
  const total = instalments.reduce((sum, i) => sum + i.amountFen, 0);
  return cmd(
    {
      type: 'RecordAgreement',
      caseId,
      data: { totalAmountFen: total, items: [{ kind: 'wages', amountFen: total }], schedule: instalments, terms: '企业分期支付拖欠工资，职工放弃其他请求' },
    },
    mediator,
  );
}

export const sendReply = (caseId: string, summary = '已将调处结果书面答复投诉人') =>
  cmd({ type: 'SendReply', caseId, data: { method: 'written', summary } }, clerk);
export const recordFeedback = (caseId: string, score: number, comment?: string) =>
  cmd({ type: 'RecordFeedback', caseId, data: { score, ...(comment ? { comment } : {}) } }, clerk);
export const closeCase = (caseId: string) => cmd({ type: 'CloseCase', caseId, data: { note: '结案' } }, mediator);

const chinaDate = (ms: number) => chinaDateOf(new Date(ms).toISOString());

// ------------------------------------------------------------------ the paths

export const PATH_NAMES = [
  'agreement-confirmed',
  'failed-to-arbitration',
  'failed-to-litigation',
  'withdrawn',
  'rejected',
  'recheck-then-reopened',
  'collective-dispute',
  'misrouted-referral',
  'merged-duplicate',
] as const;
export type PathName = (typeof PATH_NAMES)[number];

export interface PathContext {
  /** Workflow id of the path's case (the case number). */
  caseId: string;
  /** The server's time when the path starts (env.currentTimeMs()). */
  startMs: number;
  /** A fresh case number, for paths that touch a second case. */
  otherCaseId: string;
}

type PathBuilder = (ctx: PathContext) => Omit<LifecyclePath, 'name'>;

const ROUTED_WAGE_ARREARS: EventType[] = ['CaseReceived', 'CaseAccepted', 'CaseClassified', 'CaseRouted', 'ReferralOpened', 'ReferralOpened'];

const builders: Record<PathName, PathBuilder> = {
  // (a) Agreement → judicial confirmation requested and granted → payments → reply → good feedback → closed.
  'agreement-confirmed': ({ caseId, startMs }) => ({
    title: 'agreement, judicial confirmation, payments, reply, good feedback, closed',
    input: receiveInput(caseId),
    steps: [
      ...intake(caseId, 'wage-arrears'),
      scheduleSession(caseId, startMs + DAY, ['union', 'hr']),
      acceptReferral(caseId, 'hr'),
      answerReferral(caseId, 'hr', '劳动保障监察已核实拖欠工资三个月'),
      answerReferral(caseId, 'court', '如调解不成可依法申请支付令'),
      sleep('1 day', 'the session is tomorrow'),
      holdSession(caseId),
      recordAgreement(caseId, [
        { dueOn: chinaDate(startMs + 3 * DAY), amountFen: 500_000 },
        { dueOn: chinaDate(startMs + 10 * DAY), amountFen: 300_000 },
      ]),
      cmd({ type: 'RequestJudicialConfirmation', caseId, data: { court: '城关人民法庭', jointApplication: true } }, mediator),
      command(request({ type: 'AcceptApplication', caseId, data: { application: 'judicial-confirmation' } }, liaison('court'))),
      expectCase(caseId, { status: 'agreement', check: (s) => expectEqual(s.agreement?.judicial, 'requested', 'judicial confirmation') }),
      sleep('1 day', 'the court decides the next day'),
      commandOn(caseId, () => request({ type: 'GrantJudicialConfirmation', caseId, data: { rulingRef: '(2026)浙0101民特001号' } }, liaison('court'))),
      answerReferral(caseId, 'court', '调解协议经司法确认有效'),
      sleep('1 day', 'the employer pays'),
      cmd({ type: 'RecordPayment', caseId, data: { amountFen: 500_000, paidOn: chinaDate(startMs + 3 * DAY) } }, mediator),
      cmd({ type: 'RecordPayment', caseId, data: { amountFen: 300_000, paidOn: chinaDate(startMs + 3 * DAY) } }, mediator),
      expectCase(caseId, { status: 'agreement', check: (s) => expectEqual(s.agreement?.paidFen, 800_000, 'paid to date') }),
      sendReply(caseId),
      recordFeedback(caseId, 5, '满意'),
      closeCase(caseId),
      expectCase(caseId, {
        status: 'closed',
        level: 'enterprise',
        check: (s) => {
          expectEqual(s.outcome, 'agreement', 'outcome');
          expectEqual(s.agreement?.judicial, 'granted', 'judicial confirmation');
          expectEqual(Object.keys(s.supervision).length, 0, 'supervision notices');
        },
      }),
    ],
    expected: {
      caseId,
      status: 'closed',
      events: [
        ...ROUTED_WAGE_ARREARS,
        'SessionScheduled',
        'ReferralAccepted',
        'ReferralAnswered',
        'ReferralAnswered',
        'SessionHeld',
        'AgreementReached',
        'JudicialConfirmationRequested',
        'ReferralOpened',
        'ApplicationAccepted',
        'ReferralAccepted',
        'JudicialConfirmationGranted',
        'ReferralAnswered',
        'PaymentRecorded',
        'PaymentRecorded',
        'ReplySent',
        'FeedbackRecorded',
        'CaseClosed',
      ],
      referrals: [
        { department: 'hr', status: 'answered', overdue: false },
        { department: 'court', status: 'answered', overdue: false },
        { department: 'court', status: 'answered', overdue: false },
      ],
    },
  }),

  // (b) Mediation failed → referred to arbitration (the commission, in hr, gets a referral) → reply → closed.
  'failed-to-arbitration': ({ caseId, startMs }) => ({
    title: 'mediation failed, referred to arbitration, reply, closed',
    input: receiveInput(caseId),
    steps: [
      ...intake(caseId, 'contract-termination'),
      scheduleSession(caseId, startMs + DAY, ['union', 'hr', 'justice']),
      answerReferral(caseId, 'hr', '解除合同程序违法，应支付赔偿金'),
      answerReferral(caseId, 'justice', '已告知法律援助申请途径'),
      sleep('1 day', 'the session is tomorrow'),
      holdSession(caseId),
      cmd({ type: 'RecordMediationFailure', caseId, data: { reason: 'no-agreement', note: '赔偿金额差距过大' } }, mediator),
      cmd({ type: 'ReferToArbitration', caseId, data: { commission: '县劳动人事争议仲裁委员会' } }, mediator),
      expectCase(caseId, { status: 'referred-out', check: (s) => expectEqual(s.outcome, 'referred-to-arbitration', 'outcome') }),
      sendReply(caseId, '调解不成，已引导申请劳动仲裁'),
      recordFeedback(caseId, 4),
      closeCase(caseId),
    ],
    expected: {
      caseId,
      status: 'closed',
      events: [
        'CaseReceived',
        'CaseAccepted',
        'CaseClassified',
        'CaseRouted',
        'ReferralOpened',
        'ReferralOpened',
        'SessionScheduled',
        'ReferralAnswered',
        'ReferralAnswered',
        'SessionHeld',
        'MediationFailed',
        'ReferredToArbitration',
        'ReferralOpened',
        'ReplySent',
        'FeedbackRecorded',
        'ReferralClosed',
        'CaseClosed',
      ],
      // The arbitration referral was still open when the centre closed its file: closed with the case
      // (ReferralClosed), and its child workflow cancelled.
      referrals: [
        { department: 'hr', status: 'answered', overdue: false },
        { department: 'justice', status: 'answered', overdue: false },
        { department: 'hr', status: 'cancelled', overdue: false },
      ],
    },
  }),

  // (c) The respondent will not mediate → referred to litigation (with a payment order) → reply → closed
  // (without feedback: closing needs the reply, not the follow-up).
  'failed-to-litigation': ({ caseId, startMs }) => ({
    title: 'respondent unwilling, referred to litigation, reply, closed',
    input: receiveInput(caseId),
    steps: [
      ...intake(caseId, 'wage-arrears'),
      scheduleSession(caseId, startMs + DAY, ['union', 'court']),
      answerReferral(caseId, 'hr', '企业拒不配合监察'),
      answerReferral(caseId, 'court', '可申请支付令'),
      sleep('1 day', 'the session is tomorrow'),
      holdSession(caseId, 'party-absent'),
      cmd({ type: 'RecordMediationFailure', caseId, data: { reason: 'respondent-unwilling' } }, mediator),
      rejected(request({ type: 'RecordAgreement', caseId, data: { totalAmountFen: 1, items: [{ kind: 'wages', amountFen: 1 }], schedule: [{ dueOn: chinaDate(startMs), amountFen: 1 }], terms: '—' } }, mediator), 'illegal-state'),
      cmd({ type: 'ReferToLitigation', caseId, data: { court: '县人民法院', paymentOrder: true } }, mediator),
      sendReply(caseId, '已引导向法院申请支付令'),
      closeCase(caseId),
      expectCase(caseId, { status: 'closed', check: (s) => expectEqual(s.outcome, 'referred-to-litigation', 'outcome') }),
    ],
    expected: {
      caseId,
      status: 'closed',
      events: [...ROUTED_WAGE_ARREARS, 'SessionScheduled', 'ReferralAnswered', 'ReferralAnswered', 'SessionHeld', 'MediationFailed', 'ReferredToLitigation', 'ReplySent', 'CaseClosed'],
      referrals: [
        { department: 'hr', status: 'answered', overdue: false },
        { department: 'court', status: 'answered', overdue: false },
      ],
    },
  }),

  // (d) Suspended (a party away), then the complainant withdraws: the suspension ends with the case and the
  // open referral is withdrawn from its department.
  withdrawn: ({ caseId }) => ({
    title: 'suspended, then withdrawn by the complainant',
    input: receiveInput(caseId),
    steps: [
      ...intake(caseId, 'hours-and-rest'),
      cmd({ type: 'SuspendCase', caseId, data: { reason: 'party-unavailable', note: '申请人外出务工' } }, mediator),
      sleep('1 day', 'the complainant thinks it over'),
      cmd({ type: 'WithdrawCase', caseId, data: { reason: '已与企业自行和解' } }, complainantOf(caseId)),
      rejected(request({ type: 'ResumeCase', caseId, data: {} }, mediator), 'illegal-state'),
      expectCase(caseId, { status: 'withdrawn', check: (s) => expectEqual(s.suspended, null, 'suspension') }),
    ],
    expected: {
      caseId,
      status: 'withdrawn',
      events: ['CaseReceived', 'CaseAccepted', 'CaseClassified', 'CaseRouted', 'ReferralOpened', 'CaseSuspended', 'ReferralClosed', 'CaseWithdrawn'],
      referrals: [{ department: 'justice', status: 'cancelled', overdue: false }],
    },
  }),

  // (e) Not a labour dispute: rejected with the right channel → reply → closed.
  rejected: ({ caseId }) => ({
    title: 'rejected (not a labour dispute), reply, closed',
    input: receiveInput(caseId),
    steps: [
      cmd(
        {
          type: 'RejectCase',
          caseId,
          data: { reasonCode: 'not-a-labour-dispute', explanation: '双方系民间借贷关系，不属于劳动争议', redirectTo: 'civil-court' },
        },
        clerk,
      ),
      rejected(request({ type: 'AcceptCase', caseId, data: {} }, clerk), 'illegal-state'),
      sendReply(caseId, '不予受理，告知向人民法院起诉'),
      closeCase(caseId),
      expectCase(caseId, { status: 'closed', check: (s) => expectEqual(s.outcome, 'rejected', 'outcome') }),
    ],
    expected: { caseId, status: 'closed', events: ['CaseReceived', 'CaseRejected', 'ReplySent', 'CaseClosed'], referrals: [] },
  }),

  // (f) A low satisfaction score opens a re-check: no closing until its new reply; closed after a good
  // score; a week later the agreement has not been performed and the case is reopened into mediation.
  'recheck-then-reopened': ({ caseId, startMs }) => ({
    title: 'low feedback, re-check, closed, reopened (agreement not performed)',
    input: receiveInput(caseId),
    steps: [
      ...intake(caseId, 'wage-arrears'),
      scheduleSession(caseId, startMs + DAY, ['union']),
      answerReferral(caseId, 'hr', '已核实欠薪'),
      answerReferral(caseId, 'court', '可申请支付令'),
      sleep('1 day', 'the session is tomorrow'),
      holdSession(caseId),
      recordAgreement(caseId, [{ dueOn: chinaDate(startMs + 5 * DAY), amountFen: 800_000 }]),
      sendReply(caseId),
      recordFeedback(caseId, 2, '对分期方案不满意'),
      expectCase(caseId, { status: 'replied', check: (s) => expectEqual(s.recheckOpen, true, 're-check open') }),
      rejected(request({ type: 'CloseCase', caseId, data: {} }, mediator), 'illegal-state'),
      sendReply(caseId, '复核后维持调解协议，说明分期理由'),
      recordFeedback(caseId, 4),
      closeCase(caseId),
      sleep('8 days', 'the instalment falls due and is not paid'),
      cmd({ type: 'ReopenCase', caseId, data: { reason: 'agreement-not-performed', note: '企业未按期支付' } }, mediator),
      expectCase(caseId, {
        status: 'in-mediation',
        check: (s) => {
          expectEqual(s.reopenCount, 1, 'reopen count');
          expectEqual(s.outcome, null, 'outcome');
          expectEqual(s.clocks['complaint-reply']?.status, 'running', 'reply clock after the reopen');
          // Issue 9: the reopened mediation gets its mediation clock again, counted from the reopening.
          expectEqual(s.clocks['mediation-conclude']?.status, 'running', 'mediation clock after the reopen');
          expectEqual(s.clocks['mediation-conclude']?.startedAt === s.reopenedAt, true, 'mediation clock restarted at the reopening');
        },
      }),
      // A new agreement needs a session held after the reopening.
      rejected(
        request(
          { type: 'RecordAgreement', caseId, data: { totalAmountFen: 1, items: [{ kind: 'wages', amountFen: 1 }], schedule: [{ dueOn: chinaDate(startMs + 20 * DAY), amountFen: 1 }], terms: '—' } },
          mediator,
        ),
        'illegal-state',
      ),
    ],
    expected: {
      caseId,
      status: 'in-mediation',
      events: [
        ...ROUTED_WAGE_ARREARS,
        'SessionScheduled',
        'ReferralAnswered',
        'ReferralAnswered',
        'SessionHeld',
        'AgreementReached',
        'ReplySent',
        'FeedbackRecorded',
        'RecheckOpened',
        'ReplySent',
        'FeedbackRecorded',
        'CaseClosed',
        'CaseReopened',
      ],
      referrals: [
        { department: 'hr', status: 'answered', overdue: false },
        { department: 'court', status: 'answered', overdue: false },
      ],
    },
  }),

  // (g) Twelve workers: a collective dispute — urgent, a supervisor alerted at intake, routed to the county
  // joint centre with every department but the court (the emergency path).
  'collective-dispute': ({ caseId, startMs }) => ({
    title: 'collective dispute: supervision at intake, county emergency path, agreement, closed',
    input: receiveInput(caseId, { workerCount: 12 }),
    steps: [
      expectCase(caseId, {
        status: 'received',
        check: (s) => {
          expectEqual(s.collective, true, 'collective');
          expectEqual(s.priority, 'urgent', 'priority');
          const notices = Object.values(s.supervision);
          expectEqual(notices.map((n) => `${n.reason}/${n.department}`).join(), 'collective-dispute/union', 'intake supervision');
        },
      }),
      ...intake(caseId, 'wage-arrears', 12),
      expectCase(caseId, { status: 'routed', level: 'county', check: (s) => expectEqual(s.route?.joiningDepartments.join(), 'hr,justice,petitions', 'joining departments') }),
      commandOn(caseId, (s) => request({ type: 'AnswerSupervision', caseId, data: { noticeId: openNotice(s, 'collective-dispute'), response: '县联合调处中心已启动应急调处' } }, supervisor)),
      scheduleSession(caseId, startMs + DAY, ['union', 'hr', 'justice', 'petitions']),
      answerReferral(caseId, 'hr', '已派员进驻企业核查工资台账'),
      answerReferral(caseId, 'justice', '已指派人民调解员'),
      answerReferral(caseId, 'petitions', '已做好群体稳控'),
      sleep('1 day', 'the session is tomorrow'),
      holdSession(caseId),
      recordAgreement(caseId, [{ dueOn: chinaDate(startMs + 7 * DAY), amountFen: 9_600_000 }]),
      sendReply(caseId, '已在企业张榜公布调处结果'),
      recordFeedback(caseId, 5),
      closeCase(caseId),
    ],
    expected: {
      caseId,
      status: 'closed',
      events: [
        'CaseReceived',
        'SupervisionIssued',
        'CaseAccepted',
        'CaseClassified',
        'CaseRouted',
        'ReferralOpened',
        'ReferralOpened',
        'ReferralOpened',
        'SupervisionAnswered',
        'SessionScheduled',
        'ReferralAnswered',
        'ReferralAnswered',
        'ReferralAnswered',
        'SessionHeld',
        'AgreementReached',
        'ReplySent',
        'FeedbackRecorded',
        'CaseClosed',
      ],
      referrals: [
        { department: 'hr', status: 'answered', overdue: false },
        { department: 'justice', status: 'answered', overdue: false },
        { department: 'petitions', status: 'answered', overdue: false },
      ],
    },
  }),

  // (h) The court objects that the referral is not its business (信访工作条例 第二十三条) and names legal aid
  // (justice): the case is re-routed and justice gets a referral of its own; mediation goes on.
  'misrouted-referral': ({ caseId, startMs }) => ({
    title: 'a joining department objects to a mis-routed referral, re-routed, mediation goes on',
    input: receiveInput(caseId),
    steps: [
      ...intake(caseId, 'wage-arrears'),
      scheduleSession(caseId, startMs + DAY, ['union', 'hr']),
      commandOn(caseId, (s) =>
        request(
          {
            type: 'ObjectToReferral',
            caseId,
            data: { referralId: activeReferral(s, 'court'), reason: '本案无支付令申请，属法律援助事项', suggestedDepartment: 'justice' },
          },
          liaison('court'),
        ),
      ),
      expectCase(caseId, {
        status: 'in-mediation',
        check: (s) => {
          expectEqual(s.route?.leadDepartment, 'union', 'lead after the re-route');
          expectEqual(s.route?.joiningDepartments.join(), 'hr,justice', 'joining after the re-route');
        },
      }),
      acceptReferral(caseId, 'justice'),
      answerReferral(caseId, 'justice', '已指派法律援助律师'),
      answerReferral(caseId, 'hr', '已核实欠薪'),
      rejected(
        (s) => {
          const court = Object.values(s.referrals).find((r) => r.department === 'court');
          return request({ type: 'AnswerReferral', caseId, data: { referralId: court?.referralId ?? 'none', opinion: '补充意见' } }, liaison('court'));
        },
        'illegal-state',
        caseId,
      ),
      sleep('1 day', 'the session is tomorrow'),
      holdSession(caseId),
    ],
    expected: {
      caseId,
      status: 'in-mediation',
      events: [
        ...ROUTED_WAGE_ARREARS,
        'SessionScheduled',
        'ReferralObjected',
        'CaseRouted',
        'ReferralOpened',
        'ReferralAccepted',
        'ReferralAnswered',
        'ReferralAnswered',
        'SessionHeld',
      ],
      referrals: [
        { department: 'hr', status: 'answered', overdue: false },
        { department: 'court', status: 'objected', overdue: false },
        { department: 'justice', status: 'answered', overdue: false },
      ],
    },
  }),

  // (i) The same worker complains twice: the duplicate is merged into the first case (and closed there),
  // the first case links it; a merged case cannot be reopened.
  'merged-duplicate': ({ caseId, otherCaseId }) => ({
    title: 'a duplicate complaint merged into the original case',
    input: receiveInput(caseId),
    steps: [
      { kind: 'start', input: receiveInput(otherCaseId) },
      cmd({ type: 'AcceptCase', caseId: otherCaseId, data: {} }, clerk),
      // The API looks the target up and passes it with the command; the duplicate's workflow has the target
      // record the duplicate first (the merge saga), then closes.
      command({ ...request({ type: 'MergeCase', caseId, data: { intoCaseId: otherCaseId, reason: '同一职工就同一欠薪事项重复投诉' } }, clerk), mergeTarget: { caseId: otherCaseId, status: 'accepted' } }),
      cmd({ type: 'LinkCase', caseId: otherCaseId, data: { linkedCaseId: caseId, relation: 'related' } }, clerk),
      rejected(request({ type: 'ReopenCase', caseId, data: { reason: 'new-facts', note: '补充材料' } }, mediator), 'illegal-state'),
      expectCase(caseId, {
        status: 'closed',
        check: (s) => {
          expectEqual(s.mergedInto, otherCaseId, 'merged into');
          expectEqual(s.outcome, 'merged', 'outcome');
        },
      }),
      expectCase(otherCaseId, { status: 'accepted', check: (s) => expectEqual(s.links.join(), caseId, 'links') }),
    ],
    expected: {
      caseId,
      status: 'closed',
      events: ['CaseReceived', 'CaseMerged', 'CaseClosed'],
      referrals: [],
      others: [{ caseId: otherCaseId, status: 'accepted', events: ['CaseReceived', 'CaseAccepted', 'DuplicateMergedIn', 'CaseLinked'] }],
    },
  }),
};

export function lifecyclePath(name: PathName, ctx: PathContext): LifecyclePath {
  return { name, ...builders[name](ctx) };
}

// ------------------------------------------------------------------ the runner

export interface PathRun {
  /** Events returned by the accepted updates, per case, in the order they were returned. */
  returned: Map<string, CaseEvent[]>;
  /** Every command the core refused, with the failure type the update reported. */
  refusals: { type: string; failureType: string | undefined }[];
}

export class PathStepError extends Error {
  constructor(
    readonly index: number,
    readonly step: Step,
    cause: unknown,
  ) {
    super(`step ${index + 1} (${describeStep(step)}): ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'PathStepError';
  }
}

function describeStep(step: Step): string {
  switch (step.kind) {
    case 'sleep':
      return `sleep ${String(step.duration)}: ${step.why}`;
    case 'start':
      return `start ${step.input.caseId}`;
    case 'expect':
      return `expect ${step.caseId}${step.status ? ` ${step.status}` : ''}`;
    case 'command':
    case 'rejected':
      return `${step.kind} on ${step.caseId}`;
  }
}

/**
 * Runs a path's steps against its case (`handle`) on the time-skipping `env`. Commands go through the
 * per-command updates; a refused command must fail the update with the expected code and leave the case
 * as it was; expectations are checked against the case view. Throws PathStepError on the first failure.
 */
export async function runPath(handle: CaseHandle, path: Pick<LifecyclePath, 'steps'>, env: TestWorkflowEnvironment): Promise<PathRun> {
  const run: PathRun = { returned: new Map(), refusals: [] };
  const handleOf = (caseId: string): CaseHandle => (caseId === handle.workflowId ? handle : env.client.workflow.getHandle<typeof caseWorkflow>(caseId));
  const stateOf = async (caseId: string): Promise<{ state: OpenCase; view: CaseView }> => {
    const view = await handleOf(caseId).query(caseViewQuery);
    if (view.state.status === 'none') throw new Error(`case ${caseId} has no state`);
    return { state: view.state, view };
  };
  let taskQueue: string | undefined;

  for (const [index, step] of path.steps.entries()) {
    try {
      switch (step.kind) {
        case 'command': {
          const { state } = await stateOf(step.caseId);
          const req = step.build(state);
          const result = await handleOf(step.caseId).executeUpdate(commandUpdates[req.command.type], { args: [signCommand(req)] });
          const list = run.returned.get(step.caseId) ?? [];
          list.push(...result.events);
          run.returned.set(step.caseId, list);
          break;
        }
        case 'rejected': {
          const before = await stateOf(step.caseId);
          const req = step.build(before.state);
          let failure: unknown;
          try {
            await handleOf(step.caseId).executeUpdate(commandUpdates[req.command.type], { args: [signCommand(req)] });
          } catch (err) {
            failure = err;
          }
          if (!(failure instanceof WorkflowUpdateFailedError)) {
            throw new Error(`${req.command.type} should have been refused (${step.code}), got ${failure === undefined ? 'success' : String(failure)}`);
          }
          const cause = failure.cause;
          const failureType = cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
          if (failureType !== `rejected:${step.code}`) {
            throw new Error(`${req.command.type} was refused as ${failureType ?? String(cause)}, expected rejected:${step.code}`);
          }
          const after = await stateOf(step.caseId);
          if (after.state.version !== before.state.version || after.view.lastHash !== before.view.lastHash) {
            throw new Error(`the refused ${req.command.type} changed the case (version ${before.state.version} → ${after.state.version})`);
          }
          run.refusals.push({ type: req.command.type, failureType });
          break;
        }
        case 'sleep':
          await env.sleep(step.duration);
          break;
        case 'start':
          taskQueue ??= (await handle.describe()).taskQueue;
          await env.client.workflow.start<typeof caseWorkflow>('caseWorkflow', { workflowId: step.input.caseId, taskQueue, args: [step.input] });
          break;
        case 'expect': {
          const { state, view } = await stateOf(step.caseId);
          if (step.status) expectEqual(state.status, step.status, `status of ${step.caseId}`);
          if (step.level) expectEqual(state.level, step.level, `level of ${step.caseId}`);
          step.check?.(state, view);
          break;
        }
      }
    } catch (err) {
      throw new PathStepError(index, step, err);
    }
  }
  return run;
}

function expectEqual<T>(actual: T, expected: T, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
