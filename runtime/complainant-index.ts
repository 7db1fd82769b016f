// A keyed blind index of complainants' ID numbers, so that intake can warn "this person already has an open
// case against this enterprise" although every complainant's data is encrypted under their own key.
//
// Why not in the events: an ID number has low entropy (birth date, region, sequence, check digit), so even a
// keyed digest in the immutable log would outlive the person's erasure and could be brute-forced by anyone
// who ever got the key. The index lives in the key store's schema instead (`keys.complainant_index`, beside
// the data keys; a read-model rebuild never touches it), one row per subject and case, written by the API
// when it receives a case and deleted when the subject's keys are erased (api/routes/erasure.ts).
//
// The index key: one random HMAC-SHA-256 key per erasure epoch, kept wrapped (AES-256-GCM) by the epoch's key
// like the subjects' data keys. A copy of the database alone therefore cannot test guesses against the index.
// Each row also keeps the ID number sealed under its subject's own data key (sealed_id): when an epoch turns
// over (runtime/personal-data-keys.ts) the index key is replaced and every remaining row's blind index is
// computed again from it, so an erased subject's old row — in the WAL, a backup — is a digest under a key that
// no longer exists, and cannot be tested against guesses either.
// Only the API holds this store.
import crypto from 'node:crypto';
import { createObjects, type Queryable } from '../readmodels/db.js';
import { assertSqlIdentifier } from './sql-identifier.js';
import { normaliseResidentId } from '../domain/identifiers/index.js';

export const COMPLAINANT_INDEX_PURPOSE = 'complainant-id-number/v1';
const PURPOSE = COMPLAINANT_INDEX_PURPOSE;
/** The additional data of the index key's wrapping: its purpose and the epoch (or, before epochs, master key) that wraps it. */
export const indexKeyAad = (purpose: string, wrappedBy: string) => `mediation-engine/index-key/v1\n${purpose}\n${wrappedBy}`;

/** The additional data of an ID number sealed under its subject's data key in the index row. */
export const sealedIdAad = (subjectRef: string, caseId: string) => `mediation-engine/index-id-number/v1\n${subjectRef}\n${caseId}`;

/** The blind index of a normalised ID number under an index key. */
export function blindIndexUnder(key: Buffer, normalisedIdNumber: string): string {
  return crypto.createHmac('sha256', key).update(normalisedIdNumber, 'utf8').digest('hex');
}

/** How the index key is sealed and opened, and an ID number sealed for its subject: by the key store that holds this index. */
export interface IndexKeyWrapping {
  seal(plain: Buffer, aadOf: (wrappedBy: string) => string): Promise<{ epoch: string; sealed: Buffer }>;
  open(row: { epoch: string | null; masterKeyId: string | null; sealed: Buffer }, aadOf: (wrappedBy: string) => string): Promise<Buffer>;
  sealForSubject(subjectRef: string, plain: Buffer, aad: string): Promise<Buffer>;
}

/** An ID number as compared: the edge's normal form (no spaces or dashes, the check character X upper-case). */
export const normaliseIdNumber = normaliseResidentId;

export interface IndexedComplainant {
  subjectRef: string;
  idNumber: string;
}

export class ComplainantIndex {
  private readonly s: string;
  private key: { epoch: string | null; key: Buffer } | undefined;

  constructor(
    private readonly db: Queryable,
    private readonly wrapping: IndexKeyWrapping,
    schema = 'keys',
  ) {
    this.s = assertSqlIdentifier(schema, 'key store schema');
  }

  async init(): Promise<void> {
    await createObjects(this.db, [
      `create schema if not exists ${this.s}`,
      `create table if not exists ${this.s}.index_keys (
      purpose        text primary key,
      master_key_id  text not null,
      wrapped_key    text not null,
      created_at     timestamptz not null
    )`,
      // Wrapped by an erasure epoch's key (epoch) or, as before epochs, by a master key (master_key_id).
      `alter table ${this.s}.index_keys add column if not exists epoch text`,
      `alter table ${this.s}.index_keys alter column master_key_id drop not null`,
      `create table if not exists ${this.s}.complainant_index (
      subject_ref  text not null,
      case_id      text not null,
      blind_index  text not null,
      created_at   timestamptz not null,
      primary key (subject_ref, case_id)
    )`,
      `create index if not exists complainant_index_blind on ${this.s}.complainant_index (blind_index)`,
      `alter table ${this.s}.complainant_index add column if not exists sealed_id text`,
    ]);
  }

