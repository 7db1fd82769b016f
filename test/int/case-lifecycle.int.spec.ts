// Every outcome path of a case (test/support/paths.ts), end to end on the time-skipping test server with a
// real Kafka topic: the case ends in the path's status, its events are exactly the path's event types in
// order — on the topic, sequences 1..N with no gap or duplicate, one unbroken hash chain ending at the head
// the workflow reports — and each referral's child workflow ends as the path says.
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { verifyChain } from '../../events/index.js';
import type { caseWorkflow } from '../../workflows/case-workflow.js';
import { referralViewQuery, referralWorkflowId, type ReferralView } from '../../workflows/messages.js';
import { lifecyclePath, PATH_NAMES, runPath } from '../support/paths.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { createTopic } from '../support/temporal.js';
import { caseEventsOnTopic, settledView, startCaseEnv, type CaseEnv, type TopicEvent } from '../support/time-skipping.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describeWithStack('case lifecycle paths on the time-skipping test server', () => {
  const topic = uniqueName('case_events');
  let ce: CaseEnv;

  beforeAll(async () => {
    await createTopic(stack!.kafkaBrokers, topic);
  });
  beforeEach(async () => {
    ce = await startCaseEnv({ testServerPath: stack!.testServerPath, brokers: stack!.kafkaBrokers, topic });
  });
  afterEach(async () => {
    await ce?.stop();
  });

  for (const name of PATH_NAMES) {
    it(`path ${name}`, async () => {
      const caseId = uniqueName('MC');
      const path = lifecyclePath(name, { caseId, otherCaseId: uniqueName('MC'), startMs: await ce.now() });
      const handle = await ce.startCase(path.input);
      const run = await runPath(handle, path, ce.env);

      const topicEvents = new Map<string, TopicEvent[]>();
      for (const expected of [path.expected, ...(path.expected.others ?? [])]) {
        const view = await settledView(ce.env.client.workflow.getHandle<typeof caseWorkflow>(expected.caseId));
        expect(view.state.status, `status of ${expected.caseId}`).toBe(expected.status);

        const events = await caseEventsOnTopic(ce, expected.caseId, view.state.version);
        topicEvents.set(expected.caseId, events);
        expect(events.map((e) => e.sequence)).toEqual(range(view.state.version));
        expect(events.map((e) => e.type)).toEqual(expected.events);
        expect(verifyChain(events, { head: { sequence: view.state.version, hash: view.lastHash } })).toEqual({ ok: true });

        // What each update returned is what reached the topic, byte for byte; the only events no update
        // returned are the ones the workflow decided itself at the start (the receipt and its alert).
        const onTopic = new Map(events.map((e) => [e.eventId, e]));
        const returned = run.returned.get(expected.caseId) ?? [];
        for (const event of returned) expect(onTopic.get(event.eventId)).toEqual(JSON.parse(JSON.stringify(event)));
        const returnedIds = new Set(returned.map((e) => e.eventId));
        // A merge's surviving case records the duplicate at the merging case's request (the merge saga): that
        // update answers the saga's activity, not the test.
        const unreturned = events.filter((e) => !returnedIds.has(e.eventId) && e.type !== 'DuplicateMergedIn').map((e) => e.type);
        expect(unreturned).toEqual(expected.events.filter((t) => t !== 'DuplicateMergedIn').slice(0, unreturned.length));
        expect(unreturned.every((t) => t === 'CaseReceived' || t === 'SupervisionIssued')).toBe(true);
      }

      // The referral child workflows: one per ReferralOpened, each ending as the path says.
      const opened = (topicEvents.get(caseId) ?? []).filter((e) => e.type === 'ReferralOpened').map((e) => e.data as { referralId: string; department: string });
      expect(opened.map((r) => r.department)).toEqual(path.expected.referrals.map((r) => r.department));
      for (const [i, referral] of opened.entries()) {
        const want = path.expected.referrals[i]!;
        const child = ce.env.client.workflow.getHandle(referralWorkflowId(caseId, referral.referralId));
        const finished = want.status === 'answered' || want.status === 'objected' || want.status === 'cancelled';
        const { view, status } = await childOutcome(child, finished ? 'COMPLETED' : 'RUNNING');
        expect({ status: view.status, overdue: view.overdue, department: view.department, referralId: view.referralId }).toEqual({
          status: want.status,
          overdue: want.overdue,
          department: want.department,
          referralId: referral.referralId,
        });
        expect(status).toBe(finished ? 'COMPLETED' : 'RUNNING');
      }
    });
  }
});

/** The child's view and run status, waiting a little for a signalled child to finish. */
async function childOutcome(
  child: { query: (q: typeof referralViewQuery) => Promise<ReferralView>; describe: () => Promise<{ status: { name: string } }> },
  want: string,
): Promise<{ view: ReferralView; status: string }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const status = (await child.describe()).status.name;
    if (status === want || Date.now() > deadline) return { view: await child.query(referralViewQuery), status };
    await new Promise((r) => setTimeout(r, 100));
  }
}
