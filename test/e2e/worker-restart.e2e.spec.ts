// A complete case on the real dev server and Kafka, with the worker process killed (SIGKILL) twice
// mid-case: once between commands, once right after an update returned, while its events are still
// being published. The topic must end up with exactly the case's events, in order, none twice.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { testDataConverter } from '../../testkit/payload-keys.js';
import { freePort, startWorkerProcess, type EngineProcess } from '../support/processes.js';
import { chinaDateOf } from '../../domain/calendar/index.js';
import { caseViewQuery, commandUpdates } from '../../workflows/messages.js';
import type { caseWorkflow } from '../../workflows/case-workflow.js';
import type { CaseCommand } from '../../domain/case/commands.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { createTopic, readTopic } from '../support/temporal.js';
import { clerk, mediator, receiveInput, request } from '../../testkit/cases.js';

describeWithStack('worker killed and restarted mid-case (real dev server and Kafka)', () => {
  const taskQueue = uniqueName('tq');
  const topic = uniqueName('case_events');
  let worker: EngineProcess | undefined;
  // The worker's Prometheus exporter (the Temporal SDK's), on a port this file picks.
  let metricsAddress = '';
  let connection: Connection;
  let client: Client;

  const startWorker = async () => {
    worker = await startWorkerProcess('worker', { taskQueue, topic, metricsAddress });
  };
  const killWorker = async () => {
    if (worker) expect((await worker.stop('SIGKILL')).signal).toBe('SIGKILL');
    worker = undefined;
  };

  beforeAll(async () => {
    await createTopic(stack!.kafkaBrokers, topic, 3);
    metricsAddress = `127.0.0.1:${await freePort()}`;
    connection = await Connection.connect({ address: stack!.temporalAddress });
    client = new Client({ connection, dataConverter: testDataConverter });
    await startWorker();
  });
  afterAll(async () => {
    await killWorker();
    await connection?.close();
  });

  it('publishes every event exactly once and in order', async () => {
    const caseId = uniqueName('MC');
    const handle = await client.workflow.start<typeof caseWorkflow>('caseWorkflow', { workflowId: caseId, taskQueue, args: [receiveInput(caseId)] });
    const run = (command: CaseCommand, actor = mediator) => handle.executeUpdate(commandUpdates[command.type], { args: [request(command, actor)] });

    await run({ type: 'AcceptCase', caseId, data: {} }, clerk);
    await run({ type: 'ClassifyCase', caseId, data: { disputeType: 'wage-arrears' } }, clerk);

    // Kill between commands: the next update waits for a worker.
    await killWorker();
    await startWorker();
    await run({ type: 'RouteCase', caseId, data: {} }, clerk);
    // The dev server keeps real time (no skipping here): the session is scheduled two seconds ahead and held
    // once that moment has passed; the payment falls due a month after receipt.
    const received = await handle.query(caseViewQuery);
    if (received.state.status === 'none') throw new Error(`case ${caseId} has no state`);
    const receivedAt = received.state.receivedAt;
    const sessionAt = Date.now() + 2_000;
    await run({ type: 'ScheduleSession', caseId, data: { at: new Date(sessionAt).toISOString(), place: '城关镇调解室', departments: ['union'] } });
    await new Promise((r) => setTimeout(r, Math.max(0, sessionAt + 500 - Date.now())));

    // Kill right after an update returned: its events are decided but may be mid-publish.
    const view = await handle.query(caseViewQuery);
    const session = view.state.status === 'none' ? undefined : Object.keys(view.state.sessions)[0];
    await run({ type: 'HoldSession', caseId, data: { sessionId: session!, outcome: 'progress', minutes: '双方陈述', departmentOpinions: [] } });
    await killWorker();
    await startWorker();
    await run({
      type: 'RecordAgreement',
      caseId,
      data: { totalAmountFen: 600_000, items: [{ kind: 'wages', amountFen: 600_000 }], schedule: [{ dueOn: chinaDateOf(new Date(Date.parse(receivedAt) + 30 * 86_400_000).toISOString()), amountFen: 600_000 }], terms: '分期支付' },
    });
    await run({ type: 'SendReply', caseId, data: { method: 'written', summary: '已达成调解协议' } }, clerk);
    await run({ type: 'CloseCase', caseId, data: {} });

    // Wait until the workflow says everything is published, then read the topic.
    let final = await handle.query(caseViewQuery);
    for (let i = 0; i < 120 && final.publishedSequence < (final.state.status === 'none' ? 0 : final.state.version); i++) {
      await new Promise((r) => setTimeout(r, 500));
      final = await handle.query(caseViewQuery);
    }
    if (final.state.status === 'none') throw new Error('no case');
    expect(final.state.status).toBe('closed');
    const total = final.state.version;
    expect(final.publishedSequence).toBe(total);

    const messages = await readTopic(stack!.kafkaBrokers, topic, total + 1, 10_000);
    const sequences = messages.filter((m) => m.key === caseId).map((m) => m.value.sequence);
    expect(sequences).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(messages.map((m) => m.partition)).size).toBe(1);
    // The test server suggests continue-as-new after 60 history events: the case crossed into a new
    // run and carried its state, chain head and topic position along.
    const description = await handle.describe();
    expect(description.runId).not.toBe(handle.firstExecutionRunId);
    const types = messages.map((m) => m.value.type);
    expect(types[0]).toBe('CaseReceived');
    expect(types).toContain('AgreementReached');
    expect(types[types.length - 1]).toBe('CaseClosed');

    // The restarted worker's metrics: the SDK's own, and the events its publish activity wrote.
    const scraped = await (await fetch(`http://${metricsAddress}/metrics`)).text();
    expect(scraped).toMatch(/^temporal_activity_execution_latency_bucket\{activity_type="publishEvents"/m);
    const published = scraped.split('\n').find((l) => l.startsWith('mediation_events_published_total'));
    expect(Number(published?.split(' ').pop())).toBeGreaterThan(0);
  }, 240_000);
});
