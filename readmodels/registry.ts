// Every read-model table, once: schema creation (schema.ts) creates them from this list, and the projector
// (projector.ts) derives and writes each per-case table's rows through it. A new table is declared in its
// own file under tables/ and added here; nothing else lists tables.
import { foldedCase, type CaseDoc } from './case-document.js';
import type { BatchWrite, Table } from './table.js';
import { caseClockTable, clockRows, type ClockRow } from './tables/case-clock.js';
import { caseKpiTable, kpiRow, type CaseKpiRow } from './tables/case-kpi.js';
import { caseProgressTable } from './tables/case-progress.js';
import { caseStateTable } from './tables/case-state.js';
import { caseSummaryTable, summaryRow, type SummaryRow } from './tables/case-summary.js';
import { departmentQueueTable, queueRows, type QueueRow } from './tables/department-queue.js';
import { eventArchiveTable } from './tables/event-archive.js';
import { noticeRows, supervisionNoticeTable, type NoticeRow } from './tables/supervision-notice.js';

/**
 * The tables in the order they are created. case_progress comes first: readmodel_meta's layout row is
 * written only while it is empty (schema.ts).
 */
export const TABLES: readonly Table[] = [
  caseProgressTable,
  eventArchiveTable,
  caseSummaryTable,
  caseStateTable,
  caseClockTable,
  departmentQueueTable,
  supervisionNoticeTable,
  caseKpiTable,
];

/** The rows a case contributes to the tables derived from its document. */
export interface CaseRows {
  summary: SummaryRow;
  clocks: ClockRow[];
  queue: QueueRow[];
  notices: NoticeRow[];
  kpi: CaseKpiRow;
}

/** The rows of every derived table for one document; null for a document without a case. */
export function rowsOf(doc: CaseDoc): CaseRows | null {
  const folded = foldedCase(doc);
  if (!folded) return null;
  const clocks = clockRows(folded.state);
  return { summary: summaryRow(folded), clocks, queue: queueRows(folded.state, clocks), notices: noticeRows(folded), kpi: kpiRow(folded) };
}

/**
 * The derived tables' writes for the cases of a batch: one row per case is upserted, and a case's lists
 * (clocks, queue entries, notices) become exactly its current rows.
 */
export function writeCaseRows(write: BatchWrite, caseIds: readonly string[], rows: readonly CaseRows[]): BatchWrite {
  return write
    .upsert(caseSummaryTable, rows.map((r) => r.summary))
    .replaceOfCases(caseClockTable, caseIds, rows.flatMap((r) => r.clocks))
    .replaceOfCases(departmentQueueTable, caseIds, rows.flatMap((r) => r.queue))
    .replaceOfCases(supervisionNoticeTable, caseIds, rows.flatMap((r) => r.notices))
    .upsert(caseKpiTable, rows.map((r) => r.kpi));
}
