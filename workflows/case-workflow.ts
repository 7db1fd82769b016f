// One workflow per dispute case; workflow id = case number. A thin shell over the domain core:
//   - every staff command is an update whose validator runs `decide` (and folds its events as a dry
//     run), so a rejected command leaves nothing in history; the handler decides again under a lock,
//     seals the events into the hash chain, folds them into the state and queues them;
//   - an outbox loop publishes queued events to Kafka through an activity, in order, retrying through
//     outages without holding up staff commands;
//   - an effects loop turns events into workflow side effects: a child workflow per referral;
//   - the main loop sleeps until the next due moment of any SLA clock and lets the core decide the
//     warnings, breaches, escalations and supervision notices (CheckClocks);
//   - continue-as-new when the server suggests it, carrying state, chain head and topic position.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ParentClosePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  deprecatePatch,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { context as traceContext, type Context as TraceContext } from '@opentelemetry/api';
import { GENESIS_HASH, PUBLISH_BATCH_BYTES, RECORD_OVERHEAD_BYTES, publishedBytes, sealEvents, type Actor, type CaseEvent } from '../events/index.js';
import { decide, evolve, initialState, nextDueAt, withEdition, type CaseCommand, type CaseState, type DecisionContext } from '../domain/case/index.js';
import { COMMAND_TYPES } from '../domain/case/commands.js';
import { clockKey } from '../domain/sla/index.js';
import type { createPublishActivities, TopicPosition } from '../activities/publish.js';
import type { MergeActivities } from '../activities/merge.js';
import {
  caseCarryQuery,
  caseViewQuery,
  mergeIntoRequest,
  commandFingerprint,
  commandUpdates,
  RECENT_COMMANDS,
  referralOverdueSignal,
  referralSettledSignal,
  referralWorkflowId,
  type CaseResult,
  type CaseView,
  type CaseWorkflowCarry,
  type CaseWorkflowInput,
  type ClockCheckFailure,
  type CommandRequest,
  type PublishStall,
  type CommandResult,
  type RecentCommand,
  type ReferralStatus,
} from './messages.js';
import { referralWorkflow } from './referral-workflow.js';
import { RETIRED_PATCHES } from './retired-patches.js';
import { commandAuthorizationFailure } from './command-signature.js';
import { CaseLevel, CaseStatus, ClockCheckFailing, Collective, LeadDepartment, NextDueAt, PublishStalled } from './search-attributes.js';

// Publishing retries for as long as Kafka is down: the events are decided and must go out. An attempt is
// bounded (the producer gives up within ~25 s), so a worker that died mid-publish is noticed after 30 s and
// the next attempt checks what the dead one wrote.
//
// Publishing goes in rounds of attempts, so that the workflow sees a stall. The first round (6 attempts, ~30 s of backoff plus the
// attempts) tells a hiccup from a stall; when it runs out, the case shows `publishStalled` (query, search
// attribute PublishStalled, /health) and the workflow calls again, in rounds of 60 attempts (about an hour
// at the one-minute ceiling), each call marked `retried` so that its first attempt checks the topic too.
// A round is three history events, so a stall of a month adds ~2,200: bounded well under Temporal's limit.
// One batch at a time, the same batch until it is out: no sequence twice, order kept.
const publishRetry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
const publishOptions = { startToCloseTimeout: '30 seconds', retry: publishRetry } as const;
export const PUBLISH_FIRST_ROUND_ATTEMPTS = 6;
export const PUBLISH_LATER_ROUND_ATTEMPTS = 60;
type Publisher = ReturnType<typeof createPublishActivities>;
const { publishEvents: publishFirstRound } = proxyActivities<Publisher>({ ...publishOptions, retry: { ...publishRetry, maximumAttempts: PUBLISH_FIRST_ROUND_ATTEMPTS } });
const { publishEvents: publishLaterRound } = proxyActivities<Publisher>({ ...publishOptions, retry: { ...publishRetry, maximumAttempts: PUBLISH_LATER_ROUND_ATTEMPTS } });

// The merge saga's call to the surviving case: retried for as long as that case cannot be reached, so the
// merge happens on both cases or (the target refuses: a non-retryable failure) on neither.
const { recordMergeOnTarget } = proxyActivities<MergeActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: [] },
});

