// mediation deadline --from YYYY-MM-DD --days N [--working-days] [--json]
import { parseArgs } from 'node:util';
import {
  addPeriod,
  CalendarRangeError,
  chinaCalendar,
  isIsoDate,
  type Calendar,
  type PeriodUnit,
} from '../domain/calendar/index.js';
import type { CliIo } from './main.js';

function usage(calendar: Calendar): string {
  return [
    'Usage: mediation deadline --from YYYY-MM-DD --days N [--working-days] [--json]',
    '',
    'Prints the last day of a period of N days after --from, and the rule applied',
    '(民法典 第二百零一至二百零三条: the start day is not counted; a period in calendar days that ends on a',
    'rest day moves to the next working day; make-up working weekend days (调休) are working days).',
    '',
    'Options:',
    '  --from YYYY-MM-DD  the day the period runs from (not counted)',
    '  --days N           the length of the period, a whole number of at least 1',
    '  --working-days     count working days only (default: calendar days)',
    '  --json             print one JSON object instead of two lines',
    '  -h, --help         show this help',
    '',
    `Calendar ${calendar.version}: ${calendar.firstYear}-01-01 to ${calendar.lastYear}-12-31.`,
  ].join('\n');
}

function badArgument(io: CliIo, message: string): number {
  io.err(`error: ${message}`);
  io.err("Run 'mediation deadline --help' for usage.");
  return 2;
}

export async function runDeadline(argv: string[], io: CliIo, calendar: Calendar = chinaCalendar): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        from: { type: 'string' },
        days: { type: 'string' },
        'working-days': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    return badArgument(io, error instanceof Error ? error.message : String(error));
  }

  if (values.help) {
    io.out(usage(calendar));
    return 0;
  }
  const from = values.from;
  if (from === undefined) return badArgument(io, '--from is required (YYYY-MM-DD)');
  if (!isIsoDate(from)) return badArgument(io, `--from '${from}' is not a real date in the form YYYY-MM-DD`);
  const daysText = values.days;
  if (daysText === undefined) return badArgument(io, '--days is required (a whole number of days)');
  const days = /^\d+$/.test(daysText) ? Number(daysText) : Number.NaN;
  if (!Number.isSafeInteger(days) || days < 1) {
    return badArgument(io, `--days '${daysText}' must be a whole number of days, at least 1`);
  }
  const unit: PeriodUnit = values['working-days'] ? 'working-days' : 'calendar-days';

  let period;
  try {
    period = addPeriod(calendar, from, days, unit);
  } catch (error) {
    if (!(error instanceof CalendarRangeError)) throw error;
    const flag = error.date === from ? '--from' : '--days';
    return badArgument(io, `${flag}: ${error.message}`);
  }

  if (values.json) {
    io.out(JSON.stringify({ from, days, unit, due: period.due, rule: period.rule, calendarVersion: calendar.version }));
  } else {
    io.out(period.due);
    io.out(period.rule);
  }
  return 0;
}
