// The Temporal payload keys of the tests: a fixed, test-only keyring in test/fixtures (the recorded
// histories are encrypted with it, so the replay test can decode them). Every client, worker and replayer
// a test makes uses testDataConverter, as the worker, API and CLI use theirs from configuration.
import { fileURLToPath } from 'node:url';
import { encryptedDataConverter, keyringFromFile } from '../../runtime/payload-codec.js';

export const TEST_PAYLOAD_KEYS_FILE = fileURLToPath(new URL('../fixtures/payload-keys.json', import.meta.url));
export const testKeyring = keyringFromFile(TEST_PAYLOAD_KEYS_FILE);
export const testDataConverter = encryptedDataConverter(testKeyring);
