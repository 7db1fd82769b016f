// The benchmark worker's workflow bundle: the production workflows, and beside them the baselines that
// run on the same worker and server.
//   - noopCaseWorkflow: the case workflow's updates, one handler each that does nothing — what Temporal
//     alone costs for the same command sequence (the lifecycle baseline);
//   - clockWorkflow: waits for one due moment exactly as the case workflow's clock loop does (a
//     `condition` with a timeout, i.e. a Temporal timer), then reports, through an activity, when it woke —
//     the shape of a clock firing in the case workflow (test/fixtures/histories/clock-driven.json, events
//     110–121: the timer fires, a workflow task decides and schedules the publishing activity, the activity
//     runs, a second workflow task records it);
//   - sleepWorkflow: only sleeps until the due moment and ends — the bound the dev server and the worker
//     set on a timer (the timers baseline; its lateness is read from its close time).
import { condition, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import { COMMAND_TYPES } from '../domain/case/commands.js';
import { commandUpdates, type CommandRequest, type CommandResult, type CaseWorkflowInput } from '../workflows/messages.js';

export { caseWorkflow, referralWorkflow } from '../workflows/index.js';

export async function noopCaseWorkflow(input: CaseWorkflowInput): Promise<{ caseId: string }> {
  let closed = false;
  for (const type of COMMAND_TYPES) {
    setHandler(commandUpdates[type], (req: CommandRequest): CommandResult => {
      if (req.command.type === 'CloseCase') closed = true;
      return { events: [] };
    }, {
      validator: (req: CommandRequest) => {
        if (req.command.type !== type) throw new Error(`update ${type} carries a ${req.command.type} command`);
      },
    });
  }
  await condition(() => closed);
  return { caseId: input.caseId };
}

const { clockWoke } = proxyActivities<{ clockWoke(dueAt: number): Promise<void> }>({ startToCloseTimeout: '1 minute' });

export async function clockWorkflow(dueAt: number): Promise<void> {
  // The same call the case workflow's clock loop makes: wake at the due moment or on a state change.
  await condition(() => false, Math.max(0, dueAt - Date.now()));
  await clockWoke(dueAt);
}

export async function sleepWorkflow(dueAt: number): Promise<void> {
  await sleep(Math.max(0, dueAt - Date.now()));
}
