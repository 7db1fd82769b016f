import { describe, expect, it } from 'vitest';
import {
  addDays,
  addPeriod,
  addPeriodProvisional,
  buildCalendar,
  CalendarRangeError,
  chinaCalendar,
  chinaDateOf,
  cnHolidays,
  endOfChinaDay,
  InvalidDateError,
  InvalidPeriodError,
  nthCountedDay,
  PROVISIONAL_HOLIDAYS,
  provisionalExtension,
  type HolidayData,
  type PeriodUnit,
} from '../../domain/calendar/index.js';

const due = (from: string, n: number, unit: PeriodUnit = 'calendar-days') => addPeriod(chinaCalendar, from, n, unit).due;

describe('calendar: known answers from the brief', () => {
  it('given 2025-09-20, when 15 calendar days are added, then the period ends 2025-10-09 (day 15 is a National Day holiday)', () => {
    const period = addPeriod(chinaCalendar, '2025-09-20', 15, 'calendar-days');
    expect(period.due).toBe('2025-10-09');
    expect(period.rule).toContain('2025-10-05');
    expect(period.rule).toContain('moves to the next working day');
  });

  it('given 2025-09-26, when 3 working days are added, then the make-up Sunday 2025-09-28 counts and the period ends 2025-09-30', () => {
    const period = addPeriod(chinaCalendar, '2025-09-26', 3, 'working-days');
    expect(period.due).toBe('2025-09-30');
    expect(period.rule).toContain('make-up working days counted: 2025-09-28');
  });

  it('given 2025-09-26, when 15 calendar days are added, then the period ends on the make-up Saturday 2025-10-11 and is not moved', () => {
    const period = addPeriod(chinaCalendar, '2025-09-26', 15, 'calendar-days');
    expect(period.due).toBe('2025-10-11');
    expect(period.rule).toMatch(/^15 calendar days from 2025-09-26 end on 2025-10-11; /);
    expect(period.rule).toContain('make-up working day');
  });
});

describe('calendar: Spring Festival, May Day and New Year of each loaded year', () => {
  it.each([
    // 2024: 春节 02-10..02-17, worked Sundays 02-04 and 02-18; 除夕 02-09 is a working day that year.
    ['2024-01-31', 15, 'calendar-days', '2024-02-18'],
    ['2024-02-08', 3, 'working-days', '2024-02-19'],
    ['2024-02-01', 5, 'working-days', '2024-02-07'],
    // 2024: 劳动节 05-01..05-05, worked 04-28 (Sun) and 05-11 (Sat).
    ['2024-04-25', 7, 'calendar-days', '2024-05-06'],
    ['2024-04-26', 5, 'working-days', '2024-05-07'],
    ['2024-05-01', 10, 'calendar-days', '2024-05-11'],
    // 2025: 春节 01-28..02-04, worked 01-26 (Sun) and 02-08 (Sat).
    ['2025-01-25', 7, 'calendar-days', '2025-02-05'],
    ['2025-01-24', 3, 'working-days', '2025-02-05'],
    ['2025-01-25', 14, 'calendar-days', '2025-02-08'],
    // 2025: 劳动节 05-01..05-05, worked 04-27 (Sun).
    ['2025-04-26', 5, 'calendar-days', '2025-05-06'],
    ['2025-04-25', 2, 'working-days', '2025-04-28'],
    // 2026: 元旦 01-01..01-03, worked 01-04 (Sun): a period across the year boundary.
    ['2025-12-30', 2, 'calendar-days', '2026-01-04'],
    // 2026: 春节 02-15..02-23, worked 02-14 (Sat) and 02-28 (Sat).
    ['2026-02-01', 15, 'calendar-days', '2026-02-24'],
    ['2026-02-12', 5, 'working-days', '2026-02-26'],
    ['2026-01-29', 30, 'calendar-days', '2026-02-28'],
    // 2026: 劳动节 05-01..05-05, worked 05-09 (Sat).
    ['2026-04-28', 5, 'calendar-days', '2026-05-06'],
    ['2026-05-06', 3, 'working-days', '2026-05-09'],
    // An ordinary weekend is a rest day too.
    ['2025-03-01', 7, 'calendar-days', '2025-03-10'],
  ] as const)('given %s, when %i %s are added, then the period ends %s', (from, n, unit, expected) => {
    expect(due(from, n, unit)).toBe(expected);
  });
});

