// AES-256-GCM sealing (runtime/crypto.ts): what it seals opens, and nothing else does. The fixed vectors were
// sealed by the engine's earlier, separate copies of this code (kek-store's sealAesGcm, the payload codec):
// stored keys, fields, index rows and Temporal histories hold that layout, and must keep opening.
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { NONCE_BYTES, openAesGcm, sealAesGcm, TAG_BYTES } from '../../runtime/crypto.js';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, keyringFromJson } from '../../runtime/payload-codec.js';

const key = Buffer.alloc(32, 7);
const aad = 'mediation-engine/test-vector/v1';
const plain = Buffer.from('张三 110101199003077777', 'utf8');

describe('AES-256-GCM sealing', () => {
  it('given a sealed value, when opened with its key and additional data, then it is the plaintext', () => {
    const sealed = sealAesGcm(key, plain, aad);
    expect(sealed.length).toBe(NONCE_BYTES + plain.length + TAG_BYTES);
    expect(sealed.includes(plain)).toBe(false);
    expect(openAesGcm(key, sealed, aad)).toEqual(plain);
  });

  it('given the same plaintext twice, then the sealed values differ (a fresh nonce each time)', () => {
    expect(sealAesGcm(key, plain, aad).equals(sealAesGcm(key, plain, aad))).toBe(false);
  });

  it('given one byte changed anywhere, then opening fails', () => {
    const sealed = sealAesGcm(key, plain, aad);
    for (const at of [0, NONCE_BYTES, sealed.length - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[at]! ^= 1;
      expect(() => openAesGcm(key, tampered, aad)).toThrow();
    }
  });

  it('given another key or other additional data, then opening fails', () => {
    const sealed = sealAesGcm(key, plain, aad);
    expect(() => openAesGcm(Buffer.alloc(32, 8), sealed, aad)).toThrow();
    expect(() => openAesGcm(key, sealed, `${aad}x`)).toThrow();
  });

  it('given a value shorter than nonce and tag, then opening fails', () => {
    expect(() => openAesGcm(key, Buffer.alloc(NONCE_BYTES + TAG_BYTES - 1), aad)).toThrow(/too short/);
  });

  it('opens a value sealed by the key store before sealing had one home', () => {
    const stored = Buffer.from('/RZ9w+9GcmSIJ6F9Ie/LLTylbzITAk4TSnhsZiGQ5PA5BRTEb9RYehPQT9O7CuGfQrRFzRo=', 'base64');
    expect(openAesGcm(key, stored, aad).toString('utf8')).toBe('张三 110101199003077777');
  });

  it('decodes a Temporal payload encrypted by the payload codec before sealing had one home', async () => {
    const codec = new AesGcmPayloadCodec(keyringFromJson({ current: 'k-vector', keys: { 'k-vector': key.toString('base64') } }, 'vector'));
    const data = Buffer.from(
      'rSlPDTXpt9EbMB6rfZr86HAjiElnvRcJZeVcdsSzWGHnBNN9K+vf/S6ybI/tDBbHQspSd3Lt7Pk+iNH3Q4WTtBOyhjo4ZRFYv1vzFrqVUQgdP1vNXxIa+MQYXSvFGzfxYNiSP2ux',
      'base64',
    );
    const [decoded] = await codec.decode([{ metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from('k-vector') }, data }]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ caseId: 'MC-1', name: '独一无二的名字' });
  });
});
