// A keyed blind index of complainants' ID numbers, so that intake can warn "this person already has an open
// case against this enterprise" although every complainant's data is encrypted under their own key.
//
// Why not in the events: an ID number has low entropy (birth date, region, sequence, check digit), so even a
// keyed digest in the immutable log would outlive the person's erasure and could be brute-forced by anyone
// who ever got the key. The index lives in the key store's schema instead (`keys.complainant_index`, beside
// the data keys; a read-model rebuild never touches it), one row per subject and case, written by the API
// when it receives a case and deleted when the subject's keys are erased (api/routes/erasure.ts).
//
// The index key: one random HMAC-SHA-256 key, kept wrapped (AES-256-GCM) by the key store's current erasure
// epoch, like the subjects' data keys (runtime/personal-data-keys.ts re-wraps it when an epoch turns over).
// A copy of the database alone therefore cannot test guesses against the index.
// Only the API holds this store.
import crypto from 'node:crypto';
import { createObjects, type Queryable } from '../readmodels/db.js';

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
const PURPOSE = 'complainant-id-number/v1';
/** The additional data of the index key's wrapping: its purpose and the epoch (or, before epochs, master key) that wraps it. */
export const indexKeyAad = (purpose: string, wrappedBy: string) => `mediation-engine/index-key/v1\n${purpose}\n${wrappedBy}`;

/** How the index key is sealed and opened: by the key store that holds this index. */
export interface IndexKeyWrapping {
  seal(plain: Buffer, aadOf: (wrappedBy: string) => string): Promise<{ epoch: string; sealed: Buffer }>;
  open(row: { epoch: string | null; masterKeyId: string | null; sealed: Buffer }, aadOf: (wrappedBy: string) => string): Promise<Buffer>;
}

/** An ID number as compared: no spaces or dashes, the check character X upper-case. */
export function normaliseIdNumber(idNumber: string): string {
  return idNumber.replace(/[\s-]/g, '').toUpperCase();
}

export interface IndexedComplainant {
  subjectRef: string;
  idNumber: string;
}

export class ComplainantIndex {
  private readonly s: string;
  private key: Buffer | undefined;

  constructor(
    private readonly db: Queryable,
    private readonly wrapping: IndexKeyWrapping,
    schema = 'keys',
  ) {
    if (!IDENT.test(schema)) throw new Error(`key store schema ${JSON.stringify(schema)} is not a plain lower-case SQL identifier`);
    this.s = schema;
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
    ]);
  }

  /** The blind index of an ID number: HMAC-SHA-256 under the index key, hex. */
  async blindIndex(idNumber: string): Promise<string> {
    const key = await this.indexKey();
    return crypto.createHmac('sha256', key).update(normaliseIdNumber(idNumber), 'utf8').digest('hex');
  }

  /** Records the complainants of a received case (those with an ID number). */
  async record(caseId: string, complainants: readonly IndexedComplainant[], at = new Date()): Promise<void> {
    for (const c of complainants) {
      await this.db.query(
        `insert into ${this.s}.complainant_index (subject_ref, case_id, blind_index, created_at) values ($1, $2, $3, $4)
         on conflict (subject_ref, case_id) do update set blind_index = excluded.blind_index`,
        [c.subjectRef, caseId, await this.blindIndex(c.idNumber), at.toISOString()],
      );
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

  /** Deletes the index rows of erased subjects. Returns how many rows went. */
  async erase(refs: readonly string[]): Promise<number> {
    if (refs.length === 0) return 0;
    const deleted = await this.db.query<{ subject_ref: string }>(`delete from ${this.s}.complainant_index where subject_ref = any($1::text[]) returning subject_ref`, [refs]);
    return deleted.rows.length;
  }

  private async indexKey(): Promise<Buffer> {
    if (this.key) return this.key;
    const aadOf = (by: string) => indexKeyAad(PURPOSE, by);
    const existing = await this.db.query<{ epoch: string | null; master_key_id: string | null; wrapped_key: string }>(
      `select epoch, master_key_id, wrapped_key from ${this.s}.index_keys where purpose = $1`,
      [PURPOSE],
    );
    const row = existing.rows[0];
    if (row) {
      this.key = await this.wrapping.open({ epoch: row.epoch, masterKeyId: row.master_key_id, sealed: Buffer.from(row.wrapped_key, 'base64') }, aadOf);
      return this.key;
    }
    const { epoch, sealed } = await this.wrapping.seal(crypto.randomBytes(32), aadOf);
    await this.db.query(
      `insert into ${this.s}.index_keys (purpose, epoch, wrapped_key, created_at) values ($1, $2, $3, $4) on conflict (purpose) do nothing`,
      [PURPOSE, epoch, sealed.toString('base64'), new Date().toISOString()],
    );
    // Another process may have made it first: read back whichever won.
    return this.indexKey();
  }
}
