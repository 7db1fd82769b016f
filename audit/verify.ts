// Verification of the stored log: the hash chain, gaps, duplicates, order and schema validity, on the
// events exactly as stored (verify first, upcast after: events/upcasters.ts).
//
// One case: verifyEvents hands the stored records to events/chain.ts `verifyChain`, the one definition of
// a valid chain, and adds what only the log knows — records that are not JSON at all, records filed
// under another case, and where each faulty record sits (partition and offset).
//
// The whole log: LogVerifier takes records one at a time, in log order, and keeps per case only the last
// sequence and hash, the count, and the ranges of missing sequences (normally none), so a topic of any
// size is checked in constant memory per case. It applies verifyChain's rules record by record and reports
// the same faults with the same words (test/unit/audit-verify.unit.spec.ts checks that on random logs).
// One difference: verifyChain also calls a repeated eventId under a new sequence a duplicate; that needs
// every id of every case in memory, so LogVerifier leaves it to the hash and the link, which such a
// record breaks unless it was re-sealed — and a re-sealed record breaks the link of the one after it.
import { GENESIS_HASH, parseEvent, verifyChain, type ChainFaultKind } from '../events/index.js';
import { commitmentProblem, findPersonalValues } from '../events/personal-data.js';
import { hashEventNative, storedTextMatchesHash } from '../runtime/event-hash.js';
import type { RecordLocation, StoredRecord } from './records.js';

export interface AuditFault {
  caseId: string;
  /** The sequence the faulty record claims (for a gap: the first record after it). */
  sequence: number;
  kind: ChainFaultKind;
  detail: string;
  /** Where the records concerned were found; a duplicate lists every copy. */
  at: RecordLocation[];
}

export interface CaseVerification {
  caseId: string;
  ok: boolean;
  /** Records read for the case, faulty ones included. */
  records: number;
  /** The highest sequence seen and the hash of the record that carried it (the chain's head in the log). */
  lastSequence: number;
  lastHash: string | null;
  faults: AuditFault[];
}

/** events/chain.ts `hashEvent` with node:crypto's SHA-256 (runtime/event-hash.ts). */
export const hashStored = hashEventNative;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One case's stored records, in log order. `caseId` is the case they were read for. */
export function verifyEvents(caseId: string, records: readonly StoredRecord[]): CaseVerification {
  const own: AuditFault[] = [];
  const chainInput: { raw: Record<string, unknown>; record: StoredRecord }[] = [];
  records.forEach((record, index) => {
    const position = index + 1;
    if (record.decodeError !== undefined) {
      own.push({ caseId, sequence: record.sequence ?? position, kind: 'schema', detail: record.decodeError, at: [record.location] });
      return;
    }
    if (!isRecord(record.raw)) {
      own.push({ caseId, sequence: record.sequence ?? position, kind: 'schema', detail: 'not an event object', at: [record.location] });
      return;
    }
    const sequence = record.raw['sequence'];
    if (typeof sequence !== 'number' || !Number.isInteger(sequence)) {
      own.push({ caseId, sequence: record.sequence ?? position, kind: 'schema', detail: 'has no integer sequence', at: [record.location] });
      return;
    }
    if (record.raw['caseId'] !== caseId) {
      own.push({ caseId, sequence, kind: 'schema', detail: `belongs to case ${String(record.raw['caseId'])}, not ${caseId}`, at: [record.location] });
    }
    chainInput.push({ raw: record.raw, record });
  });

  const verdict = verifyChain(chainInput.map((c) => c.raw));
  const chainFaults: AuditFault[] = verdict.ok
    ? []
    : verdict.faults
        // verifyChain compares every event's caseId with the first one's; the case the log files them
        // under is the better reference, and is checked above for each record.
        .filter((f) => !(f.kind === 'schema' && f.detail.startsWith('belongs to case ')))
        .map((f) => ({
          caseId,
          sequence: f.sequence,
          kind: f.kind,
          detail: f.detail,
          at: chainInput.filter((c) => c.raw['sequence'] === f.sequence).map((c) => c.record.location),
        }));

  // Stable sort: by sequence, and within one sequence in the order found.
  const faults = [...own, ...chainFaults].sort((a, b) => a.sequence - b.sequence);
  let lastSequence = 0;
  let lastHash: string | null = null;
  for (const { raw } of chainInput) {
    const sequence = raw['sequence'] as number;
    if (sequence > lastSequence) {
      lastSequence = sequence;
      lastHash = typeof raw['hash'] === 'string' ? raw['hash'] : null;
    }
  }
  return { caseId, ok: faults.length === 0, records: records.length, lastSequence, lastHash, faults };
}

// ------------------------------------------------------------------ the whole log, streaming

interface Track {
  records: number;
  /** The last sequence accepted in chain order, and its stored hash. */
  last: number;
  lastHash: unknown;
  /** Sequences skipped by a gap and not seen since, as inclusive ranges. Null while there is none. */
  missing: [number, number][] | null;
  /** Sequences below 1 seen so far (invalid, but verifyChain tells a repeat of one from a first). */
  belowOne: Set<number> | null;
  faults: AuditFault[] | null;
}

