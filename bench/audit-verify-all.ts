// `mediation audit verify --all` over a topic of N events (default 100,000): events per second of the real
// command (a child process through bin/mediation.mjs, start-up included) and of the verification alone.
//   npm start   (in another terminal), then:   npx tsx bench/audit-verify-all.ts [events] [partitions]
// KAFKA_BROKERS defaults to the `npm start` stack. The cases are the 26-event history of the audit tests
// (decided by the real core: clocks started, paused, extended, warned, breached), sealed under a fresh case
// number each, on a topic of their own that is deleted afterwards.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { connectProducer, createKafka } from '../runtime/kafka.js';
import { canonicalJson, GENESIS_HASH, sealEvents, type UnsealedEvent } from '../events/index.js';
import { decidedHistory } from '../test/unit/audit-fixtures.js';

const wanted = Number(process.argv[2] ?? 100_000);
const partitions = Number(process.argv[3] ?? 6);
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const topic = `bench.audit-${Date.now().toString(36)}`;

const template = decidedHistory('TEMPLATE');
const cases = Math.ceil(wanted / template.length);
const admin = new Kafka({ clientId: 'bench-admin', brokers, logLevel: logLevel.ERROR }).admin();
await admin.connect();
await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
const producer = await connectProducer(createKafka(brokers, 'bench-audit'));

try {
  const t0 = performance.now();
  let batch: { key: string; value: string; headers: Record<string, string> }[] = [];
  for (let i = 0; i < cases; i++) {
    const caseId = `BENCH-${i.toString().padStart(7, '0')}`;
    const unsealed = template.map(({ hash: _h, prevHash: _p, ...e }) => ({ ...e, caseId, eventId: `${caseId}:${e.sequence}` }) as UnsealedEvent);
    for (const e of sealEvents(unsealed, GENESIS_HASH)) batch.push({ key: caseId, value: canonicalJson(e), headers: { sequence: String(e.sequence) } });
    if (batch.length >= 5_000 || i === cases - 1) {
      await producer.send({ topic, acks: -1, messages: batch });
      batch = [];
    }
  }
  const events = cases * template.length;
  console.log(`published ${events} events of ${cases} cases to ${topic} (${partitions} partitions) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const bin = fileURLToPath(new URL('../bin/mediation.mjs', import.meta.url));
  const t1 = performance.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    // GNU time, when there, reports the command's peak memory (its last stderr line).
    const command = [process.execPath, bin, 'audit', 'verify', '--all', '--json'];
    const timed = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', 'maxrss %M KiB', ...command] : command;
    const child = spawn(timed[0]!, timed.slice(1), { env: { ...process.env, KAFKA_BROKERS: brokers.join(','), KAFKA_TOPIC: topic } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
  });
  const wallMs = performance.now() - t1;
  if (code !== 0) {
    console.error(stderr);
    throw new Error(`verify --all exited with ${code}`);
  }
  const result = JSON.parse(stdout) as { records: number; cases: number; elapsedMs: number; recordsPerSecond: number };
  const maxrss = /maxrss (\d+) KiB/.exec(stderr)?.[1];
  console.log(
    `verify --all: ${result.records} events, ${result.cases} cases; verification ${result.elapsedMs} ms (${result.recordsPerSecond} events/s); ` +
      `whole command ${Math.round(wallMs)} ms (${Math.round((result.records / wallMs) * 1000)} events/s)` +
      (maxrss ? `; peak memory ${Math.round(Number(maxrss) / 1024)} MiB` : ''),
  );
} finally {
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}
