// event_archive: every applied event as it was stored on the topic (before upcasting), for auditors
// (mediation audit replay --from archive; audit/archive.ts). Appended once per event.
import { z } from 'zod';
import type { Queryable } from '../db.js';
import { assertSchemaName } from '../sql.js';
import { defineTable, isoInstant, type RowOf } from '../table.js';

export const eventArchiveTable = defineTable({
  name: 'event_archive',
  columns: {
    case_id: { type: 'text' },
    sequence: { type: 'integer' },
    event_id: { type: 'text', unique: true },
    type: { type: 'text' },
    occurred_at: { type: 'timestamptz' },
    event: { type: 'jsonb' },
  },
  primaryKey: ['case_id', 'sequence'],
});

export type ArchiveRow = RowOf<typeof eventArchiveTable.columns>;

export const ArchivedEvent = z.object({
  sequence: z.number(),
  eventId: z.string(),
  type: z.string(),
  occurredAt: z.string(),
  event: z.record(z.string(), z.unknown()).describe('the event as it was stored on the topic (before upcasting): its hash verifies on this form'),
});
export type ArchivedEvent = z.infer<typeof ArchivedEvent>;

/** Every applied event of a case, in sequence order (the auditor's archive). */
export async function caseArchive(db: Queryable, schema: string, caseId: string): Promise<ArchivedEvent[]> {
  const s = assertSchemaName(schema);
  const found = await db.query<ArchivedEvent>(
    `select sequence, event_id as "eventId", type, ${isoInstant('occurred_at')} as "occurredAt", event
     from ${s}.event_archive where case_id = $1 order by sequence`,
    [caseId],
  );
  return found.rows;
}
