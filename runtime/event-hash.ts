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
