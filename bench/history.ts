// One run over a generated history of at least N events (default 100,000): the projector's events/s and
// `mediation audit verify --all` events/s, on the same topic.
//   npm start   (in another terminal), then:   npx tsx bench/history.ts [events] [partitions]
// The history comes from test/support/history-generator.ts: cases run through the real decider (routing,
// referrals, sessions, clocks warned and breached, every outcome), receipts spread over 2025–2026 with
// repeat enterprises. It is published to a topic of its own, projected into a fresh in-memory PGlite
// (or DATABASE_URL's server, into a fresh schema), verified by the real command, and the topic deleted.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { connectProducer, createKafka } from '../runtime/kafka.js';
import { canonicalJson } from '../events/index.js';
import { startProjector } from '../readmodels/consumer.js';
import { openDb } from '../readmodels/db.js';
import { generateEvents } from '../test/support/history-generator.js';

const wanted = Number(process.argv[2] ?? 100_000);
const partitions = Number(process.argv[3] ?? 6);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const stamp = Date.now().toString(36);
const topic = `bench.history-${stamp}`;
const log = pino({ level: 'warn' });
const say = (line: string) => process.stderr.write(`${line}\n`);

const kafka = createKafka(brokers, 'bench-history');
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
const producer = await connectProducer(kafka);

try {
  // 1. Generate and publish. About 20 events a case: ask for enough cases, stop at the wanted count's case.
  const t0 = performance.now();
  let events = 0;
  const cases = new Set<string>();
  let batch: { key: string; value: string }[] = [];
  for (const event of generateEvents({ cases: Math.ceil(wanted / 12), seed: 7 })) {
    batch.push({ key: event.caseId, value: canonicalJson(event) });
    cases.add(event.caseId);
    events++;
    if (batch.length >= 5_000) {
      await producer.send({ topic, acks: -1, messages: batch });
      batch = [];
      say(`generated and published ${events} events`);
    }
  }
  if (batch.length > 0) await producer.send({ topic, acks: -1, messages: batch });
  if (events < wanted) throw new Error(`the generator made only ${events} events; raise the case count`);
  const generateSeconds = (performance.now() - t0) / 1000;
  say(`published ${events} events of ${cases.size} cases in ${generateSeconds.toFixed(1)} s`);

  // 2. The projector, from offset 0 until its lag is zero.
  const db = await openDb(process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : { memory: true });
  const schema = `bench_${stamp}`;
  const t1 = performance.now();
  const projector = await startProjector({ db, schema, brokers, topic, groupId: `bench-projector-${stamp}`, log });
  for (;;) {
    const lag = (await projector.lag()).reduce((sum, p) => sum + p.lag, 0);
    if (lag === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const projectorSeconds = (performance.now() - t1) / 1000;
  await projector.stop();
  const applied = await db.query<{ n: number }>(`select count(*)::integer as n from ${schema}.event_archive`);
  const parked = await db.query<{ n: number }>(`select count(*)::integer as n from ${schema}.dead_letter`);
  if (db.kind === 'postgres') await db.exec(`drop schema ${schema} cascade`);
  await db.close();
  say(`projector: ${applied.rows[0]?.n} applied, ${parked.rows[0]?.n} parked in ${projectorSeconds.toFixed(1)} s`);

  // 3. The auditor's command, as a user runs it.
  const bin = fileURLToPath(new URL('../bin/mediation.mjs', import.meta.url));
  const t2 = performance.now();
  const verify = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, 'audit', 'verify', '--all', '--json'], {
      env: { ...process.env, KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC: topic },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, stdout: out }));
  });
  const verifySeconds = (performance.now() - t2) / 1000;
  if (verify.code !== 0) throw new Error(`audit verify --all exited with ${verify.code}: ${verify.stdout.slice(0, 2000)}`);

  console.log(
    JSON.stringify({
      events,
      cases: cases.size,
      partitions,
      store: process.env.DATABASE_URL ? 'postgres' : 'pglite',
      projector: { seconds: round(projectorSeconds), eventsPerSecond: Math.round(events / projectorSeconds), applied: applied.rows[0]?.n, parked: parked.rows[0]?.n },
      auditVerifyAll: { seconds: round(verifySeconds), eventsPerSecond: Math.round(events / verifySeconds) },
      generateAndPublishSeconds: round(generateSeconds),
    }),
  );
} finally {
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
