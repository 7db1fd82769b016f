// The open cases as the projector folded them (case_state), for the console's "my work" list and the
// duplicate check at intake: the API asks the core which of them wait for the caller
// (domain/case/available.ts). Everything that narrows a list — the caller's town, department and level,
// the enterprise — is in SQL, and a list is read a page at a time in a stable order, so no case is ever cut
// off by a fixed limit and filtered away afterwards.
import type { CaseState } from '../domain/case/index.js';
import type { Department, Level } from '../events/index.js';
import type { Queryable } from './db.js';
import { assertSchemaName } from './sql.js';

/** Who may see which cases, as SQL narrows them (api/authz.ts caseListScope). */
export interface CaseListScope {
  town?: string;
  /** Cases the department leads, joins or has a referral on. */
  department?: Department;
  /** Cases at one of these levels. */
  levels?: readonly Level[];
}

/** Where a page ended: the sort key of its last row (next running due moment, receipt, case number). */
export interface OpenCasesCursor {
  due: string;
  receivedAt: string;
  caseId: string;
}

export interface OpenCasesPage {
  states: CaseState[];
  /** Present when there may be more: pass it as `after` for the next page. */
  next?: OpenCasesCursor;
}

const scopeWhere = `
  cs.state->>'status' not in ('closed', 'none')
  and ($1::text is null or cs.state->'respondent'->>'town' = $1)
  and ($2::text[] is null or cs.state->>'level' = any($2::text[]))
  and ($3::text is null
       or cs.state->'route'->>'leadDepartment' = $3
       or coalesce(cs.state->'route'->'joiningDepartments', '[]'::jsonb) ? $3
       or exists (select 1 from jsonb_each(case when jsonb_typeof(cs.state->'referrals') = 'object' then cs.state->'referrals' else '{}'::jsonb end) r
                  where r.value->>'department' = $3))`;

const scopeParams = (scope: CaseListScope) => [scope.town ?? null, scope.levels ? [...scope.levels] : null, scope.department ?? null];

const parseState = (state: CaseState | string): CaseState => (typeof state === 'string' ? (JSON.parse(state) as CaseState) : state);

/**
 * One page of the open cases in scope, least time left first: by the earliest due moment of a running duty
 * clock (cases without one last), then receipt, then case number — a total order, so pages neither
 * overlap nor skip.
 */
export async function openCaseStatesPage(db: Queryable, schema: string, options: { scope: CaseListScope; limit: number; after?: OpenCasesCursor }): Promise<OpenCasesPage> {
  const s = assertSchemaName(schema);
  const found = await db.query<{ case_id: string; state: CaseState | string; next_due: string; received_at: string }>(
    `select case_id, state, next_due::text as next_due, received_at::text as received_at from (
       select cs.case_id, cs.state,
         coalesce((select min(c.due_at) from ${s}.case_clock c where c.case_id = cs.case_id and c.status = 'running' and c.duty), 'infinity'::timestamptz) as next_due,
         (cs.state->>'receivedAt')::timestamptz as received_at
       from ${s}.case_state cs
       where ${scopeWhere}
     ) open
     where $4::timestamptz is null or (next_due, received_at, case_id) > ($4::timestamptz, $5::timestamptz, $6::text)
     order by next_due, received_at, case_id
     limit $7`,
    [...scopeParams(options.scope), options.after?.due ?? null, options.after?.receivedAt ?? null, options.after?.caseId ?? null, options.limit],
  );
  const last = found.rows[found.rows.length - 1];
  return {
    states: found.rows.map((r) => parseState(r.state)),
    ...(last && found.rows.length === options.limit ? { next: { due: last.next_due, receivedAt: last.received_at, caseId: last.case_id } } : {}),
  };
}

/**
 * The open cases in scope against one enterprise (by credit code, indexed: tables/case-state.ts), those named in
 * `first` (the same complainant's) first, then the latest received; at most `limit`.
 */
export async function openCasesOfEnterprise(db: Queryable, schema: string, options: { scope: CaseListScope; creditCode: string; first: readonly string[]; limit: number }): Promise<CaseState[]> {
  const s = assertSchemaName(schema);
  const found = await db.query<{ state: CaseState | string }>(
    `select cs.state
     from ${s}.case_state cs
     where cs.state->'respondent'->>'creditCode' = $4 and ${scopeWhere}
     order by (cs.case_id = any($5::text[])) desc, (cs.state->>'receivedAt')::timestamptz desc, cs.case_id
     limit $6`,
    [...scopeParams(options.scope), options.creditCode, [...options.first], options.limit],
  );
  return found.rows.map((r) => parseState(r.state));
}

/** Cursors travel as opaque base64url text. */
export function encodeCursor(cursor: OpenCasesCursor): string {
  return Buffer.from(JSON.stringify([cursor.due, cursor.receivedAt, cursor.caseId])).toString('base64url');
}

export function decodeCursor(text: string): OpenCasesCursor | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString()) as unknown;
    if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((p) => typeof p === 'string')) return undefined;
    const [due, receivedAt, caseId] = parsed as [string, string, string];
    if (due !== 'infinity' && Number.isNaN(Date.parse(due))) return undefined;
    if (Number.isNaN(Date.parse(receivedAt))) return undefined;
    return { due, receivedAt, caseId };
  } catch {
    return undefined;
  }
}
