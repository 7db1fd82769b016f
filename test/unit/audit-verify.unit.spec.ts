// Verification of a stored log: one case (verifyEvents, over events/chain.ts verifyChain) and the whole
// log in one pass (LogVerifier). Given a log, when it is verified, then each fault is reported with its
// case, sequence, kind and where the record sits.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, hashEvent, type CaseEvent } from '../../events/index.js';
import { hashStored, LogVerifier, verifyEvents, type AuditFault } from '../../audit/verify.js';
import { personalValue } from '../../events/index.js';
import type { StoredRecord } from '../../audit/records.js';
import { decidedHistory, recordFromText, tamperedText, toRecords } from './audit-fixtures.js';

const CASE = 'case-1';
const history = decidedHistory(CASE);
const byFault = (faults: AuditFault[]) => faults.map((f) => ({ caseId: f.caseId, sequence: f.sequence, kind: f.kind }));
const ev = (sequence: number): CaseEvent => history[sequence - 1]!;

function streamed(records: readonly StoredRecord[]) {
  const verifier = new LogVerifier();
  for (const r of records) verifier.add(r);
  return verifier.verdict();
}

describe('verify: an intact log', () => {
  it('given the decided history as stored, then one case and the whole log verify with no fault', () => {
    const records = toRecords(history);
    expect(verifyEvents(CASE, records)).toEqual({
      caseId: CASE,
      ok: true,
      records: history.length,
      lastSequence: history.length,
      lastHash: history[history.length - 1]!.hash,
      faults: [],
    });
    expect(streamed(records)).toEqual({ ok: true, cases: 1, records: history.length, faults: [], faultyCases: 0 });
  });
});

describe('verify: a tampered byte', () => {
  it('given one character of a session time changed, then a hash mismatch at that case and sequence, nothing else', () => {
    const records = toRecords(history);
    const tampered = tamperedText(ev(7), '"at":"2025-03-05T02', '"at":"2025-03-06T02');
    records[6] = recordFromText(tampered, CASE, 6, 7);
    const result = verifyEvents(CASE, records);
    expect(result.ok).toBe(false);
    expect(byFault(result.faults)).toEqual([{ caseId: CASE, sequence: 7, kind: 'hash-mismatch' }]);
    expect(result.faults[0]!.detail).toMatch(new RegExp(`^stored hash ${ev(7).hash}, computed [0-9a-f]{64}$`));
    expect(result.faults[0]!.at).toEqual([{ kind: 'kafka', topic: 'case-events', partition: 0, offset: '6' }]);
    expect(byFault(streamed(records).faults)).toEqual(byFault(result.faults));
  });

  it('given a byte of a stored hash changed, then a hash mismatch there and a broken link at the next event', () => {
    const records = toRecords(history);
    const flipped = ev(3).hash.startsWith('a') ? `b${ev(3).hash.slice(1)}` : `a${ev(3).hash.slice(1)}`;
    records[2] = recordFromText(tamperedText(ev(3), `"hash":"${ev(3).hash}"`, `"hash":"${flipped}"`), CASE, 2, 3);
    const faults = verifyEvents(CASE, records).faults;
    expect(byFault(faults)).toEqual([
      { caseId: CASE, sequence: 3, kind: 'hash-mismatch' },
      { caseId: CASE, sequence: 4, kind: 'broken-link' },
    ]);
    expect(faults[1]!.detail).toBe(`prevHash ${ev(3).hash} does not match the hash of sequence 3`);
    expect(byFault(streamed(records).faults)).toEqual(byFault(faults));
  });

  it("given a complainant's name changed (outside the hash, under its commitment), then a mismatch of the commitment", () => {
    const records = toRecords(history);
    records[0] = recordFromText(tamperedText(ev(1), '张三', '张五'), CASE, 0, 1);
    const faults = verifyEvents(CASE, records).faults;
    expect(faults.map((f) => [f.sequence, f.kind, f.detail])).toEqual([
      [1, 'hash-mismatch', 'data.complainants[0].name: value does not match its commitment'],
    ]);
  });

  it('given a byte that breaks the JSON, then a schema fault at the sequence of its header and a gap after it', () => {
    const records = toRecords(history);
    records[4] = recordFromText(canonicalJson(ev(5)).slice(0, -1), CASE, 4, 5);
    const result = verifyEvents(CASE, records);
    expect(byFault(result.faults)).toEqual([
      { caseId: CASE, sequence: 5, kind: 'schema' },
      { caseId: CASE, sequence: 6, kind: 'gap' },
    ]);
    expect(result.faults[0]!.detail).toMatch(/^not valid JSON/);
    expect(result.faults[1]!.detail).toBe('missing sequence 5');
    expect(byFault(streamed(records).faults)).toEqual(byFault(result.faults));
  });
});

