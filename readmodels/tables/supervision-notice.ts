// supervision_notice: every supervision notice (督办) a case received; open = not answered, on a case not
// closed.
import { z } from 'zod';
import { Level, type Department } from '../../events/vocabulary.js';
import type { Queryable } from '../db.js';
import type { FoldedCase } from '../case-document.js';
import { assertSchemaName } from '../sql.js';
import { defineTable, iso, nowOr, type RowOf } from '../table.js';

export const supervisionNoticeTable = defineTable({
  name: 'supervision_notice',
  columns: {
    notice_id: { type: 'text' },
    case_id: { type: 'text' },
    department: { type: 'text' },
    accountable_unit: { type: 'text' },
    level: { type: 'text' },
    reason: { type: 'text' },
    clock_key: { type: 'text', nullable: true },
    issued_at: { type: 'timestamptz' },
    due_at: { type: 'timestamptz' },
    answered_at: { type: 'timestamptz', nullable: true },
  },
  primaryKey: ['notice_id'],
  indexes: (s) => [
    `create index if not exists supervision_notice_case on ${s}.supervision_notice (case_id)`,
    `create index if not exists supervision_notice_open on ${s}.supervision_notice (due_at) where answered_at is null`,
  ],
});

export type NoticeRow = RowOf<typeof supervisionNoticeTable.columns>;

export function noticeRows({ state, facts }: FoldedCase): NoticeRow[] {
  return Object.values(state.supervision).map((notice) => {
    const extra = facts.notices[notice.noticeId];
    return {
      notice_id: notice.noticeId,
      case_id: state.caseId,
      department: notice.department,
      accountable_unit: extra?.accountableUnit ?? '',
      level: extra?.level ?? state.level,
      reason: notice.reason,
      clock_key: extra?.clockKey ?? null,
      issued_at: extra?.issuedAt ?? facts.updatedAt,
      due_at: notice.dueAt,
      answered_at: notice.answered ? (extra?.answeredAt ?? facts.updatedAt) : null,
    };
  });
}


export interface SupervisionFilter {
  now?: string;
  department?: Department;
  /** The level the notice was issued at. */
  level?: Level;
  /** Only cases of this town. */
  town?: string;
  limit?: number;
}

export const OpenNotice = z
  .object({
    noticeId: z.string(),
    caseId: z.string(),
    department: z.string(),
    accountableUnit: z.string(),
    level: Level,
    reason: z.enum(['clock-breach', 'collective-dispute', 'manual']),
    clockKey: z.string().nullable(),
    issuedAt: z.string(),
    dueAt: z.string(),
    overdue: z.boolean().describe('the answer is late: dueAt has passed'),
    caseStatus: z.string(),
    respondentName: z.string(),
  })
  .meta({ id: 'SupervisionNotice' });
export type OpenNotice = z.infer<typeof OpenNotice>;

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
