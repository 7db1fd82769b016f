// The read-model tables. Everything lives in one PostgreSQL schema (default `rm`) so that a rebuild can
// fill a fresh schema from offset 0 and then swap it in by renaming (readmodels/rebuild.ts). Views refer
// to their tables by identity, not by name, so they move with the schema.
//
// Tables are created "if not exists": a schema made by an older version gets the new tables empty, and
// readmodel_meta.layout tells the projector so (it logs that a rebuild is needed to fill them).
import { assertSqlIdentifier } from '../runtime/sql-identifier.js';
import { createTableSql, type Table } from './table.js';
import { caseClockTable } from './tables/case-clock.js';
import { caseKpiTable } from './tables/case-kpi.js';
import { caseProgressTable } from './tables/case-progress.js';
import { caseStateTable } from './tables/case-state.js';
import { caseSummaryTable } from './tables/case-summary.js';
import { departmentQueueTable } from './tables/department-queue.js';
import { eventArchiveTable } from './tables/event-archive.js';
import { supervisionNoticeTable } from './tables/supervision-notice.js';

export const DEFAULT_SCHEMA = 'rm';


/** Bumped whenever a table or a projection changes what it holds: a schema with an older layout needs a rebuild. */
export const LAYOUT_VERSION = '2';

export const assertSchemaName = (schema: string): string => assertSqlIdentifier(schema, 'schema:');

export function createSchemaSql(schema: string): string {
  const s = assertSchemaName(schema);
  // The per-case tables created after readmodel_meta, in this order. (Listed here, not at module level:
  // the table modules import this one.)
  const perCaseTables: readonly Table[] = [caseStateTable, caseClockTable, departmentQueueTable, supervisionNoticeTable, caseKpiTable];
  return `
create schema if not exists ${s};

-- Where each case stands in the stream (tables/case-progress.ts).
${createTableSql(s, caseProgressTable)}

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

-- Every applied event as received, for auditors (tables/event-archive.ts).
${createTableSql(s, eventArchiveTable)}

${createTableSql(s, caseSummaryTable)}

create table if not exists ${s}.readmodel_meta (
  key    text primary key,
  value  text not null
);
-- Only a schema with nothing projected yet is known to have this layout; an older one keeps no row.
insert into ${s}.readmodel_meta (key, value)
  select 'layout', '${LAYOUT_VERSION}' where not exists (select 1 from ${s}.case_progress)
  on conflict (key) do nothing;

-- The per-case read models, each declared in its own file (readmodels/tables/): the folded case
-- (state + facts), and the tables derived from it, written once per case per batch.
${perCaseTables.map((table) => createTableSql(s, table)).join('\n\n')}

-- The KPI counts per China month × lead department × level × dispute type. Each count sits in the month
-- of its own event (received in the receipt month, accepted in the acceptance month, …); the four 100%
-- rates are over the cases received in the month. Rates are ratios of these counts, so they roll up.
create or replace view ${s}.kpi_counts as
select month, department, level, dispute_type,
  sum(received)::integer as received, sum(accepted)::integer as accepted,
  sum(resolved_by_agreement)::integer as resolved_by_agreement, sum(collective)::integer as collective,
  sum(closed)::integer as closed, sum(closed_on_time)::integer as closed_on_time,
  sum(days_to_close)::double precision as days_to_close_total,
  sum(recorded)::integer as recorded, sum(handled)::integer as handled, sum(with_outcome)::integer as with_outcome,
  sum(replied)::integer as replied, sum(feedback)::integer as feedback
from (
  select received_month as month, department, level, dispute_type, 1 as received, 0 as accepted, 0 as resolved_by_agreement,
    case when collective then 1 else 0 end as collective, 0 as closed, 0 as closed_on_time, 0::double precision as days_to_close,
    case when recorded then 1 else 0 end as recorded, case when handled then 1 else 0 end as handled,
    case when with_outcome then 1 else 0 end as with_outcome, case when replied then 1 else 0 end as replied,
    case when feedback then 1 else 0 end as feedback
  from ${s}.case_kpi
  union all
  select accepted_month, department, level, dispute_type, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 from ${s}.case_kpi where accepted_month is not null
  union all
  select agreement_month, department, level, dispute_type, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0 from ${s}.case_kpi where agreement_month is not null
  union all
  select closed_month, department, level, dispute_type, 0, 0, 0, 0, 1, case when on_time then 1 else 0 end, days_to_close, 0, 0, 0, 0, 0
  from ${s}.case_kpi where closed_month is not null
) contributions
group by month, department, level, dispute_type;

create or replace view ${s}.kpi_monthly as
select month, department, level, dispute_type, received, accepted, resolved_by_agreement, collective, closed,
  closed_on_time::double precision / nullif(closed, 0) as on_time_rate,
  days_to_close_total / nullif(closed, 0) as mean_days_to_close,
  recorded::double precision / nullif(received, 0) as recorded_rate,
  handled::double precision / nullif(received, 0) as handled_rate,
  replied::double precision / nullif(handled, 0) as replied_rate,
  feedback::double precision / nullif(with_outcome, 0) as feedback_rate
from ${s}.kpi_counts;

-- Year on year: each month against the same month of the previous year (same department, level, type).
-- Counts change relative to last year (0.25 = +25 %); rates change in percentage points of a fraction.
create or replace view ${s}.kpi_monthly_yoy as
select cur.*,
  prev.received as prev_received,
  (cur.received - prev.received)::double precision / nullif(prev.received, 0) as received_yoy,
  (cur.accepted - prev.accepted)::double precision / nullif(prev.accepted, 0) as accepted_yoy,
  (cur.resolved_by_agreement - prev.resolved_by_agreement)::double precision / nullif(prev.resolved_by_agreement, 0) as resolved_by_agreement_yoy,
  (cur.collective - prev.collective)::double precision / nullif(prev.collective, 0) as collective_yoy,
  (cur.closed - prev.closed)::double precision / nullif(prev.closed, 0) as closed_yoy,
  cur.on_time_rate - prev.on_time_rate as on_time_rate_yoy,
  cur.mean_days_to_close - prev.mean_days_to_close as mean_days_to_close_yoy,
  cur.recorded_rate - prev.recorded_rate as recorded_rate_yoy,
  cur.handled_rate - prev.handled_rate as handled_rate_yoy,
  cur.replied_rate - prev.replied_rate as replied_rate_yoy,
  cur.feedback_rate - prev.feedback_rate as feedback_rate_yoy
from ${s}.kpi_monthly cur
left join ${s}.kpi_monthly prev
  on prev.month = (substr(cur.month, 1, 4)::integer - 1)::text || substr(cur.month, 5)
 and prev.department = cur.department and prev.level = cur.level and prev.dispute_type = cur.dispute_type;
`;
}
