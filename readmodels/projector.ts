// The projector core: applies a batch of Kafka records to the read models inside one transaction,
// together with the partition checkpoint. Idempotent per (case id, sequence): a redelivered event is
// skipped, a gap or a broken chain parks the case's events in the dead-letter table (in order) while
// other cases go on, and a record that cannot be decoded never stops the projector.
//
// A batch is folded in memory: the cases it touches are read once (progress, state, parked or not), each
// event is checked and folded with the domain's evolve (case-document.ts), and every table is written once
// per case with set-based statements at the end. A record that breaks the batch in the database (e.g.
// text PostgreSQL cannot store) or in the fold is isolated by applying the batch record by record, and
// parked on its own.
//
// The first statement of the transaction locks the partition's checkpoint rows. A rebuild's swap takes
// that table exclusively (rebuild.ts), so a batch runs wholly before or wholly after a swap, and after it
// every name resolves to the rebuilt schema. With `guard`, the checkpoint in the database — not the
// consumer's position — decides what is applied: records below it are skipped, and a batch that starts
// above it (the rebuilt schema stopped earlier than this consumer had read) is refused with `rewinds`, so
// the consumer seeks back and nothing is lost.
import { z } from 'zod';
import { parseEvent, type CaseEvent } from '../events/index.js';
import { hashEventNative, storedTextMatchesHash } from '../runtime/event-hash.js';
import type { CaseState } from '../domain/case/index.js';
import type { Db, Queryable } from './db.js';
import { emptyDoc, evolveDoc, type CaseDoc, type CaseFacts } from './case-document.js';
import { rowsOf, writeCaseRows, type CaseRows } from './registry.js';
import { assertSchemaName } from './sql.js';
import { BatchWrite, type Param } from './table.js';
import { caseProgressTable, type ProgressRow } from './tables/case-progress.js';
import { caseStateTable, stateRow, type StateRow } from './tables/case-state.js';
import { eventArchiveTable, type ArchiveRow } from './tables/event-archive.js';

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
  /** Only with `guard`: partitions whose records start above the checkpoint; seek back to `offset`. */
  rewinds?: PartitionOffset[];
}

export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: string;
}

export interface ApplyOptions {
  /** The database checkpoint decides: skip records below it, refuse a batch that starts above it. */
  guard?: boolean;
  /**
   * Partitions already sought back to their checkpoint (`topic/partition` → offset): if the records still
   * start above it, the offsets between do not exist (retention, compaction) and the batch is applied.
   */
  rewoundTo?: ReadonlyMap<string, string>;
}

export const partitionKey = (topic: string, partition: number): string => `${topic}/${partition}`;

export async function applyBatch(db: Db, schema: string, records: readonly KafkaRecord[], options: ApplyOptions = {}): Promise<BatchResult> {
  return applyDecodedBatch(db, schema, decodeBatch(records), options);
}

/** A batch decoded and hash-checked, not yet applied: the CPU work that needs no database. */
export interface DecodedBatch {
  readonly records: readonly KafkaRecord[];
  readonly decoded: readonly Decoded[];
}

/**
 * Decodes a batch (JSON, schema, hash of each event). Needs nothing from the database: a consumer may do it
 * while the partition's previous batch is still in its transaction.
 */
export function decodeBatch(records: readonly KafkaRecord[]): DecodedBatch {
  return { records, decoded: records.map(decode) };
}

