// The key store of crypto-shredding (events/personal-data.ts): one AES-256-GCM data key per data subject
// (a complainant, or a case's free text), kept in a schema of its own (`keys`, beside the read models; a
// read-model rebuild must never touch it), each key wrapped by a master key (envelope encryption). The
// master keyring comes from configuration like the payload keyring (PERSONAL_DATA_MASTER_KEYS[_FILE]; a
// KMS adapter implements PayloadKeySource), so a copy of the database alone decrypts nothing.
//
// Erasure destroys a subject's wrapped key and keeps a tombstone (subject, key id, created, erased-at):
// every ciphertext under that key — in events, Temporal histories, Kafka, backups — is then unreadable,
// and the tombstone refuses any new key for the same subject.
//
// Only the API holds this store: the worker, the projector and Kafka never see a data key.
import crypto from 'node:crypto';
import { createObjects, type Queryable } from '../readmodels/db.js';
import type { EncryptedValue } from '../events/personal-data.js';
import type { PayloadKeyring, PayloadKeySource } from './payload-codec.js';
import { keyringFromFile, keyringFromJson, PayloadKeyError } from './payload-codec.js';
import { ComplainantIndex } from './complainant-index.js';

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

export class SubjectErasedError extends Error {
  constructor(readonly ref: string) {
    super(`the personal data of subject ${ref} has been erased: no new data can be encrypted for it`);
  }
}

/** PERSONAL_DATA_MASTER_KEYS (JSON) or PERSONAL_DATA_MASTER_KEYS_FILE (a path), same form as the payload keyring. */
export function masterKeySource(env: NodeJS.ProcessEnv = process.env): PayloadKeySource {
  return {
    async load() {
      if (env.PERSONAL_DATA_MASTER_KEYS) {
        try {
          return keyringFromJson(JSON.parse(env.PERSONAL_DATA_MASTER_KEYS), 'PERSONAL_DATA_MASTER_KEYS');
        } catch (err) {
          if (err instanceof PayloadKeyError) throw err;
          throw new PayloadKeyError('PERSONAL_DATA_MASTER_KEYS: not JSON; expected {"current": …, "keys": {…}}');
        }
      }
      if (env.PERSONAL_DATA_MASTER_KEYS_FILE) return keyringFromFile(env.PERSONAL_DATA_MASTER_KEYS_FILE);
      throw new PayloadKeyError(
        'no personal-data master key: set PERSONAL_DATA_MASTER_KEYS_FILE to a keyring file (npm start makes one in .data/dev/keys) or PERSONAL_DATA_MASTER_KEYS to its JSON',
      );
    },
  };
}

function seal(key: Buffer, plain: Buffer, aad: string): { nonce: Buffer; sealed: Buffer } {
  const nonce = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  return { nonce, sealed: Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]) };
}

function open(key: Buffer, nonce: Buffer, sealed: Buffer, aad: string): Buffer {
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
}

// The additional data binds a ciphertext to its subject and key: moved to another person's field, it fails.
const fieldAad = (ref: string, keyId: string) => `mediation-engine/personal-value/v1\n${ref}\n${keyId}`;
const wrapAad = (ref: string, keyId: string, masterKeyId: string) => `mediation-engine/data-key/v1\n${ref}\n${keyId}\n${masterKeyId}`;

export type SubjectKeyRow = {
  subjectRef: string;
  keyId: string;
  createdAt: string;
  erasedAt: string | null;
};

export class PersonalDataKeys {
  private readonly s: string;
  /** Unwrapped keys by key id (dropped on erasure). */
  private readonly cache = new Map<string, { ref: string; key: Buffer }>();
  /** The keys this process used last for encrypting, by key id (a case's commands come in bursts). */
  private readonly recent = new Map<string, { ref: string; key: Buffer }>();
  private index: ComplainantIndex | undefined;

  constructor(
    private readonly db: Queryable,
    private readonly master: PayloadKeyring,
    schema = 'keys',
  ) {
    if (!IDENT.test(schema)) throw new Error(`key store schema ${JSON.stringify(schema)} is not a plain lower-case SQL identifier`);
    this.s = schema;
  }

  async init(): Promise<void> {
    await createObjects(this.db, [
      `create schema if not exists ${this.s}`,
      `create table if not exists ${this.s}.subject_keys (
      subject_ref    text primary key,
      key_id         text not null unique,
      master_key_id  text,
      wrapped_key    text,
      created_at     timestamptz not null,
      erased_at      timestamptz
    )`,
    ]);
  }

  /** Encrypts one value for a subject, making the subject's key on first use. */
  async encrypt(ref: string, plaintext: string): Promise<EncryptedValue> {
    const { keyId, key } = await this.keyFor(ref);
    const { nonce, sealed } = seal(key, Buffer.from(plaintext, 'utf8'), fieldAad(ref, keyId));
    return { pii: true, ref, keyId, nonce: nonce.toString('base64'), ciphertext: sealed.toString('base64') };
  }

  /** The plaintext, or null when the subject's key has been erased. */
  async decrypt(field: EncryptedValue): Promise<string | null> {
    const key = await this.keyById(field.keyId);
    if (!key) return null;
    if (key.ref !== field.ref) throw new Error(`personal field of ${field.ref} names the key of another subject`);
    return open(key.key, Buffer.from(field.nonce, 'base64'), Buffer.from(field.ciphertext, 'base64'), fieldAad(field.ref, field.keyId)).toString('utf8');
  }

