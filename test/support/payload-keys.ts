// The Temporal payload keys of the tests: a fixed, test-only keyring in test/fixtures (the recorded
// histories are encrypted with it, so the replay test can decode them). Every client, worker and replayer
// a test makes uses testDataConverter, as the worker, API and CLI use theirs from configuration.
import { fileURLToPath } from 'node:url';
import type { Queryable } from '../../readmodels/db.js';
import { encryptedDataConverter, keyringFromFile } from '../../runtime/payload-codec.js';
import { PersonalDataKeys } from '../../runtime/personal-data-keys.js';

export const TEST_PAYLOAD_KEYS_FILE = fileURLToPath(new URL('../fixtures/payload-keys.json', import.meta.url));
export const testKeyring = keyringFromFile(TEST_PAYLOAD_KEYS_FILE);
export const testDataConverter = encryptedDataConverter(testKeyring);

/** The personal-data key store of a test (its master keyring: the same test-only keys). */
export function testPersonalDataKeys(db: Queryable, schema = 'keys'): PersonalDataKeys {
  return new PersonalDataKeys(db, testKeyring, schema);
}
