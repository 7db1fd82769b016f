// A broker outage makes kafkajs repeat one connection error many times a second: the log carries it once
// per window, and a count of the repeats at the window's end.
import { describe, expect, it } from 'vitest';
import { repeatLimiter } from '../../runtime/log.js';

function fakeClock() {
  let now = 0;
  const timers: Array<{ at: number; fn: () => void }> = [];
  return {
    now: () => now,
    setTimeout: (fn: () => void, ms: number) => void timers.push({ at: now + ms, fn }),
    advance(ms: number) {
      now += ms;
      for (const t of timers.filter((t) => t.at <= now)) {
        timers.splice(timers.indexOf(t), 1);
        t.fn();
      }
    },
  };
}

describe('repeated log lines', () => {
  it('given 900 identical errors over 20 s, writes each window once and counts the rest', () => {
    const clock = fakeClock();
    const lines: Array<{ level: number; fields: Record<string, unknown>; message: string }> = [];
    const log = repeatLimiter((level, fields, message) => lines.push({ level, fields, message }), 10_000, clock);
    for (let i = 0; i < 900; i++) {
      log(1, { broker: '127.0.0.1:9092', attempt: i }, 'Connection error: connect ECONNREFUSED');
      clock.advance(20_000 / 900);
    }
    clock.advance(10_000);
    expect(lines.length).toBeLessThanOrEqual(5);
    const written = lines.filter((l) => l.fields.repeated === undefined).length;
    const repeated = lines.reduce((sum, l) => sum + (Number(l.fields.repeated) || 0), 0);
    expect(written + repeated).toBe(900);
    expect(lines[0]).toMatchObject({ level: 1, fields: { attempt: 0 }, message: 'Connection error: connect ECONNREFUSED' });
    expect(lines[1]!.message).toMatch(/\(repeated \d+ times\)$/);
  });

  it('keeps different messages and levels apart, and writes a lone message once with no summary', () => {
    const clock = fakeClock();
    const lines: string[] = [];
    const log = repeatLimiter((level, _f, message) => lines.push(`${level} ${message}`), 10_000, clock);
    log(1, {}, 'a');
    log(2, {}, 'a');
    log(1, {}, 'b');
    clock.advance(10_000);
    expect(lines).toEqual(['1 a', '2 a', '1 b']);
  });
});
