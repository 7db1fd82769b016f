// One workflow per dispute case; workflow id = case number. A thin shell over the domain core:
//   - every staff command is an update whose validator runs `decide`, so a rejected command leaves
//     nothing in history; the handler decides again under a lock, seals the events into the hash chain,
//     folds them into the state and queues them for publishing;
//   - an outbox loop publishes queued events to Kafka through an activity, in order, retrying through
//     outages without blocking staff commands;
//   - the main loop sleeps until the next due moment of any SLA clock and then lets the core decide the
//     warnings, breaches, escalations and supervision notices (CheckClocks);
//   - continue-as-new when the server suggests it, carrying state, chain head and outbox.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { GENESIS_HASH, sealEvents, type Actor, type CaseEvent } from '../events/index.js';
import { decide, evolve, initialState, nextDueAt, type CaseCommand, type CaseState, type DecisionContext } from '../domain/case/index.js';
import type { createPublishActivities } from '../activities/publish.js';
import {
  caseViewQuery,
  commandUpdates,
  type CaseView,
  type CaseWorkflowCarry,
  type CaseWorkflowInput,
  type CommandRequest,
  type CommandResult,
} from './messages.js';
import { CaseLevel, CaseStatus, Collective, LeadDepartment, NextDueAt } from './search-attributes.js';
import { COMMAND_TYPES } from '../domain/case/commands.js';

// Publishing retries for as long as Kafka is down: the event is already decided and must go out.
const publishTimeouts = {
  startToCloseTimeout: '30 seconds',
  // No maximumAttempts: unlimited.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
} as const;
const { publishEvents } = proxyActivities<ReturnType<typeof createPublishActivities>>(publishTimeouts);

/** How long a closed case stays open to a ReopenCase (agreement not performed) before the run ends. */
export const REOPEN_WINDOW_DAYS = 365;

const SYSTEM: Actor = { id: 'case-workflow', role: 'system' };
const OUTBOX_BATCH = 100;

