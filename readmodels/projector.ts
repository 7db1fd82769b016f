// The projector core: applies a batch of Kafka records to the read models inside one transaction,
// together with the partition checkpoint. Idempotent per (case id, sequence): a redelivered event is
// skipped, a gap or a broken chain parks the case's events in the dead-letter table (in order) while
// other cases go on, and a record that cannot be decoded never stops the projector.
import { hashEvent, parseEvent, type CaseEvent } from '../events/index.js';
import type { Db, Queryable } from './db.js';
import { projections } from './projections.js';
import { assertSchemaName } from './schema.js';

export interface KafkaRecord {
  topic: string;
  partition: number;
  offset: string;
  value: Buffer | null;
}

export interface BatchResult {
  applied: number;
  duplicates: number;
  parked: number;
}

export async function applyBatch(db: Db, schema: string, records: readonly KafkaRecord[]): Promise<BatchResult> {
  const s = assertSchemaName(schema);
  const result: BatchResult = { applied: 0, duplicates: 0, parked: 0 };
  if (records.length === 0) return result;
  await db.transaction(async (tx) => {
    for (const record of records) {
      const outcome = await applyRecord(tx, s, record);
      result[outcome]++;
    }
    // The checkpoint moves in the same transaction: after a crash the rows and the offset agree.
    const last = new Map<string, KafkaRecord>();
    for (const r of records) last.set(`${r.topic}/${r.partition}`, r);
    for (const r of last.values()) {
      await tx.query(
        `insert into ${s}.projector_checkpoint (topic, partition, next_offset, updated_at) values ($1, $2, $3, now())
         on conflict (topic, partition) do update set next_offset = greatest(${s}.projector_checkpoint.next_offset, excluded.next_offset), updated_at = now()`,
        [r.topic, r.partition, (BigInt(r.offset) + 1n).toString()],
      );
    }
  });
  return result;
}

async function applyRecord(tx: Queryable, s: string, record: KafkaRecord): Promise<keyof BatchResult> {
  const payload = record.value?.toString('utf8') ?? '';
  let raw: Record<string, unknown>;
  let event: CaseEvent;
  try {
    raw = JSON.parse(payload) as Record<string, unknown>;
    event = parseEvent(raw);
  } catch (err) {
    await park(tx, s, record, undefined, undefined, `undecodable: ${err instanceof Error ? err.message : String(err)}`);
    return 'parked';
  }

  // Once a case has parked events, its later events park behind them so the order is kept.
  const alreadyParked = await tx.query(`select 1 from ${s}.dead_letter where case_id = $1 limit 1`, [event.caseId]);
  if (alreadyParked.rows.length > 0) {
    await park(tx, s, record, event.caseId, event.sequence, 'case has parked events before this one');
    return 'parked';
  }

  const progress = await tx.query<{ last_sequence: number; last_hash: string }>(
    `select last_sequence, last_hash from ${s}.case_progress where case_id = $1`,
    [event.caseId],
  );
  const lastSequence = progress.rows[0]?.last_sequence ?? 0;
  if (event.sequence <= lastSequence) return 'duplicates';
  if (event.sequence !== lastSequence + 1) {
    await park(tx, s, record, event.caseId, event.sequence, `gap: expected sequence ${lastSequence + 1}, got ${event.sequence}`);
    return 'parked';
  }
  // The hash is checked on the stored form (before upcasting), as events/upcasters.ts requires.
  if (hashEvent(raw) !== event.hash) {
    await park(tx, s, record, event.caseId, event.sequence, 'hash mismatch: the event was altered after sealing');
    return 'parked';
  }
  const expectedPrev = progress.rows[0]?.last_hash;
  if (expectedPrev !== undefined && event.prevHash !== expectedPrev) {
    await park(tx, s, record, event.caseId, event.sequence, 'broken chain: prevHash does not match the previous event');
    return 'parked';
  }

  for (const projection of projections) await projection.apply(tx, s, event);
  await tx.query(
    `insert into ${s}.event_archive (case_id, sequence, event_id, type, occurred_at, event) values ($1, $2, $3, $4, $5, $6)`,
    [event.caseId, event.sequence, event.eventId, event.type, event.occurredAt, payload],
  );
  await tx.query(
    `insert into ${s}.case_progress (case_id, last_sequence, last_hash) values ($1, $2, $3)
     on conflict (case_id) do update set last_sequence = excluded.last_sequence, last_hash = excluded.last_hash`,
    [event.caseId, event.sequence, event.hash],
  );
  return 'applied';
}

async function park(
  tx: Queryable,
  s: string,
  record: KafkaRecord,
  caseId: string | undefined,
  sequence: number | undefined,
  reason: string,
): Promise<void> {
  await tx.query(
    `insert into ${s}.dead_letter (case_id, sequence, topic, partition, kafka_offset, reason, payload) values ($1, $2, $3, $4, $5, $6, $7)`,
    [caseId ?? null, sequence ?? null, record.topic, record.partition, record.offset, reason.slice(0, 2000), record.value?.toString('utf8') ?? ''],
  );
}
