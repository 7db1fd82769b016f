// runtime/event-hash.ts (node:crypto) must give the hash events/chain.ts gives (the pure-JS SHA-256 the
// workflow sandbox seals with): on every kind of generated event, stored or in memory, and on random
// objects with personal fields, keys in any order and text in any script.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, hashEvent, personalValue } from '../../events/index.js';
import { hashEventNative, storedTextMatchesHash } from '../../runtime/event-hash.js';
import { generateEvents } from '../../testkit/history-generator.js';

describe('hashEventNative (node:crypto) agrees with hashEvent (events/sha256.ts)', () => {
  it('on a generated history: every event, as decided and as parsed back from its stored bytes', () => {
    let n = 0;
    const types = new Set<string>();
    for (const event of generateEvents({ cases: 40, seed: 3 })) {
      const stored = JSON.parse(canonicalJson(event)) as object;
      expect(hashEventNative(event)).toBe(event.hash);
      expect(hashEventNative(stored)).toBe(event.hash);
      expect(hashEventNative(stored)).toBe(hashEvent(stored));
      types.add(event.type);
      n++;
    }
    expect(n).toBeGreaterThan(400);
    expect(types.size).toBeGreaterThan(15);
  });

  it('on random objects with personal fields, any key order, any text', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 12 });
    const personal = fc.tuple(text.filter((t) => t.length > 0), text.filter((t) => t.length > 0)).map(([ref, value]) => personalValue(ref, value, 'ab'.repeat(16)));
    const leaf = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), personal);
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(text, tie('node'), { maxKeys: 5 })),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(text, value, { maxKeys: 6 }), fc.stringMatching(/^[0-9a-f]{64}$/), (record, hash) => {
        const event = { ...record, hash };
        expect(hashEventNative(event)).toBe(hashEvent(event));
      }),
      { numRuns: 300 },
    );
  });
});

describe('a "__proto__" key in an event', () => {
  it('is hashed as data, the same inside and outside the sandbox', () => {
    const event = JSON.parse('{"type":"X","data":{"__proto__":[1],"a":{"__proto__":{"b":2}}},"hash":"00"}') as object;
    expect(hashEventNative(event)).toBe(hashEvent(event));
    expect(hashEventNative(event)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('storedTextMatchesHash (the stored bytes, not re-serialised) agrees with hashEventNative', () => {
  const agrees = (text: string) => {
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return;
    // A true from the fast path must be the verdict of the recomputation; a false only sends it there.
    if (storedTextMatchesHash(text, raw['hash'])) expect(hashEventNative(raw)).toBe(raw['hash']);
  };

  it('given the stored bytes of generated events, then it holds on each (apart from old-shape personal fields, which fall back)', () => {
    let matched = 0;
    let fellBack = 0;
    for (const event of generateEvents({ cases: 40, seed: 5 })) {
      const text = canonicalJson(event);
      if (storedTextMatchesHash(text, event.hash)) matched++;
      else {
        // Only the events whose personal fields still carry value and salt (left out of the hashed form).
        expect(text).toMatch(/"salt":"[0-9a-f]{32}"/);
        fellBack++;
      }
      agrees(text);
    }
    expect(matched).toBeGreaterThan(400);
    expect(fellBack).toBeLessThan(matched / 5);
  });

  it('given stored bytes changed anywhere (a character, spaces, key order, a second hash member), then never a wrong match', () => {
    const events = [...generateEvents({ cases: 6, seed: 9 })].map((e) => canonicalJson(e));
    fc.assert(
      fc.property(fc.nat(events.length - 1), fc.nat(), fc.string({ maxLength: 3 }), fc.nat(3), (which, at, insert, kind) => {
        const text = events[which]!;
        const i = at % text.length;
        const changed =
          kind === 0 ? text.slice(0, i) + insert + text.slice(i + 1)
          : kind === 1 ? text.slice(0, i) + ' ' + text.slice(i)
          : kind === 2 ? text.replace(/^\{"actor":(\{[^}]*\}),"caseId":("[^"]*")/, '{"caseId":$2,"actor":$1')
          : text.replace('"data":{', `"data":{"hash":"${(JSON.parse(text) as { hash: string }).hash}",`);
        agrees(changed);
        if (changed !== text && storedTextMatchesHash(changed, (JSON.parse(text) as { hash: string }).hash)) {
          // Only a change the parse cannot see (e.g. a key moved) may still match: then the recomputation agrees.
          expect(hashEventNative(JSON.parse(changed) as object)).toBe((JSON.parse(text) as { hash: string }).hash);
        }
      }),
      { numRuns: 500 },
    );
  });
});
