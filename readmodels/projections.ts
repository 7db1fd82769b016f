// The read models of one case, declared in one place: a pure evolve over the case's events, and the rows
// each read-model table holds for the case afterwards.
//
// The projector folds every case with the domain's own evolve (domain/case), SLA clocks included, so
// queues, overdue and at-risk lists and supervision notices compute deadlines exactly as the workflow
// does. Next to the state it keeps a few facts the state forgets (when the first reply went out, when
// each notice was issued, whether a duty clock was ever late). All rows are functions of (state, facts):
// applying a history in one batch or in a hundred gives the same rows, which is what lets a rebuild be
// compared with the incremental tables.
//
// KPIs (table case_kpi, views kpi_counts / kpi_monthly / kpi_monthly_yoy, query kpis()):
//
// - Dimensions: China month ('YYYY-MM', UTC+8) × department × level × dispute type. The department is
//   the case's lead department (before routing, and for rejected cases: `union`, the intake body, as the
//   decider's leadOf); the level is where the case sits now (escalation moves it); the dispute type is the
//   classified one, else the complainant's hint. A re-route or an escalation moves a case's counts with it.
// - Each count sits in the month of its own event:
//   - received: cases received (CaseReceived) in the month, merged duplicates included (each was received);
//   - collective: received cases that are collective disputes (≥ 10 workers, 第七条);
//   - accepted: cases accepted (CaseAccepted) in the month;
//   - resolved by agreement: cases whose first mediation agreement (AgreementReached) is in the month;
//   - closed: cases closed in the month and still closed (a reopened case counts again when it closes
//     again, in that month); merged duplicates are not counted: their work is closed in the surviving case;
//   - on-time rate = closed on time / closed, where on time means no duty clock of the case ever breached
//     (a ClockBreached event) and none was stopped after its due moment. Duty clocks are the centre's own
//     deadlines — those whose breach escalates or issues supervision; the parties' own limits
//     (judicial-confirmation-apply, review-request) are not the centre's lateness;
//   - mean days to close = mean over closed cases of (latest closing − receipt), in days (fractional).
// - The four 100% rates (记录、处理、回音、反馈, seed 000) are over the cases received in the month:
//   - recorded = cases whose complaint was recorded in full — classified (type and size confirmed),
//     rejected with a reason, or merged as a duplicate — / received;
//   - handled = cases accepted, rejected with a reason, or merged / received;
//   - replied (回音) = cases with a reply (ReplySent: what is being done, or the result) / cases handled
//     (accepted or rejected: the reply is owed from then on, within 7 days of receipt);
//   - feedback (反馈) = cases with feedback recorded (FeedbackRecorded, after the outcome) / cases that reached
//     an outcome (agreement, failure, withdrawal, rejection; merged duplicates are answered through the
//     surviving case). A reply and a feedback are separate acts, counted separately.
// - Year on year: the same month of the previous year, same dimensions; counts as a relative change,
//   rates and mean days as a difference.
import { chinaDateOf } from '../domain/calendar/index.js';
import { accountableFor, evolve, initialState, leadOf, type CaseState } from '../domain/case/index.js';
import type { SlaClock } from '../domain/sla/index.js';
import { type CaseEvent, type EventType, type Level } from '../events/index.js';

// ------------------------------------------------------------------ the per-case document

export interface NoticeFacts {
  issuedAt: string;
  accountableUnit: string;
  level: Level;
  clockKey: string | null;
  answeredAt: string | null;
}

/** What the read models need beyond the domain state. Plain JSON, stored next to the state. */
export interface CaseFacts {
  lastEventType: EventType;
  updatedAt: string;
  acceptedAt: string | null;
  rejectedAt: string | null;
  classifiedAt: string | null;
  firstAgreementAt: string | null;
  firstOutcomeAt: string | null;
  firstReplyAt: string | null;
  firstFeedbackAt: string | null;
  /** The latest CaseClosed; null while the case is open (also after a reopen). */
  closedAt: string | null;
  /** A duty clock breached, or was stopped after its due moment, at some point of the case's life. */
  late: boolean;
  notices: Record<string, NoticeFacts>;
}

export interface CaseDoc {
  state: CaseState;
  facts: CaseFacts | null;
}

export const emptyDoc = (): CaseDoc => ({ state: initialState, facts: null });

const OUTCOME_EVENTS: ReadonlySet<EventType> = new Set<EventType>(['CaseRejected', 'AgreementReached', 'MediationFailed', 'CaseWithdrawn']);

/** A clock whose breach escalates or supervises: a deadline of the centre, not of a party. */
export const isDuty = (clock: SlaClock): boolean => clock.onBreach.escalate || clock.onBreach.supervise;

const ms = (instant: string): number => Date.parse(instant);