describe('calendar: day kinds', () => {
  it.each([
    ['2025-10-01', 'holiday'],
    ['2025-10-11', 'makeup-working'],
    ['2025-10-12', 'weekend'],
    ['2025-10-13', 'working'],
    ['2024-02-09', 'working'],
    ['2024-06-08', 'weekend'],
    ['2024-06-10', 'holiday'],
  ] as const)('given %s, then it is a %s day', (d, kind) => {
    expect(chinaCalendar.kindOf(d)).toBe(kind);
    expect(chinaCalendar.isWorkingDay(d)).toBe(kind === 'working' || kind === 'makeup-working');
  });

  it('names the break a holiday or make-up day belongs to, and none for an ordinary day', () => {
    expect(chinaCalendar.breakOf('2026-02-17')).toBe('春节');
    expect(chinaCalendar.breakOf('2026-02-28')).toBe('春节');
    expect(chinaCalendar.breakOf('2026-03-02')).toBeUndefined();
  });

  it('has a version and the range of loaded years', () => {
    expect(chinaCalendar.version).toBe(cnHolidays.version);
    expect([chinaCalendar.firstYear, chinaCalendar.lastYear]).toEqual([2024, 2026]);
  });
});

describe('calendar: out of range is an explicit error', () => {
  function rangeError(fn: () => unknown): CalendarRangeError {
    try {
      fn();
    } catch (error) {
      if (error instanceof CalendarRangeError) return error;
      throw error;
    }
    throw new Error('expected a CalendarRangeError');
  }

  it('given a date before the loaded years, when its kind is asked, then the error names the date and the range', () => {
    const error = rangeError(() => chinaCalendar.isWorkingDay('2023-12-31'));
    expect(error).toMatchObject({ code: 'CALENDAR_OUT_OF_RANGE', date: '2023-12-31', firstYear: 2024, lastYear: 2026 });
    expect(error.message).toContain('2024-01-01 to 2026-12-31');
  });

  it('given a start before the loaded years, when a period is added, then it fails even though it would end inside them', () => {
    expect(rangeError(() => addPeriod(chinaCalendar, '2023-12-25', 15, 'calendar-days')).date).toBe('2023-12-25');
  });

  it('given a period that runs past the last loaded year, when it is added, then it fails at the first unknown day', () => {
    expect(rangeError(() => addPeriod(chinaCalendar, '2026-12-20', 15, 'calendar-days')).date).toBe('2027-01-01');
    expect(rangeError(() => addPeriod(chinaCalendar, '2026-12-28', 5, 'working-days')).date).toBe('2027-01-01');
    expect(due('2026-12-21', 10)).toBe('2026-12-31');
  });

  it('given a period whose last day is a rest day on 31 December of the last year, then the look-ahead fails', () => {
    const data: HolidayData = {
      version: 'test-only',
      years: [{ year: 2026, notice: 'test', holidays: [{ name: 'test', from: '2026-12-31', to: '2026-12-31' }], makeupWorkdays: [] }],
    };
    const calendar = buildCalendar(data);
    expect(rangeError(() => addPeriod(calendar, '2026-12-21', 10, 'calendar-days')).date).toBe('2027-01-01');
  });
});

