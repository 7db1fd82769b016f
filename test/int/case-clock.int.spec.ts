// Time-skipping: the Java test server jumps over timers, so a case's 15-day mediation clock breaches
// in well under a second of wall time, and the workflow escalates the case as the core decides.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { caseViewQuery, commandUpdates } from '../../workflows/messages.js';
import type { caseWorkflow } from '../../workflows/case-workflow.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { createTopic, readTopic, startCaseWorker, type RunningWorker } from '../support/temporal.js';
import { clerk, receiveInput, request } from '../support/cases.js';
import { registerSearchAttributes } from '../../ops/search-attributes.js';

describeWithStack('case clocks on the time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  let worker: RunningWorker;
  const taskQueue = uniqueName('tq');
  const topic = uniqueName('case_events');

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: stack!.testServerPath } } });
    await registerSearchAttributes(env.connection, 'default');
    await createTopic(stack!.kafkaBrokers, topic);
    worker = await startCaseWorker({ connection: env.nativeConnection, taskQueue, brokers: stack!.kafkaBrokers, topic });
  });
  afterAll(async () => {
    await worker?.stop();
    await env?.teardown();
  });

  it('breaches the 15-day mediation clock after 15 days, in well under a second of wall time', async () => {
    const caseId = uniqueName('MC');
    const handle = await env.client.workflow.start<typeof caseWorkflow>('caseWorkflow', { workflowId: caseId, taskQueue, args: [receiveInput(caseId)] });
    await handle.executeUpdate(commandUpdates.AcceptCase, { args: [request({ type: 'AcceptCase', caseId, data: {} }, clerk)] });

    const accepted = await handle.query(caseViewQuery);
    const clock = accepted.clocks['mediation-conclude'];
    expect(clock?.status).toBe('running');
    expect(clock?.breached).toBe(false);

    const t0 = performance.now();
    await env.sleep('16 days');
    const wallMs = performance.now() - t0;

    const view = await handle.query(caseViewQuery);
    expect(view.clocks['mediation-conclude']?.breached).toBe(true);
    expect(wallMs).toBeLessThan(1_000);
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
