/**
 * Personal data in events: names, ID numbers and phone numbers of complainants, and the free text that
 * names people (claim summary, session minutes, agreement terms).
 *
 * ## Encrypted values (crypto-shredding, encrypt-then-hash): what is written
 *
 * Events carry only ciphertext: `{ pii: true, ref, keyId, nonce, ciphertext }` (EncryptedValue), made at
 * the edge (the API, runtime/personal-data-keys.ts) with the data subject's own AES-256-GCM key before the
 * command reaches Temporal, so the core, the workflow history, Kafka and the read models see only
 * ciphertext. The hash covers the whole encrypted field, so tampering with the stored ciphertext breaks the
 * chain directly. Keys live in a key store (PostgreSQL/PGlite schema `keys`, each row wrapped by a key of
 * the master keyring, outside the database: docs/personal-data-erasure.md); erasure destroys them, so every
 * copy of the ciphertext — events, Temporal history, the topic with its infinite retention, backups —
 * becomes unreadable while every hash still verifies, and reads show "erased". Free text of a case is keyed
 * to the case's own subject ref (`textSubjectOf(caseId)`): it names the case's people and is erased with
 * them.
 *
 * The data subjects of a case (domain/case/decide/closing.ts personalDataSubjects): each complainant, the
 * enterprise's contact person (Respondent.contact, a person of their own with their own key), and the
 * case's free text. Which free-text fields name people is said once, in the zod schemas: a field built with
 * `personalText(...)` (events/schemas.ts PText) is encrypted at the edge by walking the command's schema
 * (mapPersonalText) and opened by the reads for the roles allowed; test/unit/personal-text.unit.spec.ts fails
 * on any free-text field left unmarked. Only the erasure's own reason stays plain: it must outlive the keys.
 *
 * ## Salted commitments: still read, never written
 *
 * Streams may hold the other shape, which PersonalValue accepts beside the encrypted one so that every
 * stored event stays valid and readable with its hash form unchanged:
 *
 *     { pii: true, ref: 'person-7', commitment: sha256Hex(salt + value), value: '张三', salt: '<32 hex>' }
 *
 * - `ref` names the person (one ref per person across all their cases), so an erasure request finds
 *   every field that belongs to them.
 * - The event hash (events/chain.ts) is computed over `{ pii, ref, commitment }` only: `value` and
 *   `salt` are left out of the hashed form, so erasing them (erasePersonalData) leaves the chain valid.
 * - While the value is present, verifyChain recomputes the commitment, so changing a stored name is
 *   still detected even though the name is not inside the hash.
 * - The salt (128 random bits) keeps the commitment from being brute-forced from a short name or phone
 *   number; erasure deletes the salt. Erasing this shape must reach each stored copy of `value`/`salt`,
 *   and the Temporal history held the plaintext: that is why values are encrypted at the edge instead.
 *
 * ## Why personal data never goes into search attributes or logs
 *
 * Temporal search attributes are indexed by the server's visibility store (Elasticsearch / SQL) and
 * copied into its own retention; logs are shipped to systems with their own retention and access. Neither
 * can be reached by an erasure, and neither is covered by the chain. So search attributes hold only
 * case id, status, level, department, dispute type and deadlines, and every event is passed through
 * `redact` before it is logged.
 */
import { z } from './zod.js';
import { sha256Hex } from './sha256.js';

const HEX_64 = /^[0-9a-f]{64}$/;
const HEX_32 = /^[0-9a-f]{32}$/;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The salted-commitment shape (read, never written): a commitment beside the value it commits to. */
export const CommittedValue = z.strictObject({
  pii: z.literal(true),
  ref: z.string().min(1),
  commitment: z.string().regex(HEX_64, 'must be 64 lower-case hex digits (sha256)'),
  value: z.string().min(1).optional(),
  salt: z.string().regex(HEX_32, 'must be 32 lower-case hex digits').optional(),
});
export type CommittedValue = z.infer<typeof CommittedValue>;

/** A personal value encrypted with its subject's data key (AES-256-GCM; the tag ends the ciphertext). */
export const EncryptedValue = z.strictObject({
  pii: z.literal(true),
  ref: z.string().min(1).max(200),
  keyId: z.string().min(1).max(100),
  nonce: z.string().regex(BASE64, 'must be base64').length(16, 'must be 12 bytes, base64'),
  ciphertext: z.string().regex(BASE64, 'must be base64').max(40_000),
});
export type EncryptedValue = z.infer<typeof EncryptedValue>;

