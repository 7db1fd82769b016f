import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  erasePersonalData,
  EventParseError,
  GENESIS_HASH,
  hashEvent,
  parseEvent,
  personalValue,
  redact,
  sealEvent,
  sealEvents,
  sha256Hex,
  verifyChain,
  type CaseEvent,
  type ChainFaultKind,
} from '../../events/index.js';
import { closed, complainant, CASE_ID, T0, caseReceived, respondent, claim } from '../../testkit/case-fixtures.js';
import { toHistory } from '../support/decider-spec.js';
import { foldEvents } from '../../domain/case/evolve.js';

const log = (): CaseEvent[] => sealEvents(toHistory(closed), GENESIS_HASH);
const kinds = (verdict: ReturnType<typeof verifyChain>): ChainFaultKind[] => (verdict.ok ? [] : verdict.faults.map((f) => f.kind));
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('sealing and the hash chain', () => {
  it('seals each event onto the previous one, starting from the genesis hash', () => {
    const events = log();
    expect(events[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < events.length; i++) expect(events[i]!.prevHash).toBe(events[i - 1]!.hash);
    expect(verifyChain(events)).toEqual({ ok: true });
  });

  it('hashes the canonical JSON of the event without its hash, prevHash included', () => {
    const [first] = log();
    const { hash, ...rest } = first!;
    // The first event has no personal data other than the complainant's, reduced to commitments.
    const hashedForm = clone(rest) as unknown as { data: { complainants: Array<Record<string, Record<string, unknown>>> } };
    for (const person of hashedForm.data.complainants) {
      for (const field of ['name', 'phone']) {
        delete person[field]!.value;
        delete person[field]!.salt;
      }
    }
    expect(hash).toBe(sha256Hex(canonicalJson(hashedForm)));
    expect(hashEvent(first!)).toBe(hash);
  });

  it('survives a JSON round trip (what Kafka and PostgreSQL store)', () => {
    expect(verifyChain(clone(log()))).toEqual({ ok: true });
  });

  it('detects a changed field as a hash mismatch', () => {
    const events = clone(log());
    (events[6]!.data as { place: string }).place = '别处';
    const verdict = verifyChain(events);
    expect(verdict).toEqual({ ok: false, faults: [expect.objectContaining({ sequence: 7, kind: 'hash-mismatch' })] });
  });

  it('detects a changed and re-hashed event by the broken link after it', () => {
    const events = clone(log());
    (events[6]!.data as { place: string }).place = '别处';
    events[6]!.hash = hashEvent(events[6]!);
    expect(verifyChain(events)).toEqual({ ok: false, faults: [expect.objectContaining({ sequence: 8, kind: 'broken-link' })] });
  });

  it('detects a dropped event as a gap', () => {
    const events = log();
    const verdict = verifyChain([...events.slice(0, 4), ...events.slice(5)]);
    expect(verdict).toEqual({ ok: false, faults: [{ sequence: 6, kind: 'gap', detail: 'missing sequence 5' }] });
  });

  it('detects a truncated log only against the head the writer reports', () => {
    const events = log();
    const truncated = events.slice(0, -1);
    expect(verifyChain(truncated)).toEqual({ ok: true });
    const head = { sequence: events.length, hash: events.at(-1)!.hash };
    expect(verifyChain(truncated, { head })).toEqual({
      ok: false,
      faults: [expect.objectContaining({ sequence: events.length, kind: 'gap' })],
    });
    expect(verifyChain(events, { head })).toEqual({ ok: true });
  });

  it('detects a dropped first event', () => {
    expect(kinds(verifyChain(log().slice(1)))).toEqual(['gap']);
  });

  it('detects a duplicated event', () => {
    const events = log();
    expect(kinds(verifyChain([...events.slice(0, 4), events[3]!, ...events.slice(4)]))).toEqual(['duplicate']);
  });

  it('detects events out of order', () => {
    const events = log();
    const swapped = [...events.slice(0, 3), events[4]!, events[3]!, ...events.slice(5)];
    expect(kinds(verifyChain(swapped))).toEqual(['gap', 'out-of-order']);
  });

  it('detects a first event that does not start from the genesis hash', () => {
    const events = log();
    const forged = sealEvent(toHistory(closed)[0]!, 'f'.repeat(64));
    expect(kinds(verifyChain([forged, ...events.slice(1)]))).toEqual(['broken-link', 'broken-link']);
  });

  it('detects an event of another case and an event that breaks its schema', () => {
    const events = clone(log());
    events[2]!.caseId = 'case-2';
    events[2]!.hash = hashEvent(events[2]!);
    (events[5] as { data: Record<string, unknown> }).data['extra'] = 1;
    events[5]!.hash = hashEvent(events[5]!);
    const verdict = verifyChain(events);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) {
      expect(verdict.faults).toContainEqual(expect.objectContaining({ sequence: 3, kind: 'schema', detail: expect.stringMatching(/case-2/) }));
      expect(verdict.faults).toContainEqual(expect.objectContaining({ sequence: 6, kind: 'schema', detail: expect.stringMatching(/extra/) }));
    }
  });

  it('reports garbage entries instead of throwing', () => {
    expect(verifyChain([null, 'x', { sequence: 'one' }])).toEqual({
      ok: false,
      faults: [
        expect.objectContaining({ sequence: 1, kind: 'schema' }),
        expect.objectContaining({ sequence: 2, kind: 'schema' }),
        expect.objectContaining({ sequence: 3, kind: 'schema' }),
      ],
    });
  });

  it('detects any one-byte change anywhere in the serialized log', () => {
    const bytes = Buffer.from(log().map((event) => canonicalJson(event)).join('\n'), 'utf8');
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (position, delta) => {
        const tampered = Buffer.from(bytes);
        tampered[position] = (tampered[position]! + delta) & 0xff;
        let events: unknown[];
        try {
          events = tampered.toString('utf8').split('\n').map((line) => JSON.parse(line) as unknown);
        } catch {
          return; // not even JSON any more: detected
        }
        expect(verifyChain(events).ok).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('detects every dropped and every duplicated event', () => {
    const events = log();
    for (let i = 0; i < events.length; i++) {
      const dropped = events.filter((_, j) => j !== i);
      const head = { sequence: events.length, hash: events.at(-1)!.hash };
      expect(kinds(verifyChain(dropped, { head })), `drop ${i + 1}`).toContain('gap');
      const duplicated = [...events.slice(0, i + 1), events[i]!, ...events.slice(i + 1)];
      expect(kinds(verifyChain(duplicated)), `duplicate ${i + 1}`).toEqual(['duplicate']);
    }
  });
});

describe('sealEvent', () => {
  it('refuses an event that breaks its schema, naming the field', () => {
    const [first] = toHistory([caseReceived({ workerCount: 0 })]);
    expect(() => sealEvent(first!, GENESIS_HASH)).toThrow(EventParseError);
    expect(() => sealEvent(first!, GENESIS_HASH)).toThrow(/data\.workerCount/);
  });

  it('refuses personal data that does not match its commitment', () => {
    const person = complainant();
    const forged = { ...person, name: { ...person.name, value: '李四' } };
    const [first] = toHistory([caseReceived({ complainants: [forged] })]);
    expect(() => sealEvent(first!, GENESIS_HASH)).toThrow(/complainants\[0\]\.name: value does not match its commitment/);
  });

  it('refuses undefined values rather than dropping them from the hash', () => {
    const [, second] = toHistory([caseReceived(), { type: 'CaseAccepted', data: { note: undefined } }]);
    expect(() => sealEvent(second!, GENESIS_HASH)).toThrow(/note: undefined/);
  });
});

describe('parseEvent', () => {
  it('returns a valid stored event unchanged', () => {
    const [first] = log();
    expect(parseEvent(clone(first))).toEqual(first);
  });

  it('names the offending field', () => {
    const events = clone(log());
    (events[0]!.data as { respondent: { creditCode: string } }).respondent.creditCode = 'bad';
    expect(() => parseEvent(events[0])).toThrow(/CaseReceived \(case case-1, sequence 1\): data\.respondent\.creditCode: must be an 18-character/);
  });

  it('refuses unknown types and versions from the future', () => {
    const [first] = clone(log());
    expect(() => parseEvent({ ...first, type: 'CaseExploded' })).toThrow(/type: unknown event type "CaseExploded"/);
    expect(() => parseEvent({ ...first, schemaVersion: 4 })).toThrow(/schemaVersion: 4 is not a known version \(1\.\.3\)/);
    expect(() => parseEvent(42)).toThrow(EventParseError);
  });
});

describe('upcasting CaseReceived v1 → v3', () => {
  // v1 kept the complainant's name and phone as plain strings and had no collective flag or priority.
  const v1Data = {
    channel: 'hotline-12351',
    complainantName: '王五',
    complainantPhone: '13900000000',
    workerCount: 12,
    respondent,
    claim,
    routingRulesVersion: '2025.1',
  };
  const storedV1 = () => {
    const unsealed = {
      eventId: `${CASE_ID}:1`,
      caseId: CASE_ID,
      sequence: 1,
      type: 'CaseReceived',
      schemaVersion: 1,
      occurredAt: T0,
      actor: { id: 'clerk-0', role: 'intake-clerk' },
      causationId: 'cmd-0',
      correlationId: 'corr-0',
      prevHash: GENESIS_HASH,
      data: v1Data,
    };
    return { ...unsealed, hash: hashEvent(unsealed) };
  };

  it('verifies the stored v1 bytes, then parses them as v3', () => {
    const stored = storedV1();
    expect(verifyChain([stored])).toEqual({ ok: true });
    const parsed = parseEvent(stored);
    expect(parsed.schemaVersion).toBe(3);
    if (parsed.type !== 'CaseReceived') throw new Error('wrong type');
    expect(parsed.data.collective).toBe(true);
    expect(parsed.data.priority).toBe('urgent');
    expect(parsed.data.complainants).toEqual([
      {
        personId: `${CASE_ID}/complainant-1`,
        name: expect.objectContaining({ pii: true, ref: `${CASE_ID}/complainant-1`, value: '王五' }),
        phone: expect.objectContaining({ pii: true, value: '13900000000' }),
        isRepresentative: true,
      },
    ]);
    expect(parsed.data).not.toHaveProperty('complainantName');
  });

  it('reads a v2 event, which named no rules edition, as received under the first edition', () => {
    const { complainantName: _name, complainantPhone: _phone, ...rest } = v1Data;
    const v2 = { ...storedV1(), schemaVersion: 2, data: { ...rest, complainants: [complainant('person-1', '王五')], collective: true, priority: 'urgent' } };
    const parsed = parseEvent(v2);
    if (parsed.type !== 'CaseReceived') throw new Error('wrong type');
    expect(parsed.data.rulesEdition).toBe('2026.2');
    expect(foldEvents([parsed])).toMatchObject({ status: 'received', rulesEdition: '2026.2' });
  });

  it('keeps the stored hash, which belongs to the stored form: upcasted events are never re-verified', () => {
    const stored = storedV1();
    const parsed = parseEvent(stored);
    expect(parsed.hash).toBe(stored.hash);
    expect(hashEvent(parsed)).not.toBe(stored.hash);
  });

  it('refuses to erase personal data from a stored v1 event, which keeps it inside the hash', () => {
    expect(() => erasePersonalData(storedV1(), `${CASE_ID}/complainant-1`)).toThrow(/migrate the stream/);
  });
});

describe('personal data', () => {
  const twoPeople = () =>
    sealEvents(
      toHistory([
        caseReceived({ complainants: [complainant('person-1', '张三'), complainant('person-2', '李四', '13700000000')], workerCount: 2 }),
        ...closed.slice(1),
      ]),
      GENESIS_HASH,
    );

  it('stores a commitment that the hash covers instead of the plaintext', () => {
    const field = personalValue('person-1', '张三', '0123456789abcdef0123456789abcdef');
    expect(field.commitment).toBe(sha256Hex('0123456789abcdef0123456789abcdef张三'));
    const [first] = twoPeople();
    expect(hashEvent(first!)).toBe(hashEvent(erasePersonalData(first!, 'person-1')));
  });

  it('erases one person from the whole log and the chain still verifies', () => {
    const erased = twoPeople().map((event) => erasePersonalData(event, 'person-1'));
    expect(verifyChain(erased)).toEqual({ ok: true });
    const text = JSON.stringify(erased);
    expect(text).not.toContain('张三');
    expect(text).not.toContain('13800000000');
    expect(text).toContain('李四'); // the other person is untouched
    const first = parseEvent(erased[0]);
    if (first.type !== 'CaseReceived') throw new Error('wrong type');
    expect(first.data.complainants[0]!.name).toEqual({ pii: true, ref: 'person-1', commitment: expect.any(String) });
  });

  it('still detects a changed name while it is present', () => {
    const events = clone(twoPeople());
    (events[0]!.data as { complainants: { name: { value: string } }[] }).complainants[1]!.name.value = '李六';
    expect(verifyChain(events)).toEqual({
      ok: false,
      faults: [expect.objectContaining({ sequence: 1, kind: 'hash-mismatch', detail: expect.stringMatching(/complainants\[1\]\.name/) })],
    });
  });

  it('redacts events for logs: only the person ref remains', () => {
    const [first] = twoPeople();
    const redacted = redact(first!);
    const text = JSON.stringify(redacted);
    for (const secret of ['张三', '李四', '13800000000', 'commitment', 'salt']) expect(text).not.toContain(secret);
    expect((redacted.data as { complainants: { name: unknown }[] }).complainants[0]!.name).toEqual({ pii: true, ref: 'person-1' });
    expect(first!.data).toHaveProperty('complainants.0.name.value', '张三'); // the original is not mutated
  });
});
