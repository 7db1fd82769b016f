// The event hash outside the workflow sandbox: events/chain.ts `hashEvent` with node:crypto's SHA-256.
//
// The chain is sealed inside the sandbox, where Node built-ins are forbidden, so events/sha256.ts is a
// synchronous SHA-256 in plain TypeScript. Everything that re-hashes stored events runs in Node — the
// projector checks each event it applies, `audit verify` each event of the log — and there the native
// digest of the same bytes is several times faster (a CPU profile of the projector showed a quarter of
// its time in the pure-JS hash). Same hashed form, same digest: test/unit/event-hash.unit.spec.ts checks
// that this agrees with hashEvent on random events, personal fields included.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../events/canonical-json.js';
import { hashedPersonalValue, mapPersonalValues } from '../events/personal-data.js';

/** The hash of an event (sealed or not) as stored; a `hash` field, if present, is left out. */
export function hashEventNative(event: object): string {
  const { hash: _ignored, ...rest } = event as Record<string, unknown>;
  return createHash('sha256').update(canonicalJson(mapPersonalValues(rest, hashedPersonalValue)), 'utf8').digest('hex');
}

/**
 * True when an event's stored text, less its own `"hash":"…"` member, hashes to the hash it carries: the
 * bytes are the canonical form the hash was taken over, and the hash holds, without re-serialising the
 * parsed event (which takes three times as long as the digest, in a profile of `audit verify`).
 *
 * False says only "not shown this way": a record stored in another byte form (other key order, spaces, an
 * old-shape personal field still carrying value and salt, which the hashed form leaves out) or a tampered
 * one; the caller then recomputes with hashEventNative, which gives the verdict and its words.
 *
 * Why a true here is the same verdict hashEventNative would give: the remaining text hashes to the stored
 * hash, so (SHA-256 being collision resistant) it is the very canonical JSON that hash was sealed over, and
 * canonical JSON has no top-level "hash" member. The text is that JSON with one `"hash":"<hash>"` member put
 * back: inside a string it would not parse, in a nested object the parsed event would carry no top-level
 * hash to compare with; so it sits at the top level, and the parsed event less its hash is that canonical
 * JSON parsed, whose hashed form (an idempotent reduction) re-serialises to the same bytes.
 * test/unit/event-hash.unit.spec.ts checks the agreement on random and tampered events.
 */
export function storedTextMatchesHash(text: string, hash: unknown): boolean {
  if (typeof hash !== 'string' || !HEX_64.test(hash)) return false;
  const member = `"hash":"${hash}"`;
  const at = text.indexOf(member);
  if (at < 0) return false;
  const end = at + member.length;
  let without: string;
  if (text.charCodeAt(at - 1) === 44 /* , */) without = text.slice(0, at - 1) + text.slice(end);
  else if (text.charCodeAt(end) === 44) without = text.slice(0, at) + text.slice(end + 1);
  else return false;
  return createHash('sha256').update(without, 'utf8').digest('hex') === hash;
}

const HEX_64 = /^[0-9a-f]{64}$/;
