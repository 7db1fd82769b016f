// The key store of crypto-shredding (events/personal-data.ts): one AES-256-GCM data key per data subject
// (a complainant, or a case's free text), kept in a schema of its own (`keys`, beside the read models; a
// read-model rebuild must never touch it).
//
// Three layers, so that erasure holds on disk and not only in the table (docs/personal-data-erasure.md):
// - a subject's data key is wrapped by the key of the current erasure epoch (keys.subject_keys);
// - the epoch key is wrapped by the epoch's key-encryption key (KEK) and kept in keys.epochs;
// - the KEK lives only in a KekStore (runtime/kek-store.ts: a keyring file outside the data directory, or
//   a KMS), never in the database.
// Erasing subjects opens a new epoch in one transaction: their wrapped keys go, every remaining key (and
// the complainant index key) is re-wrapped under a new epoch key with a new KEK, and the old epoch's KEK
// is recorded as retired; after the commit the KEK is destroyed in the KekStore. The database's write-ahead
// log, its backups and replicas keep the erased subjects' old rows, but those are sealed by epoch keys that
// are sealed by destroyed KEKs: no copy of the database, with the keyring as it is after the erasure,
// opens them. A crash before the commit leaves the old epoch whole; after it, the retirement is finished at
// the next start (init) or erasure, and every remaining key is under the new epoch already.
//
// Only the API holds this store: the worker, the projector and Kafka never see a data key.
import crypto from 'node:crypto';
import path from 'node:path';
import { createObjects, type Queryable } from '../readmodels/db.js';
import type { EncryptedValue } from '../events/personal-data.js';
import type { PayloadKeyring } from './payload-codec.js';
import { keyringFromJson, PayloadKeyError } from './payload-codec.js';
import { blindIndexUnder, COMPLAINANT_INDEX_PURPOSE, ComplainantIndex, indexKeyAad, sealedIdAad, type IndexKeyWrapping } from './complainant-index.js';
import { openAesGcm, sealAesGcm } from './crypto.js';
import { FileKekStore, KeyringKekStore, type KekStore } from './kek-store.js';
import { assertSqlIdentifier } from './sql-identifier.js';

/** Rows re-wrapped per UPDATE when an epoch turns over. */
const REWRAP_BATCH = 5_000;

export class SubjectErasedError extends Error {
  constructor(readonly ref: string) {
    super(`the personal data of subject ${ref} has been erased: no new data can be encrypted for it`);
  }
}

/**
 * The KEKs of the key store: PERSONAL_DATA_MASTER_KEYS_FILE (a keyring file the store rewrites at each
 * erasure; it must not be inside the data directory) or PERSONAL_DATA_MASTER_KEYS (a fixed keyring as an
 * environment secret: it cannot forget a key, so erasure there is only as strong as the secret's custody).
 */
export function masterKeySource(
  env: { PERSONAL_DATA_MASTER_KEYS?: string | undefined; PERSONAL_DATA_MASTER_KEYS_FILE?: string | undefined; MEDIATION_DATA_DIR?: string | undefined; PGLITE_PATH?: string | undefined } = process.env,
): { load(): Promise<KekStore> } {
  return {
    async load() {
      if (env.PERSONAL_DATA_MASTER_KEYS) {
        try {
          return new KeyringKekStore(keyringFromJson(JSON.parse(env.PERSONAL_DATA_MASTER_KEYS), 'PERSONAL_DATA_MASTER_KEYS'), 'PERSONAL_DATA_MASTER_KEYS', false);
        } catch (err) {
          if (err instanceof PayloadKeyError) throw err;
          throw new PayloadKeyError('PERSONAL_DATA_MASTER_KEYS: not JSON; expected {"current": …, "keys": {…}}');
        }
      }
      if (env.PERSONAL_DATA_MASTER_KEYS_FILE) {
        const file = path.resolve(env.PERSONAL_DATA_MASTER_KEYS_FILE);
        for (const variable of ['MEDIATION_DATA_DIR', 'PGLITE_PATH'] as const) {
          const dir = env[variable] && path.resolve(env[variable]);
          if (dir && (file === dir || file.startsWith(dir + path.sep))) {
            throw new PayloadKeyError(
              `PERSONAL_DATA_MASTER_KEYS_FILE ${file} is inside ${variable} (${dir}): the keyring must not live beside the data it protects, or a copy of the data directory carries the keys that erasure destroyed; move it (e.g. under ~/.config/mediation-engine/ or MEDIATION_KEYS_DIR)`,
            );
          }
        }
        return new FileKekStore(file);
      }
      throw new PayloadKeyError(
        'no personal-data master key: set PERSONAL_DATA_MASTER_KEYS_FILE to a keyring file outside the data directory (npm start makes one under ~/.config/mediation-engine/) or PERSONAL_DATA_MASTER_KEYS to its JSON',
      );
    },
  };
}

