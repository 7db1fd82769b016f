// POST /cases/:id/commands/:type — a staff command, sent to the case workflow as the update of that
// name. The body is the command's data; who acts comes from the actor headers. A command the core
// rejects (in the update's validator, so nothing is written) answers with the rejection's HTTP status
// and the reason in the clerk's words.
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { CaseCommandSchema, COMMAND_TYPES, rejectionHttpStatus, type CommandType, type RejectionCode } from '../domain/case/index.js';
import { caseViewQuery, commandUpdates, type CommandRequest, type CommandResult } from '../workflows/messages.js';
import { actorOf } from './actor.js';
import { HttpError, parseBody } from './http.js';

// Commands the workflow issues itself, or that start a case, are not accepted over this route.
const NOT_OVER_HTTP: ReadonlySet<CommandType> = new Set(['ReceiveCase', 'CheckClocks']);

export async function runCommand(temporal: Client, req: IncomingMessage, caseId: string, type: string, body: unknown): Promise<CommandResult> {
  if (!(COMMAND_TYPES as string[]).includes(type) || NOT_OVER_HTTP.has(type as CommandType)) {
    throw new HttpError(404, 'not-found', `there is no command ${type}; commands: ${COMMAND_TYPES.filter((t) => !NOT_OVER_HTTP.has(t)).join(', ')}`);
  }
  const actor = actorOf(req);
  const command = parseBody(CaseCommandSchema, { type, caseId, data: body ?? {} });
  const requestId = crypto.randomUUID();
  const request: CommandRequest = { command, actor, commandId: `cmd-${requestId}`, correlationId: `req-${requestId}` };
  try {
    if (command.type === 'MergeCase') {
      // The core decides the merge per case; the target's existence and status come from its workflow.
      const intoCaseId = command.data.intoCaseId;
      request.mergeTarget = { caseId: intoCaseId, status: await caseStatus(temporal, intoCaseId) };
    }
    const result = await temporal.workflow.getHandle(caseId).executeUpdate(commandUpdates[command.type], { args: [request] });
    if (command.type === 'MergeCase') {
      // Both cases record the merge: the surviving case its duplicate.
      const data = { fromCaseId: caseId, reason: command.data.reason };
      await temporal.workflow.getHandle(command.data.intoCaseId).executeUpdate(commandUpdates.RecordMergedDuplicate, {
        args: [{ ...request, command: { type: 'RecordMergedDuplicate', caseId: command.data.intoCaseId, data }, commandId: `cmd-${requestId}-into` }],
      });
    }
    return result;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new HttpError(404, 'not-found', `there is no case ${caseId}`);
    if (err instanceof WorkflowUpdateFailedError) throw rejectionOf(err);
    throw err;
  }
}

// The validator throws "code: reason"; the handler (a rare race with another command) throws an
// ApplicationFailure of type "rejected:code".
function rejectionOf(err: WorkflowUpdateFailedError): HttpError {
  const cause = err.cause;
  let code: RejectionCode = 'illegal-state';
  let reason = cause?.message ?? err.message;
  let details: unknown;
  if (cause instanceof ApplicationFailure && cause.type?.startsWith('rejected:')) {
    code = cause.type.slice('rejected:'.length) as RejectionCode;
    // { key, params }: the rejection's message id, for the caller's own language.
    details = cause.details?.[0];
  } else {
    const match = /^(validation|illegal-state|forbidden|not-found): (.*)$/s.exec(reason);
    if (match) {
      code = match[1] as RejectionCode;
      reason = match[2] ?? reason;
    }
  }
  return new HttpError(rejectionHttpStatus[code] ?? 409, code, reason, details);
}

async function caseStatus(temporal: Client, caseId: string): Promise<NonNullable<CommandRequest['mergeTarget']>['status']> {
  try {
    return (await temporal.workflow.getHandle(caseId).query(caseViewQuery)).state.status;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'none';
    throw err;
  }
}
