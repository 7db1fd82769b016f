// The hard "todays" of `npm run test:dates`: the date-sensitive suites run once per day below with the
// clocks of the test processes shifted to that day — vitest and its forks by libfaketime (Debian's
// `libfaketime`), the Java time-skipping servers they start by an initial time of their own
// (ops/java/TestServerAt.java). The Go dev server reads the clock without libc and stays on the real time, so
// the e2e tests keep their expectations relative to the moments the server reports.
export interface HardDate {
  /** The moment the run pretends to start, with its China offset. */
  at: string;
  why: string;
}

// Each one meets a trap a date-bound expectation falls into. Times are China time (+08:00).
export const HARD_DATES: readonly HardDate[] = [
  { at: '2026-11-30T23:40:00+08:00', why: 'the last day of a month, twenty minutes before the China date turns' },
  { at: '2026-02-13T16:00:00+08:00', why: 'the day before the Spring Festival holiday (2026-02-15 … 02-23)' },
  { at: '2026-02-28T09:00:00+08:00', why: 'a make-up working Saturday (调休) after the Spring Festival' },
  { at: '2026-09-30T17:00:00+08:00', why: 'the day before National Day (2026-10-01 … 10-08)' },
  { at: '2026-12-20T10:00:00+08:00', why: '15- and 30-day clocks run into 2027, past the loaded holiday data (provisional)' },
];

// The suites whose expectations depend on the day: the case's timeline, its clocks, the read models'
// periods and windows, the auditor's replay.
export const DATE_SENSITIVE_SUITES: readonly string[] = [
  'test/unit',
  'test/e2e/skeleton.e2e.spec.ts',
  'test/int/case-clock.int.spec.ts',
  'test/int/case-lifecycle.int.spec.ts',
  'test/int/case-clocks-all.int.spec.ts',
  'test/int/audit-paths.int.spec.ts',
  'test/int/audit-tamper.int.spec.ts',
  'test/int/readmodels-projections.int.spec.ts',
  'test/int/rebuild.int.spec.ts',
];

/**
 * Environment that makes every process started with it see `at` as the time now, running on from there.
 * An offset (not libfaketime's "start at" form) so that processes started later — each time-skipping
 * server is a new JVM — agree with the ones already running.
 */
export function fakeClockEnvironment(lib: string, at: string, nowMs = Date.now()): NodeJS.ProcessEnv {
  const target = Date.parse(at);
  if (Number.isNaN(target)) throw new Error(`not a moment: ${at} (expected e.g. 2026-02-13T16:00:00+08:00)`);
  const offsetSeconds = Math.round((target - nowMs) / 1000);
  return {
    LD_PRELOAD: [lib, process.env.LD_PRELOAD].filter(Boolean).join(':'),
    FAKETIME: `${offsetSeconds >= 0 ? '+' : '-'}${Math.abs(offsetSeconds)}`,
    // The JVM hangs when its monotonic clock is shifted too; timers in Node and the JVM keep real durations.
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
    // File times stay true: tsx and vitest compare them to decide what to rebuild.
    NO_FAKE_STAT: '1',
    // The Java time-skipping server is started with its own clock at the same offset instead (the wrapper
    // ops/bin/temporal-test-server drops LD_PRELOAD for it): under libfaketime it runs ten times slower.
    TEMPORAL_TEST_SERVER_CLOCK_OFFSET_MS: String(offsetSeconds * 1000),
    MEDIATION_FAKE_TODAY: at,
  };
}