// A clock check the core rejects is retried 1 minute after, then doubling
// up to an hour, at most CLOCK_CHECK_ATTEMPTS times (about 4 hours): a rejection that is transient
// (calendar data loaded late, a race with a command) clears itself; one that persists is a bug in the core,
// shown as `clockCheckFailing` (query, search attribute ClockCheckFailing, /health) and logged at error
// on each attempt, until the next due moment or command checks again.
export const CLOCK_CHECK_ATTEMPTS = 8;
const clockRetryDelayMs = (attempt: number) => Math.min(60_000 * 2 ** (attempt - 1), 3_600_000);

/** How long a closed case stays open to a ReopenCase (agreement not performed) before the run ends. */
export const REOPEN_WINDOW_DAYS = 365;

const SYSTEM: Actor = { id: 'case-workflow', role: 'system' };
const OUTBOX_BATCH = 100;

/** The next batch of the outbox: at most OUTBOX_BATCH events and PUBLISH_BATCH_BYTES (one event at least). */
function nextBatch(outbox: readonly CaseEvent[]): CaseEvent[] {
  const batch = outbox.slice(0, OUTBOX_BATCH);
  if (batch.length === 1) return batch;
  let bytes = 0;
  for (let i = 0; i < batch.length; i++) {
    bytes += publishedBytes(batch[i]) + RECORD_OVERHEAD_BYTES;
    if (i > 0 && bytes > PUBLISH_BATCH_BYTES) return batch.slice(0, i);
  }
  return batch;
}

const errorText = (err: unknown): string => {
  const cause = err instanceof Error && 'cause' in err && err.cause instanceof Error ? err.cause : err;
  return (cause instanceof Error ? cause.message : String(cause)).slice(0, 500);
};

type Request = Pick<CommandRequest, 'actor' | 'commandId' | 'correlationId' | 'mergeTarget'>;

