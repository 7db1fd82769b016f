// department_queue: open cases per department — the lead, departments with a referral in progress, and
// departments that answer for a running clock. due_at is the earliest due moment of the running clocks
// the department answers for (null: none running), so the queue sorts by time left.
import { z } from 'zod';
import { leadOf, type OpenCase } from '../../domain/case/index.js';
import { worstLight, type Deadline } from '../../domain/sla/index.js';
import { Level, type Department } from '../../events/vocabulary.js';
import type { Queryable } from '../db.js';
import { assertSchemaName } from '../sql.js';
import { defineTable, iso, isoInstant, nowOr, type RowOf } from '../table.js';
import { LightSchema, type ClockRow } from './case-clock.js';

export const departmentQueueTable = defineTable({
  name: 'department_queue',
  columns: {
    department: { type: 'text' },
    case_id: { type: 'text' },
    role: { type: 'text' },
    level: { type: 'text' },
    status: { type: 'text' },
    priority: { type: 'text' },
    collective: { type: 'boolean' },
    suspended: { type: 'boolean' },
    received_at: { type: 'timestamptz' },
    due_at: { type: 'timestamptz', nullable: true },
    clock_key: { type: 'text', nullable: true },
  },
  primaryKey: ['department', 'case_id'],
  indexes: (s) => [`create index if not exists department_queue_due on ${s}.department_queue (department, level, due_at)`],
});

export type QueueRow = RowOf<typeof departmentQueueTable.columns> & { role: 'lead' | 'referral' | 'clock' };

const ms = (instant: string): number => Date.parse(instant);

/** The queue rows of an open case (none once closed), from its state and its clock rows. */
export function queueRows(state: OpenCase, clocks: readonly ClockRow[]): QueueRow[] {
  if (state.status === 'closed') return [];
  const queue: QueueRow[] = [];
  const roles = new Map<string, QueueRow['role']>([[leadOf(state), 'lead']]);
  for (const referral of Object.values(state.referrals)) {
    if ((referral.status === 'open' || referral.status === 'accepted') && !roles.has(referral.department)) roles.set(referral.department, 'referral');
  }
  for (const clock of clocks) if (clock.duty && clock.status === 'running' && !roles.has(clock.department)) roles.set(clock.department, 'clock');
  for (const [department, role] of roles) {
    let next: ClockRow | null = null;
    for (const clock of clocks) {
      if (clock.department !== department || !clock.duty || clock.status !== 'running') continue;
      if (next === null || ms(clock.due_at) < ms(next.due_at) || (clock.due_at === next.due_at && clock.clock_key < next.clock_key)) next = clock;
    }
    queue.push({
      department,
      case_id: state.caseId,
      role,
      level: state.level,
      status: state.status,
      priority: state.priority,
      collective: state.collective,
      suspended: state.suspended !== null,
      received_at: state.receivedAt,
      due_at: next?.due_at ?? null,
      clock_key: next?.clock_key ?? null,
    });
  }
  return queue;
}


export interface QueueOptions {
  level?: Level;
  /** Only cases of this town (a town's staff see their town). */
  town?: string;
  /** The moment time left is measured from; default now. */
  now?: string;
  limit?: number;
}

export const QueueItem = z
  .object({
    caseId: z.string(),
    department: z.string(),
    role: z.enum(['lead', 'referral', 'clock']).describe("lead: the case's lead department; referral: a referral in progress; clock: answers for a running deadline"),
    level: Level,
    status: z.string(),
    priority: z.enum(['normal', 'urgent']),
    collective: z.boolean(),
    suspended: z.boolean(),
    receivedAt: z.string(),
    respondentName: z.string(),
    dueAt: z.string().nullable().describe('the earliest due moment among the running deadlines this department answers for; null: none running'),
    clockKey: z.string().nullable(),
    timeLeftMs: z.number().nullable().describe('dueAt − now; negative when overdue'),
    light: LightSchema.describe("红黄绿灯 of the running deadlines this department answers for (domain/sla/light.ts); green when none runs"),
  })
  .meta({ id: 'QueueItem' });
export type QueueItem = z.infer<typeof QueueItem>;

/** Open cases of a department, least time left first (cases with no running deadline last). */
export async function departmentQueue(db: Queryable, schema: string, department: Department, options: QueueOptions = {}): Promise<QueueItem[]> {
  const s = assertSchemaName(schema);
  const now = nowOr(options.now);
  const found = await db.query<Omit<QueueItem, 'timeLeftMs' | 'light'> & { deadlines: Deadline[] | null }>(
    `select q.case_id as "caseId", q.department, q.role, q.level, q.status, q.priority, q.collective, q.suspended,
       ${iso('q.received_at', '"receivedAt"')}, ${iso('q.due_at', '"dueAt"')}, q.clock_key as "clockKey",
       c.respondent_name as "respondentName",
       (select json_agg(json_build_object('dueAt', ${isoInstant('k.due_at')}, 'warnAt', ${isoInstant('k.warn_at')}, 'breached', k.breached))
          from ${s}.case_clock k
          where k.case_id = q.case_id and k.department = q.department and k.status = 'running' and k.duty) as deadlines
     from ${s}.department_queue q join ${s}.case_summary c on c.case_id = q.case_id
     where q.department = $1 and ($2::text is null or q.level = $2) and ($4::text is null or c.town = $4)
     order by q.due_at asc nulls last, q.received_at, q.case_id
     limit $3`,
    [department, options.level ?? null, options.limit ?? 1000, options.town ?? null],
  );
  const nowMs = Date.parse(now);
  return found.rows.map(({ deadlines, ...r }) => ({
    ...r,
    timeLeftMs: r.dueAt === null ? null : Date.parse(r.dueAt) - nowMs,
    light: worstLight(deadlines ?? [], now),
  }));
}
