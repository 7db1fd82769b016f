// Schema versions and upcasters.
//
// Each event type has a current schemaVersion (eventCatalogue in schemas.ts). Stored events keep the
// version they were written with, forever: their hash covers those exact bytes. Reading goes
//
//     stored bytes ──verifyChain (hash over the bytes as stored)──▶ upcast to current ──▶ validate
//
// so an upcaster never touches what the hash covers, and a new version never needs a re-hash.
// Never verify an upcasted event: its hash belongs to the stored form.
//
// An upcaster lifts the data of version N to N+1, given the envelope for context. Upcasters are pure
// and total over valid version-N data; an unknown future version is an error, not a guess.
import { commitmentOf, LEGACY_SALT } from './personal-data.js';
import type { EventType } from './schemas.js';
import { COLLECTIVE_THRESHOLD } from './vocabulary.js';

export type Upcaster = (data: Record<string, unknown>, envelope: { caseId: string; eventId: string }) => Record<string, unknown>;

/** upcasters[type][n] lifts version n to n + 1. */
export const upcasters: Partial<Record<EventType, Record<number, Upcaster>>> = {
  CaseReceived: {
    // v1 had `complainantName` (and optionally `complainantPhone`) as plain strings inside the hash,
    // no collective flag and no priority. v2 lists complainants with marked personal fields.
    // The legacy salt is all zeros: v1 had none. Erasure cannot work on stored v1 events — the
    // plaintext is inside their hash — so such streams are migrated before an erasure is honoured.
    1: (data, envelope) => {
      const { complainantName, complainantPhone, ...rest } = data;
      const personId = `${envelope.caseId}/complainant-1`;
      const legacyField = (value: unknown) => ({
        pii: true,
        ref: personId,
        commitment: commitmentOf(LEGACY_SALT, String(value)),
        value: String(value),
        salt: LEGACY_SALT,
      });
      const workerCount = typeof rest['workerCount'] === 'number' ? rest['workerCount'] : 1;
      const collective = workerCount >= COLLECTIVE_THRESHOLD;
      return {
        ...rest,
        complainants: [
          {
            personId,
            name: legacyField(complainantName),
            ...(complainantPhone === undefined ? {} : { phone: legacyField(complainantPhone) }),
            isRepresentative: true,
          },
        ],
        workerCount,
        collective,
        priority: collective ? 'urgent' : 'normal',
      };
    },
    // v2 named no rules edition: every v2 case was received under the first edition, 2026.2.
    2: (data) => ({ ...data, rulesEdition: '2026.2' }),
  },
};

/** Lifts `data` from `fromVersion` to `toVersion`. Throws when a step is missing. */
export function upcastData(
  type: EventType,
  fromVersion: number,
  toVersion: number,
  data: Record<string, unknown>,
  envelope: { caseId: string; eventId: string },
): Record<string, unknown> {
  let current = data;
  for (let version = fromVersion; version < toVersion; version++) {
    const step = upcasters[type]?.[version];
    if (!step) throw new Error(`no upcaster for ${type} from version ${version} to ${version + 1}`);
    current = step(current, envelope);
  }
  return current;
}