// The additional data binds a ciphertext to its subject and key: moved to another person's field, it fails.
export const fieldAad = (ref: string, keyId: string) => `mediation-engine/personal-value/v1\n${ref}\n${keyId}`;
/** A data key wrapped directly by a master key (the key store before erasure epochs). */
export const legacyWrapAad = (ref: string, keyId: string, masterKeyId: string) => `mediation-engine/data-key/v1\n${ref}\n${keyId}\n${masterKeyId}`;
/** A data key wrapped by an epoch key; the epoch is named by its KEK's id. */
export const subjectWrapAad = (ref: string, keyId: string, epoch: string) => `mediation-engine/data-key/v2\n${ref}\n${keyId}\n${epoch}`;
/** An epoch key wrapped by its KEK. */
export const epochWrapAad = (epoch: string) => `mediation-engine/epoch-key/v1\n${epoch}`;

export type SubjectKeyRow = {
  subjectRef: string;
  keyId: string;
  createdAt: string;
  erasedAt: string | null;
};

type WrappedRow = { epoch: string | null; master_key_id: string | null; wrapped_key: string };

export interface EpochTurnover {
  /** The epoch now current (its KEK's id). */
  epoch: string;
  /** The KEKs retired by it (destroyed in the KekStore unless `destroyed` is false). */
  retired: string[];
  rewrapped: number;
}

export class PersonalDataKeys {
  private readonly s: string;
  readonly kekStore: KekStore;
  /** Unwrapped keys by key id (dropped on erasure). */
  private readonly cache = new Map<string, { ref: string; key: Buffer }>();
  /** The keys this process used last for encrypting, by key id (a case's commands come in bursts). */
  private readonly recent = new Map<string, { ref: string; key: Buffer }>();
  private readonly epochKeys = new Map<string, Buffer>();
  private current: string | undefined;
  private index: ComplainantIndex | undefined;

  /** `kek`: a KekStore, or a keyring (held in memory; tests and benchmarks). */
  constructor(
    private readonly db: Queryable,
    kek: KekStore | PayloadKeyring,
    schema = 'keys',
  ) {
    this.s = assertSqlIdentifier(schema, 'key store schema');
    this.kekStore = 'currentKeyId' in kek ? new KeyringKekStore(kek) : kek;
  }

