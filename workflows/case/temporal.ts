// The Temporal side of the case workflow, in small functions: activities and their retry policies, the
// lock, the clock timer, the referral child workflows and signals, the merge saga's call to the other case.
// The decisions they act on come from the plain modules beside this one.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ParentClosePolicy,
  condition,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { Actor, CaseEvent } from '../../events/index.js';
import type { CaseEffect, CommandOf } from '../../domain/case/index.js';
import type { createPublishActivities, PublishResult } from '../../activities/publish.js';
import type { MergeActivities } from '../../activities/merge.js';
import { mergeIntoRequest, referralSettledSignal, referralWorkflowId, type CaseView, type CaseWorkflowCarry, type CaseWorkflowInput, type CommandRequest, type PublishStall } from '../messages.js';
import { referralWorkflow } from '../referral-workflow.js';
import { commandAuthorizationFailure } from '../command-signature.js';
import { context as traceContext, type Context as TraceContext } from '@opentelemetry/api';
import { nextDueAt } from '../../domain/case/index.js';
import { rejected, type Applied, type CaseEntity } from './entity.js';
import type { ClockSchedule } from './clock-schedule.js';
import { errorText, PUBLISH_FIRST_ROUND_ATTEMPTS, PUBLISH_LATER_ROUND_ATTEMPTS, PUBLISH_ROUND_MIN_MS, type Outbox } from './outbox.js';

// Publishing retries for as long as Kafka is down: the events are decided and must go out. An attempt is
// bounded (the producer gives up within ~25 s), so a worker that died mid-publish is noticed after 30 s and
// the next attempt checks what the dead one wrote (`retried`).
const publishRetry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' } as const;
const publishOptions = { startToCloseTimeout: '30 seconds', retry: publishRetry } as const;
type Publisher = ReturnType<typeof createPublishActivities>;
const { publishEvents: publishFirstRound } = proxyActivities<Publisher>({ ...publishOptions, retry: { ...publishRetry, maximumAttempts: PUBLISH_FIRST_ROUND_ATTEMPTS } });
const { publishEvents: publishLaterRound } = proxyActivities<Publisher>({ ...publishOptions, retry: { ...publishRetry, maximumAttempts: PUBLISH_LATER_ROUND_ATTEMPTS } });

// The merge saga's call to the surviving case: retried for as long as that case cannot be reached, so the
// merge happens on both cases or (the target refuses: a non-retryable failure) on neither.
const { recordMergeOnTarget } = proxyActivities<MergeActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: [] },
});

/** The actor of the clock checks the workflow sends itself. */
const CLOCK_CHECKER: Actor = { id: 'case-workflow', role: 'system' };

/** What the run starts from: a new case's empty state, or the state its predecessor carried. */
export function carryOf(input: CaseWorkflowInput | CaseWorkflowCarry, genesisHash: string): CaseWorkflowCarry {
  return 'state' in input ? input : { caseId: input.caseId, events: 0, state: { status: 'none' }, lastHash: genesisHash, publishedSequence: 0 };
}

/**
 * A run that starts with a command (a new case; an erasure after the end) needs the API's signature on it
 * like any update: an unsigned start fails the run before its command writes anything. Checked on first
 * execution only: a key retired since must not break a replay.
 */
export function refuseUnsigned(input: CaseWorkflowInput | CaseWorkflowCarry): void {
  const startedBy = 'receive' in input ? input.receive : input.afterEnd;
  if (!startedBy || workflowInfo().unsafe.isReplaying) return;
  const unsigned = commandAuthorizationFailure(startedBy);
  if (!unsigned) return;
  log.error('run refused: its command was not signed by the API', { caseId: input.caseId, reason: unsigned });
  throw ApplicationFailure.create({ type: 'rejected:forbidden', message: `forbidden: ${unsigned}`, nonRetryable: true });
}

/** The refusal of every command but the erasure once the case's run has ended. */
export function runEnded(): ApplicationFailure {
  return rejected('illegal-state', "the case's run has ended (its reopen window passed): only its personal data can still be erased", { key: 'case.run-ended', params: {} });
}

/** A core refusal as data (an after-end run returns it); anything else is thrown on. */
export function asRejection(err: unknown): { code: string; reason: string; key?: string; params?: Record<string, unknown> } {
  if (!(err instanceof ApplicationFailure) || !err.type?.startsWith('rejected:')) throw err;
  const details = (err.details?.[0] ?? {}) as { key?: string; params?: Record<string, unknown> };
  return { code: err.type.slice('rejected:'.length), reason: err.message, ...details };
}

