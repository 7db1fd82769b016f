// Where the projector's CPU goes, stage by stage, on the bench's generated history (no Kafka, no database):
// JSON.parse, the event schema (zod), the hash check, the fold (evolve + SLA clocks + facts), the rows, and
// the case documents' JSON. Best of three passes, CPU µs per event of this process.
//
//   npx tsx bench/projector-stages.ts [events]      (default 20,000)
//
// The raw kafkajs consume the projector is measured against costs about 7 µs CPU per event (npm run bench
// prints it): the sum of these stages is what bounds the projector's ratio when node is the bottleneck.
import { canonicalJson, parseEvent } from '../events/index.js';
import { hashEventNative } from '../runtime/event-hash.js';
import { emptyDoc, evolveDoc, rowsOf, type CaseDoc } from '../readmodels/projections.js';
import { generateEvents } from '../test/support/history-generator.js';
const N = Number(process.argv[2] ?? 20000);
const payloads: string[] = [];
for (const e of generateEvents({ cases: Math.ceil(N / 12), seed: 7 })) { if (payloads.length >= N) break; payloads.push(canonicalJson(e)); }
const cpu = (label: string, fn: () => void) => { let best = Infinity; for (let i = 0; i < 3; i++) { const c0 = process.cpuUsage(); fn(); const u = process.cpuUsage(c0); best = Math.min(best, (u.user + u.system) / N); } console.log(`${label}: ${best.toFixed(1)} µs CPU/event`); };
let raws: Record<string, unknown>[] = [];
cpu('JSON.parse', () => { raws = payloads.map((p) => JSON.parse(p)); });
let evs: ReturnType<typeof parseEvent>[] = [];
cpu('parseEvent (zod)', () => { evs = raws.map((r) => parseEvent(r)); });
cpu('hashEventNative', () => { for (const r of raws) hashEventNative(r); });
let docs = new Map<string, CaseDoc>();
cpu('evolveDoc (fold)', () => { docs = new Map(); for (const e of evs) docs.set(e.caseId, evolveDoc(docs.get(e.caseId) ?? emptyDoc(), e)); });
cpu('rowsOf, once per case (per event)', () => { for (const d of docs.values()) rowsOf(d); });
cpu('JSON.stringify of the case documents (per event)', () => { for (const d of docs.values()) JSON.stringify(d); });
