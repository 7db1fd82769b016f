// Where the live projector's time goes, end to end: a CPU profile of this process taken only while the
// projector consumes a generated history from Kafka into PostgreSQL (DATABASE_URL) or PGlite, summed by
// what the code is (zod, hashing, the fold, building the SQL, the pg driver, PGlite, kafkajs, GC, idle),
// beside the PostgreSQL server's CPU over the same time. bench/cpu-per-event.ts times the pure stages
// alone; this shows what they are worth inside the running projector.
//
//   npx tsx bench/projector-profile.ts [events=30000] [postgres|pglite]     (servers: npm run bench -- --servers-only)
//
// Writes the profile to .data/bench-profiles/ (open it in Chrome's DevTools or speedscope).
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { startProjector } from '../readmodels/consumer.js';
import { openDb } from '../readmodels/db.js';
import { benchConfig } from './config.js';
import { publishHistory } from './history-topic.js';
import { postgresCpuMicros } from './postgres-cpu.js';

const wanted = Number(process.argv[2] ?? '30000');
const target = (process.argv[3] ?? 'postgres') as 'postgres' | 'pglite';
const brokers = benchConfig.KAFKA_BROKERS;
const databaseUrl = benchConfig.DATABASE_URL;
if (target === 'postgres' && !databaseUrl) throw new Error('DATABASE_URL is not set: start the servers with `npm run bench -- --servers-only` and export what it prints');
const stamp = Date.now().toString(36);
const topic = `bench.profile-${stamp}`;
const say = (line: string) => process.stderr.write(`${line}\n`);

// ------------------------------------------------------------------ a history on a fresh topic

const kafka = new Kafka({ clientId: 'bench-profile', brokers, logLevel: logLevel.ERROR });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 6, replicationFactor: 1 }] });
const events = await publishHistory(brokers, topic, wanted);
say(`${events} events on ${topic}; projecting into ${target} with the profiler on`);

// ------------------------------------------------------------------ the projector, profiled

const db = await openDb(target === 'postgres' ? { url: databaseUrl! } : { memory: true });
const schema = `bench_profile_${stamp}`;
const session = new inspector.Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
const pg0 = target === 'postgres' ? postgresCpuMicros(databaseUrl) : undefined;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await session.post('Profiler.start');
const projector = await startProjector({ db, schema, brokers, topic, groupId: `bench-profile-${stamp}`, log: pino({ level: 'warn' }) });
for (;;) {
  const lag = (await projector.lag()).reduce((sum, p) => sum + p.lag, 0);
  if (lag === 0) break;
  await new Promise((r) => setTimeout(r, 100));
}
const { profile } = await session.post('Profiler.stop');
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const pg1 = pg0 === undefined ? undefined : postgresCpuMicros(databaseUrl);
await projector.stop();
if (target === 'postgres') await db.exec(`drop schema ${schema} cascade`);
await db.close();
await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
await admin.disconnect();
session.disconnect();

const dir = path.resolve('.data/bench-profiles');
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, `projector-${target}-${stamp}.cpuprofile`);
fs.writeFileSync(file, JSON.stringify(profile));

// ------------------------------------------------------------------ the summary

// Each sample goes to the first category its stack (leaf first) matches; frames of node's own internals
// and of anonymous glue are passed over so a sample lands on the code that asked for the work. Built-ins
// (JSON.parse, JSON.stringify) have no frame of their own: their time is their caller's.
const categories: [name: string, test: (url: string, fn: string) => boolean][] = [
  ['(idle: waiting on PostgreSQL, Kafka or timers)', (_u, fn) => fn === '(idle)'],
  ['(garbage collection)', (_u, fn) => fn === '(garbage collector)'],
  ['zod schema (parseEvent)', (u) => u.includes('/zod/')],
  ['hash check (SHA-256, canonical JSON)', (u, fn) => u.endsWith('event-hash.ts') || u.endsWith('canonical-json.ts') || fn === 'digest' || fn === 'update' || fn === 'Hash'],
  ['fold (evolve, SLA clocks, calendar, case facts)', (u) => /\/domain\//.test(u) || u.endsWith('projections.ts')],
  ['PGlite (WASM PostgreSQL in this process)', (u) => u.includes('@electric-sql/pglite') || u.startsWith('wasm')],
  ['pg driver (protocol, parameters)', (u) => /\/node_modules\/(pg|pg-protocol|pg-types|pg-pool)\//.test(u)],
  ['JSON.parse of each record (decode, projector.ts)', (u, fn) => u.endsWith('readmodels/projector.ts') && fn === 'decode'],
  ['the rows as one JSON text per table (JSON.stringify, table.ts)', (u) => u.endsWith('readmodels/table.ts')],
  ['rows, documents and the batch statement (projector.ts, tables/)', (u) => u.endsWith('readmodels/projector.ts') || u.includes('readmodels/tables/')],
  ['kafkajs (fetch, decode, group)', (u) => u.includes('/kafkajs/')],
  ['tracing, logging, metrics', (u) => u.includes('@opentelemetry') || u.includes('/pino') || u.includes('prom-client')],
];
type Node = { id: number; callFrame: { functionName: string; url: string }; children?: number[] };
const nodes = new Map<number, Node>((profile.nodes as Node[]).map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of nodes.values()) for (const c of n.children ?? []) parent.set(c, n.id);
const byCategory = new Map<string, number>();
let total = 0;
const samples = profile.samples ?? [];
const deltas = profile.timeDeltas ?? [];
samples.forEach((leaf, i) => {
  const micros = deltas[i] ?? 0;
  total += micros;
  let name = 'other (node internals, promise plumbing, our glue)';
  for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
    const { url, functionName } = nodes.get(id)!.callFrame;
    const hit = categories.find(([, test]) => test(url, functionName));
    if (hit) {
      name = hit[0];
      break;
    }
  }
  byCategory.set(name, (byCategory.get(name) ?? 0) + micros);
});
const perEvent = (micros: number) => `${(micros / events).toFixed(1)} µs/event`;
console.log(`projector → ${target}: ${events} events in ${seconds.toFixed(1)} s = ${Math.round(events / seconds)} ev/s (load ${os.loadavg()[0]!.toFixed(1)})`);
console.log(`node CPU ${perEvent(cpu.user + cpu.system)}${pg1 !== undefined && pg0 !== undefined ? `; PostgreSQL server CPU ${perEvent(pg1 - pg0)}` : ''}; wall ${perEvent(seconds * 1e6)}`);
console.log('the profiled wall time by what the code is:');
for (const [name, micros] of [...byCategory].sort((a, b) => b[1] - a[1])) {
  console.log(`  ${((100 * micros) / total).toFixed(1).padStart(5)} %  ${perEvent(micros).padStart(16)}  ${name}`);
}
console.log(`profile: ${file}`);
