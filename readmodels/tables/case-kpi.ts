// case_kpi: one row per case with what the KPIs count; months are China months, 'YYYY-MM'. The view
// kpi_counts sums it per month and dimension; the early warning (预警) counts its complaints per enterprise.
//
// The KPIs (table case_kpi, view kpi_counts, query kpis()):
//
// - Dimensions: China month ('YYYY-MM', UTC+8) × department × level × dispute type. The department is
//   the case's lead department (before routing, and for rejected cases: `union`, the intake body, as the
//   decider's leadOf); the level is where the case sits now (escalation moves it); the dispute type is the
//   classified one, else the complainant's hint. A re-route or an escalation moves a case's counts with it.
// - Each count sits in the month of its own event:
//   - received: cases received (CaseReceived) in the month, merged duplicates included (each was received);
//   - collective: received cases that are collective disputes (≥ 10 workers, 第七条);
//   - accepted: cases accepted (CaseAccepted) in the month;
//   - resolved by agreement: cases whose first mediation agreement (AgreementReached) is in the month;
//   - closed: cases closed in the month and still closed (a reopened case counts again when it closes
//     again, in that month); merged duplicates are not counted: their work is closed in the surviving case;
//   - on-time rate = closed on time / closed, where on time means no duty clock of the case ever breached
//     (a ClockBreached event) and none was stopped after its due moment. Duty clocks are the centre's own
//     deadlines — those whose breach escalates or issues supervision; the parties' own limits
//     (judicial-confirmation-apply, review-request) are not the centre's lateness;
//   - mean days to close = mean over closed cases of (latest closing − receipt), in days (fractional).
// - The four 100% rates (记录、处理、回音、反馈, seed 000) are over the cases received in the month:
//   - recorded = cases whose complaint was recorded in full — classified (type and size confirmed),
//     rejected with a reason, or merged as a duplicate — / received;
//   - handled = cases accepted, rejected with a reason, or merged / received;
//   - replied (回音) = cases with a reply (ReplySent: what is being done, or the result) / cases handled
//     (accepted or rejected: the reply is owed from then on, within 7 days of receipt);
//   - feedback (反馈) = cases with feedback recorded (FeedbackRecorded, after the outcome) / cases that reached
//     an outcome (agreement, failure, withdrawal, rejection; merged duplicates are answered through the
//     surviving case). A reply and a feedback are separate acts, counted separately.
// - Year on year: the same month of the previous year, same dimensions; counts as a relative change,
//   rates and mean days as a difference.
// Counts are summed in SQL (kpi_counts); the rates are ratios of those sums, in measures() below only.
import { z } from 'zod';
import { chinaDateOf, endOfChinaDay, isIsoDate } from '../../domain/calendar/index.js';
import { leadOf } from '../../domain/case/index.js';
import type { Department, DisputeType, Level } from '../../events/index.js';
import type { Queryable } from '../db.js';
import type { FoldedCase } from '../case-document.js';
import { assertSchemaName } from '../sql.js';
import { DAY_MS, defineTable, iso, type RowOf } from '../table.js';

export const caseKpiTable = defineTable({
  name: 'case_kpi',
  columns: {
    case_id: { type: 'text' },
    department: { type: 'text' },
    level: { type: 'text' },
    dispute_type: { type: 'text' },
    collective: { type: 'boolean' },
    worker_count: { type: 'integer' },
    respondent_credit_code: { type: 'text' },
    respondent_name: { type: 'text' },
    received_at: { type: 'timestamptz' },
    received_month: { type: 'text' },
    accepted_month: { type: 'text', nullable: true },
    agreement_month: { type: 'text', nullable: true },
    closed_month: { type: 'text', nullable: true },
    merged: { type: 'boolean' },
    recorded: { type: 'boolean' },
    handled: { type: 'boolean' },
    with_outcome: { type: 'boolean' },
    replied: { type: 'boolean' },
    feedback: { type: 'boolean' },
    on_time: { type: 'boolean', nullable: true },
    days_to_close: { type: 'double precision', nullable: true },
  },
  primaryKey: ['case_id'],
  indexes: (s) => [
    `create index if not exists case_kpi_received on ${s}.case_kpi (received_at)`,
    `create index if not exists case_kpi_enterprise on ${s}.case_kpi (respondent_credit_code, received_at)`,
  ],
  // The counts per China month × lead department × level × dispute type, each in the month of its own
  // event (received in the receipt month, accepted in the acceptance month, …). Counts add up, so any
  // roll-up over the dimensions is a sum of this view.
  views: (s) => [
    `create or replace view ${s}.kpi_counts as
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
group by month, department, level, dispute_type`,
  ],
});

export type CaseKpiRow = RowOf<typeof caseKpiTable.columns>;

const monthOf = (instant: string | null): string | null => (instant === null ? null : chinaDateOf(instant).slice(0, 7));

