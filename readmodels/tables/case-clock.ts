// case_clock: the running and paused SLA clocks of each case (state.clocks), with the department that
// answers for each. Overdue and at-risk are decided at query time from due_at and warn_at, never frozen
// here: they are the red and the yellow of the deadline light (domain/sla/light.ts) of one clock.
import { z } from 'zod';
import { accountableFor, type OpenCase } from '../../domain/case/index.js';
import { deadlineOf, isDuty, LIGHTS } from '../../domain/sla/index.js';
import { Level, type Department } from '../../events/vocabulary.js';
import type { Queryable } from '../db.js';
import { assertSchemaName } from '../sql.js';
import { defineTable, iso, nowOr, type RowOf } from '../table.js';

export const caseClockTable = defineTable({
  name: 'case_clock',
  columns: {
    case_id: { type: 'text' },
    clock_key: { type: 'text' },
    policy_id: { type: 'text' },
    department: { type: 'text' },
    level: { type: 'text' },
    status: { type: 'text' },
    started_at: { type: 'timestamptz' },
    due_at: { type: 'timestamptz' },
    warn_at: { type: 'timestamptz', nullable: true },
    breached: { type: 'boolean' },
    duty: { type: 'boolean' },
    provisional: { type: 'boolean' },
  },
  primaryKey: ['case_id', 'clock_key'],
  indexes: (s) => [
    `create index if not exists case_clock_due on ${s}.case_clock (due_at) where status = 'running' and duty`,
    `create index if not exists case_clock_warn on ${s}.case_clock (warn_at) where status = 'running' and duty`,
  ],
});

export type ClockRow = RowOf<typeof caseClockTable.columns>;

/** 红黄绿灯 as the API answers it (domain/sla/light.ts computes it). */
export const LightSchema = z.enum(LIGHTS).meta({ id: 'Light' });

/** The case's running and paused clocks; warn_at is the earliest warning moment. */
export function clockRows(state: OpenCase): ClockRow[] {
  const clocks: ClockRow[] = [];
  for (const clock of Object.values(state.clocks)) {
    if (clock.status !== 'running' && clock.status !== 'paused') continue;
    clocks.push({
      case_id: state.caseId,
      clock_key: clock.key,
      policy_id: clock.policyId,
      department: accountableFor(state, clock.onBreach, clock.scope),
      level: state.level,
      status: clock.status,
      started_at: clock.startedAt,
      due_at: clock.dueAt,
      warn_at: deadlineOf(clock).warnAt,
      breached: clock.breached,
      duty: isDuty(clock),
      provisional: clock.provisional,
    });
  }
  return clocks;
}


export interface ClockFilter {
  now?: string;
  /** The department answerable for the deadline. */
  department?: Department;
  level?: Level;
  /** Only cases of this town. */
  town?: string;
  limit?: number;
}

export const CaseDeadline = z.object({
  clockKey: z.string(),
  policyId: z.string(),
  department: z.string(),
  dueAt: z.string(),
  warnAt: z.string().nullable(),
  breached: z.boolean().describe('a ClockBreached event has been recorded (the workflow acted on it)'),
});
export type CaseDeadline = z.infer<typeof CaseDeadline>;

export const DeadlineCase = z
  .object({
    caseId: z.string(),
    status: z.string(),
    level: Level,
    leadDepartment: z.string().nullable(),
    respondentName: z.string(),
    priority: z.string(),
    clocks: z.array(CaseDeadline).describe("the case's deadlines in this list, earliest due first"),
    dueAt: z.string().describe('the earliest of them'),
    timeLeftMs: z.number().describe('dueAt − now: negative for overdue cases (how late), positive for cases at risk (time left)'),
  })
  .meta({ id: 'DeadlineCase' });
export type DeadlineCase = z.infer<typeof DeadlineCase>;

/** Cases with a running deadline of the centre whose light is red (due, or breached), most overdue first. */
export function overdueCases(db: Queryable, schema: string, filter: ClockFilter = {}): Promise<DeadlineCase[]> {
  return deadlineCases(db, schema, filter, '(k.breached or k.due_at <= $1::timestamptz)');
}

/** Cases with a running deadline of the centre whose light is yellow (warned, not due), least time left first. */
export function atRiskCases(db: Queryable, schema: string, filter: ClockFilter = {}): Promise<DeadlineCase[]> {
  return deadlineCases(db, schema, filter, 'not k.breached and k.warn_at <= $1::timestamptz and k.due_at > $1::timestamptz');
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
