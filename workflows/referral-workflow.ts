// A referral (交办) to one joining department, as a child of the case workflow: the department's own task,
// with its own internal deadline (OLA) — accept, answer or object to a mis-routing within 5 working days.
// The case workflow stays the only writer of the case's events: it tells the referral when the
// department acted (referralSettledSignal), and the referral tells the case when its deadline passed
// without that (referralOverdueSignal), so that the case's core decides the breach and supervision.
import { condition, getExternalWorkflowHandle, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Department } from '../events/index.js';
import { referralOverdueSignal, referralSettledSignal, referralViewQuery, type ReferralInput, type ReferralView } from './messages.js';

export async function referralWorkflow(input: ReferralInput): Promise<ReferralView> {
  const view: ReferralView = {
    caseId: input.caseId,
    referralId: input.referralId,
    department: input.department as Department,
    dueAt: input.dueAt,
    status: 'open',
    overdue: false,
  };
  setHandler(referralViewQuery, () => view);
  setHandler(referralSettledSignal, ({ status }) => {
    view.status = status;
  });

  // The deadline is for the first response: accepting, answering or objecting all meet it.
  const msLeft = Math.max(0, Date.parse(input.dueAt) - Date.now());
  const respondedInTime = await condition(() => view.status !== 'open', msLeft);
  if (!respondedInTime) {
    view.overdue = true;
    await getExternalWorkflowHandle(input.caseId).signal(referralOverdueSignal, { referralId: input.referralId, childWorkflowId: workflowInfo().workflowId });
  }
  // An accepted referral still owes the department's opinion; the task ends with it (or an objection,
  // or the case withdrawing the referral).
  await condition(() => view.status === 'answered' || view.status === 'objected' || view.status === 'cancelled');
  return view;
}