describe('calendar: provisional extension past the loaded years (SLA clocks only)', () => {
  const extended = provisionalExtension(chinaCalendar);

  it('is the loaded calendar itself on every day of 2024–2026', () => {
    for (let d = '2024-01-01'; d <= '2026-12-31'; d = addDays(d, 1)) {
      if (extended.kindOf(d) !== chinaCalendar.kindOf(d) || extended.breakOf(d) !== chinaCalendar.breakOf(d)) {
        throw new Error(`differs on ${d}`);
      }
    }
    expect([extended.version, extended.firstYear, extended.lastYear]).toEqual([chinaCalendar.version, 2024, 2026]);
  });

  it('after 2026 knows only weekends and the holidays fixed by date: 1 January, 1–2 May, 1–3 October', () => {
    expect(Object.entries(PROVISIONAL_HOLIDAYS)).toEqual([
      ['01-01', '元旦'],
      ['05-01', '劳动节'],
      ['05-02', '劳动节'],
      ['10-01', '国庆节'],
      ['10-02', '国庆节'],
      ['10-03', '国庆节'],
    ]);
    const kinds: Record<string, number> = {};
    const holidays: string[] = [];
    for (let d = '2027-01-01'; d <= '2027-12-31'; d = addDays(d, 1)) {
      const kind = extended.kindOf(d);
      kinds[kind] = (kinds[kind] ?? 0) + 1;
      if (kind === 'holiday') holidays.push(`${d} ${extended.breakOf(d)}`);
    }
    expect(holidays).toEqual([
      '2027-01-01 元旦',
      '2027-05-01 劳动节',
      '2027-05-02 劳动节',
      '2027-10-01 国庆节',
      '2027-10-02 国庆节',
      '2027-10-03 国庆节',
    ]);
    // No make-up working day is guessed. 2027 has 104 Saturdays and Sundays; 4 of them are holidays above.
    expect(kinds).toEqual({ holiday: 6, weekend: 100, working: 259 });
    // The lunar holidays are not computed: the week of the Spring Festival 2027 counts as working days.
    expect(extended.isWorkingDay('2027-02-08')).toBe(true);
    expect(extended.kindOf('2028-01-01')).toBe('holiday');
  });

  it('still refuses a date before the loaded years, and leaves the calendar itself strict', () => {
    expect(() => extended.kindOf('2023-12-31')).toThrow(CalendarRangeError);
    expect(() => addPeriodProvisional(chinaCalendar, '2023-12-25', 15, 'calendar-days')).toThrow(CalendarRangeError);
    expect(() => chinaCalendar.kindOf('2027-01-04')).toThrow(CalendarRangeError);
  });

  it('gives exactly addPeriod inside the loaded years, not provisional', () => {
    for (const [from, n, unit] of [['2025-09-20', 15, 'calendar-days'], ['2025-09-26', 3, 'working-days'], ['2026-12-21', 10, 'calendar-days']] as const) {
      expect(addPeriodProvisional(chinaCalendar, from, n, unit)).toEqual({ ...addPeriod(chinaCalendar, from, n, unit), provisional: false });
    }
  });

  it('counts a period past 2026 provisionally and says so in its rule', () => {
    // Day 15 after 2026-12-17 is 2027-01-01 (元旦), then a weekend: Monday 2027-01-04.
    const period = addPeriodProvisional(chinaCalendar, '2026-12-17', 15, 'calendar-days');
    expect(period).toMatchObject({ due: '2027-01-04', provisional: true });
    expect(period.rule).toBe(
      '15 calendar days from 2026-12-17 end on 2027-01-04; the start day is not counted; ' +
        'day 15 (2027-01-01) is a holiday (元旦), so the period moves to the next working day (民法典第二百零三条); ' +
        'counted provisionally: the 2027 holiday notice is not loaded, so after 2026-12-31 only weekends and the ' +
        'fixed-date holidays (1 January, 1–2 May, 1–3 October) are rest days and no make-up working day is known; ' +
        'recompute when it is loaded',
    );
    expect(addPeriodProvisional(chinaCalendar, '2026-12-28', 5, 'working-days')).toMatchObject({ due: '2027-01-05', provisional: true });
    expect(addPeriodProvisional(chinaCalendar, '2027-12-25', 10, 'calendar-days').rule).toContain(
      'the 2027–2028 holiday notices are not loaded',
    );
  });

  it('is provisional when only the move off a rest day on 31 December reaches the next year', () => {
    const data: HolidayData = {
      version: 'test-only',
      years: [{ year: 2026, notice: 'test', holidays: [{ name: 'test', from: '2026-12-31', to: '2026-12-31' }], makeupWorkdays: [] }],
    };
    // Day 10 is the (test) holiday 12-31; 2027-01-01 is 元旦, then a weekend.
    expect(addPeriodProvisional(buildCalendar(data), '2026-12-21', 10, 'calendar-days')).toMatchObject({ due: '2027-01-04', provisional: true });
  });
});

