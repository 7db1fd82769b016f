// Reading the read models' event archive (readmodels/schema.ts: every applied event as received). The
// projector writes there only events that passed its own chain checks, so verifying the archive shows
// whether it has been changed since.
import type { Queryable } from '../readmodels/db.js';
import { assertSchemaName } from '../readmodels/sql.js';
import { SourceError } from './kafka.js';
import { decodeRecord, type StoredRecord } from './records.js';

export interface ArchiveSource {
  kind: 'archive';
  db: Queryable;
  schema: string;
  /** A description of the database for reports (never the password). */
  describe: string;
}

const PAGE = 2_000;

async function query<T extends Record<string, unknown>>(source: ArchiveSource, sql: string, params: unknown[]): Promise<T[]> {
  try {
    return (await source.db.query<T>(sql, params)).rows;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/relation .*event_archive.* does not exist/i.test(message)) {
      throw new SourceError(`there is no event archive in schema '${source.schema}' of ${source.describe} (set READMODEL_SCHEMA)`);
    }
    throw error;
  }
}

function table(source: ArchiveSource): string {
  return `${assertSchemaName(source.schema)}.event_archive`;
}

type Row = { case_id: string; sequence: number; event: string };

function toRecord(source: ArchiveSource, row: Row): StoredRecord {
  return decodeRecord(row.event, row.case_id, { kind: 'archive', table: table(source) });
}

export async function readCaseFromArchive(source: ArchiveSource, caseId: string): Promise<StoredRecord[]> {
  const rows = await query<Row>(
    source,
    `select case_id, sequence, event::text as event from ${table(source)} where case_id = $1 order by sequence`,
    [caseId],
  );
  return rows.map((row) => toRecord(source, row));
}

export async function countArchive(source: ArchiveSource): Promise<number> {
  const rows = await query<{ n: string }>(source, `select count(*)::text as n from ${table(source)}`, []);
  return Number(rows[0]?.n ?? 0);
}

/** Every archived event, case by case in sequence order, a page at a time (keyset pagination). */
export async function scanArchive(source: ArchiveSource, onPage: (records: StoredRecord[]) => void | Promise<void>): Promise<void> {
  let after: { caseId: string; sequence: number } | null = null;
  for (;;) {
    const rows: Row[] = after
      ? await query<Row>(
          source,
          `select case_id, sequence, event::text as event from ${table(source)}
           where (case_id, sequence) > ($1, $2) order by case_id, sequence limit ${PAGE}`,
          [after.caseId, after.sequence],
        )
      : await query<Row>(source, `select case_id, sequence, event::text as event from ${table(source)} order by case_id, sequence limit ${PAGE}`, []);
    if (rows.length === 0) return;
    await onPage(rows.map((row) => toRecord(source, row)));
    const last = rows[rows.length - 1]!;
    after = { caseId: last.case_id, sequence: last.sequence };
    if (rows.length < PAGE) return;
  }
}
