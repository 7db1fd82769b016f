// The access log: every read of a complainant's name, ID number or phone in full — who, when, which case,
// which fields, under which request. Kept in a schema of its own beside the read models (a read-model
// rebuild swaps their schema; this log must outlive that). Auditors and the data-protection officer
// query it over GET /access-log.
import { z } from 'zod';
import { createObjects, type Queryable } from '../readmodels/db.js';
import { assertSchemaName } from '../readmodels/sql.js';

export const AccessEntry = z
  .object({
    at: z.string(),
    actorId: z.string(),
    actorRole: z.string(),
    caseId: z.string(),
    fields: z.array(z.string()).describe('which personal fields were shown in full'),
    requestId: z.string(),
    purpose: z.string(),
  })
  .meta({ id: 'AccessEntry' });
export type AccessEntry = z.infer<typeof AccessEntry>;

export interface AccessFilter {
  caseId?: string;
  actorId?: string;
  from?: string;
  to?: string;
  limit?: number;
}

export class AccessLog {
  private readonly s: string;

  constructor(
    private readonly db: Queryable,
    schema: string,
  ) {
    this.s = assertSchemaName(schema);
  }

  async init(): Promise<void> {
    await createObjects(this.db, [
      `create schema if not exists ${this.s}`,
      `create table if not exists ${this.s}.access_log (
      id          bigserial primary key,
      at          timestamptz not null,
      actor_id    text not null,
      actor_role  text not null,
      case_id     text not null,
      fields      text[] not null,
      request_id  text not null,
      purpose     text not null
    )`,
      `create index if not exists access_log_case on ${this.s}.access_log (case_id, at)`,
    ]);
  }

  async record(entry: Omit<AccessEntry, 'at'> & { at?: string }): Promise<void> {
    await this.db.query(
      `insert into ${this.s}.access_log (at, actor_id, actor_role, case_id, fields, request_id, purpose) values ($1, $2, $3, $4, $5, $6, $7)`,
      [entry.at ?? new Date().toISOString(), entry.actorId, entry.actorRole, entry.caseId, entry.fields, entry.requestId, entry.purpose],
    );
  }

  async query(filter: AccessFilter = {}): Promise<AccessEntry[]> {
    const found = await this.db.query<AccessEntry>(
      `select to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, actor_id as "actorId", actor_role as "actorRole",
         case_id as "caseId", fields, request_id as "requestId", purpose
       from ${this.s}.access_log
       where ($1::text is null or case_id = $1) and ($2::text is null or actor_id = $2)
         and ($3::timestamptz is null or at >= $3) and ($4::timestamptz is null or at < $4)
       order by at desc, id desc limit $5`,
      [filter.caseId ?? null, filter.actorId ?? null, filter.from ?? null, filter.to ?? null, filter.limit ?? 1000],
    );
    return found.rows;
  }
}