export async function applyDecodedBatch(db: Db, schema: string, batch: DecodedBatch, options: ApplyOptions = {}): Promise<BatchResult> {
  const s = assertSchemaName(schema);
  const { records, decoded } = batch;
  if (records.length === 0) return { applied: 0, duplicates: 0, parked: 0 };
  try {
    return await db.transaction((tx) => applyDecoded(tx, s, decoded, options));
  } catch (error) {
    if (!isPoison(error)) throw error;
    if (decoded.length > 1) {
      // Find the record at fault: one transaction per record, in order.
      const total: BatchResult = { applied: 0, duplicates: 0, parked: 0 };
      for (const d of decoded) {
        const one = await applyDecodedBatch(db, s, { records: [d.record], decoded: [d] }, options);
        total.applied += one.applied;
        total.duplicates += one.duplicates;
        total.parked += one.parked;
        if (one.rewinds) total.rewinds = [...(total.rewinds ?? []), ...one.rewinds];
      }
      return total;
    }
    const only = decoded[0] as Decoded;
    const reason = `unprojectable: ${error instanceof Error ? error.message : String(error)}`;
    return db.transaction(async (tx) => {
      await lockCheckpoints(tx, s, decoded);
      await new BatchWrite(s).statement(deadLettersInsert(s, [deadLetter(only, reason)])).statement(checkpointsMove(s, decoded)).run(tx);
      return { applied: 0, duplicates: 0, parked: 1 };
    });
  }
}

export const RedriveResult = z
  .object({
    caseId: z.string(),
    retried: z.number().describe('parked events of the case tried again'),
    applied: z.number().describe('now in the read models'),
    duplicates: z.number().describe('already there (skipped)'),
    parked: z.number().describe('parked again, with their current reason (see GET /dead-letters)'),
  })
  .meta({ id: 'RedriveResult' });
export type RedriveResult = z.infer<typeof RedriveResult> & BatchResult;

/**
 * Re-drives a case's parked events once their cause is fixed (a projector bug deployed away, a missing
 * event supplied): takes them out of the dead-letter table and applies them again, in their parked order,
 * in one transaction. Whatever still does not fit is parked again with its current reason, so a re-drive
 * can never lose an event. The partition's checkpoint rows are locked first, as a live batch does, so the
 * live projector's batches for the same case run wholly before or after.
 */
export async function redriveParked(db: Db, schema: string, caseId: string): Promise<RedriveResult> {
  const s = assertSchemaName(schema);
  return db.transaction(async (tx) => {
    // Lock the partitions' checkpoints before reading the parked rows: a live batch that parked another
    // event of this case meanwhile has then committed, and its row is read here too, in order.
    const partitions = await tx.query<{ topic: string; partition: number }>(`select distinct topic, partition from ${s}.dead_letter where case_id = $1`, [caseId]);
    await lockCheckpoints(tx, s, partitions.rows.map((p) => ({ record: { topic: p.topic, partition: p.partition, offset: '0', value: null }, payload: '' })));
    const parked = await tx.query<{ id: string; topic: string; partition: number; kafka_offset: string; payload: string }>(
      `select id::text as id, topic, partition, kafka_offset::text as kafka_offset, payload from ${s}.dead_letter where case_id = $1 order by id for update`,
      [caseId],
    );
    if (parked.rows.length === 0) return { caseId, retried: 0, applied: 0, duplicates: 0, parked: 0 };
    await tx.query(`delete from ${s}.dead_letter where id = any($1::bigint[])`, [parked.rows.map((r) => r.id)]);
    // In sequence order, not parked order: an event parked behind a gap comes before the one that filled
    // it. (Array.sort is stable: rows without a sequence keep their order, after the others.)
    const decoded = parked.rows
      .map((r) => decode({ topic: r.topic, partition: r.partition, offset: r.kafka_offset, value: Buffer.from(r.payload, 'utf8') }))
      .sort((a, b) => (a.event?.sequence ?? Number.MAX_SAFE_INTEGER) - (b.event?.sequence ?? Number.MAX_SAFE_INTEGER));
    const result = await applyDecoded(tx, s, decoded, {});
    return { caseId, retried: parked.rows.length, ...result };
  });
}

// ------------------------------------------------------------------ decoding (outside the transaction)

interface Decoded {
  record: KafkaRecord;
  payload: string;
  raw?: Record<string, unknown>;
  event?: CaseEvent;
  /** Why the record cannot be read at all (poison); such a record is parked with no case. */
  undecodable?: string;
  /** The stored form does not hash to its `hash`. */
  tampered?: boolean;
}