  /** The blind index of an ID number: HMAC-SHA-256 under the index key, hex. */
  async blindIndex(idNumber: string): Promise<string> {
    return blindIndexUnder((await this.indexKey()).key, normaliseIdNumber(idNumber));
  }

  /** Records the complainants of a received case (those with an ID number). */
  async record(caseId: string, complainants: readonly IndexedComplainant[], at = new Date()): Promise<void> {
    for (const c of complainants) {
      const idNumber = normaliseIdNumber(c.idNumber);
      const sealed = (await this.wrapping.sealForSubject(c.subjectRef, Buffer.from(idNumber, 'utf8'), sealedIdAad(c.subjectRef, caseId))).toString('base64');
      for (;;) {
        const { epoch, key } = await this.indexKey();
        // Under the index key that is current when the row is written: the share lock waits for an epoch
        // turning over (which recomputes every row it sees), and then finds the key changed.
        const written = await this.db.query(
          `insert into ${this.s}.complainant_index (subject_ref, case_id, blind_index, sealed_id, created_at)
             select $1::text, $2::text, $3::text, $4::text, $5::timestamptz from ${this.s}.index_keys where purpose = $6 and epoch is not distinct from $7::text for share
           on conflict (subject_ref, case_id) do update set blind_index = excluded.blind_index, sealed_id = excluded.sealed_id
           returning case_id`,
          [c.subjectRef, caseId, blindIndexUnder(key, idNumber), sealed, at.toISOString(), PURPOSE, epoch],
        );
        if (written.rows.length > 0) break;
        this.key = undefined;
      }
    }
  }

  /** The cases naming a complainant with one of these ID numbers. */
  async casesOf(idNumbers: readonly string[]): Promise<string[]> {
    if (idNumbers.length === 0) return [];
    const indexes = await Promise.all(idNumbers.map((n) => this.blindIndex(n)));
    const found = await this.db.query<{ case_id: string }>(
      `select distinct case_id from ${this.s}.complainant_index where blind_index = any($1::text[]) order by case_id`,
      [indexes],
    );
    return found.rows.map((r) => r.case_id);
  }

  /** Forgets the cached index key (an epoch turned over). */
  forgetKey(): void {
    this.key = undefined;
  }

  /** Deletes the index rows of erased subjects. Returns how many rows went. */
  async erase(refs: readonly string[]): Promise<number> {
    if (refs.length === 0) return 0;
    const deleted = await this.db.query<{ subject_ref: string }>(`delete from ${this.s}.complainant_index where subject_ref = any($1::text[]) returning subject_ref`, [refs]);
    return deleted.rows.length;
  }

  private async indexKey(): Promise<{ epoch: string | null; key: Buffer }> {
    const aadOf = (by: string) => indexKeyAad(PURPOSE, by);
    const existing = await this.db.query<{ epoch: string | null; master_key_id: string | null; wrapped_key: string }>(
      `select epoch, master_key_id, wrapped_key from ${this.s}.index_keys where purpose = $1`,
      [PURPOSE],
    );
    const row = existing.rows[0];
    if (row) {
      // Another API process may have turned the epoch over: the key is the one of the row's epoch.
      if (this.key && this.key.epoch === row.epoch && row.epoch !== null) return this.key;
      const key = await this.wrapping.open({ epoch: row.epoch, masterKeyId: row.master_key_id, sealed: Buffer.from(row.wrapped_key, 'base64') }, aadOf);
      this.key = { epoch: row.epoch, key };
      return this.key;
    }
    const { epoch, sealed } = await this.wrapping.seal(crypto.randomBytes(32), aadOf);
    // Only under the epoch that is current (the key store's epoch_state, in this schema): an epoch turning
    // over at this moment would not see the row. Another process may have made it first: read back whichever
    // won, or seal again under the new epoch.
    await this.db.query(
      `insert into ${this.s}.index_keys (purpose, epoch, wrapped_key, created_at)
         select $1::text, $2::text, $3::text, $4::timestamptz from ${this.s}.epoch_state where current_epoch = $2 for share
       on conflict (purpose) do nothing`,
      [PURPOSE, epoch, sealed.toString('base64'), new Date().toISOString()],
    );
    return this.indexKey();
  }
}
