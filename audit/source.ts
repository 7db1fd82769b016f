// Where an audit reads the log from: the Kafka topic (the system of record; the default) or the read
// models' event archive (`--from archive`).
import { countArchive, readCaseFromArchive, scanArchive, type ArchiveSource } from './archive.js';
import { describeKafka } from '../runtime/kafka.js';
import { availableParallelism } from 'node:os';
import { kafkaClient, readCaseFromKafka, recordOf, scanPartitions, topicRanges, withAdmin, type KafkaSource } from './kafka.js';
import type { StoredRecord } from './records.js';
import { LogVerifier, type LogVerdict } from './verify.js';
import { ThreadedLogVerifier } from './verify-threads.js';

export type { ArchiveSource } from './archive.js';
export { SourceError, type KafkaSource } from './kafka.js';

export type EventSource = KafkaSource | ArchiveSource;

export function describeSource(source: EventSource): string {
  return source.kind === 'kafka'
    ? `Kafka topic ${source.topic} on ${describeKafka(source.brokers)}`
    : `event archive ${source.schema}.event_archive in ${source.describe}`;
}

/** The stored records of one case, in log order. */
export function readCaseEvents(source: EventSource, caseId: string): Promise<StoredRecord[]> {
  return source.kind === 'kafka' ? readCaseFromKafka(source, caseId) : readCaseFromArchive(source, caseId);
}

export interface ScanProgress {
  /** Records read so far, of `total` (the log's size when the scan began). */
  done: number;
  total: number;
  cases: number;
}

export interface LogVerification extends LogVerdict {
  source: string;
  elapsedMs: number;
  recordsPerSecond: number;
}

export interface VerifyLogOptions {
  /**
   * Worker threads that verify the Kafka log in parallel (audit/verify-threads.ts); 0 verifies in this
   * thread. Default: one per core (at most 8) on a log of THREADS_FROM events or more, else 0 — starting
   * a thread (loading the event schemas) costs more than a small log takes.
   */
  threads?: number;
}

/** The log size from which verify --all uses worker threads by default. */
export const THREADS_FROM = 20_000;

/** The default thread count for a log of `total` records. */
export function defaultVerifyThreads(total: number): number {
  return total >= THREADS_FROM ? Math.min(8, availableParallelism()) : 0;
}

/**
 * Verifies every case in the log in one pass, keeping only a little per case (audit/verify.ts LogVerifier),
 * on worker threads for a large Kafka log (VerifyLogOptions.threads). `onProgress` is called after each
 * batch or page.
 */
export async function verifyLog(
  source: EventSource,
  onProgress: (progress: ScanProgress) => void = () => undefined,
  options: VerifyLogOptions = {},
): Promise<LogVerification> {
  const started = performance.now();
  const verifier = new LogVerifier();
  let threaded: ThreadedLogVerifier | undefined;
  let total = 0;
  // With threads, progress counts what the threads have verified, not only what was read.
  const report = () =>
    onProgress(threaded ? { done: threaded.verified, total, cases: threaded.caseCount } : { done: verifier.records, total, cases: verifier.caseCount });

  if (source.kind === 'kafka') {
    const kafka = kafkaClient(source.brokers);
    await withAdmin(kafka, source.brokers, async (admin) => {
      const ranges = await topicRanges(admin, source);
      total = Number(ranges.reduce((sum, r) => sum + (r.high - r.low), 0n));
      const threads = options.threads ?? defaultVerifyThreads(total);
      report();
      if (threads > 0) {
        const parallel = new ThreadedLogVerifier(threads);
        threaded = parallel;
        try {
          await scanPartitions(kafka, admin, source, ranges, async (messages, partition) => {
            for (const m of messages) {
              parallel.add([
                m.value === null ? null : m.value.toString('utf8'),
                m.key === null ? null : m.key.toString('utf8'),
                { kind: 'kafka', topic: source.topic, partition, offset: m.offset },
                m.headers?.['sequence']?.toString(),
              ]);
            }
            report();
            await parallel.whenReady();
          });
        } catch (error) {
          await parallel.close();
          throw error;
        }
        return;
      }
      await scanPartitions(kafka, admin, source, ranges, (messages, partition) => {
        for (const m of messages) verifier.add(recordOf(source.topic, partition, m));
        report();
      });
    });
  } else {
    total = await countArchive(source);
    report();
    await scanArchive(source, (records) => {
      for (const r of records) verifier.add(r);
      report();
    });
  }

  const verdict = threaded ? await threaded.verdict() : verifier.verdict();
  report();
  const elapsedMs = performance.now() - started;
  return {
    ...verdict,
    source: describeSource(source),
    elapsedMs: Math.round(elapsedMs),
    recordsPerSecond: elapsedMs > 0 ? Math.round((verdict.records / elapsedMs) * 1000) : 0,
  };
}
