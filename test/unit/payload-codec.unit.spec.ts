// The Temporal payload codec: AES-256-GCM with the key id in the metadata, and a keyring that rotates.
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  keyringFromJson,
  newKeyringJson,
  PayloadKeyError,
  rotateKeyringJson,
} from '../../runtime/payload-codec.js';

const text = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString();
const input = { caseId: 'MC-1', name: '独一无二的名字', phone: '13912345678' };

describe('the payload codec', () => {
  it('given a payload, when encoded, then the bytes hold no plaintext, name the key, and decode back', async () => {
    const keys = newKeyringJson('k-1');
    const codec = new AesGcmPayloadCodec(keyringFromJson(keys, 'test'));
    const payload = defaultPayloadConverter.toPayload(input);
    const [encoded] = await codec.encode([payload]);
    expect(text(encoded!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded!.metadata![KEY_ID_METADATA])).toBe('k-1');
    const raw = Buffer.from(encoded!.data!);
    for (const secret of ['独一无二的名字', '13912345678', 'MC-1', 'json/plain']) expect(raw.includes(Buffer.from(secret))).toBe(false);
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(input);
  });

  it('given a rotation, then old payloads still decode and new ones use the new key', async () => {
    const before = newKeyringJson('k-old');
    const after = rotateKeyringJson(before, 'k-new');
    const old = await new AesGcmPayloadCodec(keyringFromJson(before, 'before')).encode([defaultPayloadConverter.toPayload(input)]);
    const rotated = new AesGcmPayloadCodec(keyringFromJson(after, 'after'));
    expect(defaultPayloadConverter.fromPayload((await rotated.decode(old))[0]!)).toEqual(input);
    const fresh = await rotated.encode([defaultPayloadConverter.toPayload(input)]);
    expect(text(fresh[0]!.metadata![KEY_ID_METADATA])).toBe('k-new');
    // The old keyring does not hold the new key: it cannot read what was written after the rotation.
    await expect(new AesGcmPayloadCodec(keyringFromJson(before, 'before')).decode(fresh)).rejects.toThrow(PayloadKeyError);
  });

  it('given a tampered payload or a relabelled key id, then decoding fails', async () => {
    const keys = rotateKeyringJson(newKeyringJson('k-a'), 'k-b');
    const codec = new AesGcmPayloadCodec(keyringFromJson(keys, 'test'));
    const [encoded] = await codec.encode([defaultPayloadConverter.toPayload(input)]);
    const flipped = new Uint8Array(encoded!.data!);
    flipped[20]! ^= 1;
    await expect(codec.decode([{ ...encoded!, data: flipped }])).rejects.toThrow();
    const relabelled = { ...encoded!, metadata: { ...encoded!.metadata, [KEY_ID_METADATA]: Buffer.from('k-a') } };
    await expect(codec.decode([relabelled])).rejects.toThrow();
  });

  it('passes unencrypted payloads (written before encryption) through unchanged', async () => {
    const codec = new AesGcmPayloadCodec(keyringFromJson(newKeyringJson('k'), 'test'));
    const plain = defaultPayloadConverter.toPayload(input);
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('names the problem in a bad keyring', () => {
    expect(() => keyringFromJson({ current: 'x', keys: { x: 'c2hvcnQ=' } }, 'PAYLOAD_KEYS')).toThrow(/PAYLOAD_KEYS: key "x" must be 32 bytes/);
    expect(() => keyringFromJson({ current: 'y', keys: newKeyringJson('x').keys }, 'f.json')).toThrow(/current key "y" is not among/);
  });
});
