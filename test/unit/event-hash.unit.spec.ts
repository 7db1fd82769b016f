// runtime/event-hash.ts (node:crypto) must give the hash events/chain.ts gives (the pure-JS SHA-256 the
// workflow sandbox seals with): on every kind of generated event, stored or in memory, and on random
// objects with personal fields, keys in any order and text in any script.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, hashEvent, personalValue } from '../../events/index.js';
import { hashEventNative } from '../../runtime/event-hash.js';
import { generateEvents } from '../support/history-generator.js';

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
