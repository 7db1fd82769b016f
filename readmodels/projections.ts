// The read models, each declared in one place with the events it handles. A projection's apply runs
// inside the projector's transaction, after the (case, sequence) checks, so it sees each event once.
import type { CaseEvent, EventType } from '../events/index.js';
import type { Queryable } from './db.js';

export interface Projection {
  name: string;
  apply(tx: Queryable, schema: string, event: CaseEvent): Promise<void>;
}

// The status a case shows after an event of this type; types not listed leave the status alone.
const statusAfter: Partial<Record<EventType, string>> = {
  CaseReceived: 'received',
  CaseAccepted: 'accepted',
  CaseRejected: 'rejected',
  CaseRouted: 'routed',
  SessionScheduled: 'in-mediation',
  AgreementReached: 'agreement',
  MediationFailed: 'mediation-failed',
  ReferredToArbitration: 'referred-to-arbitration',
  ReferredToLitigation: 'referred-to-litigation',
  CaseWithdrawn: 'withdrawn',
  ReplySent: 'replied',
  CaseClosed: 'closed',
  CaseReopened: 'reopened',
  CaseMerged: 'merged',
};

export const caseSummary: Projection = {
  name: 'case_summary',
  async apply(tx, s, event) {
    if (event.type === 'CaseReceived') {
      const d = event.data;
      await tx.query(
        `insert into ${s}.case_summary (case_id, status, channel, collective, priority, worker_count, dispute_type, level,
           respondent_name, respondent_credit_code, town, received_at, updated_at, last_sequence, last_event_type)
         values ($1, 'received', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13)`,
        [event.caseId, d.channel, d.collective, d.priority, d.workerCount, d.claim.disputeTypeHint, d.respondent.level,
          d.respondent.name, d.respondent.creditCode, d.respondent.town, event.occurredAt, event.sequence, event.type],
      );
      return;
    }
    const status = statusAfter[event.type] ?? null;
    await tx.query(
      `update ${s}.case_summary set status = coalesce($2, status), updated_at = $3, last_sequence = $4, last_event_type = $5,
         closed_at = case when $5 = 'CaseClosed' then $3::timestamptz when $5 = 'CaseReopened' then null else closed_at end
       where case_id = $1`,
      [event.caseId, status, event.occurredAt, event.sequence, event.type],
    );
    if (event.type === 'CaseRouted') {
      await tx.query(`update ${s}.case_summary set lead_department = $2, level = $3 where case_id = $1`, [event.caseId, event.data.leadDepartment, event.data.level]);
    } else if (event.type === 'CaseClassified') {
      await tx.query(`update ${s}.case_summary set dispute_type = $2, collective = $3, worker_count = $4 where case_id = $1`, [event.caseId, event.data.disputeType, event.data.collective, event.data.workerCount]);
    } else if (event.type === 'CaseEscalated') {
      await tx.query(`update ${s}.case_summary set level = $2 where case_id = $1`, [event.caseId, event.data.toLevel]);
    }
  },
};

export const projections: readonly Projection[] = [caseSummary];