  /**
   * A keyed fingerprint of a subject's text (HMAC-SHA-256 under a key derived from the subject's data key):
   * equal texts give equal fingerprints, and without the key — after erasure, to anyone — it says nothing.
   */
  async fingerprint(ref: string, text: string): Promise<string> {
    const { key } = await this.keyFor(ref);
    const derived = crypto.createHmac('sha256', key).update('mediation-engine command fingerprint v1').digest();
    return crypto.createHmac('sha256', derived).update(text, 'utf8').digest('hex');
  }

  /**
   * The blind index of complainants' ID numbers (runtime/complainant-index.ts), in this store's schema and
   * under its master keyring. The caller erases a subject's index rows when it erases the subject's keys.
   */
  complainantIndex(): ComplainantIndex {
    this.index ??= new ComplainantIndex(this.db, this.master, this.s);
    return this.index;
  }

  /** Destroys the keys of these subjects (tombstones stay). Returns the subjects whose key was destroyed now. */
  async erase(refs: readonly string[], at = new Date()): Promise<string[]> {
    if (refs.length === 0) return [];
    // A subject never given a key gets a tombstone too: nothing may be encrypted for it afterwards.
    const erased = await this.db.query<{ subject_ref: string }>(
      `insert into ${this.s}.subject_keys (subject_ref, key_id, master_key_id, wrapped_key, created_at, erased_at)
         select r, 'none-' || md5(r), null, null, $2, $2 from unnest($1::text[]) as r
       on conflict (subject_ref) do update set wrapped_key = null, master_key_id = null, erased_at = coalesce(${this.s}.subject_keys.erased_at, excluded.erased_at)
       returning subject_ref`,
      [refs, at.toISOString()],
    );
    for (const map of [this.cache, this.recent]) for (const [keyId, entry] of map) if (refs.includes(entry.ref)) map.delete(keyId);
    return erased.rows.map((r) => r.subject_ref);
  }

  async rows(refs?: readonly string[]): Promise<SubjectKeyRow[]> {
    const found = await this.db.query<SubjectKeyRow>(
      `select subject_ref as "subjectRef", key_id as "keyId", to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt",
         case when erased_at is null then null else to_char(erased_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') end as "erasedAt"
       from ${this.s}.subject_keys where ($1::text[] is null or subject_ref = any($1)) order by subject_ref`,
      [refs ?? null],
    );
    return found.rows;
  }

  private async keyFor(ref: string): Promise<{ keyId: string; key: Buffer }> {
    for (const [keyId, entry] of this.recent) if (entry.ref === ref) return { keyId, key: entry.key };
    const existing = await this.db.query<{ key_id: string; wrapped_key: string | null; master_key_id: string | null; erased_at: unknown }>(
      `select key_id, wrapped_key, master_key_id, erased_at from ${this.s}.subject_keys where subject_ref = $1`,
      [ref],
    );
    const row = existing.rows[0];
    if (row) {
      if (row.erased_at !== null || row.wrapped_key === null) throw new SubjectErasedError(ref);
      const key = this.unwrap(ref, row.key_id, row.master_key_id!, row.wrapped_key);
      this.remember(row.key_id, ref, key);
      return { keyId: row.key_id, key };
    }
    const keyId = `dk-${crypto.randomUUID()}`;
    const key = crypto.randomBytes(32);
    const masterKeyId = this.master.currentKeyId;
    const { nonce, sealed } = seal(this.master.key(masterKeyId)!, key, wrapAad(ref, keyId, masterKeyId));
    const inserted = await this.db.query<{ key_id: string }>(
      `insert into ${this.s}.subject_keys (subject_ref, key_id, master_key_id, wrapped_key, created_at) values ($1, $2, $3, $4, $5)
       on conflict (subject_ref) do nothing returning key_id`,
      [ref, keyId, masterKeyId, Buffer.concat([nonce, sealed]).toString('base64'), new Date().toISOString()],
    );
    // Another request made the subject's key first: use that one.
    if (inserted.rows.length === 0) return this.keyFor(ref);
    this.cache.set(keyId, { ref, key });
    this.remember(keyId, ref, key);
    return { keyId, key };
  }

  private remember(keyId: string, ref: string, key: Buffer): void {
    this.recent.set(keyId, { ref, key });
    // A few hundred subjects at most: the lookup above is a scan, and keys should not pile up in memory.
    if (this.recent.size > 256) this.recent.delete(this.recent.keys().next().value!);
  }

  private async keyById(keyId: string): Promise<{ ref: string; key: Buffer } | undefined> {
    const cached = this.cache.get(keyId);
    if (cached) return cached;
    const found = await this.db.query<{ subject_ref: string; wrapped_key: string | null; master_key_id: string | null }>(
      `select subject_ref, wrapped_key, master_key_id from ${this.s}.subject_keys where key_id = $1 and erased_at is null`,
      [keyId],
    );
    const row = found.rows[0];
    if (!row || row.wrapped_key === null || row.master_key_id === null) return undefined;
    const entry = { ref: row.subject_ref, key: this.unwrap(row.subject_ref, keyId, row.master_key_id, row.wrapped_key) };
    this.cache.set(keyId, entry);
    return entry;
  }

  private unwrap(ref: string, keyId: string, masterKeyId: string, wrapped: string): Buffer {
    const master = this.master.key(masterKeyId);
    if (!master) throw new PayloadKeyError(`the data key of ${ref} is wrapped by master key "${masterKeyId}", which this process does not hold`);
    const bytes = Buffer.from(wrapped, 'base64');
    return open(master, bytes.subarray(0, 12), bytes.subarray(12), wrapAad(ref, keyId, masterKeyId));
  }
}
