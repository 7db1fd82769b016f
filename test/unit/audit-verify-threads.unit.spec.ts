// verify --all on worker threads (audit/verify-threads.ts) gives the verdict one LogVerifier gives: given a
// log of several interleaved cases, sound or tampered, when the threads verify it, then the same faults, in
// the same order, with the same words and locations.
import { describe, expect, it } from 'vitest';
import { canonicalJson, type CaseEvent } from '../../events/index.js';
import { LogVerifier } from '../../audit/verify.js';
import { ThreadedLogVerifier, type RecordToVerify } from '../../audit/verify-threads.js';
import { decidedHistory, tamperedText } from './audit-fixtures.js';

/** Several cases' logs interleaved as one topic partition would hold them. */
function interleavedLog(cases: number): { text: string; key: string }[] {
  const histories = Array.from({ length: cases }, (_, i) => decidedHistory(`case-${i + 1}`));
  const log: { text: string; key: string }[] = [];
  for (let s = 0; s < histories[0]!.length; s++) {
    for (const h of histories) log.push({ text: canonicalJson(h[s]!), key: h[s]!.caseId });
  }
  return log;
}

const asRecords = (log: { text: string; key: string }[]): RecordToVerify[] =>
  log.map((r, i) => [r.text, r.key, { kind: 'kafka', topic: 'case-events', partition: i % 3, offset: String(i) }, undefined]);

async function bothWays(records: RecordToVerify[], threads: number) {
  const single = new LogVerifier();
  const { decodeRecord } = await import('../../audit/records.js');
  for (const [text, key, location, header] of records) single.add(decodeRecord(text, key, location, header));
  const threaded = new ThreadedLogVerifier(threads);
  for (const r of records) threaded.add(r);
  await threaded.whenReady();
  return { single: single.verdict(), threaded: await threaded.verdict() };
}

describe('verify --all on worker threads', () => {
  it('given a sound log of 12 cases, then no fault, every case and record counted', async () => {
    const log = interleavedLog(12);
    const { single, threaded } = await bothWays(asRecords(log), 3);
    expect(threaded).toEqual({ ok: true, cases: 12, records: log.length, faults: [], faultyCases: 0 });
    expect(threaded).toEqual(single);
  }, 60_000);

  it('given a tampered event, a dropped one and a duplicate in three cases, then the threads find each, as one verifier does', async () => {
    const log = interleavedLog(12);
    const target = (caseId: string, sequence: number) => log.findIndex((r) => r.key === caseId && (JSON.parse(r.text) as CaseEvent).sequence === sequence);
    // case-5: a session time changed by one character (hash mismatch at 7).
    const i7 = target('case-5', 7);
    const event7 = JSON.parse(log[i7]!.text) as CaseEvent;
    log[i7] = { ...log[i7]!, text: tamperedText(event7, '"at":"2025-03-05T02', '"at":"2025-03-06T02') };
    expect(log[i7]!.text).not.toBe(canonicalJson(event7));
    // case-9: sequence 5 dropped (gap at 6); case-2: sequence 3 published again at the end (duplicate).
    log.splice(target('case-9', 5), 1);
    log.push(log[target('case-2', 3)]!);
    const { single, threaded } = await bothWays(asRecords(log), 2);
    expect(threaded.ok).toBe(false);
    expect(threaded.faults.map((f) => [f.caseId, f.sequence, f.kind])).toEqual([
      ['case-2', 3, 'duplicate'],
      ['case-5', 7, 'hash-mismatch'],
      ['case-9', 6, 'gap'],
    ]);
    expect(threaded.faults[1]!.detail).toMatch(new RegExp(`^stored hash ${event7.hash}, computed [0-9a-f]{64}$`));
    expect(threaded).toEqual(single);
  }, 60_000);
});