describe('calendar: bad input', () => {
  it.each(['2025-02-30', '2025-9-1', '20250901', ''])('rejects the date %j', (d) => {
    expect(() => addPeriod(chinaCalendar, d, 3, 'calendar-days')).toThrow(InvalidDateError);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects a period of %s days', (n) => {
    expect(() => addPeriod(chinaCalendar, '2025-03-03', n, 'calendar-days')).toThrow(InvalidPeriodError);
  });

  it('rejects holiday data with a make-up day that is not a weekend day, or a gap between years', () => {
    const year = (y: number) => ({ year: y, notice: 'test', holidays: [], makeupWorkdays: [] });
    expect(() =>
      buildCalendar({ version: 'x', years: [{ ...year(2025), makeupWorkdays: [{ date: '2025-03-03', name: 'x' }] }] }),
    ).toThrow(/not a weekend day/);
    expect(() => buildCalendar({ version: 'x', years: [year(2024), year(2026)] })).toThrow(/gap/);
  });
});

describe('calendar: paused days and counted days', () => {
  it('given days skipped after a pause, when a period is added, then those days are not counted', () => {
    // Paused on 09-22, resumed on 10-10: 09-23 … 10-10 are not counted, so day 3 is 10-11.
    const period = addPeriod(chinaCalendar, '2025-09-20', 15, 'calendar-days', {
      skip: [{ after: '2025-09-22', through: '2025-10-10' }],
    });
    expect(period.due).toBe('2025-10-23');
    expect(period.rule).toContain('18 paused days not counted');
  });

  it('gives the day on which n days have been counted, without moving off rest days', () => {
    expect(nthCountedDay(chinaCalendar, '2025-09-20', 0, 'calendar-days')).toBe('2025-09-20');
    expect(nthCountedDay(chinaCalendar, '2025-09-20', 15, 'calendar-days')).toBe('2025-10-05');
    expect(nthCountedDay(chinaCalendar, '2025-09-26', 1, 'working-days')).toBe('2025-09-28');
  });
});

describe('calendar: China dates and instants', () => {
  it.each([
    ['2025-09-30T15:59:59.999Z', '2025-09-30'],
    ['2025-09-30T16:00:00Z', '2025-10-01'],
    ['2025-10-01T00:00:00+08:00', '2025-10-01'],
    ['2025-09-30T23:30:00-05:00', '2025-10-01'],
    ['2025-09-30T16:00:00.123456Z', '2025-10-01'],
  ])('the instant %s falls on the China date %s', (instant, date) => {
    expect(chinaDateOf(instant)).toBe(date);
  });

  it('rejects an instant without an offset, which would be read in local time', () => {
    expect(() => chinaDateOf('2025-09-30T16:00:00')).toThrow(InvalidDateError);
  });

  it('ends a China day at the next midnight +08:00, written in UTC', () => {
    expect(endOfChinaDay('2025-10-09')).toBe('2025-10-09T16:00:00.000Z');
    expect(endOfChinaDay('2025-12-31')).toBe('2025-12-31T16:00:00.000Z');
    expect(chinaDateOf(endOfChinaDay('2025-10-09'))).toBe('2025-10-10');
  });
});
