// Verify's hash on the stored bytes (runtime/event-hash.ts storedTextMatchesHash) against re-serialising
// each parsed event (as before issue 13's change), beside JSON.parse + SHA-256 of the same values, one
// thread, no servers; the three loops interleaved, best of four rounds each.
//   npx tsx bench/verify-stored-bytes.ts [events=30000]
import { createHash } from 'node:crypto';
import os from 'node:os';
import { canonicalJson } from '../events/index.js';
import { generateEvents } from '../testkit/history-generator.js';
import { LogVerifier } from '../audit/verify.js';
import { decodeRecord } from '../audit/records.js';
const wanted = Number(process.argv[2] ?? '30000');
const texts: { key: string; text: string }[] = [];
for (const e of generateEvents({ cases: 3000, seed: 7 })) { texts.push({ key: e.caseId, text: canonicalJson(e) }); if (texts.length >= wanted) break; }
let c = 0;
const run = (withText: boolean) => { const v = new LogVerifier(); texts.forEach((t, i) => { const r = decodeRecord(t.text, t.key, { kind: 'kafka', topic: 't', partition: 0, offset: String(i) }); if (!withText) delete r.text; v.add(r); }); if (!v.verdict().ok) throw new Error('faults'); };
const best = { parseHash: Infinity, stored: Infinity, reserialised: Infinity };
for (let round = 0; round < 4; round++) {
  for (const [k, fn] of [['parseHash', () => { for (const t of texts) { c += JSON.parse(t.text).sequence; c += createHash('sha256').update(t.text, 'utf8').digest()[0]!; } }], ['stored', () => run(true)], ['reserialised', () => run(false)]] as const) {
    const t0 = performance.now(); fn(); best[k] = Math.min(best[k], performance.now() - t0);
  }
}
const r = (ms: number) => Math.round(texts.length / (ms / 1000));
console.log(`${texts.length} events, best of 4 interleaved rounds, load ${os.loadavg()[0]!.toFixed(1)}: JSON.parse+SHA-256 ${r(best.parseHash)} ev/s; verify hashing the stored bytes ${r(best.stored)} ev/s (ratio ${(best.parseHash / best.stored).toFixed(3)}); verify re-serialising (before) ${r(best.reserialised)} ev/s (ratio ${(best.parseHash / best.reserialised).toFixed(3)})`, c > 0);
