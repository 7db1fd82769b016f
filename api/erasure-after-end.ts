// Erasure after the case's run has ended. A closed case's workflow run completes once its reopen window
// (365 days) has passed, and a completed run takes no update; but a data subject may ask for erasure later
// than that. So the API starts one short run under the same workflow id (reuse allowed only for a completed
// run), seeded with the ended run's final state and chain head. That run decides ErasePersonalData with the
// same core rule as any other (legal holds, the officer's role, "already erased"), seals PersonalDataErased
// onto the chain's head (the next sequence, its prevHash the last hash), publishes it like every event, and
// completes; every other command is refused by it. Only then are the keys destroyed (api/routes/erasure.ts).
//
// Where the seed comes from, in this order:
// 1. The ended run itself (caseCarryQuery): Temporal still keeps its history (the namespace's retention).
// 2. Else the stored chain (the read model's event archive), verified first: a chain with a fault is never
//    continued. The seed is its fold through the core; the head is its last event.
// An auditor sees one chain either way: `audit verify` checks sequence and prevHash across the runs.
import crypto from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { loadCase } from '../audit/replay.js';
import { readCaseFromArchive, type ArchiveSource } from '../audit/archive.js';
import { foldEvents, rejectionHttpStatus, type CommandOf, type RejectionCode } from '../domain/case/index.js';
import type { Actor } from '../events/index.js';
import type { caseWorkflow } from '../workflows/case-workflow.js';
import { caseCarryQuery, type CaseWorkflowCarry, type CommandResult } from '../workflows/messages.js';
import type { CoreRejection } from './messages.js';
import { ApiError, RejectedError } from './problem.js';
import { signCommand } from '../runtime/command-signing.js';

export type RunState = 'running' | 'completed' | 'gone' | { stopped: string };

/** Whether the case's latest run is running, completed (ended normally), gone from Temporal, or stopped otherwise. */
export async function caseRunState(temporal: Client, caseId: string): Promise<RunState> {
  try {
    const status = (await temporal.workflow.getHandle(caseId).describe()).status.name;
    if (status === 'RUNNING') return 'running';
    return status === 'COMPLETED' ? 'completed' : { stopped: status };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'gone';
    throw err;
  }
}

/** The final state and chain head of the ended run: from Temporal while it keeps the run, else from the verified archive. */
export async function endedRunSeed(temporal: Client, archive: ArchiveSource, caseId: string, runState: 'completed' | 'gone'): Promise<CaseWorkflowCarry | null> {
  if (runState === 'completed') {
    const carry = await temporal.workflow.getHandle(caseId).query(caseCarryQuery);
    return { caseId, events: carry.events, state: carry.state, lastHash: carry.lastHash, publishedSequence: carry.publishedSequence, ...(carry.topicPosition ? { topicPosition: carry.topicPosition } : {}) };
  }
  const loaded = loadCase(caseId, await readCaseFromArchive(archive, caseId));
  if (loaded.events.length === 0) return null;
  if (!loaded.verification.ok) {
    throw new ApiError(409, 'conflict', 'erasure.chain-faults', { caseId, faults: [...new Set(loaded.verification.faults.map((f) => f.kind))].join(', ') });
  }
  const last = loaded.events[loaded.events.length - 1]!;
  return { caseId, events: last.sequence, state: foldEvents(loaded.events), lastHash: last.hash, publishedSequence: last.sequence };
}

/**
 * Runs ErasePersonalData in a short run after the case's run ended, and waits for it to complete. Its
 * result is the command's (the events recorded), or the core's refusal as a RejectedError.
 */
export async function eraseAfterRunEnded(
  temporal: Client,
  taskQueue: string,
  seed: CaseWorkflowCarry,
  opts: { command: CommandOf<'ErasePersonalData'>; actor: Actor; requestId: string },
): Promise<CommandResult> {
  const request = { command: opts.command, actor: opts.actor, commandId: `cmd-${crypto.randomUUID()}`, correlationId: opts.requestId };
  let handle;
  try {
    handle = await temporal.workflow.start<typeof caseWorkflow>('caseWorkflow', {
      workflowId: seed.caseId,
      // The caller has seen the run completed (or gone): a failed or terminated one is for an operator to look
      // at, and a new case never reuses a number (startCase: REJECT_DUPLICATE).
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      taskQueue,
      args: [{ ...seed, afterEnd: signCommand(request) }],
    });
  } catch (err) {
    // Another erasure started its run a moment ago: its result decides; this one may be retried.
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new ApiError(409, 'conflict', 'erasure.in-progress', { caseId: seed.caseId });
    throw err;
  }
  const result = await handle.result();
  const outcome = result.afterEnd;
  if (!outcome) throw new Error(`the after-end run of ${seed.caseId} returned no outcome`);
  if ('rejection' in outcome) {
    const code = outcome.rejection.code as RejectionCode;
    const rejection = { code, reason: outcome.rejection.reason, ...(outcome.rejection.key ? { key: outcome.rejection.key, params: outcome.rejection.params ?? {} } : {}) } as CoreRejection;
    throw new RejectedError(rejectionHttpStatus[code] ?? 409, rejection);
  }
  return outcome;
}
