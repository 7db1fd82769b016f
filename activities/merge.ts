// The surviving case's half of a merge, run by the duplicate's workflow (workflows/case-workflow.ts, the
// merge saga): the RecordMergedDuplicate update on the target workflow, through the worker's own client.
//
// - The update id is fixed by the duplicate's command, so a retried attempt (the worker died, Temporal was
//   away) is the same update: the target answers it once.
// - Unreachable or slow (Temporal, no worker): thrown as is, and the activity is retried until the target
//   answers. The duplicate's MergeCase waits, and nothing is on either case meanwhile.
// - The target refuses (it has ended, is being merged itself, does not exist): a non-retryable failure of
//   type `rejected:<code>` with the target's message key, which the MergeCase update answers with; nothing is
//   written on either case.
// - The target already recorded this very duplicate (an attempt whose answer was lost, after the server forgot
//   the update id): that is the outcome wanted, not a refusal.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { CommandOf } from '../domain/case/index.js';
import { commandUpdates, type CommandRequest } from '../workflows/messages.js';

export interface RecordMergeOnTargetInput {
  request: CommandRequest<CommandOf<'RecordMergedDuplicate'>>;
  updateId: string;
}

export function createMergeActivities() {
  return {
    async recordMergeOnTarget({ request, updateId }: RecordMergeOnTargetInput): Promise<{ events: number; repeated: boolean }> {
      const intoCaseId = request.command.caseId;
      try {
        const { client, cancellationSignal } = Context.current();
        // Cancelled (the worker shuts down, the attempt timed out): the wait ends and a later attempt asks again.
        const result = await client.withAbortSignal(cancellationSignal, () =>
          client.workflow.getHandle(intoCaseId).executeUpdate(commandUpdates.RecordMergedDuplicate, { args: [request], updateId }),
        );
        return { events: result.events.length, repeated: result.repeated === true };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) {
          throw ApplicationFailure.create({ type: 'rejected:not-found', message: `there is no case ${intoCaseId} to merge into`, nonRetryable: true, details: [{ key: 'merge.target-not-found', params: { intoCaseId } }] });
        }
        if (!(err instanceof WorkflowUpdateFailedError)) throw err;
        const cause = err.cause;
        if (cause instanceof ApplicationFailure && cause.type?.startsWith('rejected:')) {
          const details = cause.details?.[0] as { key?: string } | undefined;
          if (details?.key === 'merge.already-recorded') return { events: 0, repeated: true };
          throw ApplicationFailure.create({ type: cause.type, message: cause.message, nonRetryable: true, details: cause.details ? [...cause.details] : [] });
        }
        // The target's validator refused ("code: reason", or a malformed request): final, like the core's refusals.
        const match = /^(validation|illegal-state|forbidden|not-found): (.*)$/s.exec(cause?.message ?? err.message);
        throw ApplicationFailure.create({ type: `rejected:${match?.[1] ?? 'illegal-state'}`, message: match?.[2] ?? cause?.message ?? err.message, nonRetryable: true });
      }
    },
  };
}
export type MergeActivities = ReturnType<typeof createMergeActivities>;
