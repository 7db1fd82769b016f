// One pino logger for the ops scripts and the long-running processes. JSON lines by default (what a log
// shipper wants); human-readable when a person watches a terminal.
import { logLevel as KafkaLogLevel, type logCreator } from 'kafkajs';
import pino from 'pino';

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

export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream) {
  const pretty = !destination && process.stdout.isTTY && process.env.LOG_FORMAT !== 'json';
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

// kafkajs logs through its own JSON printer unless given a logCreator: route it into pino instead.

export function kafkaLogCreator(log: Logger): logCreator {
  const child = log.child({ component: 'kafkajs' });
  return () => ({ level, log: entry }) => {
    const { message, timestamp: _t, logger: _l, ...rest } = entry as { message: string; timestamp?: string; logger?: string };
    if (level === KafkaLogLevel.ERROR) child.error(rest, message);
    else if (level === KafkaLogLevel.WARN) child.warn(rest, message);
    else if (level === KafkaLogLevel.INFO) child.info(rest, message);
    else child.debug(rest, message);
  };
}
