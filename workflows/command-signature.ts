// The worker's check that a command was authorised by the API: an Ed25519 signature over the request
// (commandSignedText) by a key whose public half the worker was given. It runs in the update validator,
// inside the workflow sandbox, so a command without a good signature is refused before anything reaches
// history. The sandbox has neither node:crypto nor a synchronous WebCrypto, hence @noble/curves: audited,
// pure JavaScript, no Node dependencies, synchronous, deterministic (workflows/shared/ed25519.ts).
//
// The public keys are compiled into the workflow bundle (runtime/workflow-bundle.ts defines
// __MEDIATION_COMMAND_VERIFY_KEYS__ from COMMAND_VERIFY_KEYS[_FILE] when the worker bundles): a workflow
// cannot read the environment, and a key passed in the workflow's input or an update would be chosen by
// whoever sends them. A bundle made without keys refuses every command (fail closed).
import { utf8Bytes } from '../events/sha256.js';
import { commandSignedText, type CommandRequest } from './messages.js';
import { verifyEd25519 } from './shared/ed25519.js';

declare const __MEDIATION_COMMAND_VERIFY_KEYS__: Record<string, string> | undefined;

/** key id → public key (base64url of the 32 raw bytes), as bundled. */
export function bundledVerifyKeys(): Record<string, string> {
  return typeof __MEDIATION_COMMAND_VERIFY_KEYS__ === 'undefined' ? {} : __MEDIATION_COMMAND_VERIFY_KEYS__;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url (no padding) → bytes; undefined when the text is not base64url. No Buffer or atob in the sandbox. */
export function fromBase64url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (const ch of text) {
    value = (value << 6) | B64URL.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (value >> bits) & 0xff;
    }
  }
  return out;
}

/** Why the command is not authorised, or undefined when its signature is good. */
export function commandAuthorizationFailure(req: CommandRequest, keys: Record<string, string> = bundledVerifyKeys()): string | undefined {
  const auth = req.authorization;
  if (!auth || typeof auth !== 'object' || typeof auth.signature !== 'string' || typeof auth.keyId !== 'string' || typeof auth.signedAt !== 'string') {
    return 'the command carries no signature of the API';
  }
  const publicKey = Object.prototype.hasOwnProperty.call(keys, auth.keyId) ? fromBase64url(keys[auth.keyId]!) : undefined;
  if (!publicKey || publicKey.length !== 32) return `the command is signed with key ${auth.keyId}, which this worker does not know`;
  const signature = fromBase64url(auth.signature);
  if (!signature || signature.length !== 64) return 'the command signature is malformed';
  let message: Uint8Array;
  try {
    message = utf8Bytes(commandSignedText(req, auth));
  } catch {
    // A request canonical JSON refuses (a value JSON cannot carry) cannot have been signed.
    return 'the command signature does not match the command';
  }
  return verifyEd25519(signature, message, publicKey) ? undefined : 'the command signature does not match the command';
}