export const PersonalValue = z.union([EncryptedValue, CommittedValue]);
export type PersonalValue = z.infer<typeof PersonalValue>;

// The schemas personalText made: the marker by which the edge, the reads and the tests find every free-text
// field that may name people. The zod schemas of events and commands are the one list of those fields.
const personalTextSchemas = new WeakSet<z.ZodType>();

/**
 * Free text that may name people: encrypted when written; a stored plain string is still accepted. Marking a field with it is
 * all it takes: the edge encrypts it under the case's text subject (api/personal-data.ts, through
 * mapPersonalText), reads decrypt it for the roles allowed, erasure makes it unreadable.
 */
export const personalText = <T extends z.ZodType>(text: T) => {
  const schema = z.union([EncryptedValue, text]);
  personalTextSchemas.add(schema);
  return schema;
};

export function isPersonalTextSchema(schema: z.ZodType): boolean {
  return personalTextSchemas.has(schema);
}

type SchemaDef = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; element?: z.ZodType; in?: z.ZodType; options?: z.ZodType[] };
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** The schema a wrapper (optional, nullable, default, readonly, pipe) stands for; undefined for any other. */
function wrappedBy(def: SchemaDef): z.ZodType | undefined {
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return def.innerType;
    case 'pipe':
      return def.in;
    default:
      return undefined;
  }
}

/** The text schema inside a personalText union (the console's forms show it as a text box). */
export function textSchemaOf(schema: z.ZodType): z.ZodType {
  return isPersonalTextSchema(schema) ? defOf(schema).options![1]! : schema;
}

/**
 * Walks `value` along `schema` and replaces every string in a personalText field by `replace(text, path)`:
 * through objects, arrays and optional/nullable/default wrappers (the shapes the command and event schemas
 * use). Never mutates. Encrypted values and fields of other types are left as they are.
 */
export async function mapPersonalText(
  schema: z.ZodType,
  value: unknown,
  replace: (text: string, path: string) => Promise<unknown>,
  path = '',
): Promise<unknown> {
  if (value === undefined || value === null) return value;
  if (isPersonalTextSchema(schema)) return typeof value === 'string' ? replace(value, path) : value;
  const def = defOf(schema);
  const inner = wrappedBy(def);
  if (inner) return mapPersonalText(inner, value, replace, path);
  switch (def.type) {
    case 'array':
      if (!Array.isArray(value)) return value;
      return Promise.all(value.map((item, i) => mapPersonalText(def.element!, item, replace, `${path}[${i}]`)));
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return value;
      const entries = await Promise.all(
        Object.entries(value).map(async ([key, child]) => {
          const childSchema = def.shape![key];
          return [key, childSchema ? await mapPersonalText(childSchema, child, replace, path ? `${path}.${key}` : key) : child] as const;
        }),
      );
      return Object.fromEntries(entries);
    }
    default:
      return value;
  }
}

/** The paths (`a.b`, `list[].c`) of the fields of a schema that `matches` picks, looking through wrappers. */
export function schemaPathsWhere(schema: z.ZodType, matches: (schema: z.ZodType) => boolean, path = ''): string[] {
  if (matches(schema)) return [path];
  const def = defOf(schema);
  const inner = wrappedBy(def);
  if (inner) return schemaPathsWhere(inner, matches, path);
  switch (def.type) {
    case 'array':
      return schemaPathsWhere(def.element!, matches, `${path}[]`);
    case 'object':
      return Object.entries(def.shape!).flatMap(([key, child]) => schemaPathsWhere(child, matches, path ? `${path}.${key}` : key));
    default:
      return [];
  }
}

/** The paths of the personalText fields of a schema (`a.b`, `list[].c`), for tests and documentation. */
export function personalTextPaths(schema: z.ZodType): string[] {
  return schemaPathsWhere(schema, isPersonalTextSchema);
}

/** The subject ref under which a case's free text is encrypted (erased with the case's people). */
export const textSubjectOf = (caseId: string): string => `${caseId}/text`;

export function isEncryptedValue(value: unknown): value is EncryptedValue {
  return isPersonalValue(value) && typeof (value as { ciphertext?: unknown }).ciphertext === 'string';
}