describe('verify: a dropped event', () => {
  it('given sequence 5 missing, then a gap reported at sequence 6', () => {
    const records = toRecords(history.filter((e) => e.sequence !== 5));
    const result = verifyEvents(CASE, records);
    expect(result.faults.map((f) => [f.caseId, f.sequence, f.kind, f.detail])).toEqual([[CASE, 6, 'gap', 'missing sequence 5']]);
    expect(streamed(records).faults.map((f) => [f.sequence, f.kind, f.detail])).toEqual([[6, 'gap', 'missing sequence 5']]);
  });

  it('given the first three missing, then the gap names the range', () => {
    const result = verifyEvents(CASE, toRecords(history.slice(3)));
    expect(result.faults.map((f) => [f.sequence, f.kind, f.detail])).toEqual([[4, 'gap', 'missing sequence 1..3']]);
  });

  it('given the last event missing, then the chain is a valid shorter one (compare catches it against the head)', () => {
    const result = verifyEvents(CASE, toRecords(history.slice(0, -1)));
    expect(result.ok).toBe(true);
    expect(result.lastSequence).toBe(history.length - 1);
  });
});

describe('verify: a duplicate', () => {
  it('given sequence 4 published again after sequence 6, then a duplicate at 4 naming both copies', () => {
    const log = [...history.slice(0, 6), ev(4), ...history.slice(6)];
    const records = toRecords(log);
    const result = verifyEvents(CASE, records);
    expect(result.faults.map((f) => [f.caseId, f.sequence, f.kind, f.detail])).toEqual([
      [CASE, 4, 'duplicate', `sequence 4 / event ${ev(4).eventId} appears again`],
    ]);
    expect(result.faults[0]!.at.map((l) => (l.kind === 'kafka' ? l.offset : ''))).toEqual(['3', '6']);
    expect(streamed(records).faults.map((f) => [f.sequence, f.kind])).toEqual([[4, 'duplicate']]);
  });

  it('given two events swapped, then a gap and an out-of-order event', () => {
    const log = [...history.slice(0, 4), ev(6), ev(5), ...history.slice(6)];
    const faults = verifyEvents(CASE, toRecords(log)).faults;
    expect(faults.map((f) => [f.sequence, f.kind, f.detail])).toEqual([
      [5, 'out-of-order', 'sequence 5 comes after 6'],
      [6, 'gap', 'missing sequence 5'],
    ]);
  });
});

describe('verify: schema validity', () => {
  it('given an event re-sealed with a field its schema does not know, then only a schema fault naming the field', () => {
    const bad = { ...ev(8), data: { ...ev(8).data, mood: 'tense' } } as Record<string, unknown>;
    bad['hash'] = hashEvent(bad);
    // The next event links to the re-sealed hash, so only the schema is wrong.
    const next = { ...ev(9), prevHash: bad['hash'] } as Record<string, unknown>;
    next['hash'] = hashEvent(next);
    const rest = history.slice(9).map((e) => e as Record<string, unknown>);
    let prev = next['hash'];
    const relinked = rest.map((e) => {
      const copy: Record<string, unknown> = { ...e, prevHash: prev };
      copy['hash'] = hashEvent(copy);
      prev = copy['hash'];
      return copy;
    });
    const records = toRecords([...history.slice(0, 7), bad, next, ...relinked]);
    const faults = verifyEvents(CASE, records).faults;
    expect(faults.map((f) => [f.sequence, f.kind])).toEqual([[8, 'schema']]);
    expect(faults[0]!.detail).toMatch(/CaseSuspended \(case case-1, sequence 8\): data.*mood/);
    expect(streamed(records).faults.map((f) => [f.sequence, f.kind, f.detail])).toEqual(faults.map((f) => [f.sequence, f.kind, f.detail]));
  });

  it('given a record filed under another case, then a schema fault says whose it is', () => {
    const records = toRecords(history).map((r, i) => (i === 2 ? { ...r, key: 'case-2' } : r));
    const verdict = streamed(records);
    // Grouped by case in the order the cases were first seen.
    expect(verdict.faults.map((f) => [f.caseId, f.sequence, f.kind, f.detail])).toEqual([
      ['case-1', 4, 'gap', 'missing sequence 3'],
      ['case-2', 3, 'schema', 'belongs to case case-1, not case-2'],
      ['case-2', 3, 'gap', 'missing sequence 1..2'],
    ]);
    expect(verdict.faultyCases).toBe(2);
  });

  it('given an empty message, then a schema fault at its header sequence', () => {
    const records = toRecords(history.slice(0, 2));
    records.push(recordFromText('', CASE, 2, 3));
    expect(verifyEvents(CASE, records).faults.map((f) => [f.sequence, f.kind, f.detail])).toEqual([[3, 'schema', 'empty message (no event)']]);
  });
});

