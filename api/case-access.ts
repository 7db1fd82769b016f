// Who is asking, and whether the case they ask about is theirs to see: the one scope check of every route
// that names a case. A case that does not exist is 404; one outside the caller's scope is 403 (the
// authorisation table's scope, api/authz.ts). The live check asks the workflow, the stored one the read
// model (routes that read the read model answer from what it holds).
import type { Client } from '@temporalio/client';
import type { CaseState } from '../domain/case/index.js';
import { caseState } from '../readmodels/queries.js';
import type { CaseView } from '../workflows/messages.js';
import type { Staff } from './auth.js';
import { factsOf, requireInScope, type Grant } from './authz.js';
import { caseView } from './commands.js';
import type { ApiDeps } from './deps.js';
import { ApiError } from './problem.js';

export interface Caller {
  staff: Staff;
  grant: Grant;
}

/** The signed-in caller and their grant for the route's operation; the auth hook sets both before any handler of a non-public route. */
export function callerOf(req: { staff: Staff | undefined; grant: Grant | undefined }): Caller {
  if (!req.staff || !req.grant) throw new ApiError(401, 'unauthenticated', 'auth.missing');
  return { staff: req.staff, grant: req.grant };
}

/** 404 (with `notFound`) unless the state holds a case, 403 unless it is in the caller's scope. */
export function requireCaseInScope(
  { staff, grant }: Caller,
  state: CaseState,
  caseId: string,
  notFound: 'not-found.case' | 'not-found.case-summary',
): asserts state is Exclude<CaseState, { status: 'none' }> {
  const facts = factsOf(state);
  if (!facts || state.status === 'none') throw new ApiError(404, 'not-found', notFound, { caseId });
  requireInScope(staff, grant, facts);
}

/** The case as its workflow holds it, once it is known to be in the caller's scope. */
export async function liveCaseInScope(temporal: Client, caller: Caller, caseId: string): Promise<CaseView> {
  const view = await caseView(temporal, caseId);
  requireCaseInScope(caller, view.state, caseId, 'not-found.case');
  return view;
}

/** The case as the read model folded it, once it is known to be in the caller's scope. */
export async function storedCaseInScope(deps: Pick<ApiDeps, 'db' | 'schema'>, caller: Caller, caseId: string): Promise<CaseState> {
  const found = await caseState(deps.db, deps.schema, caseId);
  requireCaseInScope(caller, found?.state ?? { status: 'none' }, caseId, 'not-found.case-summary');
  return (found as { state: CaseState }).state;
}
