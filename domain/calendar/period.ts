// Periods in days, 民法典 第二百零一至二百零三条:
// - the day the period starts is not counted; counting begins the next day (第二百零一条);
// - if the last day is a statutory holiday, the period ends on the day after the holiday (第二百零三条).
//   A plain weekend counts as a rest day too; a make-up working Saturday or Sunday (调休) is a working day.
// Working-day periods (工作日) count only working days, again from the next day, and so always end on one.
import type { Calendar } from './calendar.js';
import { addDays, toEpochDay, type IsoDate } from './dates.js';

export type PeriodUnit = 'calendar-days' | 'working-days';

/** Days d with after < d ≤ through are not counted: a clock paused on `after` and resumed on `through`. */
export interface SkippedDays {
  after: IsoDate;
  through: IsoDate;
}

export interface Period {
  due: IsoDate;
  /** One line saying how `due` was reached. */
  rule: string;
}

export class InvalidPeriodError extends Error {
  readonly code = 'INVALID_PERIOD';
  constructor(readonly n: number) {
    super(`a period must be a whole number of days, at least 1 (got ${n})`);
    this.name = 'InvalidPeriodError';
  }
}

function isSkipped(d: IsoDate, skip: readonly SkippedDays[]): boolean {
  const day = toEpochDay(d);
  return skip.some((s) => day > toEpochDay(s.after) && day <= toEpochDay(s.through));
}

interface Count {
  last: IsoDate;
  restDays: number;
  makeupDays: IsoDate[];
  skippedDays: number;
}

function count(calendar: Calendar, from: IsoDate, n: number, unit: PeriodUnit, skip: readonly SkippedDays[]): Count {
  calendar.kindOf(from); // an out-of-range start is an error even when the period would end inside the range
  const result: Count = { last: from, restDays: 0, makeupDays: [], skippedDays: 0 };
  let counted = 0;
  let d = from;
  while (counted < n) {
    d = addDays(d, 1);
    // Every day is looked up, even where only the last one matters, so a period running past the loaded
    // years stops at the first unknown day instead of counting on.
    const kind = calendar.kindOf(d);
    if (isSkipped(d, skip)) {
      result.skippedDays++;
      continue;
    }
    if (unit === 'working-days') {
      if (kind === 'holiday' || kind === 'weekend') {
        result.restDays++;
        continue;
      }
      if (kind === 'makeup-working') result.makeupDays.push(d);
    }
    counted++;
  }
  result.last = d;
  return result;
}

/** The day on which n counted days have passed since `from` (n = 0 gives `from`), without moving off rest days. */
export function nthCountedDay(
  calendar: Calendar,
  from: IsoDate,
  n: number,
  unit: PeriodUnit,
  skip: readonly SkippedDays[] = [],
): IsoDate {
  return count(calendar, from, n, unit, skip).last;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function describeRestDay(calendar: Calendar, d: IsoDate): string {
  return calendar.kindOf(d) === 'holiday' ? `a holiday (${calendar.breakOf(d)})` : 'a weekend day';
}

/** The last day of a period of n days after `from`, and the rule that put it there. */
export function addPeriod(
  calendar: Calendar,
  from: IsoDate,
  n: number,
  unit: PeriodUnit,
  options: { skip?: readonly SkippedDays[] } = {},
): Period {
  if (!Number.isInteger(n) || n < 1) throw new InvalidPeriodError(n);
  const skip = options.skip ?? [];
  const c = count(calendar, from, n, unit, skip);
  const notes: string[] = ['the start day is not counted'];
  let due = c.last;

  if (unit === 'calendar-days') {
    if (!calendar.isWorkingDay(c.last)) {
      do due = addDays(due, 1);
      while (isSkipped(due, skip) || !calendar.isWorkingDay(due));
      notes.push(
        `day ${n} (${c.last}) is ${describeRestDay(calendar, c.last)}, so the period moves to the next working day (民法典第二百零三条)`,
      );
    } else if (calendar.kindOf(c.last) === 'makeup-working') {
      notes.push(`${c.last} is a make-up working day (调休), so it is not moved`);
    }
  } else {
    if (c.restDays > 0) notes.push(`${plural(c.restDays, 'rest day')} not counted`);
    if (c.makeupDays.length > 0) notes.push(`make-up working days counted: ${c.makeupDays.join(', ')}`);
  }
  if (c.skippedDays > 0) notes.push(`${plural(c.skippedDays, 'paused day')} not counted`);

  const unitWord = unit === 'calendar-days' ? 'calendar day' : 'working day';
  return { due, rule: `${plural(n, unitWord)} from ${from} end on ${due}; ${notes.join('; ')}` };
}