  /** Whether an erasure destroys keys on disk too (false with a fixed keyring: PERSONAL_DATA_MASTER_KEYS). */
  get erasureRetiresKeys(): boolean {
    return this.kekStore.mutable;
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
      `alter table ${this.s}.subject_keys add column if not exists epoch text`,
      `create table if not exists ${this.s}.epochs (
      epoch        text primary key,
      wrapped_key  text,
      created_at   timestamptz not null,
      retired_at   timestamptz
    )`,
      `create table if not exists ${this.s}.epoch_state (
      singleton      boolean primary key default true check (singleton),
      current_epoch  text not null
    )`,
      `create table if not exists ${this.s}.kek_retirements (
      kek_id        text primary key,
      retired_at    timestamptz not null,
      destroyed_at  timestamptz
    )`,
    ]);
    await this.complainantIndex().init();
    // A crash between an epoch's commit and the destruction of its predecessor's KEK: finish it now.
    if (this.kekStore.mutable) await this.destroyRetired();
  }

  /** Encrypts one value for a subject, making the subject's key on first use. */
  async encrypt(ref: string, plaintext: string): Promise<EncryptedValue> {
    const { keyId, key } = await this.keyFor(ref);
    const sealed = sealAesGcm(key, Buffer.from(plaintext, 'utf8'), fieldAad(ref, keyId));
    return { pii: true, ref, keyId, nonce: sealed.subarray(0, 12).toString('base64'), ciphertext: sealed.subarray(12).toString('base64') };
  }

  /** The plaintext, or null when the subject's key has been erased. */
  async decrypt(field: EncryptedValue): Promise<string | null> {
    const key = await this.keyById(field.keyId);
    if (!key) return null;
    if (key.ref !== field.ref) throw new Error(`personal field of ${field.ref} names the key of another subject`);
    const sealed = Buffer.concat([Buffer.from(field.nonce, 'base64'), Buffer.from(field.ciphertext, 'base64')]);
    return openAesGcm(key.key, sealed, fieldAad(field.ref, field.keyId)).toString('utf8');
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
   * The blind index of complainants' ID numbers (runtime/complainant-index.ts), in this store's schema, its
   * key wrapped by the current epoch like the data keys. The caller erases a subject's index rows when it
   * erases the subject's keys.
   */
  complainantIndex(): ComplainantIndex {
    const wrapping: IndexKeyWrapping = {
      seal: async (plain, aadOf) => {
        // Read afresh: the index key is made once, and its insert requires the epoch to be current.
        this.current = undefined;
        const epoch = await this.currentEpoch(this.db);
        return { epoch, sealed: sealAesGcm(await this.epochKey(this.db, epoch), plain, aadOf(epoch)) };
      },
      open: (row, aadOf) => this.unwrapWith(this.db, row, aadOf),
      sealForSubject: async (ref, plain, aad) => sealAesGcm((await this.keyFor(ref)).key, plain, aad),
    };
    this.index ??= new ComplainantIndex(this.db, wrapping, this.s);
    return this.index;
  }

  /**
   * Destroys the keys of these subjects (tombstones stay) and, when the KekStore can forget keys, turns the
   * erasure epoch over: one epoch for the whole call, so a batch of subjects costs one re-wrap. Returns the
   * subjects whose key was destroyed now.
   */
  async erase(refs: readonly string[], at = new Date()): Promise<string[]> {
    if (refs.length === 0) return [];
    const erased = await this.transaction(async (tx) => {
      await this.lockEpoch(tx);
      // A subject never given a key gets a tombstone too: nothing may be encrypted for it afterwards.
      const rows = await tx.query<{ subject_ref: string }>(
        `insert into ${this.s}.subject_keys (subject_ref, key_id, master_key_id, wrapped_key, created_at, erased_at)
           select r, 'none-' || md5(r), null, null, $2, $2 from unnest($1::text[]) as r
         on conflict (subject_ref) do update set wrapped_key = null, master_key_id = null, epoch = null, erased_at = coalesce(${this.s}.subject_keys.erased_at, excluded.erased_at)
         returning subject_ref`,
        [refs, at.toISOString()],
      );
      if (this.kekStore.mutable) await this.turnOver(tx, at);
      return rows.rows.map((r) => r.subject_ref);
    });
    for (const map of [this.cache, this.recent]) for (const [keyId, entry] of map) if (refs.includes(entry.ref)) map.delete(keyId);
    this.index?.forgetKey();
    if (this.kekStore.mutable) await this.destroyRetired();
    return erased;
  }

  /** Opens a new epoch without erasing anyone (an operator's rotation of the KEK). */
  async rotate(at = new Date()): Promise<EpochTurnover> {
    if (!this.kekStore.mutable) throw new PayloadKeyError(`${this.kekStore.describe} is a fixed keyring: its keys cannot be rotated from here`);
    const turnover = await this.transaction(async (tx) => {
      await this.lockEpoch(tx);
      return this.turnOver(tx, at);
    });
    this.index?.forgetKey();
    await this.destroyRetired();
    return turnover;
  }

  /** The current epoch (its KEK's id), made on first use. */
  async epoch(): Promise<string> {
    return this.currentEpoch(this.db);
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

  private async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const db = this.db as Queryable & { transaction?: <R>(fn: (tx: Queryable) => Promise<R>) => Promise<R> };
    try {
      return await (db.transaction ? db.transaction(fn) : fn(this.db));
    } catch (err) {
      // An epoch begun in the rolled-back transaction never existed: read the current one again.
      this.current = undefined;
      throw err;
    }
  }

  /** The current epoch, taking the row lock every new key's insert shares: epochs turn over one at a time. */
  private async lockEpoch(tx: Queryable): Promise<string> {
    await this.currentEpoch(tx);
    const locked = await tx.query<{ current_epoch: string }>(`select current_epoch from ${this.s}.epoch_state for update`);
    this.current = locked.rows[0]!.current_epoch;
    return this.current;
  }

  private async currentEpoch(q: Queryable): Promise<string> {
    if (this.current) return this.current;
    const state = await q.query<{ current_epoch: string }>(`select current_epoch from ${this.s}.epoch_state`);
    if (state.rows[0]) return (this.current = state.rows[0].current_epoch);
    // The first epoch: its KEK is the store's current key (a fresh keyring has just that one).
    const kekId = await this.kekStore.currentId();
    const key = crypto.randomBytes(32);
    const sealed = await this.kekStore.wrap(kekId, key, epochWrapAad(kekId));
    await q.query(`insert into ${this.s}.epochs (epoch, wrapped_key, created_at) values ($1, $2, $3) on conflict (epoch) do nothing`, [kekId, sealed.toString('base64'), new Date().toISOString()]);
    await q.query(`insert into ${this.s}.epoch_state (current_epoch) values ($1) on conflict (singleton) do nothing`, [kekId]);
    // Another process may have begun it first: read back whichever won.
    return this.currentEpoch(q);
  }

  private async epochKey(q: Queryable, epoch: string): Promise<Buffer> {
    const cached = this.epochKeys.get(epoch);
    if (cached) return cached;
    const found = await q.query<{ wrapped_key: string | null }>(`select wrapped_key from ${this.s}.epochs where epoch = $1`, [epoch]);
    const wrapped = found.rows[0]?.wrapped_key;
    if (!wrapped) throw new PayloadKeyError(`erasure epoch "${epoch}" is retired or unknown in key store ${this.s}`);
    const key = await this.kekStore.unwrap(epoch, Buffer.from(wrapped, 'base64'), epochWrapAad(epoch));
    if (!key) throw new PayloadKeyError(`the key of erasure epoch "${epoch}" is wrapped by a key-encryption key that ${this.kekStore.describe} does not hold`);
    this.epochKeys.set(epoch, key);
    return key;
  }

  /** A key wrapped by an epoch key, or (before epochs) directly by a master key. */
  private async unwrapWith(q: Queryable, row: { epoch: string | null; masterKeyId: string | null; sealed: Buffer }, aadOf: (wrappedBy: string) => string): Promise<Buffer> {
    if (row.epoch) return openAesGcm(await this.epochKey(q, row.epoch), row.sealed, aadOf(row.epoch));
    const key = row.masterKeyId ? await this.kekStore.unwrap(row.masterKeyId, row.sealed, aadOf(row.masterKeyId)) : undefined;
    if (!key) throw new PayloadKeyError(`a key is wrapped by master key "${row.masterKeyId}", which ${this.kekStore.describe} does not hold`);
    return key;
  }

  private unwrapSubject(q: Queryable, ref: string, keyId: string, row: WrappedRow): Promise<Buffer> {
    return this.unwrapWith(q, { epoch: row.epoch, masterKeyId: row.master_key_id, sealed: Buffer.from(row.wrapped_key, 'base64') }, (by) =>
      row.epoch ? subjectWrapAad(ref, keyId, by) : legacyWrapAad(ref, keyId, by),
    );
  }

  private async keyFor(ref: string): Promise<{ keyId: string; key: Buffer }> {
    for (const [keyId, entry] of this.recent) if (entry.ref === ref) return { keyId, key: entry.key };
    const existing = await this.db.query<{ key_id: string; wrapped_key: string | null; master_key_id: string | null; epoch: string | null; erased_at: unknown }>(
      `select key_id, wrapped_key, master_key_id, epoch, erased_at from ${this.s}.subject_keys where subject_ref = $1`,
      [ref],
    );
    const row = existing.rows[0];
    if (row) {
      if (row.erased_at !== null || row.wrapped_key === null) throw new SubjectErasedError(ref);
      const key = await this.unwrapSubject(this.db, ref, row.key_id, row as WrappedRow);
      this.remember(row.key_id, ref, key);
      return { keyId: row.key_id, key };
    }
    const keyId = `dk-${crypto.randomUUID()}`;
    const key = crypto.randomBytes(32);
    const epoch = await this.currentEpoch(this.db);
    const sealed = sealAesGcm(await this.epochKey(this.db, epoch), key, subjectWrapAad(ref, keyId, epoch));
    // Only under the epoch that is current when the row is written: the share lock waits for an epoch turning
    // over, whose re-wrap would not see this row, and then finds the epoch changed.
    const inserted = await this.db.query<{ key_id: string }>(
      `insert into ${this.s}.subject_keys (subject_ref, key_id, epoch, wrapped_key, created_at)
         select $1::text, $2::text, $3::text, $4::text, $5::timestamptz from ${this.s}.epoch_state where current_epoch = $3 for share
       on conflict (subject_ref) do nothing returning key_id`,
      [ref, keyId, epoch, sealed.toString('base64'), new Date().toISOString()],
    );
    if (inserted.rows.length === 0) {
      // Another request made the subject's key first (use that one), or the epoch turned over (wrap again).
      this.current = undefined;
      return this.keyFor(ref);
    }
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
    const found = await this.db.query<{ subject_ref: string; wrapped_key: string | null; master_key_id: string | null; epoch: string | null }>(
      `select subject_ref, wrapped_key, master_key_id, epoch from ${this.s}.subject_keys where key_id = $1 and erased_at is null`,
      [keyId],
    );
    const row = found.rows[0];
    if (!row || row.wrapped_key === null) return undefined;
    const entry = { ref: row.subject_ref, key: await this.unwrapSubject(this.db, row.subject_ref, keyId, row as WrappedRow) };
    this.cache.set(keyId, entry);
    return entry;
  }

  /**
   * Inside the caller's transaction, holding the epoch lock: a new KEK and epoch key, every remaining data
   * key and the index key re-wrapped under it, the old epochs' keys dropped and their KEKs (and any master
   * key that wrapped keys directly) recorded for destruction.
   */
  private async turnOver(tx: Queryable, at: Date): Promise<EpochTurnover> {
    const kekId = await this.kekStore.create();
    const epochKey = crypto.randomBytes(32);
    const sealedEpoch = await this.kekStore.wrap(kekId, epochKey, epochWrapAad(kekId));
    await tx.query(`insert into ${this.s}.epochs (epoch, wrapped_key, created_at) values ($1, $2, $3)`, [kekId, sealedEpoch.toString('base64'), at.toISOString()]);

    const retired = new Set<string>();
    const liveKeys = new Map<string, Buffer>();
    const live = await tx.query<{ subject_ref: string; key_id: string } & WrappedRow>(
      `select subject_ref, key_id, epoch, master_key_id, wrapped_key from ${this.s}.subject_keys where wrapped_key is not null and erased_at is null order by subject_ref`,
    );
    for (let i = 0; i < live.rows.length; i += REWRAP_BATCH) {
      const batch = live.rows.slice(i, i + REWRAP_BATCH);
      const refs: string[] = [];
      const wrapped: string[] = [];
      for (const row of batch) {
        if (!row.epoch && row.master_key_id) retired.add(row.master_key_id);
        const key = await this.unwrapSubject(tx, row.subject_ref, row.key_id, row);
        liveKeys.set(row.subject_ref, key);
        refs.push(row.subject_ref);
        wrapped.push(sealAesGcm(epochKey, key, subjectWrapAad(row.subject_ref, row.key_id, kekId)).toString('base64'));
      }
      await tx.query(
        `update ${this.s}.subject_keys k set wrapped_key = v.w, epoch = $3, master_key_id = null
         from unnest($1::text[], $2::text[]) as v(ref, w) where k.subject_ref = v.ref`,
        [refs, wrapped, kekId],
      );
    }

    // The index keys are replaced, not re-wrapped: an erased subject's old blind index (in the WAL, a backup)
    // stays a digest under a key that is destroyed with this epoch's predecessor.
    const hasIndex = (await tx.query<{ t: string | null }>(`select to_regclass($1)::text as t`, [`${this.s}.index_keys`])).rows[0]?.t;
    if (hasIndex) {
      const indexKeys = await tx.query<{ purpose: string; epoch: string | null; master_key_id: string | null }>(`select purpose, epoch, master_key_id from ${this.s}.index_keys`);
      let complainantKey: Buffer | undefined;
      for (const row of indexKeys.rows) {
        if (!row.epoch && row.master_key_id) retired.add(row.master_key_id);
        const key = crypto.randomBytes(32);
        if (row.purpose === COMPLAINANT_INDEX_PURPOSE) complainantKey = key;
        await tx.query(`update ${this.s}.index_keys set wrapped_key = $2, epoch = $3, master_key_id = null where purpose = $1`, [
          row.purpose,
          sealAesGcm(epochKey, key, indexKeyAad(row.purpose, kekId)).toString('base64'),
          kekId,
        ]);
      }
      if (complainantKey) await this.recomputeComplainantIndex(tx, complainantKey, liveKeys);
    }

    const old = await tx.query<{ epoch: string }>(
      `update ${this.s}.epochs set wrapped_key = null, retired_at = $2 where epoch <> $1 and retired_at is null returning epoch`,
      [kekId, at.toISOString()],
    );
    for (const r of old.rows) retired.add(r.epoch);
    retired.delete(kekId);
    await tx.query(`insert into ${this.s}.kek_retirements (kek_id, retired_at) select unnest($1::text[]), $2 on conflict (kek_id) do nothing`, [[...retired], at.toISOString()]);
    await tx.query(`update ${this.s}.epoch_state set current_epoch = $1`, [kekId]);
    for (const id of retired) this.epochKeys.delete(id);
    this.epochKeys.set(kekId, epochKey);
    this.current = kekId;
    return { epoch: kekId, retired: [...retired], rewrapped: live.rows.length };
  }

  /**
   * Every remaining row of the complainant index under the new index key, from the ID number sealed under its
   * subject's data key. A row that cannot be recomputed (its subject has no key, or it was written before rows
   * kept the sealed ID number) is dropped: a duplicate warning fewer, rather than a digest that outlives the key.
   */
  private async recomputeComplainantIndex(tx: Queryable, key: Buffer, liveKeys: ReadonlyMap<string, Buffer>): Promise<void> {
    const rows = await tx.query<{ subject_ref: string; case_id: string; sealed_id: string | null }>(`select subject_ref, case_id, sealed_id from ${this.s}.complainant_index`);
    const keep: Array<[string, string, string]> = [];
    const drop: Array<[string, string]> = [];
    for (const row of rows.rows) {
      const dataKey = liveKeys.get(row.subject_ref);
      if (!dataKey || !row.sealed_id) {
        drop.push([row.subject_ref, row.case_id]);
        continue;
      }
      const idNumber = openAesGcm(dataKey, Buffer.from(row.sealed_id, 'base64'), sealedIdAad(row.subject_ref, row.case_id)).toString('utf8');
      keep.push([row.subject_ref, row.case_id, blindIndexUnder(key, idNumber)]);
    }
    for (let i = 0; i < keep.length; i += REWRAP_BATCH) {
      const batch = keep.slice(i, i + REWRAP_BATCH);
      await tx.query(
        `update ${this.s}.complainant_index c set blind_index = v.b from unnest($1::text[], $2::text[], $3::text[]) as v(ref, case_id, b)
         where c.subject_ref = v.ref and c.case_id = v.case_id`,
        [batch.map((r) => r[0]), batch.map((r) => r[1]), batch.map((r) => r[2])],
      );
    }
    if (drop.length > 0) {
      await tx.query(`delete from ${this.s}.complainant_index c using unnest($1::text[], $2::text[]) as v(ref, case_id) where c.subject_ref = v.ref and c.case_id = v.case_id`, [
        drop.map((r) => r[0]),
        drop.map((r) => r[1]),
      ]);
    }
  }

  /** Destroys, in the KekStore, the KEKs that committed epochs retired and that are not destroyed yet. */
  private async destroyRetired(): Promise<void> {
    const pending = await this.db.query<{ kek_id: string }>(`select kek_id from ${this.s}.kek_retirements where destroyed_at is null`);
    if (pending.rows.length === 0) return;
    const ids = pending.rows.map((r) => r.kek_id);
    await this.kekStore.destroy(ids);
    await this.db.query(`update ${this.s}.kek_retirements set destroyed_at = $2 where kek_id = any($1::text[])`, [ids, new Date().toISOString()]);
  }
}
