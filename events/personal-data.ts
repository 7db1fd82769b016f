/**
 * Personal data in events: names, ID numbers and phone numbers of complainants, and the free text that
 * names people (claim summary, session minutes, agreement terms).
 *
 * ## Now: crypto-shredding, encrypt-then-hash (the target design below, built)
 *
 * New events carry only ciphertext: `{ pii: true, ref, keyId, nonce, ciphertext }` (EncryptedValue),
 * made at the edge (the API, runtime/personal-data-keys.ts) with the data subject's own AES-256-GCM key
 * before the command reaches Temporal. The hash covers the whole encrypted field. Keys live in a key store
 * (PostgreSQL/PGlite schema `keys`, each row wrapped by a master key); erasure destroys them, so every copy
 * of the ciphertext becomes unreadable while every hash still verifies. Free text of a case is keyed to the
 * case's own subject ref (`textSubjectOf(caseId)`): it names the case's people and is erased with them.
 *
 * The data subjects of a case (domain/case/decide/closing.ts personalDataSubjects): each complainant, the
 * enterprise's contact person (Respondent.contact, a person of their own with their own key), and the
 * case's free text. Which free-text fields name people is said once, in the zod schemas: a field built with
 * `personalText(...)` (events/schemas.ts PText) is encrypted at the edge by walking the command's schema
 * (mapPersonalText) and opened by the reads for the roles allowed; test/unit/personal-text.unit.spec.ts fails
 * on any free-text field left unmarked. Only the erasure's own reason stays plain: it must outlive the keys.
 *
 * Events written before this (salted commitments, below) stay valid and readable: PersonalValue is the
 * union of both shapes, and their hash form is unchanged.
 *
 * ## Before (salted commitments; still read)
 *
 * A personal value is never a bare string in an event. It is a marked field:
 *
 *     { pii: true, ref: 'person-7', commitment: sha256Hex(salt + value), value: '张三', salt: '<32 hex>' }
 *
 * - `ref` names the person (one ref per person across all their cases), so an erasure request finds
 *   every field that belongs to them.
 * - The event hash (events/chain.ts) is computed over `{ pii, ref, commitment }` only: `value` and
 *   `salt` are left out of the hashed form. Erasing them (erasePersonalData) therefore leaves every
 *   hash, and so the whole chain, valid.
 * - While the value is present, verifyChain recomputes the commitment, so changing a stored name is
 *   still detected even though the name is not inside the hash.
 * - The salt is 128 random bits made at the edge (the API, with node:crypto) — the core stays
 *   deterministic because it receives salt and commitment in the command. Without the salt the
 *   commitment cannot be brute-forced from a short name or phone number; erasure deletes the salt.
 *
 * ## Target design (crypto-shredding, encrypt-then-hash)
 *
 * 1. Each person gets a data key (AES-256-GCM), held in a key store outside the event log (a
 *    `person_keys` table in PostgreSQL in its own schema, itself encrypted under a KMS master key;
 *    key rows carry person ref, key id, created, erased-at).
 * 2. The edge encrypts each value with the person's key before the command enters Temporal:
 *    `{ pii: true, ref, keyId, ciphertext, nonce }`. The core, the workflow history, Kafka and the
 *    read-model tables see only ciphertext.
 * 3. The event hash covers the ciphertext (encrypt-then-hash), so tampering with the stored ciphertext
 *    breaks the chain directly; no separate commitment check is needed.
 * 4. Erasure = delete the person's key (and its backups under the key-rotation policy). Every copy of
 *    the ciphertext — events, Temporal history, Kafka topics with infinite retention, backups — becomes
 *    unreadable at once, while every hash still verifies. Read models decrypt on display and show
 *    "erased" when the key is gone.
 * 5. Salts and keys are never logged and never leave the key store except to the decrypting service.
 *
 * The present scheme is the step before: the same field shape and the same "hash excludes the
 * plaintext" property, but deletion must reach each stored copy of `value`/`salt` (the event store
 * and the read models) instead of a single key. Temporal history is the weak spot of the present
 * scheme — the workflow receives the command with the value — which is why the target design
 * encrypts at the edge.
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

/** The shape of events written before encryption at the edge: a salted commitment beside the value. */
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
 * Free text that may name people: plain in events of old, encrypted in new ones. Marking a field with it is
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
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return mapPersonalText(def.innerType!, value, replace, path);
    case 'pipe':
      return mapPersonalText(def.in!, value, replace, path);
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
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return schemaPathsWhere(def.innerType!, matches, path);
    case 'pipe':
      return schemaPathsWhere(def.in!, matches, path);
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

/** The plaintext an old-shape field still carries (never for encrypted fields: those need the key store). */
export function plainValueOf(field: PersonalValue | undefined): string | undefined {
  return field && !isEncryptedValue(field) ? field.value : undefined;
}

/** The salt that upcasted legacy events carry: they had no salt when they were written. */
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
 * or, for the old shape, the commitment — never the plaintext.
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
