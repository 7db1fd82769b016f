// One pino logger for the ops scripts and the long-running processes. JSON lines by default (what a log
// shipper wants); human-readable when a person watches a terminal.
import { logLevel as KafkaLogLevel, type logCreator } from 'kafkajs';
import pino from 'pino';

export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info') {
  const pretty = process.stdout.isTTY && process.env.LOG_FORMAT !== 'json';
  return pino({
    name,
    level,
    // Personal data never reaches a log line: these paths are censored wherever they appear.
    redact: {
      paths: ['*.pii', '*.*.pii', '*.value', '*.salt', 'complainants', '*.complainants', 'password', '*.password'],
      censor: '[redacted]',
    },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' } } } : {}),
  });
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
