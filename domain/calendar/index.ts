export { cnHolidays, type HolidayBreak, type HolidayData, type HolidayYear, type MakeupWorkday } from './cn-holidays.js';
export { buildCalendar, CalendarRangeError, chinaCalendar, type Calendar, type DayKind } from './calendar.js';
export {
  addDays,
  chinaDateOf,
  endOfChinaDay,
  instantMs,
  InvalidDateError,
  isIsoDate,
  toEpochDay,
  weekdayOf,
  type IsoDate,
} from './dates.js';
export { addPeriod, InvalidPeriodError, nthCountedDay, type Period, type PeriodUnit, type SkippedDays } from './period.js';
export {
  addPeriodProvisional,
  PROVISIONAL_HOLIDAYS,
  provisionalExtension,
  type ProvisionalPeriod,
} from './provisional.js';