/** The document after one event. Pure; an event that cannot start a case leaves an empty document alone. */
export function evolveDoc(doc: CaseDoc, event: CaseEvent): CaseDoc {
  const state = evolve(doc.state, event);
  if (state.status === 'none') return doc;
  const at = event.occurredAt;
  const prev = doc.facts;
  const facts: CaseFacts = prev
    ? { ...prev, lastEventType: event.type, updatedAt: at }
    : {
        lastEventType: event.type,
        updatedAt: at,
        acceptedAt: null,
        rejectedAt: null,
        classifiedAt: null,
        firstAgreementAt: null,
        firstOutcomeAt: null,
        firstReplyAt: null,
        firstFeedbackAt: null,
        closedAt: null,
        late: false,
        notices: {},
      };
  if (OUTCOME_EVENTS.has(event.type)) facts.firstOutcomeAt ??= at;
  switch (event.type) {
    case 'CaseAccepted':
      facts.acceptedAt ??= at;
      break;
    case 'CaseRejected':
      facts.rejectedAt ??= at;
      break;
    case 'CaseClassified':
      facts.classifiedAt ??= at;
      break;
    case 'AgreementReached':
      facts.firstAgreementAt ??= at;
      break;
    case 'ReplySent':
      facts.firstReplyAt ??= at;
      break;
    case 'FeedbackRecorded':
      facts.firstFeedbackAt ??= at;
      break;
    case 'CaseClosed':
      facts.closedAt = at;
      break;
    case 'CaseReopened':
      facts.closedAt = null;
      break;
    case 'SupervisionIssued':
      facts.notices = {
        ...facts.notices,
        [event.data.noticeId]: {
          issuedAt: at,
          accountableUnit: event.data.accountableUnit,
          level: event.data.level,
          clockKey: event.data.clockKey ?? null,
          answeredAt: null,
        },
      };
      break;
    case 'SupervisionAnswered': {
      const notice = facts.notices[event.data.noticeId];
      if (notice && notice.answeredAt === null) facts.notices = { ...facts.notices, [event.data.noticeId]: { ...notice, answeredAt: at } };
      break;
    }
    default:
      break;
  }
  // Lateness can only appear where the clocks changed; evolve keeps the clocks object when none did.
  if (!facts.late && state.clocks !== doc.state.clocks) {
    for (const clock of Object.values(state.clocks)) {
      if (!isDuty(clock)) continue;
      const stoppedLate = clock.status === 'stopped' && clock.endedAt !== undefined && ms(clock.endedAt) > ms(clock.dueAt);
      if (clock.breached || stoppedLate) {
        facts.late = true;
        break;
      }
    }
  }
  return { state, facts };
}

// ------------------------------------------------------------------ rows of each table

export interface SummaryRow {
  case_id: string;
  status: string;
  channel: string;
  collective: boolean;
  priority: string;
  worker_count: number;
  dispute_type: string;
  level: string;
  lead_department: string | null;
  respondent_name: string;
  respondent_credit_code: string;
  town: string;
  received_at: string;
  updated_at: string;
  closed_at: string | null;
  last_sequence: number;
  last_event_type: string;
}

export interface ClockRow {
  case_id: string;
  clock_key: string;
  policy_id: string;
  department: string;
  level: string;
  status: string;
  started_at: string;
  due_at: string;
  warn_at: string | null;
  breached: boolean;
  duty: boolean;
  provisional: boolean;
}

export interface QueueRow {
  department: string;
  case_id: string;
  role: 'lead' | 'referral' | 'clock';
  level: string;
  status: string;
  priority: string;
  collective: boolean;
  suspended: boolean;
  received_at: string;
  due_at: string | null;
  clock_key: string | null;
}

export interface NoticeRow {
  notice_id: string;
  case_id: string;
  department: string;
  accountable_unit: string;
  level: string;
  reason: string;
  clock_key: string | null;
  issued_at: string;
  due_at: string;
  answered_at: string | null;
}

export interface KpiRow {
  case_id: string;
  department: string;
  level: string;
  dispute_type: string;
  collective: boolean;
  worker_count: number;
  respondent_credit_code: string;
  respondent_name: string;
  received_at: string;
  received_month: string;
  accepted_month: string | null;
  agreement_month: string | null;
  closed_month: string | null;
  merged: boolean;
  recorded: boolean;
  handled: boolean;
  with_outcome: boolean;
  replied: boolean;
  feedback: boolean;
  on_time: boolean | null;
  days_to_close: number | null;
}

export interface CaseRows {
  summary: SummaryRow;
  clocks: ClockRow[];
  queue: QueueRow[];
  notices: NoticeRow[];
  kpi: KpiRow;
}

const monthOf = (instant: string | null): string | null => (instant === null ? null : chinaDateOf(instant).slice(0, 7));
const DAY_MS = 86_400_000;

