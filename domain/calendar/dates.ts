// China dates and instants as plain strings. Arithmetic goes through whole UTC days so that the result never
// depends on the machine's time zone; `Date` is only ever built from an explicit number.

/** A China calendar date, 'YYYY-MM-DD'. */
export type IsoDate = string;

const MS_PER_DAY = 86_400_000;
// China has used UTC+8 without daylight saving since 1992, so a China date is the UTC date shifted 8 hours.
const CHINA_OFFSET_MS = 8 * 3_600_000;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// An instant must say its offset: without one, Date.parse would read it in the machine's local time.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export class InvalidDateError extends Error {
  readonly code = 'INVALID_DATE';
  constructor(readonly value: string, expected: string) {
    super(`'${value}' is not ${expected}`);
    this.name = 'InvalidDateError';
  }
}

/** Days since 1970-01-01 of a valid IsoDate; throws InvalidDateError otherwise (e.g. 2025-02-30). */
// Every counted day goes through these two conversions, and the same few thousand dates recur: they
// are remembered. A pure cache — the same answer as computing — so it is safe in the workflow sandbox.
const CACHE_LIMIT = 50_000;
const epochDayOf = new Map<string, number>();
const dateOfEpochDay = new Map<number, IsoDate>();

export function toEpochDay(d: IsoDate): number {
  const known = epochDayOf.get(d);
  if (known !== undefined) return known;
  const n = computeEpochDay(d);
  if (epochDayOf.size >= CACHE_LIMIT) epochDayOf.clear();
  epochDayOf.set(d, n);
  return n;
}

function computeEpochDay(d: IsoDate): number {
  const m = ISO_DATE.exec(d);
  if (!m) throw new InvalidDateError(d, 'a date in the form YYYY-MM-DD');
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const ms = Date.UTC(year, month - 1, day);
  if (fromEpochMs(ms) !== d) throw new InvalidDateError(d, 'a real calendar date');
  return ms / MS_PER_DAY;
}

export function fromEpochDay(n: number): IsoDate {
  const known = dateOfEpochDay.get(n);
  if (known !== undefined) return known;
  const d = fromEpochMs(n * MS_PER_DAY);
  if (dateOfEpochDay.size >= CACHE_LIMIT) dateOfEpochDay.clear();
  dateOfEpochDay.set(n, d);
  return d;
}

function fromEpochMs(ms: number): IsoDate {
  return new Date(ms).toISOString().slice(0, 10);
}

export function isIsoDate(value: string): boolean {
  try {
    toEpochDay(value);
    return true;
  } catch {
    return false;
  }
}

export function addDays(d: IsoDate, n: number): IsoDate {
  return fromEpochDay(toEpochDay(d) + n);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(d: IsoDate): number {
  // 1970-01-01 was a Thursday.
  return (((toEpochDay(d) + 4) % 7) + 7) % 7;
}

export function yearOf(d: IsoDate): number {
  toEpochDay(d);
  return Number(d.slice(0, 4));
}

/** Milliseconds since the epoch of an ISO-8601 instant that carries 'Z' or an offset. */
export function instantMs(instantIso: string): number {
  const ms = ISO_INSTANT.test(instantIso) ? Date.parse(instantIso) : Number.NaN;
  if (Number.isNaN(ms)) throw new InvalidDateError(instantIso, 'an ISO-8601 instant with Z or an offset');
  return ms;
}

/** The China date (UTC+8) on which an instant falls. */
export function chinaDateOf(instantIso: string): IsoDate {
  return fromEpochMs(instantMs(instantIso) + CHINA_OFFSET_MS);
}

/** The instant a China day ends: the next day 00:00 +08:00, written in UTC ('2025-10-09T16:00:00.000Z'). */
export function endOfChinaDay(d: IsoDate): string {
  return new Date((toEpochDay(d) + 1) * MS_PER_DAY - CHINA_OFFSET_MS).toISOString();
}
