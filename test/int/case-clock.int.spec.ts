// Time-skipping: the Java test server jumps over timers, so a case's 15-day mediation clock breaches
// in well under a second of wall time, and the workflow escalates the case as the core decides.
import { beforeAll, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { caseViewQuery, commandUpdates } from '../../workflows/messages.js';
import type { caseWorkflow } from '../../workflows/case-workflow.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { readTopic } from '../support/temporal.js';
import { useCaseWorker } from '../support/case-worker.js';
import { clerk, receiveInput, request } from '../../testkit/cases.js';

describeWithStack('case clocks on the time-skipping test server', () => {
  const caseWorker = useCaseWorker();
  let env: TestWorkflowEnvironment;
  let taskQueue: string;
  let topic: string;
  beforeAll(() => void ({ env, taskQueue, topic } = caseWorker()));

  it('breaches the 15-day mediation clock at its due moment, weeks skipped in seconds of wall time', async () => {
    const caseId = uniqueName('MC');
    const handle = await env.client.workflow.start<typeof caseWorkflow>('caseWorkflow', { workflowId: caseId, taskQueue, args: [receiveInput(caseId)] });
    await handle.executeUpdate(commandUpdates.AcceptCase, { args: [request({ type: 'AcceptCase', caseId, data: {} }, clerk)] });

    const accepted = await handle.query(caseViewQuery);
    const clock = accepted.clocks['mediation-conclude'];
    expect(clock?.status).toBe('running');
    expect(clock?.breached).toBe(false);

    // 15 days end on a working day (民法典 第二百零三条), so how far the breach lies depends on the day the test
    // runs: skip to the clock's own due moment and a minute past it.
    const skipMs = Date.parse(clock!.dueAt) + 60_000 - (await env.currentTimeMs());
    expect(skipMs).toBeGreaterThan(15 * 86_400_000);
    const t0 = performance.now();
    await env.sleep(skipMs);
    const wallMs = performance.now() - t0;

    const view = await handle.query(caseViewQuery);
    expect(view.clocks['mediation-conclude']?.breached).toBe(true);
    // Skipped, not waited: weeks pass in seconds even on two busy cores (a generous bound, not a benchmark).
    expect(wallMs).toBeLessThan(15_000);
    if (view.state.status === 'none') throw new Error('no case');
    // Two breaches (the 7-day reply, then the 15-day mediation) each moved the case one level up.
    expect(view.state.level).toBe('county');
    expect(Object.values(view.state.supervision).length).toBeGreaterThanOrEqual(2);

    // Every event went out to Kafka, in order, keyed by the case.
    const messages = await readTopic(stack!.kafkaBrokers, topic, view.publishedSequence);
    expect(messages.map((m) => m.value.sequence)).toEqual(Array.from({ length: view.publishedSequence }, (_, i) => i + 1));
    expect(new Set(messages.map((m) => m.key))).toEqual(new Set([caseId]));
    const types = messages.map((m) => m.value.type);
    expect(types).toContain('ClockBreached');
    expect(types).toContain('CaseEscalated');
  });
});