/** The rows a case contributes to every derived table; null for a document without a case. */
export function rowsOf(doc: CaseDoc): CaseRows | null {
  const { state, facts } = doc;
  if (state.status === 'none' || facts === null) return null;
  const caseId = state.caseId;
  const disputeType = state.disputeType ?? state.claim.disputeTypeHint;
  const closed = state.status === 'closed';
  const merged = state.mergedInto !== null;

  const summary: SummaryRow = {
    case_id: caseId,
    // The core's own status word, from the folded state: the same in every table (a classified case is
    // 'classified' here and in the queue).
    status: state.status,
    channel: state.channel,
    collective: state.collective,
    priority: state.priority,
    worker_count: state.workerCount,
    dispute_type: disputeType,
    level: state.level,
    lead_department: state.route?.leadDepartment ?? null,
    respondent_name: state.respondent.name,
    respondent_credit_code: state.respondent.creditCode,
    town: state.respondent.town,
    received_at: state.receivedAt,
    updated_at: facts.updatedAt,
    closed_at: facts.closedAt,
    last_sequence: state.version,
    last_event_type: facts.lastEventType,
  };

  const clocks: ClockRow[] = [];
  for (const clock of Object.values(state.clocks)) {
    if (clock.status !== 'running' && clock.status !== 'paused') continue;
    let warnAt: string | null = null;
    for (const w of clock.warnAt) if (warnAt === null || ms(w.at) < ms(warnAt)) warnAt = w.at;
    clocks.push({
      case_id: caseId,
      clock_key: clock.key,
      policy_id: clock.policyId,
      department: accountableFor(state, clock.onBreach, clock.scope),
      level: state.level,
      status: clock.status,
      started_at: clock.startedAt,
      due_at: clock.dueAt,
      warn_at: warnAt,
      breached: clock.breached,
      duty: isDuty(clock),
      provisional: clock.provisional,
    });
  }

  const queue: QueueRow[] = [];
  if (!closed) {
    const roles = new Map<string, QueueRow['role']>([[leadOf(state), 'lead']]);
    for (const referral of Object.values(state.referrals)) {
      if ((referral.status === 'open' || referral.status === 'accepted') && !roles.has(referral.department)) roles.set(referral.department, 'referral');
    }
    for (const clock of clocks) if (clock.duty && clock.status === 'running' && !roles.has(clock.department)) roles.set(clock.department, 'clock');
    for (const [department, role] of roles) {
      let next: ClockRow | null = null;
      for (const clock of clocks) {
        if (clock.department !== department || !clock.duty || clock.status !== 'running') continue;
        if (next === null || ms(clock.due_at) < ms(next.due_at) || (clock.due_at === next.due_at && clock.clock_key < next.clock_key)) next = clock;
      }
      queue.push({
        department,
        case_id: caseId,
        role,
        level: state.level,
        status: state.status,
        priority: state.priority,
        collective: state.collective,
        suspended: state.suspended !== null,
        received_at: state.receivedAt,
        due_at: next?.due_at ?? null,
        clock_key: next?.clock_key ?? null,
      });
    }
  }

  const notices: NoticeRow[] = Object.values(state.supervision).map((notice) => {
    const extra = facts.notices[notice.noticeId];
    return {
      notice_id: notice.noticeId,
      case_id: caseId,
      department: notice.department,
      accountable_unit: extra?.accountableUnit ?? '',
      level: extra?.level ?? state.level,
      reason: notice.reason,
      clock_key: extra?.clockKey ?? null,
      issued_at: extra?.issuedAt ?? facts.updatedAt,
      due_at: notice.dueAt,
      answered_at: notice.answered ? (extra?.answeredAt ?? facts.updatedAt) : null,
    };
  });

  const closedCounted = closed && !merged && facts.closedAt !== null;
  const kpi: KpiRow = {
    case_id: caseId,
    department: leadOf(state),
    level: state.level,
    dispute_type: disputeType,
    collective: state.collective,
    worker_count: state.workerCount,
    respondent_credit_code: state.respondent.creditCode,
    respondent_name: state.respondent.name,
    received_at: state.receivedAt,
    received_month: monthOf(state.receivedAt) as string,
    accepted_month: monthOf(facts.acceptedAt),
    agreement_month: monthOf(facts.firstAgreementAt),
    closed_month: closedCounted ? monthOf(facts.closedAt) : null,
    merged,
    recorded: facts.classifiedAt !== null || facts.rejectedAt !== null || merged,
    handled: facts.acceptedAt !== null || facts.rejectedAt !== null || merged,
    with_outcome: facts.firstOutcomeAt !== null && !merged,
    replied: facts.firstReplyAt !== null,
    feedback: facts.firstFeedbackAt !== null,
    on_time: closedCounted ? !facts.late : null,
    days_to_close: closedCounted ? (ms(facts.closedAt as string) - ms(state.receivedAt)) / DAY_MS : null,
  };

  return { summary, clocks, queue, notices, kpi };
}
