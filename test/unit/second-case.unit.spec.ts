// Every command that names a second case is known as such (issue 21): the API checks the caller's scope on
// that case too, and a command that gains such a field later cannot slip past the check unlisted.
import { describe, expect, it } from 'vitest';
import { COMMAND_TYPES, commandDataSchema } from '../../domain/case/index.js';
import { SECOND_CASE_FIELDS, secondCaseOf } from '../../domain/case/second-case.js';
import { HTTP_COMMANDS } from '../../api/commands.js';

describe('commands that name a second case', () => {
  it('lists every command data field that names a case', () => {
    const named = COMMAND_TYPES.flatMap((type) => Object.keys(commandDataSchema(type).shape).filter((f) => /caseid$/i.test(f)).map((f) => `${type}.${f}`));
    expect(named.sort()).toEqual(Object.entries(SECOND_CASE_FIELDS).map(([t, f]) => `${t}.${f}`).sort());
  });

  it('finds the second case in a command body', () => {
    expect(secondCaseOf('MergeCase', { intoCaseId: 'MC-2', reason: 'x' })).toBe('MC-2');
    expect(secondCaseOf('LinkCase', { linkedCaseId: 'MC-3', relation: 'related' })).toBe('MC-3');
    expect(secondCaseOf('LinkCase', { linkedCaseId: 7 })).toBeUndefined();
    expect(secondCaseOf('AcceptCase', { intoCaseId: 'MC-2' })).toBeUndefined();
  });

  it('does not take RecordMergedDuplicate over HTTP: the merging case’s workflow sends it', () => {
    expect(HTTP_COMMANDS).not.toContain('RecordMergedDuplicate');
    expect(HTTP_COMMANDS).toContain('MergeCase');
  });
});