/**
 * One command at a time on the case. `run` holds it for a synchronous step (`orWhen` ends the wait early,
 * and the caller then checks why); a step with awaits inside takes and releases it itself.
 */
export class Lock {
  private busy = false;

  get idle(): boolean {
    return !this.busy;
  }

  take(): void {
    this.busy = true;
  }

  release(): void {
    this.busy = false;
  }

  async run<T>(fn: () => T, orWhen?: { wake: () => boolean; check: () => void }): Promise<T> {
    await condition(() => !this.busy || (orWhen?.wake() ?? false));
    orWhen?.check();
    this.busy = true;
    try {
      return fn();
    } finally {
      this.busy = false;
    }
  }
}

/**
 * Publishes the outbox for the whole run, a batch at a time, in the context its first event was decided in
 * (a command's trace runs on to Kafka). The queue is empty only once every decided event is on the topic.
 */
export async function publishForever(outbox: Outbox<TraceContext>, on: { stalled: () => void; resumed: (stall: PublishStall) => void }): Promise<never> {
  for (;;) {
    await condition(() => !outbox.empty);
    const { events: batch, context } = outbox.nextBatch();
    const result = await traceContext.with(context ?? traceContext.active(), () => publishBatch(outbox, batch, on.stalled));
    const stalled = outbox.published(batch, result.position);
    if (stalled) on.resumed(stalled);
  }
}

/** What the case's view query answers. */
export function caseView(entity: CaseEntity, outbox: Outbox<unknown>, clocks: ClockSchedule): CaseView {
  const { state } = entity;
  return {
    state,
    lastHash: entity.lastHash,
    publishedSequence: outbox.publishedSequence,
    clocks: state.status === 'none' ? {} : state.clocks,
    nextDueAt: state.status === 'none' ? null : (nextDueAt(state.clocks) ?? null),
    ...(outbox.stall ? { publishStalled: outbox.stall } : {}),
    ...(clocks.failure ? { clockCheckFailing: clocks.failure } : {}),
  };
}

/**
 * Publishes one batch, in rounds of attempts until it is out. A round that runs out shows the stall (the
 * outbox keeps it; `onStall` tells the operator) and the next round begins, at least a minute later.
 */
async function publishBatch(outbox: Outbox<unknown>, batch: CaseEvent[], onStall: () => void): Promise<PublishResult> {
  const request = { events: batch, ...(outbox.topicPosition ? { after: outbox.topicPosition } : {}) };
  const startedAt = Date.now();
  for (let round = 1; ; round++) {
    const roundStartedAt = Date.now();
    try {
      return await (round === 1 ? publishFirstRound(request) : publishLaterRound({ ...request, retried: true }));
    } catch (err) {
      outbox.roundFailed(round, err, batch, startedAt);
      onStall();
      const elapsed = Date.now() - roundStartedAt;
      if (elapsed < PUBLISH_ROUND_MIN_MS) await sleep(PUBLISH_ROUND_MIN_MS - elapsed);
    }
  }
}

/**
 * Performs the effects of the case's events as they are queued (one entry per event), in order, for the
 * whole run; an entry leaves the queue once done, so an empty queue means nothing is in flight.
 */
export async function performForever(caseId: string, effects: CaseEffect[][]): Promise<never> {
  for (;;) {
    await condition(() => effects.length > 0);
    await performAll(caseId, effects[0]!);
    effects.shift();
  }
}

/** The effects of one event, in order. */
async function performAll(caseId: string, effects: readonly CaseEffect[]): Promise<void> {
  for (const effect of effects) await perform(caseId, effect);
}

/** An effect of the case's events, as Temporal calls: a referral's child workflow, or a signal to it. */
async function perform(caseId: string, effect: CaseEffect): Promise<void> {
  const workflowId = referralWorkflowId(caseId, effect.referralId);
  if (effect.kind === 'start-referral') {
    // The referral outlives a continue-as-new of its case; the case signals it by id.
    const args = [{ caseId, referralId: effect.referralId, department: effect.department, dueAt: effect.dueAt }] as const;
    await startChild(referralWorkflow, { workflowId, args: [...args], parentClosePolicy: ParentClosePolicy.ABANDON });
    return;
  }
  try {
    await getExternalWorkflowHandle(workflowId).signal(referralSettledSignal, { status: effect.status });
  } catch (err) {
    // The referral already finished (e.g. answered before the case was withdrawn): nothing to tell it.
    log.info('referral not signalled', { caseId, referralId: effect.referralId, status: effect.status, error: err instanceof Error ? err.message : String(err) });
  }
}

