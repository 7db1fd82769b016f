// Commands that name a second case, and the field that names it. Whoever sends such a command must be
// allowed to act on that case too (the API checks its scope on both; api/second-case.ts), and the field
// is found here rather than by each caller: test/unit/second-case.unit.spec.ts fails when a command gains a
// field ending in "CaseId" that this table does not list.
import type { CommandType } from './commands.js';

export const SECOND_CASE_FIELDS = {
  MergeCase: 'intoCaseId',
  LinkCase: 'linkedCaseId',
  RecordMergedDuplicate: 'fromCaseId',
} as const satisfies Partial<Record<CommandType, string>>;

/** The second case a command's data names, when it names one (as a string; the schema checks the rest). */
export function secondCaseOf(type: CommandType, data: unknown): string | undefined {
  const field = (SECOND_CASE_FIELDS as Partial<Record<CommandType, string>>)[type];
  if (!field || !data || typeof data !== 'object') return undefined;
  const id = (data as Record<string, unknown>)[field];
  return typeof id === 'string' ? id : undefined;
}
