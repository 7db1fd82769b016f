// The read models of one case: a pure evolve over the case's events into a document (the domain state and
// the facts it forgets), from which each table's rows are derived (in the table's own file, readmodels/tables/).
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
import { evolve, initialState, type CaseState, type OpenCase } from '../domain/case/index.js';
import { isDuty } from '../domain/sla/index.js';
import { type CaseEvent, type EventType, type Level } from '../events/index.js';
import { clockRows, type ClockRow } from './tables/case-clock.js';
import { kpiRow, type CaseKpiRow } from './tables/case-kpi.js';
import { summaryRow, type SummaryRow } from './tables/case-summary.js';
import { queueRows, type QueueRow } from './tables/department-queue.js';
import { noticeRows, type NoticeRow } from './tables/supervision-notice.js';

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

// A duty clock (the centre's deadline, not a party's window) is the core's notion: read models take it from there.
export { isDuty };

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
  if (!facts.late && (doc.state.status === 'none' || state.clocks !== doc.state.clocks)) {
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

/** A document with a case: what every table's rows are derived from (each in its table's file). */
export interface FoldedCase {
  state: OpenCase;
  facts: CaseFacts;
}

export interface CaseRows {
  summary: SummaryRow;
  clocks: ClockRow[];
  queue: QueueRow[];
  notices: NoticeRow[];
  kpi: CaseKpiRow;
}

/** The rows a case contributes to every derived table; null for a document without a case. */
export function rowsOf(doc: CaseDoc): CaseRows | null {
  const { state, facts } = doc;
  if (state.status === 'none' || facts === null) return null;
  const folded: FoldedCase = { state, facts };
  const clocks = clockRows(state);
  return { summary: summaryRow(folded), clocks, queue: queueRows(state, clocks), notices: noticeRows(folded), kpi: kpiRow(folded) };
}
