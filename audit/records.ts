// An event as an auditor reads it from the log: the stored bytes decoded to JSON, untouched (no upcast),
// with where it was found. Verification runs on exactly this form (events/upcasters.ts: verify the stored
// bytes, upcast after).

/** Where a record sits: a Kafka partition and offset, or the archive table. */
export type RecordLocation = { kind: 'kafka'; topic: string; partition: number; offset: string } | { kind: 'archive'; table: string };

export interface StoredRecord {
  /** The case the log files the record under: the Kafka message key, or the archive's case_id. */
  key: string | null;
  /** The decoded JSON; undefined when the bytes are not JSON (then `decodeError` says why). */
  raw: unknown;
  decodeError?: string;
  /** The sequence the record claims in its body, else in its Kafka `sequence` header, else undefined. */
  sequence: number | undefined;
  location: RecordLocation;
  /** The stored bytes as text, when they were JSON: verify hashes them directly where they are canonical. */
  text?: string;
}

export function decodeRecord(
  text: string | null,
  key: string | null,
  location: RecordLocation,
  headerSequence?: string,
): StoredRecord {
  const fromHeader = headerSequence !== undefined && /^\d+$/.test(headerSequence) ? Number(headerSequence) : undefined;
  if (text === null || text.length === 0) {
    return { key, raw: undefined, decodeError: 'empty message (no event)', sequence: fromHeader, location };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { key, raw: undefined, decodeError: `not valid JSON (${error instanceof Error ? error.message : String(error)})`, sequence: fromHeader, location };
  }
  const claimed = typeof raw === 'object' && raw !== null ? (raw as { sequence?: unknown }).sequence : undefined;
  const sequence = typeof claimed === 'number' && Number.isInteger(claimed) ? claimed : fromHeader;
  return { key, raw, sequence, location, text };
}

export function describeLocation(location: RecordLocation): string {
  return location.kind === 'kafka' ? `${location.topic} partition ${location.partition} offset ${location.offset}` : location.table;
}
