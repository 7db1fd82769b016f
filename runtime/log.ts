// One pino logger for the ops scripts and the long-running processes. JSON lines by default (what a log
// shipper wants); human-readable when a person watches a terminal.
import { logLevel as KafkaLogLevel, type logCreator } from 'kafkajs';
import pino from 'pino';
import { setting } from './config.js';

/**
 * Redaction by structure: every marked personal field (`{ pii: true, … }`, events/personal-data.ts), at any
 * depth, shrinks to `{ pii: true, ref }` — plain or encrypted, its value or ciphertext never reaches a log
 * line. Only plain objects and arrays are walked (errors, buffers and dates pass as they are), cycles are
 * cut, and an object without personal fields is returned as it was (no copy).
 */
export function redactPersonalFields(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) {
    let changed = false;
    const copy = value.map((item) => {
      const r = redactPersonalFields(item, seen);
      if (r !== item) changed = true;
      return r;
    });
    return changed ? copy : value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const record = value as Record<string, unknown>;
  if (record.pii === true) return { pii: true, ref: typeof record.ref === 'string' ? record.ref : '?' };
  let copy: Record<string, unknown> | undefined;
  for (const [key, child] of Object.entries(record)) {
    const r = redactPersonalFields(child, seen);
    if (r !== child) (copy ??= { ...record })[key] = r;
  }
  return copy ?? value;
}

export function createLogger(name: string, level: string = setting('LOG_LEVEL'), destination?: pino.DestinationStream) {
  const pretty = !destination && process.stdout.isTTY && setting('LOG_FORMAT') !== 'json';
  const options: pino.LoggerOptions = {
    name,
    level,
    formatters: { log: (object) => redactPersonalFields(object) as Record<string, unknown> },
    // Personal data never reaches a log line: these paths are censored wherever they appear.
    redact: {
      paths: ['*.pii', '*.*.pii', '*.value', '*.salt', 'complainants', '*.complainants', 'password', '*.password'],
      censor: '[redacted]',
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}

export type Logger = pino.Logger;

// kafkajs logs through its own JSON printer unless given a logCreator: route it into pino instead. While a
// broker is away kafkajs repeats the same connection error many times a second (a 20 s outage wrote ~900
// ERROR lines from the worker): the same message is written once per window, and the repeats are counted
// and written as one summary line when the window ends.
export function kafkaLogCreator(log: Logger, windowMs = 10_000): logCreator {
  const child = log.child({ component: 'kafkajs' });
  const write = (level: number, fields: Record<string, unknown>, message: string) => {
    if (level === KafkaLogLevel.ERROR) child.error(fields, message);
    else if (level === KafkaLogLevel.WARN) child.warn(fields, message);
    else if (level === KafkaLogLevel.INFO) child.info(fields, message);
    else child.debug(fields, message);
  };
  const limiter = repeatLimiter(write, windowMs);
  return () => ({ level, log: entry }) => {
    const { message, timestamp: _t, logger: _l, ...rest } = entry as { message: string; timestamp?: string; logger?: string };
    limiter(level, rest, message);
  };
}

/**
 * Writes a (level, message) at most once per window; the repeats inside a window are counted and written
 * as one line `{ repeated: n, withinSeconds }` when the window ends. The fields of the first occurrence are
 * kept; a repeat's fields (ports, correlation ids) are not worth a line each.
 */
export function repeatLimiter(
  write: (level: number, fields: Record<string, unknown>, message: string) => void,
  windowMs: number,
  clock: { now: () => number; setTimeout: (fn: () => void, ms: number) => unknown } = { now: Date.now, setTimeout: (fn, ms) => setTimeout(fn, ms).unref() },
): (level: number, fields: Record<string, unknown>, message: string) => void {
  const windows = new Map<string, { repeats: number; fields: Record<string, unknown> }>();
  return (level, fields, message) => {
    const key = `${level} ${message}`;
    const open = windows.get(key);
    if (open) {
      open.repeats++;
      return;
    }
    write(level, fields, message);
    const window = { repeats: 0, fields };
    windows.set(key, window);
    clock.setTimeout(() => {
      windows.delete(key);
      if (window.repeats > 0) write(level, { ...window.fields, repeated: window.repeats, withinSeconds: windowMs / 1000 }, `${message} (repeated ${window.repeats} times)`);
    }, windowMs);
  };
}
