import { cnHolidays, type HolidayData } from './cn-holidays.js';
import { addDays, toEpochDay, weekdayOf, yearOf, type IsoDate } from './dates.js';

/**
 * - working: a Monday–Friday that is not a holiday
 * - weekend: a Saturday or Sunday that is neither a holiday nor worked
 * - holiday: a day of a statutory break (法定节假日 and the days moved into it by 调休)
 * - makeup-working: a Saturday or Sunday worked in exchange for a break day (调休上班)
 */
export type DayKind = 'working' | 'weekend' | 'holiday' | 'makeup-working';

export interface Calendar {
  readonly version: string;
  readonly firstYear: number;
  readonly lastYear: number;
  kindOf(d: IsoDate): DayKind;
  isWorkingDay(d: IsoDate): boolean;
  /** The break a holiday or make-up working day belongs to ('春节'); undefined for ordinary days. */
  breakOf(d: IsoDate): string | undefined;
}

/** A date the calendar has no data for: guessing would silently put a deadline on a holiday. */
export class CalendarRangeError extends Error {
  readonly code = 'CALENDAR_OUT_OF_RANGE';
  constructor(
    readonly date: IsoDate,
    readonly firstYear: number,
    readonly lastYear: number,
    readonly calendarVersion: string,
  ) {
    super(
      `${date} is outside the loaded calendar ${calendarVersion}, which covers ${firstYear}-01-01 to ${lastYear}-12-31`,
    );
    this.name = 'CalendarRangeError';
  }
}

export function buildCalendar(data: HolidayData): Calendar {
  const years = data.years.map((y) => y.year).sort((a, b) => a - b);
  const firstYear = years[0];
  const lastYear = years[years.length - 1];
  if (firstYear === undefined || lastYear === undefined) throw new Error(`calendar ${data.version} has no years`);
  if (lastYear - firstYear + 1 !== years.length) throw new Error(`calendar ${data.version} has a gap or a repeated year`);

  const special = new Map<IsoDate, { kind: 'holiday' | 'makeup-working'; name: string }>();
  for (const year of data.years) {
    const inYear = (d: IsoDate) => {
      if (yearOf(d) !== year.year) throw new Error(`calendar ${data.version}: ${d} is listed under ${year.year}`);
    };
    for (const b of year.holidays) {
      inYear(b.from);
      inYear(b.to);
      for (let d = b.from; toEpochDay(d) <= toEpochDay(b.to); d = addDays(d, 1)) {
        special.set(d, { kind: 'holiday', name: b.name });
      }
    }
    for (const m of year.makeupWorkdays) {
      inYear(m.date);
      const wd = weekdayOf(m.date);
      if (wd !== 0 && wd !== 6) throw new Error(`calendar ${data.version}: make-up day ${m.date} is not a weekend day`);
      if (special.has(m.date)) throw new Error(`calendar ${data.version}: ${m.date} is both a holiday and worked`);
      special.set(m.date, { kind: 'makeup-working', name: m.name });
    }
  }

  const checkRange = (d: IsoDate) => {
    const y = yearOf(d);
    if (y < firstYear || y > lastYear) throw new CalendarRangeError(d, firstYear, lastYear, data.version);
  };

  const kindOf = (d: IsoDate): DayKind => {
    checkRange(d);
    const s = special.get(d);
    if (s) return s.kind;
    const wd = weekdayOf(d);
    return wd === 0 || wd === 6 ? 'weekend' : 'working';
  };

  return {
    version: data.version,
    firstYear,
    lastYear,
    kindOf,
    isWorkingDay: (d) => {
      const k = kindOf(d);
      return k === 'working' || k === 'makeup-working';
    },
    breakOf: (d) => {
      checkRange(d);
      return special.get(d)?.name;
    },
  };
}

export const chinaCalendar: Calendar = buildCalendar(cnHolidays);
