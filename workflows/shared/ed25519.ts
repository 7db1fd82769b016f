// Ed25519 verification for the workflow sandbox (workflows/command-signature.ts), evaluated once per worker
// thread with the shared core (workflows/shared/core.ts imports it).
//
// Why shared: @noble/curves builds its tables for the base point on first use — tens of milliseconds —
// which, evaluated per workflow, every new or re-created case workflow would pay on its first command. They
// are built here with RFC 8032's first test vector, before the shared modules are frozen.
//
// Why not ed25519.verify alone: it decodes the public key and multiplies it without a table on every call,
// most of a verification's cost. A worker trusts one or two keys, so each is decoded once and given a
// window table (kept in `keyPoints`, a memo of a pure function like the calendar's: same answers for every
// workflow). The verification itself is noble's, step for step (abstract/edwards.js `verify` with
// zip215: false, the strict RFC 8032 decoding): A and R decoded canonically, a small-order key refused,
// 0 ≤ s < L, k = SHA-512(R ‖ A ‖ M) mod L, and the cofactored check [8]([s]B − R − [k]A) = 0. Its result is
// compared with noble's own verify and node:crypto's in test/unit/command-signature.unit.spec.ts.
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';

const { Point } = ed25519;
type EdPoint = ReturnType<typeof Point.fromBytes>;
const L = Point.Fn.ORDER;

const hex = (text: string): Uint8Array => Uint8Array.from(text.match(/../g)!.map((b) => parseInt(b, 16)));
const toHex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

const keyPoints = new Map<string, EdPoint | null>();

/** The public key decoded (strictly) with a window table, or null when it is no valid, full-order key. */
function keyPoint(publicKey: Uint8Array): EdPoint | null {
  const id = toHex(publicKey);
  let point = keyPoints.get(id);
  if (point === undefined) {
    try {
      const decoded = Point.fromBytes(publicKey, false);
      point = decoded.isSmallOrder() ? null : decoded.precompute(8, false);
    } catch {
      point = null;
    }
    // Only the keys a worker is given reach here past the key-id lookup: the memo stays as small as its list.
    if (keyPoints.size < 16) keyPoints.set(id, point);
  }
  return point;
}

/** True when `signature` is `publicKey`'s signature of `message`; false for anything malformed. */
export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  const A = keyPoint(publicKey);
  if (!A) return false;
  const r = signature.subarray(0, 32);
  const s = littleEndian(signature.subarray(32));
  if (s >= L) return false;
  try {
    const R = Point.fromBytes(r, false);
    const SB = Point.BASE.multiplyUnsafe(s);
    const hashed = new Uint8Array(64 + message.length);
    hashed.set(r, 0);
    hashed.set(publicKey, 32);
    hashed.set(message, 64);
    const k = littleEndian(sha512(hashed)) % L;
    return R.add(A.multiplyUnsafe(k)).subtract(SB).clearCofactor().is0();
  } catch {
    return false;
  }
}

/** RFC 8032 §7.1, test 1 (the empty message): true, or the library is broken in this sandbox. */
export const ed25519Ready =
  verifyEd25519(
    hex('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'),
    new Uint8Array(0),
    hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'),
  ) && ed25519.verify(
    hex('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'),
    new Uint8Array(0),
    hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'),
    { zip215: false },
  );
