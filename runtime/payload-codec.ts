// Temporal payload encryption (AES-256-GCM, runtime/crypto.ts). Every payload the SDK writes (workflow input, activity input and result,
// update arguments, query results, memo) passes through this codec on its way to the server, so the
// Temporal history, its visibility store and its backups hold only AES-256-GCM ciphertext.
//
// One encrypted payload:
//   metadata: { encoding: "binary/encrypted", "encryption-key-id": "<key id>" }
//   data:     12-byte nonce ‖ ciphertext ‖ 16-byte GCM tag, of the original payload serialised as a
//             temporal.api.common.v1.Payload (its own metadata included, so the encoding survives).
// The key id is also the GCM additional data: a payload cannot be relabelled to another key.
//
// Keys rotate: a keyring has one current key (all new payloads) and any number of older keys that still
// decode. The keyring comes from a PayloadKeySource: the local stack's reads a JSON file or variable
// (PAYLOAD_KEYS_FILE / PAYLOAD_KEYS); a KMS or Vault adapter implements the same one-method interface.
//
// The same codec serves the Temporal Web UI through the API's /codec endpoints (api/routes/codec.ts), so
// staff with a case-data grant read decoded payloads there and nobody else does.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
// @temporalio/proto is CommonJS: under Node's ESM loader only its default export is reliable.
import proto from '@temporalio/proto';
import { NONCE_BYTES, openAesGcm, sealAesGcm, TAG_BYTES } from './crypto.js';

const { temporal } = proto;

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The keys a process may use: the current one encrypts, every one decrypts. */
export interface PayloadKeyring {
  readonly currentKeyId: string;
  key(id: string): Buffer | undefined;
  readonly keyIds: readonly string[];
}

/** Where keys come from: a file or variable for the local stack, a KMS or Vault in production. */
export interface PayloadKeySource {
  load(): Promise<PayloadKeyring>;
}

export class PayloadKeyError extends Error {}

/** The JSON form of a keyring: { "current": "<id>", "keys": { "<id>": "<32 bytes, base64>" } }. */
export interface KeyringJson {
  current: string;
  keys: Record<string, string>;
}

export function keyringFromJson(json: unknown, origin: string): PayloadKeyring {
  const j = json as Partial<KeyringJson> | null;
  if (!j || typeof j !== 'object' || typeof j.current !== 'string' || !j.keys || typeof j.keys !== 'object') {
    throw new PayloadKeyError(`${origin}: expected {"current": "<key id>", "keys": {"<key id>": "<32 bytes, base64>"}}`);
  }
  const keys = new Map<string, Buffer>();
  for (const [id, b64] of Object.entries(j.keys)) {
    if (!KEY_ID.test(id)) throw new PayloadKeyError(`${origin}: key id "${id}" must be 1–64 of A–Z a–z 0–9 . _ -`);
    const key = typeof b64 === 'string' ? Buffer.from(b64, 'base64') : Buffer.alloc(0);
    if (key.length !== 32) throw new PayloadKeyError(`${origin}: key "${id}" must be 32 bytes, base64-encoded (got ${key.length})`);
    keys.set(id, key);
  }
  if (!keys.has(j.current)) throw new PayloadKeyError(`${origin}: the current key "${j.current}" is not among the keys`);
  return { currentKeyId: j.current, key: (id) => keys.get(id), keyIds: [...keys.keys()] };
}

/** A fresh keyring of one key (ops/ makes the local stack's on first start). */
export function newKeyringJson(keyId = `k-${new Date().toISOString().slice(0, 10)}-${crypto.randomBytes(3).toString('hex')}`): KeyringJson {
  return { current: keyId, keys: { [keyId]: crypto.randomBytes(32).toString('base64') } };
}

/** Adds a new current key; the old ones stay for decoding. */
export function rotateKeyringJson(json: KeyringJson, keyId?: string): KeyringJson {
  const next = newKeyringJson(keyId);
  return { current: next.current, keys: { ...json.keys, ...next.keys } };
}

/** PAYLOAD_KEYS (the JSON itself) or PAYLOAD_KEYS_FILE (a path to it). */
export function envKeySource(env: { PAYLOAD_KEYS?: string | undefined; PAYLOAD_KEYS_FILE?: string | undefined } = process.env): PayloadKeySource {
  return {
    async load() {
      if (env.PAYLOAD_KEYS) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(env.PAYLOAD_KEYS);
        } catch {
          throw new PayloadKeyError('PAYLOAD_KEYS: not JSON; expected {"current": …, "keys": {…}}');
        }
        return keyringFromJson(parsed, 'PAYLOAD_KEYS');
      }
      if (env.PAYLOAD_KEYS_FILE) return keyringFromFile(env.PAYLOAD_KEYS_FILE);
      throw new PayloadKeyError(
        'no Temporal payload keys: set PAYLOAD_KEYS_FILE to a keyring file (npm start makes one in .data/dev/keys) or PAYLOAD_KEYS to its JSON',
      );
    },
  };
}

export function keyringFromFile(file: string): PayloadKeyring {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new PayloadKeyError(`PAYLOAD_KEYS_FILE ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return keyringFromJson(JSON.parse(text), file);
  } catch (err) {
    if (err instanceof PayloadKeyError) throw err;
    throw new PayloadKeyError(`${file}: not JSON; expected {"current": …, "keys": {…}}`);
  }
}

/** Makes the keyring file when it is missing (mode 0600); an existing one is kept as it is. */
export function ensureKeyringFile(file: string): { created: boolean } {
  if (fs.existsSync(file)) return { created: false };
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, JSON.stringify(newKeyringJson(), null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  return { created: true };
}

export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keyring: PayloadKeyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const keyId = this.keyring.currentKeyId;
    const key = this.keyring.key(keyId)!;
    return payloads.map((payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = sealAesGcm(key, plain, keyId);
      return {
        metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(keyId) },
        data: new Uint8Array(data),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.encoding && Buffer.from(payload.metadata.encoding).toString();
      if (encoding !== ENCRYPTED_ENCODING) return payload; // written before encryption, or not ours
      const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
      const keyId = keyIdBytes ? Buffer.from(keyIdBytes).toString() : '';
      const key = this.keyring.key(keyId);
      if (!key) throw new PayloadKeyError(`a payload is encrypted under key "${keyId}", which this process does not hold`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < NONCE_BYTES + TAG_BYTES) throw new PayloadKeyError('an encrypted payload is too short');
      const plain = openAesGcm(key, data, keyId);
      return temporal.api.common.v1.Payload.decode(plain) as Payload;
    });
  }
}

/** The data converter for every Temporal client, worker and replayer of the engine. */
export function encryptedDataConverter(keyring: PayloadKeyring): DataConverter {
  return { payloadCodecs: [new AesGcmPayloadCodec(keyring)] };
}
