// The read-model tables. Everything lives in one PostgreSQL schema (default `rm`) so that a rebuild can
// fill a fresh schema from offset 0 and then swap it in by renaming (readmodels/rebuild.ts). Views refer
// to their tables by identity, not by name, so they move with the schema.
//
// Tables are created "if not exists": a schema made by an older version gets the new tables empty, and
// readmodel_meta.layout tells the projector so (it logs that a rebuild is needed to fill them).
export const DEFAULT_SCHEMA = 'rm';

/** Bumped whenever a table or a projection changes what it holds: a schema with an older layout needs a rebuild. */
export const LAYOUT_VERSION = '2';

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
create index if not exists case_summary_received on ${s}.case_summary (received_at);

create table if not exists ${s}.readmodel_meta (
  key    text primary key,
  value  text not null
);
-- Only a schema with nothing projected yet is known to have this layout; an older one keeps no row.
insert into ${s}.readmodel_meta (key, value)
  select 'layout', '${LAYOUT_VERSION}' where not exists (select 1 from ${s}.case_progress)
  on conflict (key) do nothing;

-- The case as the domain folds it (domain/case evolve, SLA clocks included), and the facts the read
-- models need that the state does not keep (first reply, issue time of each notice, …). Every table
-- below is derived from these two documents, written once per case per batch.
create table if not exists ${s}.case_state (
  case_id  text primary key,
  version  integer not null,
  state    jsonb not null,
  facts    jsonb not null
);

-- Running and paused SLA clocks (state.clocks), with the department that answers for each. Overdue and
-- at-risk are decided at query time from due_at and warn_at, never frozen here.
create table if not exists ${s}.case_clock (
  case_id      text not null,
  clock_key    text not null,
  policy_id    text not null,
  department   text not null,
  level        text not null,
  status       text not null,
  started_at   timestamptz not null,
  due_at       timestamptz not null,
  warn_at      timestamptz,
  breached     boolean not null,
  duty         boolean not null,
  provisional  boolean not null,
  primary key (case_id, clock_key)
);
create index if not exists case_clock_due on ${s}.case_clock (due_at) where status = 'running' and duty;
create index if not exists case_clock_warn on ${s}.case_clock (warn_at) where status = 'running' and duty;

-- Open cases per department: the lead, departments with a referral in progress, and departments that
-- answer for a running clock. due_at is the earliest due moment of the running clocks the department
-- answers for (null: none running), so the queue sorts by time left.
create table if not exists ${s}.department_queue (
  department   text not null,
  case_id      text not null,
  role         text not null,
  level        text not null,
  status       text not null,
  priority     text not null,
  collective   boolean not null,
  suspended    boolean not null,
  received_at  timestamptz not null,
  due_at       timestamptz,
  clock_key    text,
  primary key (department, case_id)
);
create index if not exists department_queue_due on ${s}.department_queue (department, level, due_at);

-- Every supervision notice (督办) a case received; open = not answered, on a case not closed.
create table if not exists ${s}.supervision_notice (
  notice_id         text primary key,
  case_id           text not null,
  department        text not null,
  accountable_unit  text not null,
  level             text not null,
  reason            text not null,
  clock_key         text,
  issued_at         timestamptz not null,
  due_at            timestamptz not null,
  answered_at       timestamptz
);
create index if not exists supervision_notice_case on ${s}.supervision_notice (case_id);
create index if not exists supervision_notice_open on ${s}.supervision_notice (due_at) where answered_at is null;

-- One row per case with what the KPIs count (definitions: readmodels/projections.ts, "KPIs").
-- Months are China months, 'YYYY-MM'.
create table if not exists ${s}.case_kpi (
  case_id                 text primary key,
  department              text not null,
  level                   text not null,
  dispute_type            text not null,
  collective              boolean not null,
  worker_count            integer not null,
  respondent_credit_code  text not null,
  respondent_name         text not null,
  received_at             timestamptz not null,
  received_month          text not null,
  accepted_month          text,
  agreement_month         text,
  closed_month            text,
  merged                  boolean not null,
  recorded                boolean not null,
  handled                 boolean not null,
  with_outcome            boolean not null,
  replied                 boolean not null,
  feedback                boolean not null,
  on_time                 boolean,
  days_to_close           double precision
);
create index if not exists case_kpi_received on ${s}.case_kpi (received_at);
create index if not exists case_kpi_enterprise on ${s}.case_kpi (respondent_credit_code, received_at);

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
