// POST /cases/:id/commands/:type — a staff command, sent to the case workflow as the update of that
// name. The body is the command's data; who acts comes from the access token. A command the core
// rejects (in the update's validator, so nothing is written) answers with the rejection's HTTP status
// and the reason in the clerk's words.
import crypto from 'node:crypto';
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client';
import { isGrpcDeadlineError, isGrpcServiceError, ServiceError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { signCommand } from '../runtime/command-signing.js';
import { CaseCommandSchema, COMMAND_TYPES, rejectionHttpStatus, type CommandType, type RejectionCode } from '../domain/case/index.js';
import type { Actor, EncryptedValue } from '../events/index.js';
import { caseViewQuery, commandFingerprint, commandUpdates, type CaseView, type CommandRequest, type CommandResult } from '../workflows/messages.js';
import type { Locale } from './i18n.js';
import type { CoreRejection } from './messages.js';
import { ApiError, parseInput, RejectedError } from './problem.js';

// Commands the workflow issues itself, or that start a case, are not accepted over this route.
// ErasePersonalData has its own route (api/routes/erasure.ts): it also destroys keys.
// RecordMergedDuplicate is the surviving case's half of a merge, which the merging case's workflow sends.
const NOT_OVER_HTTP: ReadonlySet<CommandType> = new Set(['ReceiveCase', 'CheckClocks', 'ErasePersonalData', 'RecordMergedDuplicate']);
export const HTTP_COMMANDS: readonly CommandType[] = COMMAND_TYPES.filter((t) => !NOT_OVER_HTTP.has(t));

export function assertCommandType(type: string): CommandType {
  if (!(HTTP_COMMANDS as readonly string[]).includes(type)) throw new ApiError(404, 'not-found', 'not-found.command', { type, commands: HTTP_COMMANDS.join(', ') });
  return type as CommandType;
}

/**
 * How long a request waits for Temporal (the server, and a worker to run the update or query) before it is
 * answered 503 with Retry-After. Without it a request hangs while the client retries an absent server.
 * A command that timed out may still be applied later: the client retries with the same Idempotency-Key.
 */
export const TEMPORAL_DEADLINE_MS = 10_000;

/**
 * The API's Temporal connection retries an unreachable server a few times over about half a second, not the
 * SDK's default ten times over some twenty seconds: a person is waiting, and a 503 that says when to try
 * again serves them better than a request that hangs.
 */
export const apiConnectionOptions: Pick<ConnectionOptions, 'interceptors'> = {
  interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 4 }))],
};

export function withTemporalDeadline<T>(temporal: Client, fn: () => Promise<T>): Promise<T> {
  return temporal.withDeadline(Date.now() + TEMPORAL_DEADLINE_MS, fn);
}

/** Temporal did not answer in time, or cannot be reached: the request may be retried. */
export function temporalUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    const error: Error = e;
    const deadline = isGrpcDeadlineError(error as unknown);
    const grpcCode = isGrpcServiceError(error as unknown) ? (error as unknown as { code: number }).code : undefined;
    if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || deadline) return true;
    if (grpcCode === 14 /* UNAVAILABLE */ || grpcCode === 4 /* DEADLINE_EXCEEDED */) return true;
    if (error instanceof ServiceError && /UNAVAILABLE|DEADLINE_EXCEEDED|deadline/i.test(error.message)) return true;
    e = error.cause;
  }
  return false;
}

/** The case as its workflow holds it now; 404 when there is none. */
export async function caseView(temporal: Client, caseId: string): Promise<CaseView> {
  try {
    return await withTemporalDeadline(temporal, () => temporal.workflow.getHandle(caseId).query(caseViewQuery));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new ApiError(404, 'not-found', 'not-found.case', { caseId });
    throw err;
  }
}

/**
 * The command id of a request: the client's Idempotency-Key when it sent one (so a retry after a lost
 * response is the same command, answered once), scoped to who sends it; a fresh id otherwise.
 */
export function commandIdFor(actor: Actor, idempotencyKey: string | undefined): string {
  return idempotencyKey === undefined ? `cmd-${crypto.randomUUID()}` : `idem:${actor.id}:${idempotencyKey}`;
}

export async function runCommand(
  temporal: Client,
  opts: {
    caseId: string;
    type: CommandType;
    body: unknown;
    actor: Actor;
    requestId: string;
    locale: Locale;
    idempotencyKey?: string;
    fingerprint?: string;
    mergedInReason?: EncryptedValue;
    /** MergeCase: the target as the caller found it, after checking the caller's scope on it (api/second-case.ts). */
    mergeTarget?: NonNullable<CommandRequest['mergeTarget']>;
  },
): Promise<CommandResult> {
  const command = parseInput(CaseCommandSchema, { type: opts.type, caseId: opts.caseId, data: opts.body ?? {} }, opts.locale);
  const commandId = commandIdFor(opts.actor, opts.idempotencyKey);
  // The request id is the events' correlation id: one id from the caller's log to the hash chain.
  const request: CommandRequest = { command, actor: opts.actor, commandId, correlationId: opts.requestId };
  try {
    if (command.type === 'MergeCase') {
      // The core decides the merge per case; the target's existence and status come from its workflow.
      const intoCaseId = command.data.intoCaseId;
      request.mergeTarget = opts.mergeTarget?.caseId === intoCaseId ? opts.mergeTarget : { caseId: intoCaseId, status: await caseStatus(temporal, intoCaseId) };
      // The surviving case's copy of the reason, for the workflow's merge saga.
      if (opts.mergedInReason) request.intoReason = opts.mergedInReason;
    }
    // The server answers a repeated update id within the run with the first outcome, without asking the
    // workflow; the workflow remembers the last commands across a continue-as-new. The update id carries
    // the command's fingerprint, so a key reused for a different command reaches the workflow and is refused.
    if (opts.fingerprint) request.fingerprint = opts.fingerprint;
    const updateId = `${commandId}#${commandFingerprint(request).slice(0, 16)}`;
    return await withTemporalDeadline(temporal, () => temporal.workflow.getHandle(opts.caseId).executeUpdate(commandUpdates[command.type], { args: [signCommand(request)], updateId }));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new ApiError(404, 'not-found', 'not-found.case', { caseId: opts.caseId });
    if (err instanceof WorkflowUpdateFailedError) throw rejectionOf(err);
    throw err;
  }
}

// The validator throws "code: reason"; the handler (a rare race with another command) throws an
// ApplicationFailure of type "rejected:code".
function rejectionOf(err: WorkflowUpdateFailedError): RejectedError {
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
  const rejection: CoreRejection = { code, reason, ...(details && typeof details === 'object' ? (details as Pick<CoreRejection, 'key' | 'params'>) : {}) };
  return new RejectedError(rejectionHttpStatus[code] ?? 409, rejection);
}

async function caseStatus(temporal: Client, caseId: string): Promise<NonNullable<CommandRequest['mergeTarget']>['status']> {
  try {
    return (await withTemporalDeadline(temporal, () => temporal.workflow.getHandle(caseId).query(caseViewQuery))).state.status;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'none';
    throw err;
  }
}