/** The plaintext a salted-commitment field still carries (never for encrypted fields: those need the key store). */
export function plainValueOf(field: PersonalValue | undefined): string | undefined {
  return field && !isEncryptedValue(field) ? field.value : undefined;
}

/** The salt of events upcast from schema version 1, which had none: their value is inside their hash. */
export const LEGACY_SALT = '0'.repeat(32);

export function commitmentOf(salt: string, value: string): string {
  // The salt has a fixed length, so `salt + value` cannot be split two ways.
  return sha256Hex(salt + value);
}

/** Builds a marked personal field. The salt comes from the caller (random bytes at the edge). */
export function personalValue(ref: string, value: string, salt: string): CommittedValue {
  if (!HEX_32.test(salt)) throw new Error('a personal-data salt must be 32 lower-case hex digits');
  return { pii: true, ref, commitment: commitmentOf(salt, value), value, salt };
}

export function isPersonalValue(value: unknown): value is PersonalValue {
  return typeof value === 'object' && value !== null && (value as { pii?: unknown }).pii === true;
}

/** Why a present value fails its commitment, or null when it matches (or has been erased). */
export function commitmentProblem(field: PersonalValue): string | null {
  if (isEncryptedValue(field)) return null; // the hash covers the ciphertext itself
  if (field.value === undefined && field.salt === undefined) return null;
  if (field.value === undefined || field.salt === undefined) return 'value and salt must be erased together';
  return commitmentOf(field.salt, field.value) === field.commitment ? null : 'value does not match its commitment';
}

/** Every personal field inside `value`, with its path (for error messages). */
export function findPersonalValues(value: unknown, path = ''): { path: string; field: PersonalValue }[] {
  if (isPersonalValue(value)) return [{ path, field: value }];
  if (Array.isArray(value)) return value.flatMap((item, i) => findPersonalValues(item, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, child]) =>
      findPersonalValues(child, path ? `${path}.${key}` : key),
    );
  }
  return [];
}

/** Returns a copy of `value` with every personal field replaced by `replace(field)`. Never mutates. */
export function mapPersonalValues(value: unknown, replace: (field: PersonalValue) => unknown): unknown {
  if (isPersonalValue(value)) return replace(value);
  if (Array.isArray(value)) return value.map((item) => mapPersonalValues(item, replace));
  if (typeof value === 'object' && value !== null) {
    // fromEntries defines each key as an own property: an assignment `copy[key] = …` would turn a
    // "__proto__" key (JSON.parse keeps it as data) into a prototype change, and the copy into no plain object.
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, mapPersonalValues(child, replace)]));
  }
  return value;
}

/**
 * The form of a personal field that the event hash covers: the whole encrypted field (encrypt-then-hash),
 * or, for the salted-commitment shape, the commitment — never the plaintext.
 */
export function hashedPersonalValue(field: PersonalValue): EncryptedValue | { pii: true; ref: string; commitment: string } {
  if (isEncryptedValue(field)) return { pii: true, ref: field.ref, keyId: field.keyId, nonce: field.nonce, ciphertext: field.ciphertext };
  return { pii: true, ref: field.ref, commitment: field.commitment };
}

/**
 * Erases one person's values (value and salt) from a stored event. The event's hash stays valid.
 * Generic over the event's type so the result can be stored back as it was read.
 */
export function erasePersonalData<E extends { type: string; schemaVersion: number }>(event: E, personRef: string): E {
  if (event.type === 'CaseReceived' && event.schemaVersion === 1) {
    // v1 stored the complainant's name as a plain string inside the hash; erasing it would break the
    // chain. Such a stream must first be migrated (re-sealed from its upcasted form under an audited
    // migration record) — see events/upcasters.ts.
    throw new Error('CaseReceived v1 keeps personal data in plain text inside the hash: migrate the stream before erasing');
  }
  // Encrypted fields are erased by destroying their key (the key store), not here.
  return mapPersonalValues(event, (field) =>
    field.ref === personRef && !isEncryptedValue(field) ? hashedPersonalValue(field) : field,
  ) as E;
}

/** A copy fit for logs: every personal field shrinks to `{ pii: true, ref }`. */
export function redact<E>(event: E): E {
  return mapPersonalValues(event, (field) => ({ pii: true, ref: field.ref })) as E;
}
