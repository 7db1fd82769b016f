// What the read models answer (DOMAIN.md, "What the read models must answer"), as query functions for the
// API and the CLI. Each query lives in the file of the table it reads (readmodels/tables/), beside the
// table's columns and the derivation of its rows; this module gathers them, with the dead-letter queries.
// Every answer that depends on the time (time left, overdue, at risk, a notice past its due moment, the
// early-warning window) is computed from stored moments and `now` (default: the clock), never frozen when
// the event was projected. Instants come back as ISO strings in UTC.
import { z } from 'zod';
import type { Queryable } from './db.js';
import { assertSchemaName } from './sql.js';
import { iso } from './table.js';

export { departmentQueue, QueueItem, type QueueOptions } from './tables/department-queue.js';
export { atRiskCases, CaseDeadline, DeadlineCase, LightSchema, overdueCases, type ClockFilter } from './tables/case-clock.js';
export { OpenNotice, openSupervision, type SupervisionFilter } from './tables/supervision-notice.js';
export {
  ComplaintTrend,
  complaintTrend,
  EarlyWarning,
  earlyWarnings,
  KpiCase,
  kpiCases,
  KpiRow,
  kpis,
  type EarlyWarningOptions,
  type KpiCounts,
  type KpiDimension,
  type KpiFilter,
  type KpiRates,
} from './tables/case-kpi.js';
export { caseSummary, CaseSummary } from './tables/case-summary.js';
export { ArchivedEvent, caseArchive } from './tables/event-archive.js';
export { caseState } from './tables/case-state.js';

export const ParkedEvent = z
  .object({
    id: z.string(),
    caseId: z.string().nullable(),
    sequence: z.number().nullable(),
    partition: z.number(),
    offset: z.string(),
    reason: z.string(),
    parkedAt: z.string(),
  })
  .meta({ id: 'ParkedEvent' });
export type ParkedEvent = z.infer<typeof ParkedEvent>;

/** How many events are parked, in how many cases, and since when: for /health. */
export async function deadLetterSummary(db: Queryable, schema: string): Promise<{ events: number; cases: number; oldestParkedAt: string | null }> {
  const s = assertSchemaName(schema);
  const found = await db.query<{ events: number; cases: number; oldestParkedAt: string | null }>(
    `select count(*)::int as events, count(distinct case_id)::int as cases, ${iso('min(parked_at)', '"oldestParkedAt"')} from ${s}.dead_letter`,
  );
  return found.rows[0] ?? { events: 0, cases: 0, oldestParkedAt: null };
}

/** The dead-letter table, oldest first (optionally one case's). */
export async function deadLetters(db: Queryable, schema: string, options: { caseId?: string; limit?: number } = {}): Promise<ParkedEvent[]> {
  const s = assertSchemaName(schema);
  const found = await db.query<ParkedEvent>(
    `select id::text as id, case_id as "caseId", sequence, partition, kafka_offset::text as "offset", reason, ${iso('parked_at', '"parkedAt"')}
     from ${s}.dead_letter where ($1::text is null or case_id = $1) order by id limit $2`,
    [options.caseId ?? null, options.limit ?? 1000],
  );
  return found.rows;
}