export async function caseWorkflow(input: CaseWorkflowInput | CaseWorkflowCarry): Promise<CaseResult> {
  const carry: CaseWorkflowCarry =
    'state' in input ? input : { caseId: input.caseId, events: 0, state: initialState, lastHash: GENESIS_HASH, publishedSequence: 0 };
  const caseId = carry.caseId;
  // A run that starts with a command (a new case; an erasure after the end) needs the API's signature on it
  // like any update: an unsigned start fails the run before its command writes anything. Checked on first
  // execution only: a run that passed has nothing more to check, and a key retired since must not break its
  // replay. (A continued-as-new run carries neither.)
  const startedBy = 'receive' in input ? input.receive : carry.afterEnd;
  if (startedBy && !workflowInfo().unsafe.isReplaying) {
    const unsigned = commandAuthorizationFailure(startedBy);
    if (unsigned) {
      log.error('run refused: its command was not signed by the API', { caseId, reason: unsigned });
      throw ApplicationFailure.create({ type: 'rejected:forbidden', message: `forbidden: ${unsigned}`, nonRetryable: true });
    }
  }
  let state: CaseState = withEdition(carry.state);
  let lastHash = carry.lastHash;
  let eventCount = carry.events;
  let publishedSequence = carry.publishedSequence;
  let topicPosition: TopicPosition | undefined = carry.topicPosition;
  // Decided events not yet on Kafka, and not yet turned into side effects. Both are empty at a
  // continue-as-new: the run drains them first.
  const outbox: CaseEvent[] = [];
  // The trace context each queued event was decided in (the update handler's span, when the worker traces:
  // runtime/tracing.ts), side by side with the outbox: a batch is published in its first event's context,
  // so a command's trace runs on through the publish activity to Kafka. Contexts only, no commands: the
  // same history with tracing on or off. Empty contexts while tracing is off.
  const outboxTraces: TraceContext[] = [];
  // Each event with the referral-objection due moment as it stood when the event was decided.
  const effects: Array<{ event: CaseEvent; referralDueAt?: string }> = [];
  let busy = false;
  let publishing = false;
  let effecting = false;
  let clockCheckRequested = carry.clockCheckRequested ?? false;
  // Commands applied lately (the newest last), so a retried command is answered, not applied twice.
  const recentCommands: RecentCommand[] = [...(carry.recentCommands ?? [])];
  // Failures an operator must see (publishing that keeps failing, a clock check the core keeps rejecting):
  // in the case's view and, while they last, as search attributes that /health counts.
  let publishStall: PublishStall | undefined;
  let clockCheckFailure: ClockCheckFailure | undefined;
  let failureAttributes = { publish: false, clock: false };

  // Retired patches are met where their markers were recorded (workflows/retired-patches.ts).
  deprecatePatch(RETIRED_PATCHES.issue9Rules);
  deprecatePatch(RETIRED_PATCHES.issue21Rules);
  const contextFor = (req: Request): DecisionContext => ({
    now: new Date(Date.now()).toISOString(),
    actor: req.actor,
    commandId: req.commandId,
    correlationId: req.correlationId,
    ...(req.mergeTarget ? { mergeTarget: req.mergeTarget } : {}),
  });

  // The events a command would produce, folded as a dry run: a command whose events the core cannot
  // fold (a bug, or a clock starting before the first loaded calendar year) is refused like any other
  // rejection instead of failing the workflow task over and over.
  const decideAndFold = (command: CaseCommand, req: Request): { events: CaseEvent[]; next: CaseState } => {
    const decision = decide(state, command, contextFor(req));
    if (!decision.ok) {
      const { code, reason, key, params, problems } = decision.rejection;
      // key and params let the caller render the rejection in its own language (renderRejection).
      throw ApplicationFailure.create({ type: `rejected:${code}`, message: reason, nonRetryable: true, details: [{ key, params, ...(problems ? { problems } : {}) }] });
    }
    const events = sealEvents(decision.events, lastHash);
    let next = state;
    try {
      for (const event of events) next = evolve(next, event);
    } catch (err) {
      throw ApplicationFailure.create({ type: 'rejected:illegal-state', message: err instanceof Error ? err.message : String(err), nonRetryable: true });
    }
    return { events, next };
  };

  // The validator's decision, kept for the handler that follows it in the same activation: the same
  // request on the same state at the same workflow time decides the same events, so the handler need not
  // decide, seal and fold a second time (that was half of a command's workflow CPU). Anything in between —
  // another command, a clock check, a later activation — changes the state or the time and misses the
  // cache. Validators do not run on replay, where the handler decides as before: same events either way.
  let validated: { state: CaseState; lastHash: string; now: number; request: string; result: { events: CaseEvent[]; next: CaseState } } | undefined;
  const validate = (command: CaseCommand, req: Request): void => {
    const result = decideAndFold(command, req);
    validated = { state, lastHash, now: Date.now(), request: JSON.stringify(req), result };
  };
  const decidedBefore = (req: Request): { events: CaseEvent[]; next: CaseState } | undefined => {
    const v = validated;
    validated = undefined;
    if (!v || v.state !== state || v.lastHash !== lastHash || v.now !== Date.now() || v.request !== JSON.stringify(req)) return undefined;
    return v.result;
  };

  const apply = (command: CaseCommand, req: Request): CaseEvent[] => {
    const { events, next } = decidedBefore(req) ?? decideAndFold(command, req);
    state = next;
    const last = events[events.length - 1];
    if (last) lastHash = last.hash;
    eventCount += events.length;
    outbox.push(...events);
    outboxTraces.push(...events.map(() => traceContext.active()));
    for (const event of events) {
      const clock = event.type === 'ReferralOpened' && next.status !== 'none' ? next.clocks[clockKey('referral-objection', event.data.department)] : undefined;
      effects.push({ event, ...(clock ? { referralDueAt: clock.dueAt } : {}) });
    }
    updateSearchAttributes();
    return events;
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
    // Only once a failure has been shown (set, later removed): other cases' attributes stay as they were.
    const failing = { publish: publishStall !== undefined, clock: clockCheckFailure !== undefined };
    if (failing.publish || failureAttributes.publish) pairs.push({ key: PublishStalled, value: failing.publish ? true : null });
    if (failing.clock || failureAttributes.clock) pairs.push({ key: ClockCheckFailing, value: failing.clock ? true : null });
    failureAttributes = failing;
    const fingerprint = JSON.stringify(pairs.map((p) => p.value));
    if (fingerprint === lastAttributes) return; // an upsert is a history event: only on change
    lastAttributes = fingerprint;
    upsertSearchAttributes(pairs);
  };

  // The case exists before any handler can run: an update sent right after the start is delivered in
  // the same first activation, and must find the case received.
  if (state.status === 'none' && 'receive' in input) apply(input.receive.command, input.receive);

  // The same command id again: the first result when it is the same command, a refusal when the id was
  // reused for a different one (a client bug that must not pass as a repeat).
  const repeatOf = (req: CommandRequest): RecentCommand | undefined => {
    const seen = recentCommands.find((r) => r.commandId === req.commandId);
    if (!seen) return undefined;
    if (seen.fingerprint !== commandFingerprint(req)) {
      throw ApplicationFailure.create({
        type: 'rejected:validation',
        message: `command id ${req.commandId} was already used for a different command`,
        nonRetryable: true,
        details: [{ key: 'command.id-reused', params: { commandId: req.commandId } }],
      });
    }
    return seen;
  };
  const applyOnce = (req: CommandRequest): CommandResult => {
    const seen = repeatOf(req);
    if (seen) return { events: seen.events, repeated: true };
    const events = apply(req.command, req);
    recentCommands.push({ commandId: req.commandId, fingerprint: commandFingerprint(req), events });
    if (recentCommands.length > RECENT_COMMANDS) recentCommands.splice(0, recentCommands.length - RECENT_COMMANDS);
    return { events };
  };

  // A merge is one act on two cases: the surviving case records the duplicate first (an activity,
  // retried while it cannot be reached), then this case records the merge — under the lock, so nothing
  // changes this case in between. When the surviving case refuses, the MergeCase fails with its reason and
  // neither case changed.
  let mergingInto: string | undefined;
  const mergeOnBothCases = async (req: CommandRequest): Promise<CommandResult> => {
    if (req.command.type !== 'MergeCase') return runExclusive(() => applyOnce(req));
    deprecatePatch(RETIRED_PATCHES.mergeSaga);
    const command = req.command;
    await condition(() => !busy);
    busy = true;
    try {
      const seen = repeatOf(req);
      if (seen) return { events: seen.events, repeated: true, mergedOnTarget: true };
      // This case's own decision first: a merge the core refuses here touches no other case.
      decideAndFold(command, req);
      mergingInto = command.data.intoCaseId;
      try {
        await recordMergeOnTarget({
          // Signed by the API with the MergeCase: the surviving case checks it like any command.
          request: { ...mergeIntoRequest({ ...req, command }), ...(req.intoAuthorization ? { authorization: req.intoAuthorization } : {}) },
          updateId: `merge-into:${caseId}:${req.commandId}`,
        });
      } catch (err) {
        const cause = err instanceof ActivityFailure ? err.cause : undefined;
        if (cause instanceof ApplicationFailure && cause.type?.startsWith('rejected:')) {
          throw ApplicationFailure.create({ type: cause.type, message: `case ${command.data.intoCaseId}: ${cause.message}`, nonRetryable: true, details: cause.details ? [...cause.details] : [] });
        }
        throw ApplicationFailure.create({ type: 'rejected:illegal-state', message: errorText(err), nonRetryable: true });
      } finally {
        mergingInto = undefined;
      }
      return { ...applyOnce(req), mergedOnTarget: true };
    } finally {
      busy = false;
    }
  };
  // The surviving side: a case that is being merged into another takes no duplicate meanwhile (two cases
  // merged into each other at once would otherwise wait on each other for ever).
  const notWhileMerging = () => {
    if (mergingInto === undefined) return;
    throw ApplicationFailure.create({
      type: 'rejected:illegal-state',
      message: `this case is itself being merged into case ${mergingInto}`,
      nonRetryable: true,
      details: [{ key: 'merge.target-merging', params: { intoCaseId: mergingInto } }],
    });
  };
  // runExclusive's one wait, which also ends when a merge of this case starts (the same wait as before for
  // runs without the saga, so their recorded histories replay).
  const recordDuplicate = async (req: CommandRequest): Promise<CommandResult> => {
    await condition(() => !busy || mergingInto !== undefined);
    notWhileMerging();
    busy = true;
    try {
      return applyOnce(req);
    } finally {
      busy = false;
    }
  };

  for (const type of COMMAND_TYPES) {
    const handler =
      type === 'MergeCase' ? mergeOnBothCases : type === 'RecordMergedDuplicate' ? recordDuplicate : (req: CommandRequest): Promise<CommandResult> => runExclusive(() => applyOnce(req));
    setHandler(commandUpdates[type], handler, {
      validator: (req: CommandRequest) => {
        if (carry.afterEnd) throw runEnded();
        if (type === 'RecordMergedDuplicate') notWhileMerging();
        if (req.command.type !== type) throw new Error(`update ${type} carries a ${req.command.type} command`);
        if (req.command.caseId !== caseId) throw new Error(`the command is for case ${req.command.caseId}, but this is case ${caseId}`);
        // Only the API may act: a command it did not sign (sent with Temporal access alone) is refused here.
        const unsigned = commandAuthorizationFailure(req);
        if (unsigned) throw new Error(`forbidden: ${unsigned}`);
        if (repeatOf(req)) return; // answered from memory by the handler: nothing is decided again
        validate(req.command, req);
      },
    });
  }
  setHandler(caseViewQuery, (): CaseView => ({
    state,
    lastHash,
    publishedSequence,
    clocks: state.status === 'none' ? {} : state.clocks,
    nextDueAt: state.status === 'none' ? null : (nextDueAt(state.clocks) ?? null),
    ...(publishStall ? { publishStalled: publishStall } : {}),
    ...(clockCheckFailure ? { clockCheckFailing: clockCheckFailure } : {}),
  }));
  setHandler(caseCarryQuery, (): CaseWorkflowCarry => ({
    caseId,
    events: eventCount,
    state,
    lastHash,
    publishedSequence,
    ...(topicPosition ? { topicPosition } : {}),
  }));
  setHandler(referralOverdueSignal, ({ referralId }) => {
    log.info('referral past its deadline', { caseId, referralId });
    clockCheckRequested = true;
  });

  // The outbox: one batch at a time, so the topic sees a case's events in sequence order. The loop
  // never ends by itself: the run ends (or continues as new) only once drain() saw it idle and empty.
  deprecatePatch(RETIRED_PATCHES.publishStallVisible);
  const publishBatch = async (batch: CaseEvent[]) => {
    const request = { events: batch, ...(topicPosition ? { after: topicPosition } : {}) };
    const startedAt = Date.now();
    for (let round = 1; ; round++) {
      const roundStartedAt = Date.now();
      try {
        const result = await (round === 1 ? publishFirstRound(request) : publishLaterRound({ ...request, retried: true }));
        if (publishStall) {
          log.warn('publishing resumed', { caseId, sequence: publishStall.sequence, attempts: publishStall.attempts, stalledSince: publishStall.since });
          publishStall = undefined;
          updateSearchAttributes();
        }
        return result;
      } catch (err) {
        publishStall = {
          since: publishStall?.since ?? new Date(startedAt).toISOString(),
          attempts: (publishStall?.attempts ?? 0) + (round === 1 ? PUBLISH_FIRST_ROUND_ATTEMPTS : PUBLISH_LATER_ROUND_ATTEMPTS),
          lastError: errorText(err),
          sequence: batch[0]!.sequence,
        };
        log.error('publishing keeps failing: the case shows publishStalled until Kafka takes its events; fix the broker, the topic or its permissions', { caseId, ...publishStall });
        updateSearchAttributes();
        // A round that failed fast (an error no retry helps) does not become a busy loop.
        const elapsed = Date.now() - roundStartedAt;
        if (elapsed < 60_000) await sleep(60_000 - elapsed);
      }
    }
  };
  void (async () => {
    for (;;) {
      await condition(() => outbox.length > 0);
      publishing = true;
      const batch = nextBatch(outbox);
      const result = await traceContext.with(outboxTraces[0] ?? traceContext.active(), () => publishBatch(batch));
      if (result.position) topicPosition = result.position;
      outbox.splice(0, batch.length);
      outboxTraces.splice(0, batch.length);
      publishedSequence = batch[batch.length - 1]?.sequence ?? publishedSequence;
      publishing = false;
    }
  })();

  // Side effects of events, in order.
  deprecatePatch(RETIRED_PATCHES.referralChildWorkflows);
  deprecatePatch(RETIRED_PATCHES.clocksWhileClosed);
  void (async () => {
    for (;;) {
      await condition(() => effects.length > 0);
      effecting = true;
      const effect = effects.shift();
      if (effect) await referralEffect(effect.event, effect.referralDueAt);
      effecting = false;
    }
  })();

  async function referralEffect(event: CaseEvent, referralDueAt: string | undefined): Promise<void> {
    if (state.status === 'none') return;
    switch (event.type) {
      case 'ReferralOpened': {
        await startChild(referralWorkflow, {
          workflowId: referralWorkflowId(caseId, event.data.referralId),
          args: [{ caseId, referralId: event.data.referralId, department: event.data.department, dueAt: referralDueAt ?? event.occurredAt }],
          // The referral outlives a continue-as-new of its case; the case signals it by id.
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
        return;
      }
      case 'ReferralAccepted':
        return settleReferral(event.data.referralId, 'accepted');
      case 'ReferralAnswered':
        return settleReferral(event.data.referralId, 'answered');
      case 'ReferralObjected':
        return settleReferral(event.data.referralId, 'objected');
      // Issue 9: each referral still open ends, on record, before its case does.
      case 'ReferralClosed':
        return settleReferral(event.data.referralId, 'cancelled');
      case 'CaseWithdrawn':
      case 'CaseClosed':
      case 'CaseMerged':
      case 'CaseRejected':
        for (const r of Object.values(state.referrals)) if (r.status === 'open' || r.status === 'accepted') await settleReferral(r.referralId, 'cancelled');
        return;
      default:
        return;
    }
  }

  async function settleReferral(referralId: string, status: Exclude<ReferralStatus, 'open'>): Promise<void> {
    try {
      await getExternalWorkflowHandle(referralWorkflowId(caseId, referralId)).signal(referralSettledSignal, { status });
    } catch (err) {
      // The referral already finished (e.g. answered before the case was withdrawn): nothing to tell it.
      log.info('referral not signalled', { caseId, referralId, status, error: err instanceof Error ? err.message : String(err) });
    }
  }

  // An after-end run (see CaseWorkflowCarry.afterEnd): the one erasure, decided by the core on the ended
  // run's final state, its event sealed onto the chain's head and published; then the run completes. No
  // clock loop, no reopen window: the case stays as it ended. Only runs started this way take this path.
  if (carry.afterEnd) {
    const request = carry.afterEnd;
    const afterEnd = await runExclusive((): NonNullable<CaseResult['afterEnd']> => {
      try {
        if (request.command.type !== 'ErasePersonalData' || request.command.caseId !== caseId) throw runEnded();
        return { events: apply(request.command, request) };
      } catch (err) {
        if (!(err instanceof ApplicationFailure) || !err.type?.startsWith('rejected:')) throw err;
        const details = (err.details?.[0] ?? {}) as { key?: string; params?: Record<string, unknown> };
        return { rejection: { code: err.type.slice('rejected:'.length), reason: err.message, ...details } };
      }
    });
    await drain();
    return { caseId, status: state.status, events: eventCount, afterEnd };
  }

  // The clock loop: wake at the next due moment (or when a command changed the state), let the core
  // decide, repeat. A closed case waits for a reopen until the window ends.
  let lastCheckedDue: string | undefined;
  // One timer per due moment, kept while the moment stays the same: a command that does not move the next
  // due moment does not cancel the timer and start an identical one (two history events per command).
  deprecatePatch(RETIRED_PATCHES.clockTimerKept);
  const clockTimer = new ClockTimer();
  deprecatePatch(RETIRED_PATCHES.clockCheckRetried);
  // The moment of the next retry of a rejected clock check.
  let clockRetryAt: number | undefined;
  // The earlier of a due moment and a retry: what the clock timer waits for.
  const earliest = (at: number | undefined) => (clockRetryAt === undefined ? at : at === undefined ? clockRetryAt : Math.min(at, clockRetryAt));
  for (;;) {
    if (state.status === 'none') throw ApplicationFailure.nonRetryable('the case workflow started without a case');
    const due = nextDueAt(state.clocks);
    const before = state;
    const wake = () => state !== before || clockCheckRequested || workflowInfo().continueAsNewSuggested;
    if (state.status === 'closed') {
      // A party's own time limits (judicial confirmation, review request) run on after closure, and their
      // warnings and breach must be on record: wake for them too. The reopen window ends the run.
      const at = earliest(due && due !== lastCheckedDue ? Date.parse(due) : undefined);
      const woke = await clockTimer.until(wake, at ?? Date.now() + REOPEN_WINDOW_DAYS * 86_400_000);
      if (!woke && at === undefined) break;
    } else {
      await clockTimer.until(wake, earliest(due && due !== lastCheckedDue ? Date.parse(due) : undefined));
    }

    if (workflowInfo().continueAsNewSuggested) {
      await drain();
      const next: CaseWorkflowCarry = {
        caseId,
        events: eventCount,
        state,
        lastHash,
        publishedSequence,
        // A retry of a rejected clock check still pending: the next run checks at once.
        clockCheckRequested: clockCheckRequested || clockRetryAt !== undefined,
        ...(recentCommands.length > 0 ? { recentCommands } : {}),
        ...(topicPosition ? { topicPosition } : {}),
      };
      await continueAsNew<typeof caseWorkflow>(next);
    }

    const current = nextDueAt(state.clocks);
    const isDue = current !== undefined && Date.parse(current) <= Date.now();
    const retryDue = clockRetryAt !== undefined && clockRetryAt <= Date.now();
    if (clockCheckRequested || (isDue && current !== lastCheckedDue) || retryDue) {
      clockCheckRequested = false;
      clockRetryAt = undefined;
      // Remembered so that a due moment the core does not clear cannot spin this loop. Only a moment that
      // has come: a check a referral asked for early must not remember the next, future moment, or the loop
      // would never set its timer for it.
      if (isDue) lastCheckedDue = current;
      else deprecatePatch(RETIRED_PATCHES.earlyCheckKeepsNextTimer);
      await runExclusive(() => {
        try {
          apply({ type: 'CheckClocks', caseId, data: {} }, { actor: SYSTEM, commandId: `clock-check-${eventCount}`, correlationId: `clock-check-${eventCount}` });
          if (clockCheckFailure) {
            log.warn('clock check applied after rejections', { caseId, attempts: clockCheckFailure.attempts + 1, failingSince: clockCheckFailure.since });
            clockCheckFailure = undefined;
            updateSearchAttributes();
          }
        } catch (err) {
          // A clock check the core refuses is a bug in the core (or a passing condition): keep the case alive,
          // say so, and try again later rather than let the due moment pass unchecked.
          const error = errorText(err);
          const attempts = (clockCheckFailure?.attempts ?? 0) + 1;
          const retryAt = attempts < CLOCK_CHECK_ATTEMPTS ? Date.now() + clockRetryDelayMs(attempts) : undefined;
          clockRetryAt = retryAt;
          clockCheckFailure = { since: clockCheckFailure?.since ?? new Date(Date.now()).toISOString(), attempts, lastError: error, ...(retryAt !== undefined ? { retryAt: new Date(retryAt).toISOString() } : {}) };
          log.error(
            retryAt !== undefined
              ? 'clock check rejected: retrying later; the case shows clockCheckFailing'
              : 'clock check rejected: retries used up; the next due moment or command checks again — fix the cause in the core',
            { caseId, ...clockCheckFailure },
          );
          updateSearchAttributes();
        }
      });
    }
  }

  await drain();
  return { caseId, status: state.status, events: eventCount };

  // Until every decided event is on Kafka and every effect done, with no command in flight. The caller
  // continues as new (or returns) in the same activation, so no command can slip in after this.
  async function drain(): Promise<void> {
    await condition(() => !busy && !publishing && !effecting && outbox.length === 0 && effects.length === 0 && allHandlersFinished());
  }
}

/** The refusal of every command but the erasure once the case's run has ended. */
function runEnded(): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'rejected:illegal-state',
    message: "the case's run has ended (its reopen window passed): only its personal data can still be erased",
    nonRetryable: true,
    details: [{ key: 'case.run-ended', params: {} }],
  });
}

/**
 * A timer that stays armed for one due moment across waits. `until(wake, at)` resolves true when `wake()`
 * holds, false when the moment `at` (epoch ms) has come; with no `at` it waits for `wake` alone. A new
 * moment cancels the old timer and starts one; the same moment keeps it (a fired one is started afresh,
 * as a fresh `condition` timeout would be).
 */
class ClockTimer {
  private armed: { at: number; fired: boolean; scope: CancellationScope } | undefined;

  async until(wake: () => boolean, at: number | undefined): Promise<boolean> {
    this.arm(at);
    const timer = this.armed;
    await condition(() => wake() || (timer !== undefined && timer.fired));
    return wake();
  }

  private arm(at: number | undefined): void {
    if (this.armed && this.armed.at === at && !this.armed.fired) return;
    if (this.armed && !this.armed.fired) this.armed.scope.cancel();
    this.armed = undefined;
    if (at === undefined) return;
    const timer = { at, fired: false, scope: new CancellationScope() };
    this.armed = timer;
    timer.scope.run(() => sleep(Math.max(0, at - Date.now()))).then(
      () => (timer.fired = true),
      () => undefined, // cancelled: a new moment replaced it
    );
  }
}
