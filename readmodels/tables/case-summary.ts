// case_summary: one row per case — status, channel, respondent, level, lead department, … — what
// GET /cases/:id shows and the lists join for the respondent's name and the town.
import { z } from 'zod';
import type { Queryable } from '../db.js';
import type { FoldedCase } from '../case-document.js';
import { assertSchemaName } from '../sql.js';
import { defineTable, selectColumns, type RowOf } from '../table.js';

export const caseSummaryTable = defineTable({
  name: 'case_summary',
  columns: {
    case_id: { type: 'text' },
    status: { type: 'text' },
    channel: { type: 'text' },
    collective: { type: 'boolean' },
    priority: { type: 'text' },
    worker_count: { type: 'integer' },
    dispute_type: { type: 'text' },
    level: { type: 'text' },
    lead_department: { type: 'text', nullable: true },
    respondent_name: { type: 'text' },
    respondent_credit_code: { type: 'text' },
    town: { type: 'text' },
    received_at: { type: 'timestamptz' },
    updated_at: { type: 'timestamptz' },
    closed_at: { type: 'timestamptz', nullable: true },
    last_sequence: { type: 'integer' },
    last_event_type: { type: 'text' },
  },
  primaryKey: ['case_id'],
  indexes: (s) => [`create index if not exists case_summary_received on ${s}.case_summary (received_at)`],
});

export type SummaryRow = RowOf<typeof caseSummaryTable.columns>;

export function summaryRow({ state, facts }: FoldedCase): SummaryRow {
  return {
    case_id: state.caseId,
    // The core's own status word, from the folded state: the same in every table (a classified case is
    // 'classified' here and in the queue).
    status: state.status,
    channel: state.channel,
    collective: state.collective,
    priority: state.priority,
    worker_count: state.workerCount,
    dispute_type: state.disputeType ?? state.claim.disputeTypeHint,
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
}

export const CaseSummary = z
  .object({
    caseId: z.string(),
    status: z.string(),
    channel: z.string(),
    collective: z.boolean(),
    priority: z.string(),
    workerCount: z.number(),
    disputeType: z.string(),
    level: z.string(),
    leadDepartment: z.string().nullable(),
    respondentName: z.string(),
    respondentCreditCode: z.string(),
    town: z.string(),
    receivedAt: z.string(),
    updatedAt: z.string(),
    closedAt: z.string().nullable(),
    lastSequence: z.number(),
    lastEventType: z.string(),
  })
  .meta({ id: 'CaseSummary' });
export type CaseSummary = z.infer<typeof CaseSummary>;

/** The case summary (no personal data), or null when the projector has not seen the case. */
export async function caseSummary(db: Queryable, schema: string, caseId: string): Promise<CaseSummary | null> {
  const s = assertSchemaName(schema);
  const found = await db.query<CaseSummary>(`select ${selectColumns(caseSummaryTable, 'c')} from ${s}.case_summary c where c.case_id = $1`, [caseId]);
  return found.rows[0] ?? null;
}
