// The Temporal payload keys of the tests: a fixed, test-only keyring in test/fixtures (the recorded
// histories are encrypted with it, so the replay test can decode them). Every client, worker and replayer
// a test makes uses testDataConverter, as the worker, API and CLI use theirs from configuration.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Queryable } from '../readmodels/db.js';
import { KeyringKekStore, type KekStore } from '../runtime/kek-store.js';
import { encryptedDataConverter, keyringFromFile } from '../runtime/payload-codec.js';
import { PersonalDataKeys } from '../runtime/personal-data-keys.js';

export const TEST_PAYLOAD_KEYS_FILE = fileURLToPath(new URL('../test/fixtures/payload-keys.json', import.meta.url));
export const testKeyring = keyringFromFile(TEST_PAYLOAD_KEYS_FILE);
export const testDataConverter = encryptedDataConverter(testKeyring);

// Erasure destroys KEKs and makes new ones: one in-memory KEK store per database (starting from the
// test-only keyring), so that a second key store over the same database — a restart — holds what the first
// one left, and the fixture file is never rewritten.
const kekStores = new WeakMap<Queryable, KekStore>();

/** The personal-data key store of a test (its KEKs: the test-only keyring, then those its erasures make). */
export function testPersonalDataKeys(db: Queryable, schema = 'keys'): PersonalDataKeys {
  let store = kekStores.get(db);
  if (!store) kekStores.set(db, (store = new KeyringKekStore(testKeyring, 'the test keyring')));
  return new PersonalDataKeys(db, store, schema);
}

/**
 * A copy of the test-only keyring as a file for the API processes a test starts (PERSONAL_DATA_MASTER_KEYS_FILE):
 * their erasures rewrite it, and the fixture must stay as it is. One per test file's process.
 */
let masterKeysCopy: string | undefined;
export function testMasterKeysFile(): string {
  if (!masterKeysCopy) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mediation-test-master-keys-'));
    masterKeysCopy = path.join(dir, 'master-keys.json');
    fs.copyFileSync(TEST_PAYLOAD_KEYS_FILE, masterKeysCopy);
    fs.chmodSync(masterKeysCopy, 0o600);
  }
  return masterKeysCopy;
}