export async function caseWorkflow(input: CaseWorkflowInput | CaseWorkflowCarry): Promise<{ caseId: string; status: string; events: number }> {
  const c = 'state' in input ? input : { caseId: input.caseId, events: 0, state: initialState, lastHash: GENESIS_HASH, publishedSequence: 0 };
  let state: CaseState = c.state;
  let lastHash = c.lastHash;
  let eventCount = c.events;
  let publishedSequence = c.publishedSequence;
  // Events decided but not yet on Kafka. Empty at a continue-as-new: the run drains it first.
  const outbox: CaseEvent[] = [];
  let busy = false;

  const contextFor = (req: Pick<CommandRequest, 'actor' | 'commandId' | 'correlationId'>): DecisionContext => ({
    now: new Date(Date.now()).toISOString(),
    actor: req.actor,
    commandId: req.commandId,
    correlationId: req.correlationId,
  });

  // Decide, seal, fold, queue. Runs under the lock so two commands never decide on the same state.
  const apply = (command: CaseCommand, req: Pick<CommandRequest, 'actor' | 'commandId' | 'correlationId'>): CaseEvent[] => {
    const decision = decide(state, command, contextFor(req));
    if (!decision.ok) {
      throw ApplicationFailure.create({ type: `rejected:${decision.rejection.code}`, message: decision.rejection.reason, nonRetryable: true });
    }
    const sealed = sealEvents(decision.events, lastHash);
    for (const event of sealed) state = evolve(state, event);
    const last = sealed[sealed.length - 1];
    if (last) lastHash = last.hash;
    eventCount += sealed.length;
    outbox.push(...sealed);
    updateSearchAttributes();
    return sealed;
  };

  const runExclusive = async <T>(fn: () => T): Promise<T> => {
    await condition(() => !busy);
    busy = true;
    try {
      return fn();
    } finally {
      busy = false;
    }
  };

  let lastAttributes = '';
  const updateSearchAttributes = () => {
    if (state.status === 'none') return;
    const due = nextDueAt(state.clocks);
    const pairs: SearchAttributeUpdatePair[] = [
      { key: CaseStatus, value: state.status },
      { key: CaseLevel, value: state.level },
      { key: LeadDepartment, value: state.route?.leadDepartment ?? null },
      { key: NextDueAt, value: due ? new Date(due) : null },
      { key: Collective, value: state.collective },
    ];
    const fingerprint = JSON.stringify(pairs.map((p) => p.value));
    if (fingerprint === lastAttributes) return; // an upsert is a history event: only on change
    lastAttributes = fingerprint;
    upsertSearchAttributes(pairs);
  };

  for (const type of COMMAND_TYPES) {
    setHandler(
      commandUpdates[type],
      (req: CommandRequest): Promise<CommandResult> => runExclusive(() => ({ events: apply(req.command, req) })),
      {
        validator: (req: CommandRequest) => {
          if (req.command.type !== type) throw new Error(`update ${type} carries a ${req.command.type} command`);
          const decision = decide(state, req.command, contextFor(req));
          if (!decision.ok) throw new Error(`${decision.rejection.code}: ${decision.rejection.reason}`);
        },
      },
    );
  }
  setHandler(caseViewQuery, (): CaseView => ({
    state,
    lastHash,
    publishedSequence,
    clocks: state.status === 'none' ? {} : state.clocks,
    nextDueAt: state.status === 'none' ? null : (nextDueAt(state.clocks) ?? null),
  }));

  // The outbox: one batch at a time, so the topic sees a case's events in sequence order.
  let stopPublishing = false;
  const publisher = (async () => {
    for (;;) {
      await condition(() => outbox.length > 0 || stopPublishing);
      if (outbox.length === 0) return;
      const batch = outbox.slice(0, OUTBOX_BATCH);
      await publishEvents(batch);
      outbox.splice(0, batch.length);
      publishedSequence = batch[batch.length - 1]?.sequence ?? publishedSequence;
    }
  })();

  if (state.status === 'none' && 'receive' in input) {
    await runExclusive(() => apply(input.receive.command, input.receive));
    log.info('case received', { caseId: c.caseId });
  }

  // The clock loop: wake at the next due moment (or when a command changed the clocks), let the core
  // decide, repeat. A closed case waits for a reopen until the window ends.
  let lastCheckedDue: string | undefined;
  for (;;) {
    if (state.status === 'none') throw ApplicationFailure.nonRetryable('the case workflow started without a case');
    const due = nextDueAt(state.clocks);
    const before = state;
    const waitMs = due && due !== lastCheckedDue ? Math.max(0, Date.parse(due) - Date.now()) : undefined;
    if (state.status === 'closed') {
      const reopened = await condition(() => state.status !== 'closed' || workflowInfo().continueAsNewSuggested, `${REOPEN_WINDOW_DAYS} days`);
      if (!reopened) break;
    } else {
      await condition(() => state !== before || workflowInfo().continueAsNewSuggested, waitMs);
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(() => !busy && allHandlersFinished());
      stopPublishing = true;
      await publisher;
      const carry: CaseWorkflowCarry = { caseId: c.caseId, events: eventCount, state, lastHash, publishedSequence };
      await continueAsNew<typeof caseWorkflow>(carry);
    }
    const current = nextDueAt(state.clocks);
    if (current && Date.parse(current) <= Date.now() && current !== lastCheckedDue) {
      // Remembered so that a due moment the core does not clear cannot spin this loop.
      lastCheckedDue = current;
      await runExclusive(() => {
        try {
          apply({ type: 'CheckClocks', caseId: c.caseId, data: {} }, { actor: SYSTEM, commandId: `clock-check-${eventCount}`, correlationId: `clock-check-${eventCount}` });
        } catch (err) {
          // A clock check the core refuses is a bug in the core; keep the case alive and say so.
          log.error('clock check rejected', { caseId: c.caseId, error: err instanceof Error ? err.message : String(err) });
        }
      });
    }
  }

  await condition(() => !busy && allHandlersFinished());
  stopPublishing = true;
  await publisher;
  return { caseId: c.caseId, status: state.status, events: eventCount };
}
