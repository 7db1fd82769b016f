// mediation deadline --from YYYY-MM-DD --days N [--working-days] [--json]
// (the in-process entry for tests is runCli(['deadline', …]) in cli/main.ts)
import {
  addPeriod,
  CalendarRangeError,
  chinaCalendar,
  isIsoDate,
  type Calendar,
  type PeriodUnit,
} from '../domain/calendar/index.js';
import type { Command } from 'commander';
import type { CliIo } from './io.js';

const ABOUT = [
  'Prints the last day of a period of N days after --from, and the rule applied',
  '(民法典 第二百零一至二百零三条: the start day is not counted; a period in calendar days that ends on a',
  'rest day moves to the next working day; make-up working weekend days (调休) are working days).',
].join(' ');

function badArgument(io: CliIo, message: string): number {
  io.err(`error: ${message}`);
  io.err("Run 'mediation deadline --help' for usage.");
  return 2;
}

export function registerDeadline(parent: Command, io: CliIo, result: { code: number }, calendar: Calendar = chinaCalendar): void {
  parent
    .command('deadline')
    .summary('the due date of a period in days on the Chinese working-day calendar')
    .description(ABOUT)
    .usage('--from YYYY-MM-DD --days N [--working-days] [--json]')
    .option('--from <YYYY-MM-DD>', 'the day the period runs from (not counted)')
    .option('--days <N>', 'the length of the period, a whole number of at least 1')
    .option('--working-days', 'count working days only (default: calendar days)', false)
    .option('--json', 'print one JSON object instead of two lines', false)
    .helpOption('-h, --help', 'show this help')
    .showHelpAfterError("Run 'mediation deadline --help' for usage.")
    .addHelpText('after', `\nCalendar ${calendar.version}: ${calendar.firstYear}-01-01 to ${calendar.lastYear}-12-31.`)
    // Taken and refused by name, rather than commander's count of them.
    .argument('[unexpected...]')
    .action((unexpected: string[], values: { from?: string; days?: string; workingDays: boolean; json: boolean }) => {
      result.code = unexpected.length > 0 ? badArgument(io, `unexpected argument '${unexpected[0]}'`) : deadline(values, io, calendar);
    });
}

function deadline(values: { from?: string; days?: string; workingDays: boolean; json: boolean }, io: CliIo, calendar: Calendar): number {
  const from = values.from;
  if (from === undefined) return badArgument(io, '--from is required (YYYY-MM-DD)');
  if (!isIsoDate(from)) return badArgument(io, `--from '${from}' is not a real date in the form YYYY-MM-DD`);
  const daysText = values.days;
  if (daysText === undefined) return badArgument(io, '--days is required (a whole number of days)');
  const days = /^\d+$/.test(daysText) ? Number(daysText) : Number.NaN;
  if (!Number.isSafeInteger(days) || days < 1) {
    return badArgument(io, `--days '${daysText}' must be a whole number of days, at least 1`);
  }
  const unit: PeriodUnit = values.workingDays ? 'working-days' : 'calendar-days';

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
