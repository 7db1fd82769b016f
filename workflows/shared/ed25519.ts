// Ed25519 verification for the workflow sandbox (workflows/command-signature.ts), evaluated once per worker
// thread with the shared core (workflows/shared/core.ts imports it): @noble/curves builds its tables for the
// base point on first use — tens of milliseconds — which, evaluated per workflow, every new or re-created
// case workflow would pay on its first command. Warmed here with RFC 8032's first test vector, before the
// shared modules are frozen, so the tables exist once and are only read afterwards.
import { ed25519 } from '@noble/curves/ed25519.js';

const hex = (text: string): Uint8Array => Uint8Array.from(text.match(/../g)!.map((b) => parseInt(b, 16)));

/**
 * True when `signature` is `publicKey`'s signature of `message`; false for anything malformed. Strict RFC 8032
 * decoding (zip215: false): canonical encodings only, small-order keys refused — the API's signer (node:crypto)
 * makes nothing else.
 */
export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** RFC 8032 §7.1, test 1 (the empty message): true, or the library is broken in this sandbox. */
export const ed25519Ready = verifyEd25519(
  hex('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'),
  new Uint8Array(0),
  hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'),
);
