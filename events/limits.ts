// How large an event may be, and the caps at the edge that keep every event well under it. An event that
// can never be published must not exist: the workflow would retry its publish forever, and every later
// event of the case would queue behind it. So the core refuses a command whose events would be too large
// (domain/case/decide.ts), and the command schemas cap the lists and texts that make an event large, so a
// clerk hears which field to shorten before anything is decided.
import { canonicalJson } from './canonical-json.js';
import { utf8Bytes } from './sha256.js';

/**
 * The largest event the core accepts, in bytes of its canonical JSON as published (personal text already
 * encrypted at the edge, which grows it by a third: base64 of AES-GCM ciphertext), hash fields included.
 *
 * Derived from the broker's `message.max.bytes`: Kafka's default is 1,048,588 bytes (1 MiB + 12), and
 * neither the local broker (ops/services.ts kafkaProperties) nor the topic it creates sets it, so it is the limit a record batch must stay under. A quarter of it leaves room for the record's
 * key and headers (event id, type, sequence: ~150 bytes) and the batch overhead, and for the Temporal
 * payloads that also carry events (an update's result, the publish activity's input: Temporal warns at
 * 512 KiB per payload and refuses at 2 MiB). The publish activity sends batches of at most
 * PUBLISH_BATCH_BYTES, so several events together never pass the broker's limit either.
 */
export const MAX_EVENT_BYTES = 256 * 1024;

/**
 * The most event bytes (canonical JSON, plus RECORD_OVERHEAD_BYTES each) the publish activity sends in one
 * producer request, and the workflow puts in one activity input: three quarters of the broker's 1 MiB
 * `message.max.bytes` (kafkajs sends one request's messages for a partition as one record batch).
 */
export const PUBLISH_BATCH_BYTES = 768 * 1024;
/** A record's key, headers and framing, on top of its value, counted generously. */
export const RECORD_OVERHEAD_BYTES = 512;

// Caps at the edge (the command schemas, domain/case/commands.ts, and the intake body, api/intake.ts).
// Free text is capped by Text (5,000 characters, events/vocabulary.ts); these cap the lists.
/** Complainants listed by name in one case: a collective dispute lists its representatives, counts the rest. */
export const MAX_COMPLAINANTS = 100;
/** Lines of an agreement, instalments of its payment schedule. */
export const MAX_AGREEMENT_ITEMS = 50;
export const MAX_PAYMENT_INSTALMENTS = 120;
/** Departments at one session, and their opinions: at most each department once or twice. */
export const MAX_SESSION_DEPARTMENTS = 10;

/** The size in bytes of an event (or any value) as published: UTF-8 of its canonical JSON. */
export function publishedBytes(value: unknown): number {
  return utf8Bytes(canonicalJson(value)).length;
}
