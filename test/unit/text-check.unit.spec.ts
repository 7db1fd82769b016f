// The one check of the characters a text may hold (domain/text): every refused code point, in names and in
// free text; what free text may hold; and the core applying it, field by field, to the plain text it sees.
import { describe, expect, it } from 'vitest';
import { decide, decideIntake } from '../../domain/case/index.js';
import { commandDataSchema } from '../../domain/case/commands.js';
import { schemaTextProblems } from '../../domain/text/fields.js';
import { codePointLabel, DEFAULT_FREE_TEXT_POLICY, REFUSED_RANGES, textProblem, type TextProblemKind } from '../../domain/text/index.js';
import { foldEvents } from '../../domain/case/evolve.js';
import { personalValue } from '../../events/index.js';
import { claim, cmd, complainant, inMediation, receiveCase, respondent, SALT_1 } from '../../testkit/case-fixtures.js';
import { contextFor, toHistory } from '../support/decider-spec.js';

/** Every refused code point with its kind, from the table the check uses. */
const refused = (Object.entries(REFUSED_RANGES) as [TextProblemKind, readonly (readonly [number, number])[]][]).flatMap(([kind, ranges]) =>
  ranges.flatMap(([from, to]) => Array.from({ length: to - from + 1 }, (_, i) => ({ kind, cp: from + i }))),
);

describe('the characters a text may not hold', () => {
  it('refuses the characters the issue names, whatever the table says (so emptying the table fails here)', () => {
    const named = [0x00, 0x07, 0x1b, 0x7f, 0x85, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xfeff, 0x061c];
    for (const cp of named) {
      expect(textProblem(`张${String.fromCodePoint(cp)}三`, 'name'), codePointLabel(cp)).not.toBeNull();
      expect(textProblem(`备注${String.fromCodePoint(cp)}`, 'free'), codePointLabel(cp)).not.toBeNull();
    }
    expect(textProblem('公司\u202E某', 'name')).toEqual({ kind: 'bidi', codePoint: 'U+202E', index: 2 });
    expect(textProblem('a\u0000', 'free')).toEqual({ kind: 'control', codePoint: 'U+0000', index: 1 });
    expect(textProblem('x\u200By', 'name')).toMatchObject({ kind: 'invisible', codePoint: 'U+200B' });
  });

  it('refuses every code point of the table in a name, at the start, inside and at the end', () => {
    expect(refused.length).toBeGreaterThan(190);
    for (const { kind, cp } of refused) {
      const c = String.fromCodePoint(cp);
      for (const text of [`${c}王五`, `王${c}五`, `王五${c}`]) {
        expect(textProblem(text, 'name'), `${codePointLabel(cp)} in ${JSON.stringify(text)}`).toEqual({ kind, codePoint: codePointLabel(cp), index: text.indexOf(c) });
      }
    }
  });

  it('refuses every code point of the table in free text, but tab, line feed and carriage return', () => {
    for (const { kind, cp } of refused) {
      const problem = textProblem(`第一行${String.fromCodePoint(cp)}第二行`, 'free');
      if (DEFAULT_FREE_TEXT_POLICY.allow.has(cp)) expect(problem, codePointLabel(cp)).toBeNull();
      else expect(problem, codePointLabel(cp)).toMatchObject({ kind, codePoint: codePointLabel(cp) });
    }
    expect([...DEFAULT_FREE_TEXT_POLICY.allow].sort((a, b) => a - b)).toEqual([0x09, 0x0a, 0x0d]);
  });

  it('refuses an unpaired surrogate (it has no UTF-8 form), and takes a pair', () => {
    for (const cp of [0xd800, 0xdbff, 0xdc00, 0xdfff]) {
      expect(textProblem(`张${String.fromCharCode(cp)}`, 'free')).toEqual({ kind: 'surrogate', codePoint: codePointLabel(cp), index: 1 });
    }
    expect(textProblem('工资\u{1F4B0}', 'name')).toBeNull();
  });

  it('passes ordinary Chinese text with newlines as free text, not as a name', () => {
    const note = '申请人张三称：\n1. 公司拖欠工资三个月；\r\n2. 未签劳动合同。\t（附工资条）';
    expect(textProblem(note, 'free')).toBeNull();
    expect(textProblem(note, 'name')).toMatchObject({ kind: 'control', codePoint: 'U+000A' });
    // Kept on purpose: a CJK ideographic variation sequence in a name, the ideographic space, full-width signs.
    expect(textProblem('葛\u{E0100}优', 'name')).toBeNull();
    expect(textProblem('嘉兴某某纺织有限公司\u3000（分厂）', 'name')).toBeNull();
  });

  it('lets a policy allow a refused character in free text, never in a name', () => {
    const policy = { allow: new Set([0x0a, 0x200d]) };
    expect(textProblem('家庭\u200D成员', 'free', policy)).toBeNull();
    expect(textProblem('家庭\u200D成员', 'name', policy)).toMatchObject({ codePoint: 'U+200D' });
    expect(textProblem('a\tb', 'free', policy)).toMatchObject({ codePoint: 'U+0009' });
  });
});

