// Ordered dumps of the read-model tables, to compare two schemas (a rebuild against the incremental
// tables). Columns that record when the projector wrote a row rather than what the events say (updated_at
// of the checkpoint, the dead-letter id and parked_at) are left out.
import type { Queryable } from './db.js';
import { assertSchemaName } from './sql.js';

export const READ_MODEL_TABLES: Readonly<Record<string, { orderBy: string; omit?: readonly string[] }>> = {
  readmodel_meta: { orderBy: 'key' },
  projector_checkpoint: { orderBy: 'topic, partition', omit: ['updated_at'] },
  case_progress: { orderBy: 'case_id' },
  dead_letter: { orderBy: 'topic, partition, kafka_offset', omit: ['id', 'parked_at'] },
  event_archive: { orderBy: 'case_id, sequence' },
  case_state: { orderBy: 'case_id' },
  case_summary: { orderBy: 'case_id' },
  case_clock: { orderBy: 'case_id, clock_key' },
  department_queue: { orderBy: 'department, case_id' },
  supervision_notice: { orderBy: 'notice_id' },
  case_kpi: { orderBy: 'case_id' },
};

/** Each table's rows as JSON text, in a fixed order. */
export async function dumpReadModels(db: Queryable, schema: string, tables: readonly string[] = Object.keys(READ_MODEL_TABLES)): Promise<Record<string, string[]>> {
  const s = assertSchemaName(schema);
  const dump: Record<string, string[]> = {};
  for (const table of tables) {
    const spec = READ_MODEL_TABLES[table];
    if (!spec) throw new Error(`dumpReadModels: unknown table ${table}`);
    const omit = (spec.omit ?? []).map((c) => ` - '${c}'`).join('');
    const found = await db.query<{ row: string }>(`select (to_jsonb(t)${omit})::text as row from ${s}.${table} t order by ${spec.orderBy}`);
    dump[table] = found.rows.map((r) => r.row);
  }
  return dump;
}
