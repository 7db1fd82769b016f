// One workflow per dispute case; workflow id = case number. It wires the plain parts in workflows/case/ onto
// Temporal: the case entity decides each command (an update whose validator dry-runs it, so a rejected
// command leaves nothing in history), the outbox publishes the decided events to Kafka in order, the effects
// the core derives from them (referral child workflows and their signals) are performed in order, and the
// clock schedule wakes the case for CheckClocks. It continues as new when the server suggests it.
import { allHandlersFinished, ApplicationFailure, condition, continueAsNew, deprecatePatch, log, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { context as traceContext, type Context as TraceContext } from '@opentelemetry/api';
import { GENESIS_HASH } from '../events/index.js';
import { COMMAND_TYPES, type CaseEffect, type CommandOf } from '../domain/case/index.js';
import { caseCarryQuery, caseViewQuery, commandUpdates, referralOverdueSignal, type CaseResult, type CaseWorkflowCarry, type CaseWorkflowInput, type CommandRequest, type CommandResult } from './messages.js';
import { RETIRED_PATCHES } from './retired-patches.js';
import { CaseEntity, type Applied } from './case/entity.js';
import { Outbox } from './case/outbox.js';
import { ClockSchedule } from './case/clock-schedule.js';
import { CaseAttributes } from './case/attributes.js';
import { admitUpdate, asRejection, carryOf, caseView, checkClocks, ClockTimer, Lock, performForever, publishAndReport, refuseUnsigned, runEnded } from './case/temporal.js';
import { MergeSaga } from './case/merge.js';

export { PUBLISH_FIRST_ROUND_ATTEMPTS, PUBLISH_LATER_ROUND_ATTEMPTS } from './case/outbox.js';
export { CLOCK_CHECK_ATTEMPTS } from './case/clock-schedule.js';

/** How long a closed case stays open to a ReopenCase (agreement not performed) before the run ends. */
export const REOPEN_WINDOW_DAYS = 365;

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
  // Retired patches are met where their markers were recorded (workflows/retired-patches.ts).
  deprecatePatch(RETIRED_PATCHES.issue9Rules);
  deprecatePatch(RETIRED_PATCHES.issue21Rules);

  // The case exists before any handler runs: an update sent right after the start comes in the same activation.
  if (entity.state.status === 'none' && 'receive' in input) record(entity.apply(input.receive.command, input.receive));

  // A merge is one act on two cases, the surviving case first (workflows/case/merge.ts).
  const saga = new MergeSaga(caseId, entity, lock, applyOnce);
  for (const type of COMMAND_TYPES) {
    const handle = (req: CommandRequest): Promise<CommandResult> =>
      req.command.type === 'MergeCase' ? saga.merge(req as CommandRequest<CommandOf<'MergeCase'>>)
      : type === 'RecordMergedDuplicate' ? lock.run(() => applyOnce(req), { wake: () => saga.merging, check: () => saga.notWhileMerging() })
      : lock.run(() => applyOnce(req));
    const run = { caseId, ended: carry.afterEnd !== undefined, entity, notWhileMerging: () => saga.notWhileMerging() };
    setHandler(commandUpdates[type], handle, { validator: (req: CommandRequest) => admitUpdate(type, req, run) });
  }
  const carried = (): CaseWorkflowCarry => ({ caseId, events: entity.eventCount, state: entity.state, lastHash: entity.lastHash, publishedSequence: outbox.publishedSequence, ...(outbox.topicPosition ? { topicPosition: outbox.topicPosition } : {}) });
  setHandler(caseViewQuery, () => caseView(entity, outbox, clocks));
  setHandler(caseCarryQuery, carried);
  setHandler(referralOverdueSignal, ({ referralId }) => {
    log.info('referral past its deadline', { caseId, referralId });
    clocks.requested = true;
  });

  deprecatePatch(RETIRED_PATCHES.publishStallVisible);
  void publishAndReport(caseId, outbox, showAttributes);
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
    await lock.run(() => checkClocks(caseId, entity, clocks, record, showAttributes));
  }
  await drain();
  return { caseId, status: entity.state.status, events: entity.eventCount };
}
