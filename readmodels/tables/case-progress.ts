// case_progress: where each case stands in the stream. The projector applies sequence last_sequence + 1
// only, and checks the new event's prevHash against last_hash (the chain).
import { defineTable, type RowOf } from '../table.js';

export const caseProgressTable = defineTable({
  name: 'case_progress',
  columns: {
    case_id: { type: 'text' },
    last_sequence: { type: 'integer' },
    last_hash: { type: 'text' },
  },
  primaryKey: ['case_id'],
});

export type ProgressRow = RowOf<typeof caseProgressTable.columns>;
