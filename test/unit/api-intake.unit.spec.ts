// POST /cases runs the core's intake decision before it starts a workflow: a case the core refuses is
// answered with the rejection's 4xx, every problem named, and no workflow (no case number) is used.
import { describe, expect, it } from 'vitest';
import { intakeRejection, NewCaseBody, newCaseNumber, toReceiveCase } from '../../api/intake.js';

const body = NewCaseBody.parse({
  channel: 'walk-in',
  complainants: [{ name: '张三', phone: '13800000000', idNumber: '11010519491231002X' }],
  workerCount: 1,
  respondent: { name: '某某电子有限公司', creditCode: '91330100MA2XXXXX1B', town: '城关镇', industry: 'manufacturing', responsibleDepartment: '经信局', level: 'enterprise' },
  claim: { disputeTypeHint: 'wage-arrears', summary: '三个月工资未发', amountClaimedFen: 1_200_000 },
});
const clerk = { id: 'clerk-1', role: 'intake-clerk' as const };
const now = new Date('2025-03-03T02:00:00.000Z');

describe('POST /cases: the intake dry run', () => {
  it('lets a case the core accepts through', () => {
    expect(intakeRejection(toReceiveCase('MC-1', body), clerk, now)).toBeNull();
  });

  it('answers 403 for an auditor or a mediator-less role, and 400 naming every problem', () => {
    expect(intakeRejection(toReceiveCase('MC-1', body), { id: 'a', role: 'auditor' }, now)).toMatchObject({ status: 403, code: 'forbidden' });
    const bad = { ...body, workerCount: 1, complainants: [...body.complainants, { name: '李四', isRepresentative: true }], respondent: { ...body.respondent, town: '火星镇', creditCode: '91330100MA2XXXXX1X' } };
    const refused = intakeRejection(toReceiveCase('MC-1', bad), clerk, now);
    expect(refused).toMatchObject({ status: 400, code: 'validation' });
    expect((refused?.details.problems ?? []).map((p) => p.key)).toEqual([
      'intake.worker-count',
      'intake.credit-code-check-char',
      'intake.unknown-code',
    ]);
  });

  it('numbers a case with the China date of receipt (the calendar’s chinaDateOf)', () => {
    expect(newCaseNumber(new Date('2025-03-03T16:30:00.000Z'))).toMatch(/^MC-20250304-[0-9A-F]{6}$/);
    expect(newCaseNumber(new Date('2025-03-03T15:59:59.000Z'))).toMatch(/^MC-20250303-/);
  });
});

describe('a resident ID number as a clerk types it', () => {
  const withId = (idNumber: string) => NewCaseBody.safeParse({ ...body, complainants: [{ name: '张三', idNumber }] });

  it('given a lower-case x or groups with spaces and hyphens, when parsed, then it is accepted as the bare number with an upper-case X', () => {
    for (const typed of ['11010519491231002x', '110105 19491231 002X', '110105-19491231-002x']) {
      const parsed = withId(typed);
      expect(parsed.success, typed).toBe(true);
      expect(parsed.data?.complainants[0]?.idNumber).toBe('11010519491231002X');
    }
  });

  it('given a number of the wrong shape, when parsed, then it is refused naming the field', () => {
    const parsed = withId('1101051949123100Y2');
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['complainants.0.idNumber']);
  });

  it('given the normalised number, when the core checks it, then its check character is verified (a wrong one is refused)', () => {
    const parsed = withId('110105194912310021');
    expect(parsed.success).toBe(true);
    const refused = intakeRejection(toReceiveCase('MC-1', parsed.data!), clerk, now);
    expect(refused).toMatchObject({ status: 400, details: { key: 'intake.resident-id-check-digit', params: { field: 'complainants.0.idNumber' } } });
  });
});
