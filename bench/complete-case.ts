// A complete case (agreement path, 14 commands from intake to closure) on a running Temporal server and
// Kafka, with an in-process worker: events per case and the wall time from start until the last
// event is on the topic.
//   npm start   (in another terminal), then:   npx tsx bench/complete-case.ts [cases]
// TEMPORAL_ADDRESS and KAFKA_BROKERS default to the `npm start` stack. A topic of its own is created
// and deleted again, so the bench leaves the read models alone.
import { Client, Connection } from '@temporalio/client';
import { testDataConverter } from '../test/support/payload-keys.js';
import { NativeConnection } from '@temporalio/worker';
import type { CaseCommand } from '../domain/case/commands.js';
import { caseViewQuery, commandUpdates } from '../workflows/messages.js';
import type { caseWorkflow } from '../workflows/case-workflow.js';
import { clerk, mediator, receiveInput, request } from '../test/support/cases.js';
// test/support/temporal.js installs a quiet Temporal runtime (WARN and up).
import { createTopic, startCaseWorker } from '../test/support/temporal.js';
import { Kafka } from 'kafkajs';

const cases = Number(process.argv[2] ?? 5);
const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const stamp = Date.now().toString(36);
const topic = `bench.case-events-${stamp}`;
const taskQueue = `bench-${stamp}`;

await createTopic(brokers, topic, 3);
const nativeConnection = await NativeConnection.connect({ address });
const worker = await startCaseWorker({ connection: nativeConnection, taskQueue, brokers, topic });
const connection = await Connection.connect({ address });
const client = new Client({ connection, dataConverter: testDataConverter });

const results: Array<{ events: number; ms: number }> = [];
for (let i = 0; i < cases; i++) {
  const caseId = `BENCH-${stamp}-${i}`;
  const t0 = performance.now();
  const handle = await client.workflow.start<typeof caseWorkflow>('caseWorkflow', { workflowId: caseId, taskQueue, args: [receiveInput(caseId)] });
  const run = (command: CaseCommand, actor = mediator) => handle.executeUpdate(commandUpdates[command.type], { args: [request(command, actor)] });
  await run({ type: 'AcceptCase', caseId, data: {} }, clerk);
  await run({ type: 'ClassifyCase', caseId, data: { disputeType: 'wage-arrears' } }, clerk);
  await run({ type: 'RouteCase', caseId, data: {} }, clerk);
  const scheduled = await run({ type: 'ScheduleSession', caseId, data: { at: new Date(Date.now() + 86_400_000).toISOString(), place: '调解室', departments: ['union'] } });
  const session = scheduled.events.find((e) => e.type === 'SessionScheduled');
  await run({ type: 'HoldSession', caseId, data: { sessionId: session?.type === 'SessionScheduled' ? session.data.sessionId : '', outcome: 'progress', minutes: '双方陈述', departmentOpinions: [] } });
  await run({ type: 'RecordAgreement', caseId, data: { totalAmountFen: 600_000, items: [{ kind: 'wages', amountFen: 600_000 }], schedule: [{ dueOn: '2026-12-31', amountFen: 600_000 }], terms: '一次性支付' } });
  await run({ type: 'RequestJudicialConfirmation', caseId, data: { court: '县人民法院', jointApplication: true } });
  await run({ type: 'GrantJudicialConfirmation', caseId, data: { rulingRef: `RULING-${i}` } }, { id: 'court-1', role: 'department-liaison', department: 'court' });
  await run({ type: 'RecordPayment', caseId, data: { amountFen: 600_000, paidOn: '2026-11-30' } });
  await run({ type: 'SendReply', caseId, data: { method: 'written', summary: '协议已履行' } }, clerk);
  await run({ type: 'RecordFeedback', caseId, data: { score: 5 } }, clerk);
  await run({ type: 'CloseCase', caseId, data: {} });
  let view = await handle.query(caseViewQuery);
  while (view.state.status === 'none' || view.publishedSequence < view.state.version) {
    await new Promise((r) => setTimeout(r, 20));
    view = await handle.query(caseViewQuery);
  }
  results.push({ events: view.state.version, ms: performance.now() - t0 });
  // A closed case waits a year for a reopen; the bench's cases need not.
  await handle.terminate('benchmark case');
  process.stderr.write(`case ${i + 1}/${cases}: ${view.state.version} events, ${Math.round(performance.now() - t0)} ms\n`);
}

await worker.stop();
await connection.close();
await nativeConnection.close();
const admin = new Kafka({ clientId: 'bench', brokers }).admin();
await admin.connect();
await admin.deleteTopics({ topics: [topic] });
await admin.disconnect();

const ms = results.map((r) => r.ms).sort((a, b) => a - b);
console.log(JSON.stringify({
  cases,
  eventsPerCase: results[0]?.events,
  wallMsMedian: Math.round(ms[Math.floor(ms.length / 2)] ?? NaN),
  wallMsMin: Math.round(ms[0] ?? NaN),
  wallMsMax: Math.round(ms[ms.length - 1] ?? NaN),
}));
