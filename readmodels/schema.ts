// The read-model tables. Everything lives in one PostgreSQL schema (default `rm`) so that a rebuild can
// fill a fresh schema from offset 0 and then swap it in by renaming.
export const DEFAULT_SCHEMA = 'rm';

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): string {
  if (!IDENT.test(schema)) throw new Error(`schema: ${JSON.stringify(schema)} is not a plain lower-case SQL identifier`);
  return schema;
}

export function createSchemaSql(schema: string): string {
  const s = assertSchemaName(schema);
  return `
create schema if not exists ${s};

-- Where each case stands in the stream: the projector applies sequence last_sequence + 1 only.
create table if not exists ${s}.case_progress (
  case_id        text primary key,
  last_sequence  integer not null,
  last_hash      text not null
);

-- Per Kafka partition, the next offset to read; written in the same transaction as the rows it covers.
create table if not exists ${s}.projector_checkpoint (
  topic        text not null,
  partition    integer not null,
  next_offset  bigint not null,
  updated_at   timestamptz not null default now(),
  primary key (topic, partition)
);

-- Events that could not be applied: undecodable (poison), a gap or a broken chain in their case, or a
-- case already parked. Ordered by id, so a case's parked events keep their order.
create table if not exists ${s}.dead_letter (
  id            bigserial primary key,
  case_id       text,
  sequence      integer,
  topic         text not null,
  partition     integer not null,
  kafka_offset  bigint not null,
  reason        text not null,
  payload       text not null,
  parked_at     timestamptz not null default now()
);
create index if not exists dead_letter_case on ${s}.dead_letter (case_id, id);

-- Every applied event as received, for auditors (mediation audit replay --from archive).
create table if not exists ${s}.event_archive (
  case_id      text not null,
  sequence     integer not null,
  event_id     text not null unique,
  type         text not null,
  occurred_at  timestamptz not null,
  event        jsonb not null,
  primary key (case_id, sequence)
);

create table if not exists ${s}.case_summary (
  case_id                text primary key,
  status                 text not null,
  channel                text not null,
  collective             boolean not null,
  priority               text not null,
  worker_count           integer not null,
  dispute_type           text not null,
  level                  text not null,
  lead_department        text,
  respondent_name        text not null,
  respondent_credit_code text not null,
  town                   text not null,
  received_at            timestamptz not null,
  updated_at             timestamptz not null,
  closed_at              timestamptz,
  last_sequence          integer not null,
  last_event_type        text not null
);
`;
}
