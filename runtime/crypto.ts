// AES-256-GCM sealing, the one form every encrypted value of the engine takes: Temporal payloads
// (payload-codec.ts), the personal-data keys and fields (personal-data-keys.ts, kek-store.ts) and the
// complainant index (complainant-index.ts).
//
// A sealed value is 12-byte random nonce ‖ ciphertext ‖ 16-byte GCM tag. The additional data binds the value
// to where it belongs (a key id, a subject and field): a sealed value moved elsewhere does not open.
// Stored data and Temporal histories hold this layout, so it must not change.
import crypto from 'node:crypto';

export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

/** Seals `plain` under a 32-byte key, binding `aad` (UTF-8). */
export function sealAesGcm(key: Buffer, plain: Uint8Array, aad: string): Buffer {
  const nonce = crypto.randomBytes(NONCE_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  return Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

/** Opens what sealAesGcm sealed; throws when the key, the additional data or any byte differs. */
export function openAesGcm(key: Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new Error('a sealed value is too short');
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
}