function decode(record: KafkaRecord): Decoded {
  const payload = record.value?.toString('utf8') ?? '';
  try {
    const raw = JSON.parse(payload) as Record<string, unknown>;
    const event = parseEvent(raw);
    // The hash is checked on the stored form (before upcasting), as events/upcasters.ts requires: on the
    // stored bytes when they are the canonical form the hash was sealed over (runtime/event-hash.ts, a
    // third of re-serialising's cost), re-serialised otherwise — the verdict is the same either way.
    const intact = (raw['hash'] === event.hash && storedTextMatchesHash(payload, event.hash)) || hashEventNative(raw) === event.hash;
    return { record, payload, raw, event, tampered: !intact };
  } catch (err) {
    return { record, payload, undecodable: `undecodable: ${err instanceof Error ? err.message : String(err)}` };
  }
}

// ------------------------------------------------------------------ one batch, in one transaction

interface Loaded {
  lastSequence: number;
  lastHash: string | undefined;
  parked: boolean;
  doc: CaseDoc;
}

interface DeadLetterRow {
  case_id: string | null;
  sequence: number | null;
  topic: string;
  partition: number;
  kafka_offset: string;
  reason: string;
  payload: string;
}

async function applyDecoded(tx: Queryable, s: string, decoded: readonly Decoded[], options: ApplyOptions): Promise<BatchResult> {
  const result: BatchResult = { applied: 0, duplicates: 0, parked: 0 };
  const checkpoints = await lockCheckpoints(tx, s, decoded);

  let todo: readonly Decoded[] = decoded;
  if (options.guard) {
    const refused = new Set<string>();
    const started = new Set<string>();
    const accepted: Decoded[] = [];
    todo = accepted;
    for (const d of decoded) {
      const key = partitionKey(d.record.topic, d.record.partition);
      if (refused.has(key)) continue;
      const next = checkpoints.get(key);
      if (next !== undefined && BigInt(d.record.offset) < BigInt(next)) {
        result.duplicates++;
        continue;
      }
      if (!started.has(key) && next !== undefined && BigInt(d.record.offset) > BigInt(next) && options.rewoundTo?.get(key) !== next) {
        refused.add(key);
        (result.rewinds ??= []).push({ topic: d.record.topic, partition: d.record.partition, offset: next });
        continue;
      }
      started.add(key);
      accepted.push(d);
    }
    if (todo.length === 0) return result;
  }

  const cases = await loadCases(tx, s, todo);
  const deadLetters: DeadLetterRow[] = [];
  const archive: ArchiveRow[] = [];
  const touched = new Set<string>();

  for (const d of todo) {
    if (d.undecodable !== undefined || d.event === undefined) {
      deadLetters.push(deadLetter(d, d.undecodable ?? 'undecodable'));
      result.parked++;
      continue;
    }
    const event = d.event;
    const c = cases.get(event.caseId) as Loaded;
    const park = (reason: string) => {
      deadLetters.push(deadLetter(d, reason));
      c.parked = true;
      result.parked++;
    };
    // Once a case has parked events, its later events park behind them so the order is kept.
    if (c.parked) {
      park('case has parked events before this one');
      continue;
    }
    if (event.sequence <= c.lastSequence) {
      result.duplicates++;
      continue;
    }
    if (event.sequence !== c.lastSequence + 1) {
      park(`gap: expected sequence ${c.lastSequence + 1}, got ${event.sequence}`);
      continue;
    }
    if (d.tampered) {
      park('hash mismatch: the event was altered after sealing');
      continue;
    }
    if (c.lastHash !== undefined && event.prevHash !== c.lastHash) {
      park('broken chain: prevHash does not match the previous event');
      continue;
    }
    try {
      c.doc = evolveDoc(c.doc, event);
    } catch (err) {
      park(`unprojectable: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    c.lastSequence = event.sequence;
    c.lastHash = event.hash;
    touched.add(event.caseId);
    archive.push({ case_id: event.caseId, sequence: event.sequence, event_id: event.eventId, type: event.type, occurred_at: event.occurredAt, event: d.raw });
    result.applied++;
  }

  // Every write of the batch in one statement: dead letters, each table's rows, the checkpoint.
  const write = new BatchWrite(s).statement(deadLettersInsert(s, deadLetters));
  if (touched.size > 0) {
    const ids = [...touched];
    const progress: ProgressRow[] = [];
    const states: StateRow[] = [];
    const rows: CaseRows[] = [];
    for (const id of ids) {
      const c = cases.get(id) as Loaded;
      progress.push({ case_id: id, last_sequence: c.lastSequence, last_hash: c.lastHash as string });
      const state = stateRow(id, c.lastSequence, c.doc);
      if (state) states.push(state);
      let r: CaseRows | null;
      try {
        r = rowsOf(c.doc);
      } catch (err) {
        throw new UnprojectableError(`case ${id}: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (r) rows.push(r);
    }
    writeCaseRows(write.upsert(caseProgressTable, progress).upsert(caseStateTable, states), ids, rows).insert(eventArchiveTable, archive);
  }
  await write.statement(checkpointsMove(s, todo)).run(tx);
  return result;
}

/**
 * Locks the batch's partitions (an advisory lock each, then their checkpoint rows, and so the table against
 * a swap) and returns next offsets. Only the
 * batch's own partitions: batches of other partitions run side by side (the consumer handles several
 * partitions at once, so one batch's CPU work overlaps another's database round trips); the table lock
 * that keeps a swap out is taken all the same, with or without a row.
 */
async function lockCheckpoints(tx: Queryable, s: string, decoded: readonly Decoded[]): Promise<Map<string, string>> {
  const partitions = new Map<string, { topic: string; partition: number }>();
  for (const d of decoded) partitions.set(partitionKey(d.record.topic, d.record.partition), { topic: d.record.topic, partition: d.record.partition });
  const wanted = [...partitions.values()];
  // A partition with no checkpoint row yet has nothing to lock: two projectors of one group that both hold
  // it for a moment (the old owner's batch still running while a rebalance gives it to another member)
  // would both apply its first batch — a parked record was parked twice (dead_letter has no key to refuse
  // it), applied events failed the second transaction on the archive's key. An advisory lock per (schema,
  // topic, partition), taken first and in order, makes the second wait and then see the first's checkpoint
  // (test/int/readmodels-concurrency.int.spec.ts).
  await tx.query(
    `select pg_advisory_xact_lock(hashtext($1 || '/' || w.topic), w.partition)
     from (select topic, partition from unnest($2::text[], $3::integer[]) as u(topic, partition) order by topic, partition) w`,
    [s, wanted.map((w) => w.topic), wanted.map((w) => w.partition)],
  );
  const found = await tx.query<{ topic: string; partition: number; next_offset: string }>(
    `select c.topic, c.partition, c.next_offset::text as next_offset from ${s}.projector_checkpoint c
     join unnest($1::text[], $2::integer[]) as w(topic, partition) on w.topic = c.topic and w.partition = c.partition
     order by c.topic, c.partition for update of c`,
    [wanted.map((w) => w.topic), wanted.map((w) => w.partition)],
  );
  return new Map(found.rows.map((r) => [partitionKey(r.topic, r.partition), r.next_offset]));
}

/** The checkpoint moves in the same transaction (and statement) as the rows: after a crash they agree. */
function checkpointsMove(s: string, decoded: readonly Decoded[]): (param: Param) => string | null {
  const last = new Map<string, KafkaRecord>();
  for (const d of decoded) last.set(partitionKey(d.record.topic, d.record.partition), d.record);
  const records = [...last.values()];
  return (param) =>
    records.length === 0
      ? null
      : `insert into ${s}.projector_checkpoint (topic, partition, next_offset, updated_at)
       select topic, partition, next_offset, now() from unnest(${param(records.map((r) => r.topic), 'text[]')}, ${param(records.map((r) => r.partition), 'integer[]')},
         ${param(records.map((r) => (BigInt(r.offset) + 1n).toString()), 'bigint[]')}) as x(topic, partition, next_offset)
       on conflict (topic, partition) do update set next_offset = greatest(${s}.projector_checkpoint.next_offset, excluded.next_offset), updated_at = now()`;
}

async function loadCases(tx: Queryable, s: string, decoded: readonly Decoded[]): Promise<Map<string, Loaded>> {
  const ids = [...new Set(decoded.flatMap((d) => (d.event ? [d.event.caseId] : [])))];
  const cases = new Map<string, Loaded>();
  if (ids.length === 0) return cases;
  const found = await tx.query<{ case_id: string; last_sequence: number | null; last_hash: string | null; state: CaseState | null; facts: CaseFacts | null; parked: boolean }>(
    `select c.case_id, p.last_sequence, p.last_hash, st.state, st.facts,
       exists (select 1 from ${s}.dead_letter d where d.case_id = c.case_id) as parked
     from unnest($1::text[]) as c(case_id)
     left join ${s}.case_progress p on p.case_id = c.case_id
     left join ${s}.case_state st on st.case_id = c.case_id`,
    [ids],
  );
  const legacy: string[] = [];
  for (const row of found.rows) {
    const lastSequence = row.last_sequence ?? 0;
    cases.set(row.case_id, {
      lastSequence,
      lastHash: row.last_hash ?? undefined,
      parked: row.parked,
      doc: row.state && row.facts ? { state: row.state, facts: row.facts } : emptyDoc(),
    });
    if (lastSequence > 0 && !row.state) legacy.push(row.case_id);
  }
  // Cases projected before case_state existed: fold their archived events once.
  if (legacy.length > 0) {
    const archived = await tx.query<{ case_id: string; event: Record<string, unknown> }>(
      `select case_id, event from ${s}.event_archive where case_id = any($1::text[]) order by case_id, sequence`,
      [legacy],
    );
    for (const row of archived.rows) {
      const c = cases.get(row.case_id) as Loaded;
      c.doc = evolveDoc(c.doc, parseEvent(row.event));
    }
  }
  return cases;
}

// ------------------------------------------------------------------ writing

function deadLetter(d: Decoded, reason: string): DeadLetterRow {
  return {
    case_id: d.event?.caseId ?? null,
    sequence: d.event?.sequence ?? null,
    topic: d.record.topic,
    partition: d.record.partition,
    kafka_offset: d.record.offset,
    // PostgreSQL text cannot hold NUL; the payload is kept readable and otherwise byte for byte.
    reason: reason.slice(0, 2000).replaceAll('\u0000', '\\u0000'),
    payload: d.payload.replaceAll('\u0000', '\\u0000'),
  };
}

function deadLettersInsert(s: string, rows: readonly DeadLetterRow[]): (param: Param) => string | null {
  const column = <K extends keyof DeadLetterRow>(k: K) => rows.map((r) => r[k]);
  // WITH ORDINALITY keeps the batch order in the ids, so a case's parked events stay in order.
  return (param) =>
    rows.length === 0
      ? null
      : `insert into ${s}.dead_letter (case_id, sequence, topic, partition, kafka_offset, reason, payload)
       select case_id, sequence, topic, partition, kafka_offset, reason, payload
       from unnest(${param(column('case_id'), 'text[]')}, ${param(column('sequence'), 'integer[]')}, ${param(column('topic'), 'text[]')},
         ${param(column('partition'), 'integer[]')}, ${param(column('kafka_offset'), 'bigint[]')}, ${param(column('reason'), 'text[]')},
         ${param(column('payload'), 'text[]')}) with ordinality as x(case_id, sequence, topic, partition, kafka_offset, reason, payload, n)
       order by x.n`;
}

class UnprojectableError extends Error {}

/**
 * An error that a record brought into the batch, not the database's state: data the database refuses
 * (SQLSTATE class 22 data exception, 23 integrity constraint, 21000 a key twice in one upsert) or a fold
 * that threw. Anything else (the
 * connection, a lock) is thrown on: the batch is retried as a whole and nothing is parked.
 */
function isPoison(error: unknown): boolean {
  if (error instanceof UnprojectableError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  // 21000: an upsert given the same key twice in one batch (two rows of one table from broken data).
  return typeof code === 'string' && (/^2[23]/.test(code) || code === '21000');
}
