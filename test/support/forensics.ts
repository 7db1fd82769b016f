// What an attacker with a byte copy of the stack's disks and a keyring could recover: the tool of the erasure
// tests (test/e2e/erasure-on-disk.e2e.spec.ts). It knows the key store's formats (as an attacker who reads
// the source does) and nothing of its tables: it scans raw bytes.
//
// From the copy it takes
// - every run of 80 base64 characters: a sealed 32-byte key (12-byte nonce, 32 bytes, 16-byte tag) as the
//   key store writes one, wherever the bytes lie (a live row, a dead tuple, a WAL record, a full-page image);
// - every run of 44 base64 characters ending in '=': a 32-byte key stored unwrapped;
// and then tries every sealed key under every key of the keyring (as an epoch key, or as a data key sealed
// directly by a master key; the additional data names the sealing key's own id), every epoch key so found
// on every sealed key, and every key so found — and every bare candidate — on the subject's ciphertext.
// For the complainant index it opens every index key it can and looks for the blind index of a guessed ID
// number among the copy's 64-hex-digit runs.
import fs from 'node:fs';
import path from 'node:path';
import type { EncryptedValue } from '../../events/personal-data.js';
import { blindIndexUnder, COMPLAINANT_INDEX_PURPOSE, indexKeyAad, normaliseIdNumber } from '../../runtime/complainant-index.js';
import { openAesGcm } from '../../runtime/crypto.js';
import { epochWrapAad, fieldAad, legacyWrapAad, subjectWrapAad } from '../../runtime/personal-data-keys.js';

const B64 = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') B64[c.charCodeAt(0)] = 1;

export interface DiskCopy {
  files: number;
  bytes: number;
  /** Distinct base64 runs of the lengths a sealed key (80) or a bare key (44, with its '=') takes. */
  sealed: Set<string>;
  bare: Set<string>;
  /** Every run of 64 hex digits: a blind index (HMAC-SHA-256) as the complainant index stores it. */
  hex64: Set<string>;
}

/** Copies every file under these directories (as a backup would), then scans the copy. */
export function copyAndScan(dirs: readonly string[], into: string): DiskCopy {
  const copy: DiskCopy = { files: 0, bytes: 0, sealed: new Set(), bare: new Set(), hex64: new Set() };
  dirs.forEach((dir, i) => {
    const target = path.join(into, String(i));
    fs.cpSync(dir, target, { recursive: true, filter: (src) => !fs.lstatSync(src).isSocket() && !src.endsWith('.lock') });
    for (const file of filesUnder(target)) scan(fs.readFileSync(file), copy);
  });
  return copy;
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? filesUnder(p) : d.isFile() ? [p] : [];
  });
}

function scan(bytes: Buffer, copy: DiskCopy): void {
  copy.files++;
  copy.bytes += bytes.length;
  let start = -1;
  for (let i = 0; i <= bytes.length; i++) {
    const inRun = i < bytes.length && B64[bytes[i]!] === 1;
    if (inRun) {
      if (start < 0) start = i;
      continue;
    }
    if (start < 0) continue;
    const len = i - start;
    // Every window, not only whole runs: a key's bytes may touch other text (a JSON field, a neighbour).
    if (len >= 80 && len <= 120) for (let s = start; s + 80 <= i; s++) copy.sealed.add(bytes.toString('latin1', s, s + 80));
    if (len >= 43 && len <= 400 && bytes[i] === 0x3d /* = */) copy.bare.add(bytes.toString('latin1', i - 43, i) + '=');
    start = -1;
  }
  for (const m of bytes.toString('latin1').matchAll(/[0-9a-f]{64}/g)) copy.hex64.add(m[0]);
}

function tryOpen(key: Buffer, sealed: Buffer, aad: string): Buffer | undefined {
  try {
    return openAesGcm(key, sealed, aad);
  } catch {
    return undefined;
  }
}

function tryField(key: Buffer, field: EncryptedValue): string | undefined {
  return tryOpen(key, Buffer.concat([Buffer.from(field.nonce, 'base64'), Buffer.from(field.ciphertext, 'base64')]), fieldAad(field.ref, field.keyId))?.toString('utf8');
}

/** The epoch keys that keys of the keyring open in the copy, by epoch. */
function epochKeysIn(copy: DiskCopy, keyring: { keys: Record<string, string> }): Map<string, Buffer> {
  const epochKeys = new Map<string, Buffer>();
  for (const s of copy.sealed) {
    const blob = Buffer.from(s, 'base64');
    for (const [kekId, b64] of Object.entries(keyring.keys)) {
      const epochKey = tryOpen(Buffer.from(b64, 'base64'), blob, epochWrapAad(kekId));
      if (epochKey) epochKeys.set(kekId, epochKey);
    }
  }
  return epochKeys;
}

/**
 * Whether the copy confirms that this ID number was indexed: an index key opened from the copy (under an epoch
 * key, or directly under a key of the keyring) whose blind index of the number is in the copy.
 */
export function confirmsIdNumber(copy: DiskCopy, keyring: { keys: Record<string, string> }, idNumber: string): boolean {
  const wrappers = [...epochKeysIn(copy, keyring), ...Object.entries(keyring.keys).map(([id, b64]) => [id, Buffer.from(b64, 'base64')] as const)];
  for (const s of copy.sealed) {
    const blob = Buffer.from(s, 'base64');
    for (const [by, key] of wrappers) {
      const indexKey = tryOpen(key, blob, indexKeyAad(COMPLAINANT_INDEX_PURPOSE, by));
      if (indexKey && copy.hex64.has(blindIndexUnder(indexKey, normaliseIdNumber(idNumber)))) return true;
    }
  }
  return false;
}

/** The plaintext of `field` if anything in the copy, with this keyring, opens it; else null. */
export function recover(copy: DiskCopy, keyring: { keys: Record<string, string> }, field: EncryptedValue): string | null {
  const keks = new Map(Object.entries(keyring.keys).map(([id, b64]) => [id, Buffer.from(b64, 'base64')]));
  const sealed = [...copy.sealed].map((s) => Buffer.from(s, 'base64'));
  // A key stored bare, or a key of the keyring used as the data key itself.
  for (const key of [...[...copy.bare].map((b) => Buffer.from(b, 'base64')), ...keks.values()]) {
    if (key.length !== 32) continue;
    const plain = tryField(key, field);
    if (plain !== undefined) return plain;
  }
  const epochKeys = epochKeysIn(copy, keyring);
  for (const blob of sealed) {
    for (const [kekId, kek] of keks) {
      // A data key sealed directly by a master key (the store before erasure epochs).
      const dataKey = tryOpen(kek, blob, legacyWrapAad(field.ref, field.keyId, kekId));
      const plain = dataKey && tryField(dataKey, field);
      if (plain !== undefined) return plain;
    }
  }
  for (const blob of sealed) {
    for (const [epoch, epochKey] of epochKeys) {
      const dataKey = tryOpen(epochKey, blob, subjectWrapAad(field.ref, field.keyId, epoch));
      const plain = dataKey && tryField(dataKey, field);
      if (plain !== undefined) return plain;
    }
  }
  return null;
}
