// The cost of encrypting personal data (issue 11), side by side in one run on the same generated history:
//   sealing   — plain: seal the events onto the chain (what the workflow does);
//               encrypted: encrypt every personal field and the people-naming free text with its subject's
//               data key from the key store (the edge), seal (hash over the ciphertext), and pass the sealed
//               events through the Temporal payload codec (AES-256-GCM) as the activity input would go.
//   projecting — the projector's applyBatch into a fresh in-memory PGlite, plain events vs encrypted ones.
//   npx tsx bench/encryption.ts [cases]        (no servers needed; default 2,000 cases ≈ 30,000 events)
import { defaultPayloadConverter } from '@temporalio/common';
import { canonicalJson, isEncryptedValue, sealEvents, textSubjectOf, type CaseEvent, type UnsealedEvent } from '../events/index.js';
import { applyBatch, type KafkaRecord } from '../readmodels/projector.js';
import { openDb } from '../readmodels/db.js';
import { createSchemaSql } from '../readmodels/schema.js';
import { AesGcmPayloadCodec, keyringFromJson, newKeyringJson } from '../runtime/payload-codec.js';
import { PersonalDataKeys } from '../runtime/personal-data-keys.js';
import { generateCases } from '../testkit/history-generator.js';

const caseCount = Number(process.argv[2] ?? 2_000);
const say = (line: string) => process.stderr.write(`${line}\n`);

const cases = [...generateCases({ cases: caseCount, seed: 11 })].map((c) =>
  c.events.map(({ hash: _h, prevHash: _p, ...unsealed }) => unsealed as UnsealedEvent),
);
const eventCount = cases.reduce((n, c) => n + c.length, 0);
say(`generated ${caseCount} cases, ${eventCount} events`);

const keyDb = await openDb({ memory: true });
const keys = new PersonalDataKeys(keyDb, keyringFromJson(newKeyringJson('bench-master'), 'bench'));
await keys.init();
const codec = new AesGcmPayloadCodec(keyringFromJson(newKeyringJson('bench-payload'), 'bench'));

/** The edge's work on one event: its personal fields and people-naming text encrypted. */
async function encryptEvent(event: UnsealedEvent): Promise<UnsealedEvent> {
  const data = structuredClone(event.data) as Record<string, unknown>;
  const enc = async (field: unknown, ref: string) =>
    typeof field === 'string' ? keys.encrypt(ref, field) : isEncryptedValue(field) ? field : field && typeof field === 'object' && 'value' in field ? keys.encrypt((field as unknown as { ref: string }).ref, String((field as unknown as { value: string }).value)) : field;
  if (event.type === 'CaseReceived') {
    const d = data as { complainants: Array<Record<string, unknown>>; claim: { summary: unknown } };
    for (const c of d.complainants) for (const k of ['name', 'idNumber', 'phone']) if (c[k]) c[k] = await enc(c[k], String(c.personId));
    d.claim.summary = await enc(d.claim.summary, textSubjectOf(event.caseId));
  }
  if (event.type === 'SessionHeld') data.minutes = await enc(data.minutes, textSubjectOf(event.caseId));
  if (event.type === 'AgreementReached') data.terms = await enc(data.terms, textSubjectOf(event.caseId));
  return { ...event, data } as UnsealedEvent;
}

// ---- sealing (a warm-up of both paths on the first cases first)
for (const c of cases.slice(0, 50)) sealEvents(c, '0'.repeat(64));
for (const c of cases.slice(0, 50)) for (const e of c) await encryptEvent(e);
let t = performance.now();
const plainSealed: CaseEvent[] = [];
for (const c of cases) plainSealed.push(...sealEvents(c, '0'.repeat(64)));
const sealPlainSeconds = (performance.now() - t) / 1000;

t = performance.now();
const encryptedSealed: CaseEvent[] = [];
for (const c of cases) {
  const encrypted: UnsealedEvent[] = [];
  for (const e of c) encrypted.push(await encryptEvent(e));
  const sealed = sealEvents(encrypted, '0'.repeat(64));
  await codec.encode([defaultPayloadConverter.toPayload({ events: sealed })]);
  encryptedSealed.push(...sealed);
}
const sealEncryptedSeconds = (performance.now() - t) / 1000;

// ---- projecting
async function project(events: CaseEvent[], label: string): Promise<number> {
  const db = await openDb({ memory: true });
  await db.exec(createSchemaSql('rm'));
  const records: KafkaRecord[] = events.map((e, i) => ({ topic: 'bench', partition: 0, offset: String(i), value: Buffer.from(canonicalJson(e)) }));
  const started = performance.now();
  for (let i = 0; i < records.length; i += 500) {
    const result = await applyBatch(db, 'rm', records.slice(i, i + 500));
    if (result.parked > 0) throw new Error(`${label}: ${result.parked} events parked`);
  }
  const seconds = (performance.now() - started) / 1000;
  await db.close();
  return seconds;
}
// A warm-up of each (JIT, PGlite's first start), then two rounds alternating; the better time of each.
await project(plainSealed.slice(0, 2_000), 'warm-up');
await project(encryptedSealed.slice(0, 2_000), 'warm-up');
let projectPlainSeconds = Infinity;
let projectEncryptedSeconds = Infinity;
for (let round = 0; round < 2; round++) {
  // Alternate the order too: neither side always runs second (warmer caches, a busier neighbour).
  for (const which of round === 0 ? ['plain', 'encrypted'] : ['encrypted', 'plain']) {
    if (which === 'plain') projectPlainSeconds = Math.min(projectPlainSeconds, await project(plainSealed, 'plain'));
    else projectEncryptedSeconds = Math.min(projectEncryptedSeconds, await project(encryptedSealed, 'encrypted'));
  }
  say(`projecting round ${round + 1} of 2 done`);
}
await keyDb.close();

const rate = (s: number) => Math.round(eventCount / s).toLocaleString('en-US').padStart(9);
const bytes = (events: CaseEvent[]) => events.reduce((n, e) => n + canonicalJson(e).length, 0);
process.stdout.write(
  [
    `encryption cost on ${eventCount} events of ${caseCount} cases (one run, same history)`,
    `                     plain (baseline)   encrypted        ratio`,
    `  sealing   ev/s     ${rate(sealPlainSeconds)}          ${rate(sealEncryptedSeconds)}        ${(sealPlainSeconds / sealEncryptedSeconds).toFixed(2)}×`,
    `  projecting ev/s    ${rate(projectPlainSeconds)}          ${rate(projectEncryptedSeconds)}        ${(projectPlainSeconds / projectEncryptedSeconds).toFixed(2)}×`,
    `  bytes per event    ${Math.round(bytes(plainSealed) / eventCount).toString().padStart(9)}          ${Math.round(bytes(encryptedSealed) / eventCount).toString().padStart(9)}`,
    '',
  ].join('\n'),
);