export function kpiRow({ state, facts }: FoldedCase): CaseKpiRow {
  const merged = state.mergedInto !== null;
  const closedCounted = state.status === 'closed' && !merged && facts.closedAt !== null;
  return {
    case_id: state.caseId,
    department: leadOf(state),
    level: state.level,
    dispute_type: state.disputeType ?? state.claim.disputeTypeHint,
    collective: state.collective,
    worker_count: state.workerCount,
    respondent_credit_code: state.respondent.creditCode,
    respondent_name: state.respondent.name,
    received_at: state.receivedAt,
    received_month: monthOf(state.receivedAt) as string,
    accepted_month: monthOf(facts.acceptedAt),
    agreement_month: monthOf(facts.firstAgreementAt),
    closed_month: closedCounted ? monthOf(facts.closedAt) : null,
    merged,
    recorded: facts.classifiedAt !== null || facts.rejectedAt !== null || merged,
    handled: facts.acceptedAt !== null || facts.rejectedAt !== null || merged,
    with_outcome: facts.firstOutcomeAt !== null && !merged,
    replied: facts.firstReplyAt !== null,
    feedback: facts.firstFeedbackAt !== null,
    on_time: closedCounted ? !facts.late : null,
    days_to_close: closedCounted ? (Date.parse(facts.closedAt as string) - Date.parse(state.receivedAt)) / DAY_MS : null,
  };
}


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

const COUNT_KEYS = ['received', 'accepted', 'resolvedByAgreement', 'collective', 'closed', 'closedOnTime', 'recorded', 'handled', 'withOutcome', 'replied', 'feedback'] as const;
const RATE_KEYS = ['onTimeRate', 'meanDaysToClose', 'recordedRate', 'handledRate', 'repliedRate', 'feedbackRate'] as const;

const KpiMeasures = z.object({
  ...Object.fromEntries(COUNT_KEYS.map((k) => [k, z.number()])) as Record<(typeof COUNT_KEYS)[number], z.ZodNumber>,
  ...Object.fromEntries(RATE_KEYS.map((k) => [k, z.number().nullable()])) as Record<(typeof RATE_KEYS)[number], z.ZodNullable<z.ZodNumber>>,
});
export type KpiCounts = { [K in (typeof COUNT_KEYS)[number]]: number };
export type KpiRates = { [K in (typeof RATE_KEYS)[number]]: number | null };

export const KpiRow = KpiMeasures.extend({
  month: z.string(),
  department: z.string().optional(),
  level: z.string().optional(),
  disputeType: z.string().optional(),
  previousYear: KpiMeasures.nullable().describe('the same month of the previous year, same dimensions; null when nothing was counted then'),
  yoy: z
    .object(Object.fromEntries([...COUNT_KEYS, ...RATE_KEYS].map((k) => [k, z.number().nullable()])) as Record<(typeof COUNT_KEYS)[number] | (typeof RATE_KEYS)[number], z.ZodNullable<z.ZodNumber>>)
    .describe('year-on-year change: counts relative ((now − then) / then; null when then was 0), rates and mean days as a difference (null when either is undefined)'),
}).meta({ id: 'KpiRow' });
export type KpiRow = z.infer<typeof KpiRow>;

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DIMENSION_COLUMN: Record<KpiDimension, string> = { department: 'department', level: 'level', disputeType: 'dispute_type' };

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

export const KpiCase = z
  .object({
    caseId: z.string(),
    status: z.string(),
    department: z.string(),
    level: z.string(),
    disputeType: z.string(),
    collective: z.boolean(),
    respondentName: z.string(),
    receivedAt: z.string(),
    receivedMonth: z.string(),
    closedMonth: z.string().nullable(),
    onTime: z.boolean().nullable().describe('closed within its deadline; null while open'),
  })
  .meta({ id: 'KpiCase' });
export type KpiCase = z.infer<typeof KpiCase>;

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

export const EarlyWarning = z
  .object({
    creditCode: z.string(),
    enterprise: z.string(),
    complaints: z.number().describe('complaints received in the window (asOf − windowDays, asOf]'),
    previous: z.number().describe('complaints in the window before it'),
    workers: z.number().describe("workers behind the window's complaints"),
    collective: z.number().describe('how many of them were collective disputes'),
    reasons: z.array(z.enum(['threshold', 'doubled'])),
  })
  .meta({ id: 'EarlyWarning' });
export type EarlyWarning = z.infer<typeof EarlyWarning>;

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

export const ComplaintTrend = z
  .object({
    creditCode: z.string(),
    windows: z.array(z.object({ from: z.string(), to: z.string(), complaints: z.number() })).describe('oldest window first; the last one is the early-warning window (asOf − windowDays, asOf]'),
  })
  .meta({ id: 'ComplaintTrend' });
export type ComplaintTrend = z.infer<typeof ComplaintTrend>;

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
