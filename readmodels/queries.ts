// What the read models answer (DOMAIN.md, "What the read models must answer"), as query functions for the
// API and the CLI. Every answer that depends on the time (time left, overdue, at risk, a notice past its
// due moment, the early-warning window) is computed here from stored moments and `now` (default: the
// clock), never frozen when the event was projected. Instants come back as ISO strings in UTC.
import { endOfChinaDay, isIsoDate } from '../domain/calendar/index.js';
import type { CaseState } from '../domain/case/index.js';
import type { Department, DisputeType, Level } from '../events/index.js';
import type { Queryable } from './db.js';
import { assertSchemaName } from './schema.js';

/** A timestamptz column as an ISO instant in UTC, the same text on PGlite and PostgreSQL. */
const iso = (column: string, as: string = column.replace(/^.*\./, '')) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as ${as}`;

const nowOr = (now: string | undefined): string => now ?? new Date().toISOString();
const DAY_MS = 86_400_000;

// ------------------------------------------------------------------ queues

export interface QueueOptions {
  level?: Level;
  /** Only cases of this town (a town's staff see their town). */
  town?: string;
  /** The moment time left is measured from; default now. */
  now?: string;
  limit?: number;
}

export interface QueueItem {
  caseId: string;
  department: string;
  /** lead: the case's lead department; referral: a referral in progress; clock: answers for a running deadline. */
  role: 'lead' | 'referral' | 'clock';
  level: Level;
  status: string;
  priority: 'normal' | 'urgent';
  collective: boolean;
  suspended: boolean;
  receivedAt: string;
  respondentName: string;
  /** The earliest due moment among the running deadlines this department answers for; null: none running. */
  dueAt: string | null;
  clockKey: string | null;
  /** dueAt − now; negative when overdue. */
  timeLeftMs: number | null;
}

/** Open cases of a department, least time left first (cases with no running deadline last). */
export async function departmentQueue(db: Queryable, schema: string, department: Department, options: QueueOptions = {}): Promise<QueueItem[]> {
  const s = assertSchemaName(schema);
  const now = nowOr(options.now);
  const found = await db.query<Omit<QueueItem, 'timeLeftMs'>>(
    `select q.case_id as "caseId", q.department, q.role, q.level, q.status, q.priority, q.collective, q.suspended,
       ${iso('q.received_at', '"receivedAt"')}, ${iso('q.due_at', '"dueAt"')}, q.clock_key as "clockKey",
       c.respondent_name as "respondentName"
     from ${s}.department_queue q join ${s}.case_summary c on c.case_id = q.case_id
     where q.department = $1 and ($2::text is null or q.level = $2) and ($4::text is null or c.town = $4)
     order by q.due_at asc nulls last, q.received_at, q.case_id
     limit $3`,
    [department, options.level ?? null, options.limit ?? 1000, options.town ?? null],
  );
  const nowMs = Date.parse(now);
  return found.rows.map((r) => ({ ...r, timeLeftMs: r.dueAt === null ? null : Date.parse(r.dueAt) - nowMs }));
}

// ------------------------------------------------------------------ overdue and at risk

export interface ClockFilter {
  now?: string;
  /** The department answerable for the deadline. */
  department?: Department;
  level?: Level;
  /** Only cases of this town. */
  town?: string;
  limit?: number;
}

export type CaseDeadline = {
  clockKey: string;
  policyId: string;
  department: string;
  dueAt: string;
  warnAt: string | null;
  /** A ClockBreached event has been recorded (the workflow acted on it). */
  breached: boolean;
};

export type DeadlineCase = {
  caseId: string;
  status: string;
  level: Level;
  leadDepartment: string | null;
  respondentName: string;
  priority: string;
  /** The case's deadlines in this list, earliest due first. */
  clocks: CaseDeadline[];
  /** The earliest of them. */
  dueAt: string;
  /** dueAt − now: negative for overdue cases (how late), positive for cases at risk (time left). */
  timeLeftMs: number;
};

/** Cases with a running deadline of the centre whose due moment has passed, most overdue first. */
export function overdueCases(db: Queryable, schema: string, filter: ClockFilter = {}): Promise<DeadlineCase[]> {
  return deadlineCases(db, schema, filter, 'k.due_at <= $1::timestamptz');
}

/** Cases with a running deadline past its first warning moment but not yet due, least time left first. */
export function atRiskCases(db: Queryable, schema: string, filter: ClockFilter = {}): Promise<DeadlineCase[]> {
  return deadlineCases(db, schema, filter, 'k.warn_at <= $1::timestamptz and k.due_at > $1::timestamptz');
}

async function deadlineCases(db: Queryable, schema: string, filter: ClockFilter, condition: string): Promise<DeadlineCase[]> {
  const s = assertSchemaName(schema);
  const now = nowOr(filter.now);
  // The limit counts cases, not clocks, and is applied in SQL: the cases whose first matching deadline
  // comes soonest, then all their matching clocks.
  const found = await db.query<CaseDeadline & Omit<DeadlineCase, 'clocks' | 'dueAt' | 'timeLeftMs'>>(
    `with hit as (
       select k.case_id, min(k.due_at) as first_due
       from ${s}.case_clock k join ${s}.case_summary c on c.case_id = k.case_id
       where k.status = 'running' and k.duty and ${condition}
         and ($2::text is null or k.department = $2) and ($3::text is null or c.level = $3) and ($5::text is null or c.town = $5)
       group by k.case_id order by first_due, k.case_id limit $4)
     select k.case_id as "caseId", c.status, c.level, c.lead_department as "leadDepartment", c.respondent_name as "respondentName",
       c.priority, k.clock_key as "clockKey", k.policy_id as "policyId", k.department, ${iso('k.due_at', '"dueAt"')},
       ${iso('k.warn_at', '"warnAt"')}, k.breached
     from hit h join ${s}.case_clock k on k.case_id = h.case_id join ${s}.case_summary c on c.case_id = k.case_id
     where k.status = 'running' and k.duty and ${condition}
       and ($2::text is null or k.department = $2) and ($3::text is null or c.level = $3)
     order by h.first_due, k.case_id, k.due_at, k.clock_key`,
    [now, filter.department ?? null, filter.level ?? null, filter.limit ?? 1000, filter.town ?? null],
  );
  const byCase = new Map<string, DeadlineCase>();
  const nowMs = Date.parse(now);
  for (const r of found.rows) {
    const clock: CaseDeadline = { clockKey: r.clockKey, policyId: r.policyId, department: r.department, dueAt: r.dueAt, warnAt: r.warnAt, breached: r.breached };
    const known = byCase.get(r.caseId);
    if (known) {
      known.clocks.push(clock);
      continue;
    }
    byCase.set(r.caseId, {
      caseId: r.caseId,
      status: r.status,
      level: r.level,
      leadDepartment: r.leadDepartment,
      respondentName: r.respondentName,
      priority: r.priority,
      clocks: [clock],
      dueAt: r.dueAt,
      timeLeftMs: Date.parse(r.dueAt) - nowMs,
    });
  }
  return [...byCase.values()];
}

// ------------------------------------------------------------------ supervision

export interface SupervisionFilter {
  now?: string;
  department?: Department;
  /** The level the notice was issued at. */
  level?: Level;
  /** Only cases of this town. */
  town?: string;
  limit?: number;
}

export type OpenNotice = {
  noticeId: string;
  caseId: string;
  department: string;
  accountableUnit: string;
  level: Level;
  reason: 'clock-breach' | 'collective-dispute' | 'manual';
  clockKey: string | null;
  issuedAt: string;
  dueAt: string;
  /** The answer is late: dueAt has passed. */
  overdue: boolean;
  caseStatus: string;
  respondentName: string;
};

/** Supervision notices (督办) not yet answered, on cases not closed; earliest due first. */
export async function openSupervision(db: Queryable, schema: string, filter: SupervisionFilter = {}): Promise<OpenNotice[]> {
  const s = assertSchemaName(schema);
  const now = nowOr(filter.now);
  const found = await db.query<OpenNotice>(
    `select n.notice_id as "noticeId", n.case_id as "caseId", n.department, n.accountable_unit as "accountableUnit", n.level, n.reason,
       n.clock_key as "clockKey", ${iso('n.issued_at', '"issuedAt"')}, ${iso('n.due_at', '"dueAt"')}, n.due_at <= $1::timestamptz as overdue,
       c.status as "caseStatus", c.respondent_name as "respondentName"
     from ${s}.supervision_notice n join ${s}.case_summary c on c.case_id = n.case_id
     where n.answered_at is null and c.status <> 'closed'
       and ($2::text is null or n.department = $2) and ($3::text is null or n.level = $3) and ($5::text is null or c.town = $5)
     order by n.due_at, n.notice_id
     limit $4`,
    [now, filter.department ?? null, filter.level ?? null, filter.limit ?? 1000, filter.town ?? null],
  );
  return found.rows;
}

// ------------------------------------------------------------------ KPIs

export type KpiDimension = 'department' | 'level' | 'disputeType';

export interface KpiFilter {
  /** First month, 'YYYY-MM' (China). */
  from: string;
  /** Last month, inclusive. */
  to: string;
  department?: Department;
  level?: Level;
  disputeType?: DisputeType;
  /** The dimensions kept in the rows (the others are summed over); default all three. */
  groupBy?: readonly KpiDimension[];
}

export interface KpiCounts {
  received: number;
  accepted: number;
  resolvedByAgreement: number;
  collective: number;
  closed: number;
  closedOnTime: number;
  recorded: number;
  handled: number;
  withOutcome: number;
  replied: number;
  feedback: number;
}

export interface KpiRates {
  onTimeRate: number | null;
  meanDaysToClose: number | null;
  recordedRate: number | null;
  handledRate: number | null;
  repliedRate: number | null;
  feedbackRate: number | null;
}

export interface KpiRow extends KpiCounts, KpiRates {
  month: string;
  department?: string;
  level?: string;
  disputeType?: string;
  /** The same month of the previous year, same dimensions; null when nothing was counted then. */
  previousYear: (KpiCounts & KpiRates) | null;
  /**
   * Year-on-year change: counts relative ((now − then) / then; null when then was 0), rates and mean
   * days as a difference (null when either is undefined).
   */
  yoy: { [K in keyof KpiCounts | keyof KpiRates]: number | null };
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DIMENSION_COLUMN: Record<KpiDimension, string> = { department: 'department', level: 'level', disputeType: 'dispute_type' };
const COUNT_KEYS: readonly (keyof KpiCounts)[] = [
  'received', 'accepted', 'resolvedByAgreement', 'collective', 'closed', 'closedOnTime', 'recorded', 'handled', 'withOutcome', 'replied', 'feedback',
];
const RATE_KEYS: readonly (keyof KpiRates)[] = ['onTimeRate', 'meanDaysToClose', 'recordedRate', 'handledRate', 'repliedRate', 'feedbackRate'];

const previousYearMonth = (month: string): string => `${Number(month.slice(0, 4)) - 1}${month.slice(4)}`;

/** KPIs per month (and the chosen dimensions) for months from..to, each with its year-on-year change. */
export async function kpis(db: Queryable, schema: string, filter: KpiFilter): Promise<KpiRow[]> {
  const s = assertSchemaName(schema);
  if (!MONTH.test(filter.from) || !MONTH.test(filter.to)) throw new RangeError(`kpis: from and to must be months 'YYYY-MM' (got ${filter.from}, ${filter.to})`);
  const dims = [...new Set(filter.groupBy ?? (['department', 'level', 'disputeType'] as const))];
  const columns = dims.map((d) => `${DIMENSION_COLUMN[d]} as "${d}"`);
  const found = await db.query<Record<string, unknown>>(
    `select month, ${[...columns, ''].join(', ')}
       sum(received)::integer as received, sum(accepted)::integer as accepted, sum(resolved_by_agreement)::integer as "resolvedByAgreement",
       sum(collective)::integer as collective, sum(closed)::integer as closed, sum(closed_on_time)::integer as "closedOnTime",
       sum(days_to_close_total)::double precision as "daysToCloseTotal", sum(recorded)::integer as recorded,
       sum(handled)::integer as handled, sum(with_outcome)::integer as "withOutcome", sum(replied)::integer as replied,
       sum(feedback)::integer as feedback
     from ${s}.kpi_counts
     where ((month >= $1 and month <= $2) or (month >= $3 and month <= $4))
       and ($5::text is null or department = $5) and ($6::text is null or level = $6) and ($7::text is null or dispute_type = $7)
     group by month${dims.map((d) => `, ${DIMENSION_COLUMN[d]}`).join('')}
     order by month${dims.map((d) => `, ${DIMENSION_COLUMN[d]}`).join('')}`,
    [filter.from, filter.to, previousYearMonth(filter.from), previousYearMonth(filter.to), filter.department ?? null, filter.level ?? null, filter.disputeType ?? null],
  );
  const keyOf = (month: string, row: Record<string, unknown>) => [month, ...dims.map((d) => String(row[d]))].join('\u0000');
  const measured = new Map<string, KpiCounts & KpiRates>();
  for (const row of found.rows) measured.set(keyOf(row.month as string, row), measures(row));

  const rows: KpiRow[] = [];
  for (const row of found.rows) {
    const month = row.month as string;
    if (month < filter.from || month > filter.to) continue;
    const current = measured.get(keyOf(month, row)) as KpiCounts & KpiRates;
    const previous = measured.get(keyOf(previousYearMonth(month), row)) ?? null;
    const yoy = {} as KpiRow['yoy'];
    for (const k of COUNT_KEYS) yoy[k] = previous && previous[k] > 0 ? (current[k] - previous[k]) / previous[k] : null;
    for (const k of RATE_KEYS) {
      const [now, then] = [current[k], previous?.[k] ?? null];
      yoy[k] = now !== null && then !== null ? now - then : null;
    }
    const dimensions: Partial<Record<KpiDimension, string>> = {};
    for (const d of dims) dimensions[d] = String(row[d]);
    rows.push({ month, ...dimensions, ...current, previousYear: previous, yoy });
  }
  return rows;
}

export type KpiCase = {
  caseId: string;
  status: string;
  department: string;
  level: string;
  disputeType: string;
  collective: boolean;
  respondentName: string;
  receivedAt: string;
  receivedMonth: string;
  closedMonth: string | null;
  /** Closed within its deadline; null while open. */
  onTime: boolean | null;
};

/**
 * The drill-down under the KPIs: the cases received in months from..to (China) of one department, level
 * and/or dispute type — the cases behind the received count and the four 100% rates of those rows. Latest first.
 */
export async function kpiCases(db: Queryable, schema: string, filter: Omit<KpiFilter, 'groupBy'> & { limit?: number }): Promise<KpiCase[]> {
  const s = assertSchemaName(schema);
  if (!MONTH.test(filter.from) || !MONTH.test(filter.to)) throw new RangeError(`kpiCases: from and to must be months 'YYYY-MM' (got ${filter.from}, ${filter.to})`);
  const found = await db.query<KpiCase>(
    `select k.case_id as "caseId", coalesce(c.status, 'received') as status, k.department, k.level, k.dispute_type as "disputeType", k.collective,
       k.respondent_name as "respondentName", ${iso('k.received_at', '"receivedAt"')}, k.received_month as "receivedMonth",
       k.closed_month as "closedMonth", k.on_time as "onTime"
     from ${s}.case_kpi k left join ${s}.case_summary c on c.case_id = k.case_id
     where k.received_month >= $1 and k.received_month <= $2
       and ($3::text is null or k.department = $3) and ($4::text is null or k.level = $4) and ($5::text is null or k.dispute_type = $5)
     order by k.received_at desc, k.case_id
     limit $6`,
    [filter.from, filter.to, filter.department ?? null, filter.level ?? null, filter.disputeType ?? null, filter.limit ?? 500],
  );
  return found.rows;
}

function measures(row: Record<string, unknown>): KpiCounts & KpiRates {
  const n = (k: string) => Number(row[k] ?? 0);
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  const counts = Object.fromEntries(COUNT_KEYS.map((k) => [k, n(k)])) as unknown as KpiCounts;
  return {
    ...counts,
    onTimeRate: ratio(counts.closedOnTime, counts.closed),
    meanDaysToClose: ratio(n('daysToCloseTotal'), counts.closed),
    recordedRate: ratio(counts.recorded, counts.received),
    handledRate: ratio(counts.handled, counts.received),
    repliedRate: ratio(counts.replied, counts.handled),
    feedbackRate: ratio(counts.feedback, counts.withOutcome),
  };
}

// ------------------------------------------------------------------ early warning

export interface EarlyWarningOptions {
  /** The last day of the window: a China date 'YYYY-MM-DD' (to the end of that day) or an instant. */
  asOf: string;
  /** Warn when the window holds more complaints than this; default 5. */
  threshold?: number;
  /** Window length in days; default 30 (the previous window is as long, just before it). */
  windowDays?: number;
  /** A doubling counts only from this many complaints in the window; default 3. */
  minForDoubling?: number;
}

export interface EarlyWarning {
  creditCode: string;
  enterprise: string;
  /** Complaints received in the window (asOf − windowDays, asOf]. */
  complaints: number;
  /** Complaints in the window before it. */
  previous: number;
  /** Workers behind the window's complaints, and how many of them were collective disputes. */
  workers: number;
  collective: number;
  reasons: ('threshold' | 'doubled')[];
}

/**
 * 预警: enterprises (by unified social credit code) whose complaints in the rolling window up to `asOf`
 * exceed the threshold, or at least double the window before (with at least minForDoubling complaints).
 * A complaint merged into another as its duplicate is not counted twice. Most complaints first.
 */
export async function earlyWarnings(db: Queryable, schema: string, options: EarlyWarningOptions): Promise<EarlyWarning[]> {
  const s = assertSchemaName(schema);
  const end = isIsoDate(options.asOf) ? endOfChinaDay(options.asOf) : options.asOf;
  if (Number.isNaN(Date.parse(end))) throw new RangeError(`earlyWarnings: asOf must be a date YYYY-MM-DD or an ISO instant (got ${options.asOf})`);
  const windowMs = (options.windowDays ?? 30) * DAY_MS;
  const endMs = Date.parse(end);
  const found = await db.query<Omit<EarlyWarning, 'reasons'>>(
    `select respondent_credit_code as "creditCode",
       (array_agg(respondent_name order by received_at desc))[1] as enterprise,
       (count(*) filter (where received_at > $2::timestamptz))::integer as complaints,
       (count(*) filter (where received_at <= $2::timestamptz))::integer as previous,
       (coalesce(sum(worker_count) filter (where received_at > $2::timestamptz), 0))::integer as workers,
       (count(*) filter (where received_at > $2::timestamptz and collective))::integer as collective
     from ${s}.case_kpi
     where received_at > $1::timestamptz and received_at <= $3::timestamptz and not merged
     group by respondent_credit_code`,
    [new Date(endMs - 2 * windowMs).toISOString(), new Date(endMs - windowMs).toISOString(), end],
  );
  const threshold = options.threshold ?? 5;
  const minForDoubling = options.minForDoubling ?? 3;
  const warnings: EarlyWarning[] = [];
  for (const row of found.rows) {
    const reasons: EarlyWarning['reasons'] = [];
    if (row.complaints > threshold) reasons.push('threshold');
    if (row.previous > 0 && row.complaints >= 2 * row.previous && row.complaints >= minForDoubling) reasons.push('doubled');
    if (reasons.length > 0) warnings.push({ ...row, reasons });
  }
  return warnings.sort((a, b) => b.complaints - a.complaints || b.previous - a.previous || a.creditCode.localeCompare(b.creditCode));
}

export interface ComplaintTrend {
  creditCode: string;
  /** Oldest window first; the last one is the early-warning window (asOf − windowDays, asOf]. */
  windows: { from: string; to: string; complaints: number }[];
}

/**
 * Each enterprise's complaints in consecutive windows of windowDays up to asOf (the early-warning window
 * and the ones before it), merged duplicates not counted twice: the trend beside a warning.
 */
export async function complaintTrend(
  db: Queryable,
  schema: string,
  options: { creditCodes: readonly string[]; asOf: string; windowDays?: number; windows?: number },
): Promise<ComplaintTrend[]> {
  const s = assertSchemaName(schema);
  const end = isIsoDate(options.asOf) ? endOfChinaDay(options.asOf) : options.asOf;
  if (Number.isNaN(Date.parse(end))) throw new RangeError(`complaintTrend: asOf must be a date YYYY-MM-DD or an ISO instant (got ${options.asOf})`);
  const windowMs = (options.windowDays ?? 30) * DAY_MS;
  const count = options.windows ?? 6;
  const endMs = Date.parse(end);
  const found = await db.query<{ creditCode: string; window: number; complaints: number }>(
    `select respondent_credit_code as "creditCode",
       floor(extract(epoch from ($2::timestamptz - received_at)) * 1000 / $3)::integer as window,
       count(*)::integer as complaints
     from ${s}.case_kpi
     where respondent_credit_code = any($1::text[]) and received_at > $4::timestamptz and received_at <= $2::timestamptz and not merged
     group by 1, 2`,
    [[...options.creditCodes], end, windowMs, new Date(endMs - count * windowMs).toISOString()],
  );
  return options.creditCodes.map((creditCode) => ({
    creditCode,
    windows: Array.from({ length: count }, (_, i) => {
      const back = count - 1 - i;
      const complaints = found.rows.find((r) => r.creditCode === creditCode && Number(r.window) === back)?.complaints ?? 0;
      return { from: new Date(endMs - (back + 1) * windowMs).toISOString(), to: new Date(endMs - back * windowMs).toISOString(), complaints };
    }),
  }));
}

// ------------------------------------------------------------------ one case

export type ArchivedEvent = {
  sequence: number;
  eventId: string;
  type: string;
  occurredAt: string;
  /** The event as it was stored on the topic (before upcasting): its hash verifies on this form. */
  event: Record<string, unknown>;
};

export type CaseSummary = {
  caseId: string;
  status: string;
  channel: string;
  collective: boolean;
  priority: string;
  workerCount: number;
  disputeType: string;
  level: string;
  leadDepartment: string | null;
  respondentName: string;
  respondentCreditCode: string;
  town: string;
  receivedAt: string;
  updatedAt: string;
  closedAt: string | null;
  lastSequence: number;
  lastEventType: string;
};

/** The case summary (no personal data), or null when the projector has not seen the case. */
export async function caseSummary(db: Queryable, schema: string, caseId: string): Promise<CaseSummary | null> {
  const s = assertSchemaName(schema);
  const found = await db.query<CaseSummary>(
    `select case_id as "caseId", status, channel, collective, priority, worker_count as "workerCount", dispute_type as "disputeType",
       level, lead_department as "leadDepartment", respondent_name as "respondentName", respondent_credit_code as "respondentCreditCode",
       town, ${iso('received_at', '"receivedAt"')}, ${iso('updated_at', '"updatedAt"')},
       ${iso('closed_at', '"closedAt"')},
       last_sequence as "lastSequence", last_event_type as "lastEventType"
     from ${s}.case_summary where case_id = $1`,
    [caseId],
  );
  return found.rows[0] ?? null;
}

/** Every applied event of a case, in sequence order (the auditor's archive). */
export async function caseArchive(db: Queryable, schema: string, caseId: string): Promise<ArchivedEvent[]> {
  const s = assertSchemaName(schema);
  const found = await db.query<ArchivedEvent>(
    `select sequence, event_id as "eventId", type, ${iso('occurred_at', '"occurredAt"')}, event
     from ${s}.event_archive where case_id = $1 order by sequence`,
    [caseId],
  );
  return found.rows;
}

/** The case as the projector folded it (the domain state, SLA clocks included), or null. */
export async function caseState(db: Queryable, schema: string, caseId: string): Promise<{ version: number; state: CaseState } | null> {
  const s = assertSchemaName(schema);
  const found = await db.query<{ version: number; state: CaseState }>(`select version, state from ${s}.case_state where case_id = $1`, [caseId]);
  return found.rows[0] ?? null;
}

export type ParkedEvent = {
  id: string;
  caseId: string | null;
  sequence: number | null;
  partition: number;
  offset: string;
  reason: string;
  parkedAt: string;
};

/** How many events are parked, in how many cases, and since when: for /health. */
export async function deadLetterSummary(db: Queryable, schema: string): Promise<{ events: number; cases: number; oldestParkedAt: string | null }> {
  const s = assertSchemaName(schema);
  const found = await db.query<{ events: number; cases: number; oldestParkedAt: string | null }>(
    `select count(*)::int as events, count(distinct case_id)::int as cases, ${iso('min(parked_at)', '"oldestParkedAt"')} from ${s}.dead_letter`,
  );
  return found.rows[0] ?? { events: 0, cases: 0, oldestParkedAt: null };
}

/** The dead-letter table, oldest first (optionally one case's). */
export async function deadLetters(db: Queryable, schema: string, options: { caseId?: string; limit?: number } = {}): Promise<ParkedEvent[]> {
  const s = assertSchemaName(schema);
  const found = await db.query<ParkedEvent>(
    `select id::text as id, case_id as "caseId", sequence, partition, kafka_offset::text as "offset", reason, ${iso('parked_at', '"parkedAt"')}
     from ${s}.dead_letter where ($1::text is null or case_id = $1) order by id limit $2`,
    [options.caseId ?? null, options.limit ?? 1000],
  );
  return found.rows;
}