export interface LogVerdict {
  ok: boolean;
  cases: number;
  records: number;
  /** Every fault, grouped by case in the order the cases were first seen, each case's faults in log order. */
  faults: AuditFault[];
  faultyCases: number;
}

export class LogVerifier {
  private readonly cases = new Map<string, Track>();
  private recordCount = 0;
  /** Records without a key cannot be assigned to a case: they are reported under this name. */
  static readonly NO_KEY = '(no key)';

  get records(): number {
    return this.recordCount;
  }

  get caseCount(): number {
    return this.cases.size;
  }

  /** Adds the next record of the log; records of one case must come in log order. */
  add(record: StoredRecord): void {
    this.recordCount++;
    const caseId = record.key ?? LogVerifier.NO_KEY;
    let track = this.cases.get(caseId);
    if (!track) {
      track = { records: 0, last: 0, lastHash: GENESIS_HASH, missing: null, belowOne: null, faults: null };
      this.cases.set(caseId, track);
    }
    track.records++;
    const fault = (sequence: number, kind: ChainFaultKind, detail: string) => {
      (track.faults ??= []).push({ caseId, sequence, kind, detail, at: [record.location] });
    };
    const position = track.records;

    if (record.decodeError !== undefined) return fault(record.sequence ?? position, 'schema', record.decodeError);
    const raw = record.raw;
    if (!isRecord(raw)) return fault(record.sequence ?? position, 'schema', 'not an event object');
    const sequence = raw['sequence'];
    if (typeof sequence !== 'number' || !Number.isInteger(sequence)) {
      return fault(record.sequence ?? position, 'schema', 'has no integer sequence');
    }

    // The same checks, in the same order and words, as verifyChain (events/chain.ts).
    try {
      parseEvent(raw);
    } catch (error) {
      fault(sequence, 'schema', messageOf(error));
    }
    if (raw['caseId'] !== caseId) fault(sequence, 'schema', `belongs to case ${String(raw['caseId'])}, not ${caseId}`);
    // The stored bytes first (runtime/event-hash.ts storedTextMatchesHash: a match there is the verdict
    // the recomputation would give); only records stored in another form, and faulty ones, are re-serialised.
    if (record.text === undefined || !storedTextMatchesHash(record.text, raw['hash'])) {
      let recomputed: string | null = null;
      try {
        recomputed = hashStored(raw);
      } catch (error) {
        fault(sequence, 'schema', messageOf(error));
      }
      if (recomputed !== null && recomputed !== raw['hash']) {
        fault(sequence, 'hash-mismatch', `stored hash ${String(raw['hash'])}, computed ${recomputed}`);
      }
    }
    for (const { path, field } of findPersonalValues(raw['data'], 'data')) {
      const problem = commitmentProblem(field);
      if (problem) fault(sequence, 'hash-mismatch', `${path}: ${problem}`);
    }

    const expected = track.last + 1;
    if (sequence < expected) {
      if (!takeMissing(track, sequence)) {
        return fault(sequence, 'duplicate', `sequence ${sequence} / event ${String(raw['eventId'])} appears again`);
      }
      return fault(sequence, 'out-of-order', `sequence ${sequence} comes after ${track.last}`);
    }
    if (sequence > expected) {
      const missing = sequence - 1 === expected ? `${expected}` : `${expected}..${sequence - 1}`;
      fault(sequence, 'gap', `missing sequence ${missing}`);
      (track.missing ??= []).push([expected, sequence - 1]);
    } else if (raw['prevHash'] !== track.lastHash) {
      fault(
        sequence,
        'broken-link',
        `prevHash ${String(raw['prevHash'])} does not match ${track.last === 0 ? 'the genesis hash' : `the hash of sequence ${track.last}`}`,
      );
    }
    track.last = sequence;
    track.lastHash = raw['hash'];
  }

  verdict(): LogVerdict {
    const faulty = this.faultyCases();
    const faults = faulty.flatMap(([, f]) => f);
    return { ok: faults.length === 0, cases: this.cases.size, records: this.recordCount, faults, faultyCases: faulty.length };
  }

  /** Each case with faults and its faults, in the order the cases were first seen. */
  faultyCases(): [caseId: string, faults: AuditFault[]][] {
    const faulty: [string, AuditFault[]][] = [];
    for (const [caseId, track] of this.cases) if (track.faults) faulty.push([caseId, track.faults]);
    return faulty;
  }
}

/** True (and the sequence counts as seen from now on) when `sequence` was never seen: it lies in a gap. */
function takeMissing(track: Track, sequence: number): boolean {
  if (sequence < 1) {
    if (track.belowOne?.has(sequence)) return false;
    (track.belowOne ??= new Set()).add(sequence);
    return true;
  }
  if (!track.missing) return false;
  const index = track.missing.findIndex(([from, to]) => from <= sequence && sequence <= to);
  if (index < 0) return false;
  const [from, to] = track.missing[index]!;
  const rest: [number, number][] = [];
  if (from < sequence) rest.push([from, sequence - 1]);
  if (sequence < to) rest.push([sequence + 1, to]);
  track.missing.splice(index, 1, ...rest);
  return true;
}
