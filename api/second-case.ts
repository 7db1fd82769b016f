// The second case of a command that names one (a merge's target, a linked case): the caller's scope is
// checked on it as on the case the command is sent to. A second case outside the caller's scope answers
// exactly as one that does not exist — 404, without its status — so that a command cannot probe other
// towns' case numbers.
import { secondCaseOf } from '../domain/case/second-case.js';
import type { CaseState, CommandType } from '../domain/case/index.js';
import type { Client } from '@temporalio/client';
import type { Staff } from './auth.js';
import { factsOf, inScope, type Grant } from './authz.js';
import { caseView } from './commands.js';
import { ApiError } from './problem.js';

export async function secondCaseInScope(
  temporal: Client,
  staff: Staff,
  grant: Grant,
  opts: { caseId: string; type: CommandType; body: unknown },
): Promise<{ caseId: string; status: CaseState['status'] } | undefined> {
  const other = secondCaseOf(opts.type, opts.body);
  // No second case named (the command's own checks name the field), or the case itself (the core refuses it).
  if (other === undefined || other === opts.caseId) return undefined;
  const notFound = new ApiError(404, 'not-found', 'not-found.case', { caseId: other });
  let state: CaseState;
  try {
    state = (await caseView(temporal, other)).state;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) throw notFound;
    throw err;
  }
  const facts = factsOf(state);
  if (!facts || !inScope(staff, grant, facts)) throw notFound;
  return { caseId: other, status: state.status };
}