describe('verify --all: LogVerifier agrees with verifyChain', () => {
  const caseA = decidedHistory('case-a');
  const caseB = decidedHistory('case-b').slice(0, 12);
  type Mutation = { kind: 'drop' | 'duplicate' | 'tamper' | 'swap'; at: number };
  const mutation = fc.record({ kind: fc.constantFrom<Mutation['kind']>('drop', 'duplicate', 'tamper', 'swap'), at: fc.nat() });

  function mutate(events: readonly CaseEvent[], mutations: readonly Mutation[]): string[] {
    let texts = events.map((e) => canonicalJson(e));
    for (const m of mutations) {
      if (texts.length === 0) break;
      const i = m.at % texts.length;
      if (m.kind === 'drop') texts = texts.filter((_, j) => j !== i);
      else if (m.kind === 'duplicate') texts = [...texts.slice(0, i + 1), texts[i]!, ...texts.slice(i + 1)];
      else if (m.kind === 'tamper') texts[i] = texts[i]!.replace('"correlationId":"req-', '"correlationId":"rex-');
      else if (i + 1 < texts.length) [texts[i], texts[i + 1]] = [texts[i + 1]!, texts[i]!];
    }
    return texts;
  }
  const sorted = (faults: AuditFault[]) =>
    faults.map((f) => `${f.caseId}|${String(f.sequence).padStart(3, '0')}|${f.kind}|${f.detail}`).sort();

  it('given random drops, duplicates, tampering and swaps in two interleaved cases, then the same faults', () => {
    fc.assert(
      fc.property(fc.array(mutation, { maxLength: 4 }), fc.array(mutation, { maxLength: 4 }), fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }), (ma, mb, interleave) => {
        const a = mutate(caseA, ma).map((t, i) => recordFromText(t, 'case-a', i));
        const b = mutate(caseB, mb).map((t, i) => recordFromText(t, 'case-b', 1000 + i));
        const log: StoredRecord[] = [];
        let ia = 0;
        let ib = 0;
        for (const pickA of interleave) {
          if (pickA && ia < a.length) log.push(a[ia++]!);
          else if (ib < b.length) log.push(b[ib++]!);
        }
        log.push(...a.slice(ia), ...b.slice(ib));
        const expected = [...verifyEvents('case-a', a).faults, ...verifyEvents('case-b', b).faults];
        expect(sorted(streamed(log).faults)).toEqual(sorted(expected));
      }),
      { numRuns: 150 },
    );
  });
});

describe('hashStored (node:crypto) equals hashEvent (events/sha256.ts)', () => {
  it('given every event of the history, then the same hash', () => {
    for (const e of [...history, ...decidedHistory('案件-2025/甲')]) expect(hashStored(e)).toBe(hashEvent(e));
  });

  it('given random objects with any characters (lone surrogates too) and personal fields, then the same hash', () => {
    const char = fc.oneof(fc.string({ unit: 'binary' }), fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)));
    const leaf = fc.oneof(char, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0)), fc.boolean(), fc.constant(null));
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(char, tie('node'), { maxKeys: 3 })),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(char, value, { maxKeys: 6 }), char, (data, name) => {
        const event = { hash: 'x', data, person: personalValue('p-1', name, '0123456789abcdef0123456789abcdef') };
        // Both refuse the same inputs too (e.g. a "__proto__" key, which the copy in mapPersonalValues turns
        // into a prototype that canonical JSON will not write).
        const outcome = (hash: (e: object) => string) => {
          try {
            return hash(event);
          } catch (error) {
            return `threw ${String(error)}`;
          }
        };
        expect(outcome(hashStored)).toBe(outcome(hashEvent));
      }),
      { numRuns: 300 },
    );
  });
});
