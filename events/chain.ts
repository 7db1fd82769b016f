// The hash chain of a case.
//
//   hash = sha256Hex(canonicalJson(event without `hash`, personal fields reduced to their commitment))
//
// prevHash is inside the hashed form, so each event commits to the whole history before it. The first
// event's prevHash is GENESIS_HASH. Hashes are always taken over events as stored (any schemaVersion):
// verify first, upcast after.
import { canonicalJson } from './canonical-json.js';
import { EventParseError } from './errors.js';
import { isRecord, parseEvent } from './parse.js';
import {
  commitmentProblem,
  findPersonalValues,
  hashedPersonalValue,
  mapPersonalValues,
} from './personal-data.js';
import { GENESIS_HASH, UnsealedEventSchema, type CaseEvent, type UnsealedEvent } from './schemas.js';
import { sha256Hex } from './sha256.js';

/** The hash of an event (sealed or not); a `hash` field, if present, is left out. */
export function hashEvent(event: object): string {
  const { hash: _ignored, ...rest } = event as Record<string, unknown>;
  const hashedForm = mapPersonalValues(rest, hashedPersonalValue);
  return sha256Hex(canonicalJson(hashedForm));
}

/**
 * Validates an event the decider emitted and seals it onto the chain after `prevHash`.
 * Throws EventParseError when the event does not fit its schema or a personal field does not match
 * its commitment — either is a bug upstream, and must not reach the log.
 */
export function sealEvent<E extends UnsealedEvent>(unsealed: E, prevHash: string): E & { prevHash: string; hash: string } {
  const parsed = UnsealedEventSchema.safeParse(unsealed);
  if (!parsed.success) {
    throw EventParseError.fromZod(`cannot seal ${unsealed.type} (sequence ${unsealed.sequence})`, parsed.error);
  }
  for (const { path, field } of findPersonalValues(unsealed.data, 'data')) {
    const problem = commitmentProblem(field);
    if (problem) throw new EventParseError(`cannot seal ${unsealed.type}: ${path}: ${problem}`);
  }
  const withLink = { ...unsealed, prevHash };
  return { ...withLink, hash: hashEvent(withLink) };
}

/** Seals a batch in order, continuing the chain from `prevHash` (GENESIS_HASH for a new case). */
export function sealEvents(unsealed: readonly UnsealedEvent[], prevHash: string): CaseEvent[] {
  const sealed: CaseEvent[] = [];
  let previous = prevHash;
  for (const event of unsealed) {
    const next = sealEvent(event, previous) as CaseEvent;
    sealed.push(next);
    previous = next.hash;
  }
  return sealed;
}

export type ChainFaultKind = 'hash-mismatch' | 'broken-link' | 'gap' | 'duplicate' | 'out-of-order' | 'schema';
export interface ChainFault {
  /** The sequence the event claims (or its position, 1-based, when it has no usable sequence). */
  sequence: number;
  kind: ChainFaultKind;
  detail: string;
}
export type ChainVerdict = { ok: true } | { ok: false; faults: ChainFault[] };

/**
 * Verifies one case's log, in stored order, as stored (before any upcast).
 *
 * For each event: its schema (after upcast, on a copy), its hash, its personal-data commitments, and
 * its place: the next sequence with prevHash = the previous event's hash. A repeated sequence or
 * eventId is a duplicate; a lower sequence is out of order; a higher one is a gap (the link is not
 * checked across a gap: it is necessarily broken, and the gap says why).
 *
 * A chain cannot see its own truncation: a log missing its last events is a valid shorter chain.
 * Pass `head` — the sequence and hash the case's writer (the workflow) reports as its latest — and a
 * log that stops short of it, or ends elsewhere, is a gap.
 */
export function verifyChain(
  events: readonly unknown[],
  options: { head?: { sequence: number; hash: string } } = {},
): ChainVerdict {
  const faults: ChainFault[] = [];
  const seenSequences = new Set<number>();
  const seenEventIds = new Set<string>();
  let last: { sequence: number; hash: unknown } | null = null;
  let caseId: unknown = undefined;

  events.forEach((raw, index) => {
    const position = index + 1;
    if (!isRecord(raw)) {
      faults.push({ sequence: position, kind: 'schema', detail: `entry ${position} is not an event object` });
      return;
    }
    const sequence = raw['sequence'];
    if (typeof sequence !== 'number' || !Number.isInteger(sequence)) {
      faults.push({ sequence: position, kind: 'schema', detail: `entry ${position} has no integer sequence` });
      return;
    }

    try {
      parseEvent(raw);
    } catch (error) {
      faults.push({ sequence, kind: 'schema', detail: error instanceof Error ? error.message : String(error) });
    }
    if (index === 0) caseId = raw['caseId'];
    else if (raw['caseId'] !== caseId) {
      faults.push({ sequence, kind: 'schema', detail: `belongs to case ${String(raw['caseId'])}, not ${String(caseId)}` });
    }

    let recomputed: string | null = null;
    try {
      recomputed = hashEvent(raw);
    } catch (error) {
      faults.push({ sequence, kind: 'schema', detail: error instanceof Error ? error.message : String(error) });
    }
    if (recomputed !== null && recomputed !== raw['hash']) {
      faults.push({ sequence, kind: 'hash-mismatch', detail: `stored hash ${String(raw['hash'])}, computed ${recomputed}` });
    }
    for (const { path, field } of findPersonalValues(raw['data'], 'data')) {
      const problem = commitmentProblem(field);
      if (problem) faults.push({ sequence, kind: 'hash-mismatch', detail: `${path}: ${problem}` });
    }

    const eventId = raw['eventId'];
    if (seenSequences.has(sequence) || (typeof eventId === 'string' && seenEventIds.has(eventId))) {
      faults.push({ sequence, kind: 'duplicate', detail: `sequence ${sequence} / event ${String(eventId)} appears again` });
      return;
    }
    seenSequences.add(sequence);
    if (typeof eventId === 'string') seenEventIds.add(eventId);

    const expected = last === null ? 1 : last.sequence + 1;
    if (sequence < expected) {
      faults.push({ sequence, kind: 'out-of-order', detail: `sequence ${sequence} comes after ${expected - 1}` });
      return;
    }
    if (sequence > expected) {
      const missing = sequence - 1 === expected ? `${expected}` : `${expected}..${sequence - 1}`;
      faults.push({ sequence, kind: 'gap', detail: `missing sequence ${missing}` });
    } else {
      const expectedPrev = last === null ? GENESIS_HASH : last.hash;
      if (raw['prevHash'] !== expectedPrev) {
        faults.push({
          sequence,
          kind: 'broken-link',
          detail: `prevHash ${String(raw['prevHash'])} does not match ${last === null ? 'the genesis hash' : `the hash of sequence ${last.sequence}`}`,
        });
      }
    }
    last = { sequence, hash: raw['hash'] };
  });

  const head = options.head;
  const end = last as { sequence: number; hash: unknown } | null;
  if (head && (end === null || end.sequence !== head.sequence || end.hash !== head.hash)) {
    faults.push({
      sequence: head.sequence,
      kind: 'gap',
      detail: `the log ends at sequence ${end?.sequence ?? 0}, but the case's head is sequence ${head.sequence} (${head.hash})`,
    });
  }

  return faults.length === 0 ? { ok: true } : { ok: false, faults };
}
