// SLA repair: given a case's history, when the policy or the calendar changes, then recomputeClocks reports
// exactly the clocks that come out differently.
import { describe, expect, it } from 'vitest';
import { buildCalendar, chinaCalendar, cnHolidays, type HolidayData } from '../../domain/calendar/index.js';
import { recomputeClocks, slaPolicySet, type ClockEvent, type SlaPolicySet } from '../../domain/sla/index.js';

const ev = (type: string, occurredAt: string, data: Record<string, unknown> = {}): ClockEvent => ({ type, occurredAt, data });

// A hypothetical corrected notice that also makes 2025-10-09 a holiday.
const correctedData: HolidayData = {
  version: 'cn-holidays-2026.2-test',
  years: cnHolidays.years.map((y) =>
    y.year === 2025 ? { ...y, holidays: [...y.holidays, { name: 'test', from: '2025-10-09', to: '2025-10-09' }] } : y,
  ),
};
const correctedCalendar = buildCalendar(correctedData);

function withMediationLimit(limit: number, version: string): SlaPolicySet {
  return {
    version,
    policies: slaPolicySet.policies.map((p) => (p.id === 'mediation-conclude' ? { ...p, limit } : p)),
  };
}

describe('recomputeClocks', () => {
  const history = [ev('CaseReceived', '2025-09-20T02:00:00.000Z', { channel: 'walk-in' }), ev('CaseAccepted', '2025-09-20T03:00:00.000Z')];

  it('given nothing changed, then there is no difference', () => {
    expect(recomputeClocks(history, slaPolicySet, chinaCalendar, slaPolicySet, chinaCalendar)).toEqual([]);
  });

  it('given a calendar that adds a holiday on the due day, then the moved due date is reported for that clock only', () => {
    const diffs = recomputeClocks(history, slaPolicySet, correctedCalendar, slaPolicySet, chinaCalendar);
    expect(diffs.map((d) => d.clockKey)).toEqual(['mediation-conclude']);
    const [diff] = diffs;
    expect(diff?.before).toMatchObject({ due: '2025-10-09', calendarVersion: chinaCalendar.version });
    expect(diff?.after).toMatchObject({ due: '2025-10-10', calendarVersion: 'cn-holidays-2026.2-test' });
    expect(diff?.changes[0]).toMatch(/^due 2025-10-09 → 2025-10-10 /);
  });

  it('given an agreement reached just after midnight on 10-10, then under the corrected calendar the recorded breach would not have happened', () => {
    const late = [
      ...history,
      ev('ClockBreached', '2025-10-09T16:00:00.000Z', { clockKey: 'mediation-conclude' }),
      ev('AgreementReached', '2025-10-09T17:00:00.000Z'),
    ];
    const [diff] = recomputeClocks(late, slaPolicySet, correctedCalendar, slaPolicySet, chinaCalendar);
    expect(diff).toMatchObject({
      clockKey: 'mediation-conclude',
      before: { status: 'stopped', late: true },
      after: { status: 'stopped', late: false },
    });
    expect(diff?.changes).toContain('the recorded breach would not have happened');
  });

  it('given a shorter limit in a new policy version, then a breach would have happened that did not', () => {
    const done = [...history, ev('AgreementReached', '2025-10-15T02:00:00.000Z')];
    const diffs = recomputeClocks(done, withMediationLimit(15, 'sla-2025.1'), chinaCalendar, withMediationLimit(30, 'sla-old'), chinaCalendar);
    const mediation = diffs.find((d) => d.clockKey === 'mediation-conclude');
    // 30 days from 09-20 is Monday 10-20; 15 days is 10-09.
    expect(mediation?.changes).toEqual(expect.arrayContaining([expect.stringMatching(/^due 2025-10-20 → 2025-10-09/), 'a breach would have happened']));
    expect(mediation?.after).toMatchObject({ policyVersion: 'sla-2025.1', late: true });
  });

  it('judges a running clock as of a given moment', () => {
    const shorter = withMediationLimit(10, 'sla-test');
    const early = recomputeClocks(history, shorter, chinaCalendar, slaPolicySet, chinaCalendar, '2025-09-25T00:00:00.000Z');
    expect(early.find((d) => d.clockKey === 'mediation-conclude')?.after?.late).toBe(false);
    const later = recomputeClocks(history, shorter, chinaCalendar, slaPolicySet, chinaCalendar, '2025-10-01T00:00:00.000Z');
    expect(later.find((d) => d.clockKey === 'mediation-conclude')?.changes).toContain('a breach would have happened');
  });

  it('given a policy the new version drops, then its clock is reported as gone', () => {
    const without: SlaPolicySet = { version: 'sla-test', policies: slaPolicySet.policies.filter((p) => p.id !== 'complaint-reply') };
    const diffs = recomputeClocks(history, without, chinaCalendar, slaPolicySet, chinaCalendar);
    expect(diffs).toEqual([
      expect.objectContaining({ clockKey: 'complaint-reply', changes: ['no such clock under sla-test'] }),
    ]);
    expect(diffs[0]?.after).toBeUndefined();
  });

  describe('once the next year is loaded', () => {
    // TEST DATA, invented: not the State Council's 2027 notice (which is not out). A holiday on 2027-01-11/12
    // and a make-up working Saturday exist only to move due dates.
    const fake2027: HolidayData = {
      version: 'test-only-fake-2027',
      years: [
        ...cnHolidays.years,
        {
          year: 2027,
          notice: 'TEST DATA — invented for sla-recompute.unit.spec.ts, not a real notice',
          holidays: [{ name: 'test-only', from: '2027-01-11', to: '2027-01-12' }],
          makeupWorkdays: [{ date: '2027-01-09', name: 'test-only' }],
        },
      ],
    };
    const withFake2027 = buildCalendar(fake2027);
    // Received and accepted on Monday 2026-12-28.
    const late = [ev('CaseReceived', '2026-12-28T02:00:00.000Z', { channel: 'walk-in' }), ev('CaseAccepted', '2026-12-28T03:00:00.000Z')];

    it('reports each provisional clock: a moved due date, or the same date now definite', () => {
      const diffs = recomputeClocks(late, slaPolicySet, withFake2027, slaPolicySet, chinaCalendar, '2026-12-29T00:00:00.000Z');
      // enterprise-committee-accept ends on 2026-12-31 on both calendars and is not reported.
      expect(diffs.map((d) => d.clockKey)).toEqual(['complaint-reply', 'mediation-conclude']);

      const [reply, mediation] = diffs;
      // Day 7 is Monday 2027-01-04 on both.
      expect(reply?.before).toMatchObject({ due: '2027-01-04', provisional: true, calendarVersion: chinaCalendar.version });
      expect(reply?.after).toMatchObject({ due: '2027-01-04', provisional: false, calendarVersion: 'test-only-fake-2027' });
      expect(reply?.changes).toEqual(['no longer provisional: counted on test-only-fake-2027, due unchanged']);

      // Day 15 is Tuesday 2027-01-12: a working day provisionally, a (test) holiday on the loaded calendar.
      expect(mediation?.before).toMatchObject({ due: '2027-01-12', provisional: true });
      expect(mediation?.after).toMatchObject({ due: '2027-01-13', provisional: false });
      expect(mediation?.changes[0]).toMatch(/^due 2027-01-12 \(provisional\) → 2027-01-13 \(15 calendar days from 2026-12-28 end on 2027-01-13; .*test-only/);
      expect(mediation?.changes).toContain('no longer provisional: counted on test-only-fake-2027');
    });

    it('counts a make-up working day the provisional rule did not know', () => {
      // A working-day clock from Tuesday 2027-01-05 (a referral): provisionally 01-06, 07, 08, 11, 12;
      // on the loaded calendar 01-06, 07, 08, Saturday 09 (worked), then 11–12 are holidays: 01-13.
      const referral = [ev('ReferralOpened', '2027-01-05T02:00:00.000Z', { department: 'hr' })];
      const [diff] = recomputeClocks(referral, slaPolicySet, withFake2027, slaPolicySet, chinaCalendar);
      expect(diff).toMatchObject({
        clockKey: 'referral-objection:hr',
        before: { due: '2027-01-12', provisional: true },
        after: { due: '2027-01-13', provisional: false },
      });
    });

    it('reports nothing when the old and new calendars are the same', () => {
      expect(recomputeClocks(late, slaPolicySet, chinaCalendar, slaPolicySet, chinaCalendar)).toEqual([]);
    });
  });
});
