// The open cases as the projector folded them (case_state), for the console's "my work" list: the API
// asks the core which of them wait for the caller (domain/case/available.ts). Narrowed by town in SQL.
import type { CaseState } from '../domain/case/index.js';
import type { Queryable } from './db.js';
import { assertSchemaName } from './schema.js';

export async function openCaseStates(db: Queryable, schema: string, options: { town?: string; limit?: number } = {}): Promise<CaseState[]> {
  const s = assertSchemaName(schema);
  const found = await db.query<{ state: CaseState }>(
    `select state from ${s}.case_state
     where state->>'status' not in ('closed', 'none')
       and ($1::text is null or state->'respondent'->>'town' = $1)
     order by case_id
     limit $2`,
    [options.town ?? null, options.limit ?? 500],
  );
  return found.rows.map((r) => (typeof r.state === 'string' ? (JSON.parse(r.state) as CaseState) : r.state));
}
