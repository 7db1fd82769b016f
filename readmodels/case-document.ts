// The read models' document of one case: a pure evolve over the case's events into the domain state and the
// facts it forgets. Each table derives its rows from it (in the table's own file, readmodels/tables/; the
// list of tables: registry.ts). A leaf module: the tables import its types, it imports none of them.
//
// The projector folds every case with the domain's own evolve (domain/case), SLA clocks included, so
// queues, overdue and at-risk lists and supervision notices compute deadlines exactly as the workflow
// does. Next to the state it keeps a few facts the state forgets (when the first reply went out, when
// each notice was issued, whether a duty clock was ever late). All rows are functions of (state, facts):
// applying a history in one batch or in a hundred gives the same rows, which is what lets a rebuild be
// compared with the incremental tables.
import { evolve, initialState, type CaseState, type OpenCase } from '../domain/case/index.js';
import { isDuty } from '../domain/sla/index.js';
import { type CaseEvent, type EventType, type Level } from '../events/index.js';

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

/** A document with a case: what every table's rows are derived from (each in its table's file). */
export interface FoldedCase {
  state: OpenCase;
  facts: CaseFacts;
}

/** The document as a folded case; null for a document without a case. */
export function foldedCase(doc: CaseDoc): FoldedCase | null {
  const { state, facts } = doc;
  return state.status === 'none' || facts === null ? null : { state, facts };
}
