// Where an audit reads the log from: the Kafka topic (the system of record; the default) or the read
// models' event archive (`--from archive`).
import { countArchive, readCaseFromArchive, scanArchive, type ArchiveSource } from './archive.js';
import { describeKafka } from '../runtime/kafka.js';
import { kafkaClient, readCaseFromKafka, recordOf, scanPartitions, topicRanges, withAdmin, type KafkaSource } from './kafka.js';
import type { StoredRecord } from './records.js';
import { LogVerifier, type LogVerdict } from './verify.js';

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

/**
 * Verifies every case in the log in one pass, keeping only a little per case (audit/verify.ts LogVerifier).
 * `onProgress` is called after each batch or page.
 */
export async function verifyLog(source: EventSource, onProgress: (progress: ScanProgress) => void = () => undefined): Promise<LogVerification> {
  const started = performance.now();
  const verifier = new LogVerifier();
  let total = 0;
  const report = () => onProgress({ done: verifier.records, total, cases: verifier.caseCount });

  if (source.kind === 'kafka') {
    const kafka = kafkaClient(source.brokers);
    await withAdmin(kafka, source.brokers, async (admin) => {
      const ranges = await topicRanges(admin, source);
      total = Number(ranges.reduce((sum, r) => sum + (r.high - r.low), 0n));
      report();
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

  const elapsedMs = performance.now() - started;
  const verdict = verifier.verdict();
  return {
    ...verdict,
    source: describeSource(source),
    elapsedMs: Math.round(elapsedMs),
    recordsPerSecond: elapsedMs > 0 ? Math.round((verdict.records / elapsedMs) * 1000) : 0,
  };
}
