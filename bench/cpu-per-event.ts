// Where the projector's and `audit verify`'s CPU goes, stage by stage, on the bench's generated history
// (no Kafka, no database), beside the baselines npm run bench divides by: JSON.parse, and JSON.parse +
// SHA-256 of each stored value. Best of three passes, CPU µs per event of this process.
//
//   npx tsx bench/cpu-per-event.ts [events]      (default 20,000)
//
// A stage's µs against the baseline's is the ceiling of the ratio npm run bench measures when node is the
// bottleneck: e.g. verify cannot reach half of JSON.parse + SHA-256 while its own stages sum to more than
// twice that.
import { createHash } from 'node:crypto';
import os from 'node:os';
import { decodeRecord } from '../audit/records.js';
import { LogVerifier } from '../audit/verify.js';
import { canonicalJson, parseEvent } from '../events/index.js';
import { commitmentProblem, findPersonalValues } from '../events/personal-data.js';
import { hashEventNative, storedTextMatchesHash } from '../runtime/event-hash.js';
import { emptyDoc, evolveDoc, type CaseDoc } from '../readmodels/case-document.js';
import { rowsOf } from '../readmodels/registry.js';
import { generateEvents } from '../testkit/history-generator.js';

const N = Number(process.argv[2] ?? 20000);
const stored: { key: string; text: string }[] = [];
for (const e of generateEvents({ cases: Math.ceil(N / 12), seed: 7 })) {
  if (stored.length >= N) break;
  stored.push({ key: e.caseId, text: canonicalJson(e) });
}
const texts = stored.map((s) => s.text);
const cpu = (label: string, fn: () => void): number => {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const c0 = process.cpuUsage();
    fn();
    const u = process.cpuUsage(c0);
    best = Math.min(best, (u.user + u.system) / N);
  }
  console.log(`  ${label}: ${best.toFixed(1)} µs`);
  return best;
};
let sink = 0;
console.log(`${N} events, CPU µs per event, best of 3 (load ${os.loadavg()[0]!.toFixed(1)})`);

console.log('baselines');
let raws: Record<string, unknown>[] = [];
const parseOnly = cpu('JSON.parse', () => { raws = texts.map((p) => JSON.parse(p) as Record<string, unknown>); });
const parseSha = cpu('JSON.parse + SHA-256 (verify\'s baseline)', () => {
  for (const t of texts) sink += (JSON.parse(t) as { sequence: number }).sequence + createHash('sha256').update(t, 'utf8').digest()[0]!;
});

console.log('projector stages (readmodels/projector.ts decode, then the fold)');
let evs: ReturnType<typeof parseEvent>[] = [];
const zod = cpu('parseEvent (zod schema)', () => { evs = raws.map((r) => parseEvent(r)); });
const onStoredBytes = raws.filter((r, i) => storedTextMatchesHash(texts[i]!, r['hash'])).length;
const storedHash = cpu(`hash check as the projector does it: stored bytes, re-serialised where not canonical (${((100 * onStoredBytes) / N).toFixed(0)} % on the stored bytes)`, () => {
  raws.forEach((r, i) => { if (!storedTextMatchesHash(texts[i]!, r['hash']) && hashEventNative(r) !== r['hash']) throw new Error('hash mismatch'); });
});
cpu('hash re-serialised (hashEventNative, the fallback)', () => { for (const r of raws) hashEventNative(r); });
let docs = new Map<string, CaseDoc>();
const fold = cpu('evolveDoc (fold: evolve + SLA clocks + facts)', () => { docs = new Map(); for (const e of evs) docs.set(e.caseId, evolveDoc(docs.get(e.caseId) ?? emptyDoc(), e)); });
const rows = cpu('rowsOf, once per case (per event)', () => { for (const d of docs.values()) rowsOf(d); });
const docJson = cpu('JSON.stringify of the case documents (per event)', () => { for (const d of docs.values()) JSON.stringify(d); });
console.log(`  sum: ${(parseOnly + zod + storedHash + fold + rows + docJson).toFixed(1)} µs before any database or Kafka work`);

console.log('audit verify stages (audit/verify.ts LogVerifier.add)');
cpu('personal-data commitments (findPersonalValues + commitmentProblem)', () => {
  for (const r of raws) for (const { field } of findPersonalValues(r['data'], 'data')) sink += commitmentProblem(field) === null ? 1 : 0;
});
const whole = cpu('decodeRecord + LogVerifier.add, whole', () => {
  const v = new LogVerifier();
  stored.forEach((s, i) => v.add(decodeRecord(s.text, s.key, { kind: 'kafka', topic: 't', partition: 0, offset: String(i) })));
  if (!v.verdict().ok) throw new Error('the generated log should verify');
});
console.log(`  verify's ceiling on one core: ${(parseSha / whole).toFixed(3)} of JSON.parse + SHA-256 (goal 0.5)`);
if (sink === 0) console.log('');
