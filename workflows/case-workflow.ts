// One workflow per dispute case; workflow id = case number. It wires the plain parts in workflows/case/ onto
// Temporal: the case entity decides each command (an update whose validator dry-runs it, so a rejected
// command leaves nothing in history), the outbox publishes the decided events to Kafka in order, the effects
// the core derives from them (referral child workflows and their signals) are performed in order, and the
// clock schedule wakes the case for CheckClocks. It continues as new when the server suggests it.
import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, deprecatePatch, log, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { context as traceContext, type Context as TraceContext } from '@opentelemetry/api';
import { GENESIS_HASH, type Actor } from '../events/index.js';
import { COMMAND_TYPES, type CaseEffect, type CommandOf } from '../domain/case/index.js';
import { caseCarryQuery, caseViewQuery, commandUpdates, referralOverdueSignal, type CaseResult, type CaseWorkflowCarry, type CaseWorkflowInput, type CommandRequest, type CommandResult } from './messages.js';
import { commandAuthorizationFailure } from './command-signature.js';
import { RETIRED_PATCHES } from './retired-patches.js';
import { CaseEntity, rejected, type Applied } from './case/entity.js';
import { errorText, Outbox } from './case/outbox.js';
import { ClockSchedule } from './case/clock-schedule.js';
import { CaseAttributes } from './case/attributes.js';
import { asRejection, carryOf, caseView, ClockTimer, Lock, mergeOnTarget, mergeRefused, performForever, publishForever, refuseUnsigned, runEnded } from './case/temporal.js';

export { PUBLISH_FIRST_ROUND_ATTEMPTS, PUBLISH_LATER_ROUND_ATTEMPTS } from './case/outbox.js';
export { CLOCK_CHECK_ATTEMPTS } from './case/clock-schedule.js';

/** How long a closed case stays open to a ReopenCase (agreement not performed) before the run ends. */
export const REOPEN_WINDOW_DAYS = 365;
const SYSTEM: Actor = { id: 'case-workflow', role: 'system' };

