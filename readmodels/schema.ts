// The read-model tables. Everything lives in one PostgreSQL schema (default `rm`) so that a rebuild can
// fill a fresh schema from offset 0 and then swap it in by renaming (readmodels/rebuild.ts). Views refer
// to their tables by identity, not by name, so they move with the schema. The tables come from the one
// list in registry.ts; the bookkeeping tables (checkpoint, dead letters, meta) are plain DDL here.
//
// Tables are created "if not exists": a schema made by an older version gets the new tables empty, and
// readmodel_meta.layout tells the projector so (it logs that a rebuild is needed to fill them).
import { TABLES } from './registry.js';
import { assertSchemaName } from './sql.js';
import { createTableSql } from './table.js';

export const DEFAULT_SCHEMA = 'rm';

/** Bumped whenever a table or a projection changes what it holds: a schema with an older layout needs a rebuild. */
export const LAYOUT_VERSION = '2';

export function createSchemaSql(schema: string): string {
  const s = assertSchemaName(schema);
  return `
create schema if not exists ${s};

-- The read-model tables, each declared in its own file (readmodels/tables/, listed in registry.ts).
${TABLES.map((table) => createTableSql(s, table)).join('\n\n')}

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

create table if not exists ${s}.readmodel_meta (
  key    text primary key,
  value  text not null
);
-- Only a schema with nothing projected yet is known to have this layout; an older one keeps no row.
insert into ${s}.readmodel_meta (key, value)
  select 'layout', '${LAYOUT_VERSION}' where not exists (select 1 from ${s}.case_progress)
  on conflict (key) do nothing;

-- The views over them (the KPI counts: tables/case-kpi.ts).
${TABLES.flatMap((table) => table.views?.(s) ?? []).map((v) => `${v};`).join('\n\n')}

-- No view holds the KPI rates: they are ratios of the counts taken after summing over the dimensions
-- asked for (kpis()). A schema that still has the views of rates loses them here.
drop view if exists ${s}.kpi_monthly_yoy;
drop view if exists ${s}.kpi_monthly;
`;
}