/** The surviving case's half of a merge (activities/merge.ts), signed by the API with the MergeCase. */
export function mergeOnTarget(caseId: string, req: CommandRequest, command: CommandOf<'MergeCase'>): Promise<unknown> {
  return recordMergeOnTarget({
    request: { ...mergeIntoRequest({ ...req, command }), ...(req.intoAuthorization ? { authorization: req.intoAuthorization } : {}) },
    updateId: `merge-into:${caseId}:${req.commandId}`,
  });
}

/** The surviving case's refusal becomes this MergeCase's, with the target's reason. */
export function mergeRefused(err: unknown, command: CommandOf<'MergeCase'>): ApplicationFailure {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  if (cause instanceof ApplicationFailure && cause.type?.startsWith('rejected:')) {
    return ApplicationFailure.create({ type: cause.type, message: `case ${command.data.intoCaseId}: ${cause.message}`, nonRetryable: true, details: cause.details ? [...cause.details] : [] });
  }
  return rejected('illegal-state', errorText(err));
}

/**
 * A timer that stays armed for one due moment across waits. `until(wake, at)` resolves true when `wake()`
 * holds, false when the moment `at` (epoch ms) has come; with no `at` it waits for `wake` alone. A new
 * moment cancels the old timer and starts one; the same moment keeps it (a fired one is started afresh).
 */
export class ClockTimer {
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

/**
 * The checks an update passes before it is admitted (its validator): a run that ended takes nothing but the
 * after-end erasure, the update and its command agree on type and case, and only the API may act — a
 * command it did not sign (sent with Temporal access alone) is refused. A repeat is answered by the handler.
 */
export function admitUpdate(type: string, req: CommandRequest, run: { caseId: string; ended: boolean; entity: CaseEntity; notWhileMerging: () => void }): void {
  if (run.ended) throw runEnded();
  if (type === 'RecordMergedDuplicate') run.notWhileMerging();
  if (req.command.type !== type) throw new Error(`update ${type} carries a ${req.command.type} command`);
  if (req.command.caseId !== run.caseId) throw new Error(`the command is for case ${req.command.caseId}, but this is case ${run.caseId}`);
  const unsigned = commandAuthorizationFailure(req);
  if (unsigned) throw new Error(`forbidden: ${unsigned}`);
  if (!run.entity.repeatOf(req)) run.entity.validate(req.command, req);
}

/** The outbox published for the whole run, with a stall and its end logged for the operator and shown. */
export function publishAndReport(caseId: string, outbox: Outbox<TraceContext>, show: () => void): Promise<never> {
  return publishForever(outbox, {
    stalled: () => {
      log.error('publishing keeps failing: the case shows publishStalled until Kafka takes its events; fix the broker, the topic or its permissions', { caseId, ...outbox.stall });
      show();
    },
    resumed: (stall) => {
      log.warn('publishing resumed', { caseId, sequence: stall.sequence, attempts: stall.attempts, stalledSince: stall.since });
      show();
    },
  });
}

/**
 * One clock check: the core's CheckClocks under the case's decision rules. A check the core refuses is a
 * bug in the core (or a passing condition): the case stays alive, shows clockCheckFailing, and retries.
 */
export function checkClocks(caseId: string, entity: CaseEntity, clocks: ClockSchedule, record: (applied: Applied) => unknown, show: () => void): void {
  const commandId = `clock-check-${entity.eventCount}`;
  try {
    record(entity.apply({ type: 'CheckClocks', caseId, data: {} }, { actor: CLOCK_CHECKER, commandId, correlationId: commandId }));
    const failed = clocks.checked();
    if (failed) log.warn('clock check applied after rejections', { caseId, attempts: failed.attempts + 1, failingSince: failed.since });
    if (failed) show();
  } catch (err) {
    const failure = clocks.rejected(errorText(err), Date.now());
    log.error(failure.retryAt ? 'clock check rejected: retrying later; the case shows clockCheckFailing' : 'clock check rejected: retries used up; the next due moment or command checks again — fix the cause in the core', { caseId, ...failure });
    show();
  }
}
