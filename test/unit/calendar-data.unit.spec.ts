// The holiday data is checked day by day against an independent source, the `chinese-days` package
// (a devDependency; production code never imports it). Both follow the State Council notices.
import chineseDays from 'chinese-days';
import { describe, expect, it } from 'vitest';
import { addDays, chinaCalendar, cnHolidays, toEpochDay } from '../../domain/calendar/index.js';
import y2024 from 'chinese-days/dist/years/2024.json' with { type: 'json' };
import y2025 from 'chinese-days/dist/years/2025.json' with { type: 'json' };
import y2026 from 'chinese-days/dist/years/2026.json' with { type: 'json' };

interface YearJson {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}
const reference: Record<number, YearJson> = { 2024: y2024, 2025: y2025, 2026: y2026 };

function everyDay(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = from; toEpochDay(d) <= toEpochDay(to); d = addDays(d, 1)) days.push(d);
  return days;
}

describe('holiday data against chinese-days, every day of 2024–2026', () => {
  const days = everyDay('2024-01-01', '2026-12-31');

  it('covers the three years, 1096 days', () => {
    expect(days).toHaveLength(1096);
  });

  it('agrees on whether each day is a working day', () => {
    const disagreements = days.filter((d) => chinaCalendar.isWorkingDay(d) !== chineseDays.isWorkday(d));
    expect(disagreements).toEqual([]);
  });

  it('agrees on which days are statutory holidays and which weekend days are worked (调休)', () => {
    const disagreements = days.filter((d) => {
      const ref = reference[Number(d.slice(0, 4))];
      if (!ref) return true;
      const kind = chinaCalendar.kindOf(d);
      return (kind === 'holiday') !== d in ref.holidays || (kind === 'makeup-working') !== d in ref.workdays;
    });
    expect(disagreements).toEqual([]);
  });

  it('says for every year which notice it comes from', () => {
    expect(cnHolidays.years.map((y) => y.year)).toEqual([2024, 2025, 2026]);
    for (const year of cnHolidays.years) expect(year.notice).toMatch(new RegExp(`国务院办公厅关于${year.year}年部分节假日安排的通知`));
  });
});
