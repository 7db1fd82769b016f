// case_state: the case as the domain folds it (domain/case evolve, SLA clocks included), and the facts the
// read models need that the state does not keep (readmodels/case-document.ts). Every other per-case table
// is derived from these two documents, written once per case per batch.
import type { CaseState } from '../../domain/case/index.js';
import type { Queryable } from '../db.js';
import type { CaseDoc } from '../case-document.js';
import { assertSchemaName } from '../sql.js';
import { defineTable, type RowOf } from '../table.js';

export const caseStateTable = defineTable({
  name: 'case_state',
  columns: {
    case_id: { type: 'text' },
    version: { type: 'integer' },
    state: { type: 'jsonb' },
    facts: { type: 'jsonb' },
  },
  primaryKey: ['case_id'],
  // The duplicate check at intake: the open cases against one enterprise (readmodels/open-cases.ts).
  indexes: (s) => [`create index if not exists case_state_credit_code on ${s}.case_state ((state->'respondent'->>'creditCode'))`],
});

export type StateRow = RowOf<typeof caseStateTable.columns>;

/** The row of a folded case; null for a document without a case. */
export function stateRow(caseId: string, version: number, doc: CaseDoc): StateRow | null {
  return doc.facts ? { case_id: caseId, version, state: doc.state, facts: doc.facts } : null;
}

/** The case as the projector folded it (the domain state, SLA clocks included), or null. */
export async function caseState(db: Queryable, schema: string, caseId: string): Promise<{ version: number; state: CaseState } | null> {
  const s = assertSchemaName(schema);
  const found = await db.query<{ version: number; state: CaseState }>(`select version, state from ${s}.case_state where case_id = $1`, [caseId]);
  return found.rows[0] ?? null;
}
