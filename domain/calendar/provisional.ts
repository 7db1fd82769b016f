// Counting past the last loaded year, for SLA clocks only.
//
// The calendar itself stays strict (CalendarRangeError): a deadline stated as fact, e.g. by the CLI, must
// never rest on a guess. But a mediation centre cannot stop taking cases because the State Council's notice
// for next year is late, so a clock whose period runs past the loaded years gets a due date counted on this
// extension and is marked provisional; it is recomputed once the notice is loaded (recomputeClocks).
//
// After the last loaded year the extension knows only what holds whatever the notice says:
// - ordinary Saturdays and Sundays are rest days (a notice may later make one of them a make-up working
//   day; none is assumed);
// - the statutory holidays that 全国年节及纪念日放假办法 (2024 revision, 第二条) fixes by the solar date:
//   元旦 1 January, 劳动节 1–2 May, 国庆节 1–3 October. They are rest days in every year's notice; the notice
//   only adds bridging days around them and moves a day that falls on a weekend (补假), which stays a rest
//   day either way.
// Left out on purpose: the lunar holidays (春节 with 除夕, 端午节, 中秋节) and 清明节 (a solar term), whose
// dates would have to be computed rather than read from a notice, and every bridging or make-up day. A
// provisional due date can therefore fall inside what turns out to be a holiday break (earlier than the real
// one), or on what turns out to be a make-up working weekend (later than the real one).
// Years before the first loaded year stay an error: nothing current starts there.
import type { Calendar, DayKind } from './calendar.js';
import { weekdayOf, yearOf, type IsoDate } from './dates.js';
import { addPeriod, type PeriodUnit, type Period, type SkippedDays } from './period.js';

/** The fixed-date statutory holidays assumed after the last loaded year, by 'MM-DD'. */
export const PROVISIONAL_HOLIDAYS: Readonly<Record<string, string>> = {
  '01-01': '元旦',
  '05-01': '劳动节',
  '05-02': '劳动节',
  '10-01': '国庆节',
  '10-02': '国庆节',
  '10-03': '国庆节',
};

/**
 * The calendar, continued past its last year by the provisional rule above. Inside the loaded years it is
 * the calendar itself; before them it still throws CalendarRangeError. Same `version` and year range: the
 * provisional part is code, not data, and a clock that used it says so itself (`provisional`).
 */
export function provisionalExtension(calendar: Calendar): Calendar {
  const beyond = (d: IsoDate) => yearOf(d) > calendar.lastYear;
  const kindOf = (d: IsoDate): DayKind => {
    if (!beyond(d)) return calendar.kindOf(d);
    if (PROVISIONAL_HOLIDAYS[d.slice(5)] !== undefined) return 'holiday';
    const wd = weekdayOf(d);
    return wd === 0 || wd === 6 ? 'weekend' : 'working';
  };
  return {
    version: calendar.version,
    firstYear: calendar.firstYear,
    lastYear: calendar.lastYear,
    kindOf,
    isWorkingDay: (d) => {
      const k = kindOf(d);
      return k === 'working' || k === 'makeup-working';
    },
    breakOf: (d) => (beyond(d) ? PROVISIONAL_HOLIDAYS[d.slice(5)] : calendar.breakOf(d)),
  };
}

export interface ProvisionalPeriod extends Period {
  /** The period used a day after the calendar's last year: `due` may move when that year is loaded. */
  provisional: boolean;
}

/**
 * addPeriod on the provisional extension. Inside the loaded years the result is exactly addPeriod's; a period
 * that reaches past them is flagged and its rule says so. Every day from `from` to `due` is looked up, so
 * the period is provisional exactly when `due` lies after the last loaded year.
 */
export function addPeriodProvisional(
  calendar: Calendar,
  from: IsoDate,
  n: number,
  unit: PeriodUnit,
  options: { skip?: readonly SkippedDays[] } = {},
): ProvisionalPeriod {
  const period = addPeriod(provisionalExtension(calendar), from, n, unit, options);
  const lastDueYear = yearOf(period.due);
  if (lastDueYear <= calendar.lastYear) return { ...period, provisional: false };
  const first = calendar.lastYear + 1;
  const one = lastDueYear === first;
  const notices = one ? `${first} holiday notice is` : `${first}–${lastDueYear} holiday notices are`;
  return {
    due: period.due,
    rule:
      `${period.rule}; counted provisionally: the ${notices} not loaded, so after ${calendar.lastYear}-12-31 only weekends ` +
      `and the fixed-date holidays (1 January, 1–2 May, 1–3 October) are rest days and no make-up working day is known; ` +
      `recompute when ${one ? 'it is' : 'they are'} loaded`,
    provisional: true,
  };
}
