import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, CanonicalJsonError } from '../../events/canonical-json.js';
import { sha256Bytes, sha256Hex, toHex, utf8Bytes } from '../../events/sha256.js';

const nodeSha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('sha256 (pure JS)', () => {
  // FIPS 180-4 / NIST CSRC example values.
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    [
      'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    ],
    [
      'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
      'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
    ],
    ['a'.repeat(1_000_000), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'],
  ])('matches the standard vector for %#', (input, digest) => {
    expect(sha256Hex(input)).toBe(digest);
  });

  it('hashes every length around the padding boundaries like node:crypto', () => {
    for (let length = 0; length <= 200; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff);
      expect(toHex(sha256Bytes(bytes)), `length ${length}`).toBe(nodeSha256(bytes));
    }
  });

  it('agrees with node:crypto on random strings, lone surrogates included', () => {
    const anyUtf16 = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 300 }).map((codes) => String.fromCharCode(...codes));
    fc.assert(
      fc.property(fc.oneof(anyUtf16, fc.string({ unit: 'grapheme', maxLength: 200 })), (text) => {
        expect(Buffer.from(utf8Bytes(text)).equals(Buffer.from(text, 'utf8'))).toBe(true);
        expect(sha256Hex(text)).toBe(nodeSha256(Buffer.from(text, 'utf8')));
      }),
      { numRuns: 500 },
    );
  });

  it('encodes Chinese text and astral characters as UTF-8', () => {
    expect(Array.from(utf8Bytes('调解'))).toEqual([0xe8, 0xb0, 0x83, 0xe8, 0xa7, 0xa3]);
    expect(Array.from(utf8Bytes('😀'))).toEqual([0xf0, 0x9f, 0x98, 0x80]);
    expect(sha256Hex('劳动争议')).toBe(nodeSha256('劳动争议'));
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('orders keys by UTF-16 code units (RFC 8785), not by locale', () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3, é: 4, 调: 5, '10': 6, '9': 7 })).toBe(
      '{"10":6,"9":7,"B":2,"a":3,"b":1,"é":4,"调":5}',
    );
  });

  it('gives the same text whatever order the keys were inserted in', () => {
    fc.assert(
      // Values as they come back from JSON: -0 does not survive JSON, so canonicalJson refuses it (tested below).
      fc.property(fc.dictionary(fc.string(), fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown)), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(record));
        expect(JSON.parse(canonicalJson(record))).toEqual(JSON.parse(JSON.stringify(record)));
      }),
    );
  });

  it('writes strings and numbers as JSON.stringify does', () => {
    expect(canonicalJson(['a"b\\c\n', 1.5, 1e21, -3, 0])).toBe('["a\\"b\\\\c\\n",1.5,1e+21,-3,0]');
  });

  it.each([
    ['undefined in an object', { a: undefined }, /a: undefined/],
    ['undefined in an array', [undefined], /\[0\]/],
    ['NaN', { n: Number.NaN }, /n: NaN/],
    ['Infinity', { n: Number.POSITIVE_INFINITY }, /Infinity/],
    ['-0', { n: -0 }, /-0/],
    ['a Date', { at: new Date(0) }, /plain objects/],
    ['a Map', { m: new Map() }, /plain objects/],
    ['a bigint', { n: 1n }, /bigint/],
    ['a function', { f: () => 1 }, /function/],
    ['a sparse array', [1, , 3], /sparse/], // eslint-disable-line no-sparse-arrays
  ])('refuses %s', (_label, value, message) => {
    expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
    expect(() => canonicalJson(value)).toThrow(message);
  });

  // The reference: every object's keys sorted, written by the plain walk (no fast path).
  const reference = (value: unknown): string => {
    if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
    if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      return `{${Object.keys(record).sort().map((k) => `${JSON.stringify(k)}:${reference(record[k])}`).join(',')}}`;
    }
    return JSON.stringify(value);
  };
  const sortedDeep = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sortedDeep);
    if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      return Object.fromEntries(Object.keys(record).sort().map((k) => [k, sortedDeep(record[k])]));
    }
    return value;
  };

  it('writes a value already in canonical key order (the fast path) exactly as the walk does', () => {
    const jsonish = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);
    fc.assert(
      fc.property(jsonish, (value) => {
        // Sorted all the way down (fast path), as parsed from canonical bytes, and in insertion order.
        expect(canonicalJson(sortedDeep(value))).toBe(reference(value));
        expect(canonicalJson(JSON.parse(reference(value)))).toBe(reference(value));
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 1000 },
    );
  });

  it('still sorts an out-of-order subtree inside an ordered object, and still refuses what JSON cannot keep', () => {
    expect(canonicalJson({ a: 1, b: { d: 1, c: [{ f: 1, e: 2 }] }, c: 'x' })).toBe('{"a":1,"b":{"c":[{"e":2,"f":1}],"d":1},"c":"x"}');
    expect(() => canonicalJson({ a: { n: -0 } })).toThrow(/a\.n: -0/);
    expect(() => canonicalJson({ a: [1, { u: undefined }] })).toThrow(/a\[1\]\.u: undefined/);
    expect(() => canonicalJson({ a: { at: new Date(0) } })).toThrow(/plain objects/);
    expect(() => canonicalJson({ a: { toJSON: () => 'x' } })).toThrow(/function/);
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.assign(Object.create(null) as object, { b: 2, a: 1 });
    expect(canonicalJson(bare)).toBe('{"a":1,"b":2}');
  });
});