export async function caseWorkflow(input: CaseWorkflowInput | CaseWorkflowCarry): Promise<CaseResult> {
  refuseUnsigned(input);
  const carry = carryOf(input, GENESIS_HASH);
  const caseId = carry.caseId;
  const entity = new CaseEntity(carry, () => Date.now());
  const outbox = new Outbox<TraceContext>(carry);
  const effects: CaseEffect[][] = []; // one entry per event
  const clocks = new ClockSchedule(carry.clockCheckRequested);
  const attributes = new CaseAttributes();
  const lock = new Lock();
  let mergingInto: string | undefined;

  const showAttributes = () => {
    const pairs = attributes.changes(entity.state, { publish: outbox.stall !== undefined, clock: clocks.failure !== undefined });
    if (pairs) upsertSearchAttributes(pairs);
  };
  const record = ({ events, effects: implied }: Applied) => {
    outbox.push(events, traceContext.active());
    effects.push(...implied);
    showAttributes();
    return events;
  };
  const applyOnce = (req: CommandRequest): CommandResult => {
    const { result, applied } = entity.applyOnce(req);
    if (applied) record(applied);
    return result;
  };
  const notWhileMerging = () => {
    if (mergingInto !== undefined) throw rejected('illegal-state', `this case is itself being merged into case ${mergingInto}`, { key: 'merge.target-merging', params: { intoCaseId: mergingInto } });
  };
  // Retired patches are met where their markers were recorded (workflows/retired-patches.ts).
  deprecatePatch(RETIRED_PATCHES.issue9Rules);
  deprecatePatch(RETIRED_PATCHES.issue21Rules);

  // The case exists before any handler runs: an update sent right after the start comes in the same activation.
  if (entity.state.status === 'none' && 'receive' in input) record(entity.apply(input.receive.command, input.receive));

  // A merge is one act on two cases: the surviving case records the duplicate first, then this case the
  // merge, under the lock; a case being merged takes no duplicate meanwhile (or two would wait for ever).
  const merge = async (req: CommandRequest<CommandOf<'MergeCase'>>): Promise<CommandResult> => {
    deprecatePatch(RETIRED_PATCHES.mergeSaga);
    await condition(() => lock.idle);
    lock.take();
    try {
      const seen = entity.repeatOf(req);
      if (seen) return { events: seen.events, repeated: true, mergedOnTarget: true };
      entity.decideAndFold(req.command, req); // refused here, it touches no other case
      mergingInto = req.command.data.intoCaseId;
      try {
        await mergeOnTarget(caseId, req, req.command);
      } catch (err) {
        throw mergeRefused(err, req.command);
      } finally {
        mergingInto = undefined;
      }
      return { ...applyOnce(req), mergedOnTarget: true };
    } finally {
      lock.release();
    }
  };
  for (const type of COMMAND_TYPES) {
    const handle = (req: CommandRequest): Promise<CommandResult> =>
      req.command.type === 'MergeCase' ? merge(req as CommandRequest<CommandOf<'MergeCase'>>)
      : type === 'RecordMergedDuplicate' ? lock.run(() => applyOnce(req), { wake: () => mergingInto !== undefined, check: notWhileMerging })
      : lock.run(() => applyOnce(req));
    setHandler(commandUpdates[type], handle, {
      validator: (req: CommandRequest) => {
        if (carry.afterEnd) throw runEnded();
        if (type === 'RecordMergedDuplicate') notWhileMerging();
        if (req.command.type !== type) throw new Error(`update ${type} carries a ${req.command.type} command`);
        if (req.command.caseId !== caseId) throw new Error(`the command is for case ${req.command.caseId}, but this is case ${caseId}`);
        const unsigned = commandAuthorizationFailure(req); // only the API may act
        if (unsigned) throw new Error(`forbidden: ${unsigned}`);
        if (!entity.repeatOf(req)) entity.validate(req.command, req);
      },
    });
  }
  const carried = (): CaseWorkflowCarry => ({ caseId, events: entity.eventCount, state: entity.state, lastHash: entity.lastHash, publishedSequence: outbox.publishedSequence, ...(outbox.topicPosition ? { topicPosition: outbox.topicPosition } : {}) });
  setHandler(caseViewQuery, () => caseView(entity, outbox, clocks));
  setHandler(caseCarryQuery, carried);
  setHandler(referralOverdueSignal, ({ referralId }) => {
    log.info('referral past its deadline', { caseId, referralId });
    clocks.requested = true;
  });

  deprecatePatch(RETIRED_PATCHES.publishStallVisible);
  void publishForever(outbox, {
    stalled: () => {
      log.error('publishing keeps failing: the case shows publishStalled until Kafka takes its events; fix the broker, the topic or its permissions', { caseId, ...outbox.stall });
      showAttributes();
    },
    resumed: (stall) => {
      log.warn('publishing resumed', { caseId, sequence: stall.sequence, attempts: stall.attempts, stalledSince: stall.since });
      showAttributes();
    },
  });
  deprecatePatch(RETIRED_PATCHES.referralChildWorkflows);
  deprecatePatch(RETIRED_PATCHES.clocksWhileClosed);
  void performForever(caseId, effects);
  // Until every decided event is on Kafka and every effect done, with no command in flight; the caller
  // returns or continues as new in the same activation, so no command slips in after.
  const drain = () => condition(() => lock.idle && outbox.empty && effects.length === 0 && allHandlersFinished());

  // An after-end run (CaseWorkflowCarry.afterEnd): the one erasure, decided on the ended run's final state
  // and published; then the run completes, the case as it ended.
  if (carry.afterEnd) {
    const request = carry.afterEnd;
    const afterEnd = await lock.run((): NonNullable<CaseResult['afterEnd']> => {
      try {
        if (request.command.type !== 'ErasePersonalData' || request.command.caseId !== caseId) throw runEnded();
        return { events: record(entity.apply(request.command, request)) };
      } catch (err) {
        return { rejection: asRejection(err) };
      }
    });
    await drain();
    return { caseId, status: entity.state.status, events: entity.eventCount, afterEnd };
  }

  // The clock loop: wake at the next due moment (or when a command changed the state), let the core decide,
  // repeat. A closed case's party windows still run; the reopen window ends the run.
  deprecatePatch(RETIRED_PATCHES.clockTimerKept);
  const timer = new ClockTimer();
  deprecatePatch(RETIRED_PATCHES.clockCheckRetried);
  for (;;) {
    const before = entity.state;
    if (before.status === 'none') throw ApplicationFailure.nonRetryable('the case workflow started without a case');
    const wake = () => entity.state !== before || clocks.requested || workflowInfo().continueAsNewSuggested;
    const at = clocks.wakeAt(before);
    if (before.status !== 'closed') await timer.until(wake, at);
    else if (!(await timer.until(wake, at ?? Date.now() + REOPEN_WINDOW_DAYS * 86_400_000)) && at === undefined) break;

    if (workflowInfo().continueAsNewSuggested) {
      await drain();
      const recentCommands = entity.recentCommands.length > 0 ? { recentCommands: entity.recentCommands } : {};
      await continueAsNew<typeof caseWorkflow>({ ...carried(), clockCheckRequested: clocks.carriedRequest, ...recentCommands });
    }
    const check = clocks.takeCheck(entity.state, Date.now());
    if (!check) continue;
    if (check.early) deprecatePatch(RETIRED_PATCHES.earlyCheckKeepsNextTimer);
    await lock.run(() => {
      const commandId = `clock-check-${entity.eventCount}`;
      try {
        record(entity.apply({ type: 'CheckClocks', caseId, data: {} }, { actor: SYSTEM, commandId, correlationId: commandId }));
        const failed = clocks.checked();
        if (failed) log.warn('clock check applied after rejections', { caseId, attempts: failed.attempts + 1, failingSince: failed.since });
        if (failed) showAttributes();
      } catch (err) {
        // A check the core refuses is a bug in the core (or a passing condition): keep the case alive, say so, retry.
        const failure = clocks.rejected(errorText(err), Date.now());
        log.error(failure.retryAt ? 'clock check rejected: retrying later; the case shows clockCheckFailing' : 'clock check rejected: retries used up; the next due moment or command checks again — fix the cause in the core', { caseId, ...failure });
        showAttributes();
      }
    });
  }
  await drain();
  return { caseId, status: entity.state.status, events: entity.eventCount };
}