describe('the check along a command schema: free-text fields as free text, every other string as a name', () => {
  it('takes lines in minutes and opinions, and names the field of a refused character', () => {
    const schema = commandDataSchema('HoldSession');
    expect(schemaTextProblems(schema, { sessionId: 'S-1', outcome: 'progress', minutes: '第一段\n第二段', departmentOpinions: [{ department: 'union', opinion: '意见\n补充' }] })).toEqual([]);
    expect(schemaTextProblems(schema, { minutes: '笔录', departmentOpinions: [{ department: 'union', opinion: '意见\u0000' }] })).toEqual([
      { field: 'departmentOpinions.0.opinion', kind: 'control', codePoint: 'U+0000', index: 2 },
    ]);
    expect(schemaTextProblems(commandDataSchema('ScheduleSession'), { place: '调解室\n二楼' })).toMatchObject([{ field: 'place', codePoint: 'U+000A' }]);
  });
});

describe('the core refuses the characters in the plain text it sees, naming the field', () => {
  const rejectionOf = (decision: ReturnType<typeof decide>) => {
    if (decision.ok) throw new Error('expected a rejection');
    return decision.rejection;
  };

  it('given a new case, when the respondent name holds U+202E, then intake is refused naming respondent.name', () => {
    const command = receiveCase({ respondent: { ...respondent, name: '嘉兴\u202E司公某' } });
    const rejection = rejectionOf(decideIntake(command, contextFor(command)));
    expect(rejection).toMatchObject({ code: 'validation', key: 'text.bidi-control', params: { field: 'respondent.name', codePoint: 'U+202E' } });
  });

  it("given a new case, when a complainant's name holds U+202E or a newline, then intake is refused naming the name", () => {
    for (const name of ['张\u202E三', '张\n三']) {
      const command = receiveCase({ complainants: [{ ...complainant(), name: personalValue('person-1', name, SALT_1) }] });
      const rejection = rejectionOf(decideIntake(command, contextFor(command)));
      expect(rejection.params).toMatchObject({ field: 'complainants.0.name.value' });
    }
  });

  it('given a new case, when the claim summary has lines of ordinary Chinese, then it is received', () => {
    const command = receiveCase({ claim: { ...claim, summary: '拖欠工资：\n一月、二月、三月' } });
    expect(decideIntake(command, contextFor(command)).ok).toBe(true);
  });

  it('given a case in mediation, when a plain note holds NUL, then the command is refused naming the note', () => {
    const state = foldEvents(toHistory(inMediation));
    const command = cmd('EscalateCase', { note: '上报\u0000' });
    expect(rejectionOf(decide(state, command, contextFor(command)))).toMatchObject({ key: 'text.control-character', params: { field: 'note', codePoint: 'U+0000' } });
  });
});
