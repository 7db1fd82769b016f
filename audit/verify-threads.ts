// `audit verify --all` on worker threads (node:worker_threads): the verification of one case's chain is
// independent of every other case's, so the log is split by case — each record goes to the thread its case
// number hashes to, in log order — and each thread runs a LogVerifier of its own on the records it gets.
// The main thread only reads Kafka and hands the stored bytes on; parsing, schema validation, hashing and
// the chain checks run in the threads.
//
// Same verdict as one LogVerifier over the whole log: a case's records all reach one thread, in the order
// they were read, so each case gets exactly the faults it gets in one thread; the verdict lists the faulty
// cases in the order they were first read (kept here), as LogVerifier does. test/unit/audit-verify-
// threads.unit.spec.ts compares the two on sound and tampered logs.
//
// Backpressure: at most a few batches per thread are in flight, so a log larger than memory streams
// through (`whenReady` resolves when the threads have caught up).
import { Worker } from 'node:worker_threads';
import type { RecordLocation } from './records.js';
import { LogVerifier, type AuditFault, type LogVerdict } from './verify.js';

/** One stored record as the threads receive it: text, key, location and the Kafka `sequence` header. */
export type RecordToVerify = [text: string | null, key: string | null, location: RecordLocation, headerSequence: string | undefined];

export type ToThread = { type: 'records'; records: RecordToVerify[] } | { type: 'verdict' };
export type FromThread =
  | { type: 'verified'; count: number }
  | { type: 'verdict'; records: number; faultyCases: [caseId: string, faults: AuditFault[]][] }
  | { type: 'failed'; message: string };

const BATCH = 500;
const IN_FLIGHT_PER_THREAD = 4;

/** FNV-1a of the case number: which thread verifies the case. */
function threadOf(caseId: string, threads: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < caseId.length; i++) {
    h ^= caseId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % threads;
}

interface Thread {
  worker: Worker;
  pending: RecordToVerify[];
  inFlight: number;
  verdict?: (v: Extract<FromThread, { type: 'verdict' }>) => void;
}

export class ThreadedLogVerifier {
  private readonly threads: Thread[];
  /** Every case in the order first read (its index), for the order of the verdict. */
  private readonly order = new Map<string, number>();
  private recordCount = 0;
  private verifiedCount = 0;
  private failure: Error | undefined;
  private closing = false;
  private wake: () => void = () => undefined;

  constructor(threadCount: number) {
    if (!Number.isInteger(threadCount) || threadCount < 1) throw new RangeError(`verify threads: at least 1, not ${threadCount}`);
    this.threads = Array.from({ length: threadCount }, () => {
      // A bootstrap in plain JavaScript registers tsx's loader in the thread, then loads the TypeScript.
      const worker = new Worker(new URL('./verify-thread.mjs', import.meta.url), { execArgv: [] });
      const thread: Thread = { worker, pending: [], inFlight: 0 };
      worker.on('message', (m: FromThread) => {
        if (m.type === 'verified') {
          thread.inFlight--;
          this.verifiedCount += m.count;
          this.wake();
        } else if (m.type === 'verdict') {
          thread.verdict?.(m);
        } else {
          this.fail(new Error(`a verify thread failed: ${m.message}`));
        }
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0 && !this.closing) this.fail(new Error(`a verify thread exited with code ${code}`));
      });
      return thread;
    });
  }

  /** Records read so far. */
  get records(): number {
    return this.recordCount;
  }

  /** Records the threads have verified so far. */
  get verified(): number {
    return this.verifiedCount;
  }

  get caseCount(): number {
    return this.order.size;
  }

  /** Adds the next record of the log (records of one case in log order). */
  add(record: RecordToVerify): void {
    const caseId = record[1] ?? LogVerifier.NO_KEY;
    if (!this.order.has(caseId)) this.order.set(caseId, this.order.size);
    this.recordCount++;
    const thread = this.threads[threadOf(caseId, this.threads.length)]!;
    thread.pending.push(record);
    if (thread.pending.length >= BATCH) this.send(thread);
  }

  /** Resolves once every thread has room for more (call after each batch read). */
  async whenReady(): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.threads.every((t) => t.inFlight < IN_FLIGHT_PER_THREAD)) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** The verdict over everything added; the threads end. */
  async verdict(): Promise<LogVerdict> {
    try {
      for (const thread of this.threads) if (thread.pending.length > 0) this.send(thread);
      const verdicts = await Promise.all(
        this.threads.map(
          (thread) =>
            new Promise<Extract<FromThread, { type: 'verdict' }>>((resolve, reject) => {
              thread.verdict = resolve;
              thread.worker.once('exit', () => reject(this.failure ?? new Error('a verify thread ended before its verdict')));
              thread.worker.once('error', reject);
              thread.worker.postMessage({ type: 'verdict' } satisfies ToThread);
            }),
        ),
      );
      if (this.failure) throw this.failure;
      const faulty = verdicts.flatMap((v) => v.faultyCases).sort((a, b) => this.order.get(a[0])! - this.order.get(b[0])!);
      const faults = faulty.flatMap(([, f]) => f);
      const records = verdicts.reduce((sum, v) => sum + v.records, 0);
      return { ok: faults.length === 0, cases: this.order.size, records, faults, faultyCases: faulty.length };
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private send(thread: Thread): void {
    const records = thread.pending;
    thread.pending = [];
    thread.inFlight++;
    thread.worker.postMessage({ type: 'records', records } satisfies ToThread);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }
}
