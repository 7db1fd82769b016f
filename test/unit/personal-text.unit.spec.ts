// Free text that may name people is marked in the zod schemas (personalText), and that marker is the one list
// the edge encrypts by and the reads decrypt by. These tests walk every event and command schema: a free-text
// field left unmarked fails here, and the edge's encryption reaches nested fields (department opinions).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { endedRunSeed } from '../../api/erasure-after-end.js';
import { encryptCommandText, reveal, revealCaseText, UNREADABLE } from '../../api/personal-data.js';
import { COMMAND_TYPES, commandDataSchema } from '../../domain/case/index.js';
import { canonicalJson, eventCatalogue, EVENT_TYPES, findPersonalValues, GENESIS_HASH, sealEvents, verifyChain, type UnsealedEvent, isEncryptedValue, isPersonalTextSchema, personalTextPaths, textSubjectOf, type EventType } from '../../events/index.js';
import { Text } from '../../events/vocabulary.js';
import type { z } from '../../events/zod.js';
import { openDb, type Db } from '../../readmodels/db.js';
import { createSchemaSql } from '../../readmodels/schema.js';
import { keyringFromJson, newKeyringJson } from '../../runtime/payload-codec.js';
import { PersonalDataKeys } from '../../runtime/personal-data-keys.js';
import { CASE_ID, closed, cmd, inMediation } from '../../testkit/case-fixtures.js';
import { given, toHistory } from '../support/decider-spec.js';

type Def = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; element?: z.ZodType; options?: z.ZodType[]; in?: z.ZodType };
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Paths where the free-text schema (Text) appears outside a personalText marker. */
function unmarkedText(schema: z.ZodType, path = ''): string[] {
  if (isPersonalTextSchema(schema)) return [];
  if (schema === Text) return [path];
  const def = defOf(schema);
  if (def.innerType) return unmarkedText(def.innerType, path);
  if (def.in) return unmarkedText(def.in, path);
  if (def.type === 'array') return unmarkedText(def.element!, `${path}[]`);
  if (def.type === 'object') return Object.entries(def.shape!).flatMap(([k, s]) => unmarkedText(s, path ? `${path}.${k}` : k));
  if (def.type === 'union') return def.options!.flatMap((s) => unmarkedText(s, path));
  return [];
}

// The record of an erasure must stay readable after it: its reason is not encrypted under the key it destroys.
const PLAIN_ON_PURPOSE = ['event PersonalDataErased.reason', 'command ErasePersonalData.reason'];

describe('the personal free-text fields, as the schemas mark them', () => {
  it('marks every free-text field of every event and command, but the erasure record', () => {
    const unmarked = [
      ...EVENT_TYPES.flatMap((t) => unmarkedText(eventCatalogue[t].data).map((p) => `event ${t}.${p}`)),
      ...COMMAND_TYPES.flatMap((t) => unmarkedText(commandDataSchema(t)).map((p) => `command ${t}.${p}`)),
    ];
    expect(unmarked.sort()).toEqual([...PLAIN_ON_PURPOSE].sort());
  });

  it('lists the notes, reasons, opinions, minutes, terms, answers and comments as personal', () => {
    const paths = (t: EventType) => personalTextPaths(eventCatalogue[t].data);
    expect(paths('CaseReceived')).toEqual(['claim.summary']);
    expect(paths('SessionHeld')).toEqual(['minutes', 'departmentOpinions[].opinion']);
    expect(paths('ExtensionAgreed')).toEqual(['reason']);
    expect(paths('ExtensionApproved')).toEqual(['reason', 'partiesNotified']);
    expect(paths('CaseSuspended')).toEqual(['note']);
    expect(paths('CaseWithdrawn')).toEqual(['reason']);
    expect(paths('ReferralAnswered')).toEqual(['opinion']);
    expect(paths('ReferralObjected')).toEqual(['reason']);
    expect(paths('SupervisionIssued')).toEqual(['note']);
    expect(paths('SupervisionAnswered')).toEqual(['response']);
    expect(paths('FeedbackRecorded')).toEqual(['comment']);
    expect(paths('CaseEscalated')).toEqual(['note']);
    // Codes stay plain: the suspension's and the failure's reasons are enums.
    expect(paths('MediationFailed')).toEqual(['note']);
    expect(paths('CaseRejected')).toEqual(['explanation']);
  });
});

describe('the edge encrypts the marked fields and the reads open them', () => {
  let db: Db;
  let keys: PersonalDataKeys;
  beforeAll(async () => {
    db = await openDb({ memory: true });
    keys = new PersonalDataKeys(db, keyringFromJson(newKeyringJson('m-1'), 'test'));
    await keys.init();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('encrypts nested opinions and the reason of an extension under the case text subject, and validates the plain text first', async () => {
    const held = (await encryptCommandText(
      'HoldSession',
      'MC-T1',
      { sessionId: 'S-1', outcome: 'progress', minutes: '张某到场', departmentOpinions: [{ department: 'union', opinion: '工会认为张某的诉求合理' }] },
      keys,
      'zh-CN',
    )) as Record<string, unknown>;
    expect(JSON.stringify(held)).not.toContain('张某');
    const fields = findPersonalValues(held);
    expect(fields.map((f) => f.path)).toEqual(['minutes', 'departmentOpinions[0].opinion']);
    expect(fields.every((f) => isEncryptedValue(f.field) && f.field.ref === textSubjectOf('MC-T1'))).toBe(true);
    const extension = (await encryptCommandText('AgreeExtension', 'MC-T1', { days: 5, complainantConsents: true, respondentConsents: true, reason: '李某住院' }, keys, 'zh-CN')) as Record<string, unknown>;
    expect(isEncryptedValue(extension['reason'])).toBe(true);
    expect(extension['days']).toBe(5);
    // A plain text too long is refused by name before anything is encrypted.
    await expect(encryptCommandText('WithdrawCase', 'MC-T1', { reason: 'x'.repeat(5001) }, keys, 'en')).rejects.toThrow(/reason/);

    // The read: plain for a full grant, left encrypted otherwise, the erased word after erasure.
    const events = [{ type: 'X', data: held }];
    const full = await revealCaseText(events, 'MC-T1', keys, { full: true, erasedWord: '已删除' });
    expect(full.opened).toBe(2);
    expect(full.events[0]!.data).toMatchObject({ minutes: '张某到场', departmentOpinions: [{ opinion: '工会认为张某的诉求合理' }] });
    const redacted = await revealCaseText(events, 'MC-T1', keys, { full: false, erasedWord: '已删除' });
    expect(redacted.opened).toBe(0);
    expect(JSON.stringify(redacted.events)).not.toContain('张某');
    // Another case's text is not this case's to open.
    expect((await revealCaseText(events, 'MC-OTHER', keys, { full: true, erasedWord: '已删除' })).opened).toBe(0);
    await keys.erase([textSubjectOf('MC-T1')]);
    const erased = await revealCaseText(events, 'MC-T1', keys, { full: true, erasedWord: '已删除' });
    expect(erased.events[0]!.data).toMatchObject({ minutes: '已删除', departmentOpinions: [{ opinion: '已删除' }] });
    // And nothing new can be written for an erased case: a clear refusal, not a server error.
    await expect(encryptCommandText('CloseCase', 'MC-T1', { note: '补记' }, keys, 'zh-CN')).rejects.toMatchObject({ status: 409, rejection: { key: 'erasure.already' } });
  });
});

describe('the edge takes only plain text from a caller, and checks its characters before it encrypts', () => {
  let db: Db;
  let keys: PersonalDataKeys;
  beforeAll(async () => {
    db = await openDb({ memory: true });
    keys = new PersonalDataKeys(db, keyringFromJson(newKeyringJson('m-1'), 'test'));
    await keys.init();
  });
  afterAll(async () => {
    await db?.close();
  });

  const refusal = (promise: Promise<unknown>) => promise.then(() => expect.fail('expected a 400'), (err: unknown) => err as { status: number; code: string; fields?: { field: string; message: string }[] });

  it('refuses a client-made encrypted object in a free-text field, naming the field in Chinese', async () => {
    // The attack of issue 21: the plain text base64-encoded in an object that looks like the edge's own.
    const forged = { pii: true, ref: textSubjectOf('MC-T2'), keyId: 'dk-fake', nonce: 'AAAAAAAAAAAAAAAA', ciphertext: Buffer.from('明文绕过').toString('base64') };
    for (const [type, body, field] of [
      ['IssueSupervision', { note: forged }, 'note'],
      ['SendReply', { method: 'written', summary: forged }, 'summary'],
      ['HoldSession', { sessionId: 'S-1', outcome: 'progress', minutes: '笔录', departmentOpinions: [{ department: 'union', opinion: forged }] }, 'departmentOpinions[0].opinion'],
    ] as const) {
      const err = await refusal(encryptCommandText(type, 'MC-T2', body, keys, 'zh-CN'));
      expect(err, type).toMatchObject({ status: 400, code: 'validation' });
      expect(err.fields, type).toEqual([{ field, message: expect.stringContaining('只接受纯文本') }]);
    }
  });

  it('refuses NUL in an IssueSupervision note and a SendReply summary, naming the field, before anything is encrypted', async () => {
    const note = await refusal(encryptCommandText('IssueSupervision', 'MC-T2', { note: '督办\u0000' }, keys, 'zh-CN'));
    expect(note).toMatchObject({ status: 400, fields: [{ field: 'note', message: expect.stringMatching(/^note：不得包含空字符或其他控制字符（发现 U\+0000）/) }] });
    const reply = await refusal(encryptCommandText('SendReply', 'MC-T2', { method: 'written', summary: '已告知\u0000' }, keys, 'zh-CN'));
    expect(reply).toMatchObject({ status: 400, fields: [{ field: 'summary' }] });
    const bidi = await refusal(encryptCommandText('CloseCase', 'MC-T2', { note: '结案\u202E注备' }, keys, 'en'));
    expect(bidi.fields).toEqual([{ field: 'note', message: expect.stringContaining('bidirectional') }]);
    // Lines of ordinary Chinese pass, and leave encrypted.
    const ok = (await encryptCommandText('SendReply', 'MC-T2', { method: 'written', summary: '已书面告知：\n调解不成，可申请仲裁。' }, keys, 'zh-CN')) as Record<string, unknown>;
    expect(isEncryptedValue(ok['summary'])).toBe(true);
  });

  it('shows a value it cannot decrypt as unreadable, and the rest of the read intact', async () => {
    const caseId = 'MC-T3';
    const good = await keys.encrypt(textSubjectOf(caseId), '调解笔录正文');
    // The case's real key id with a ciphertext the key did not make; another subject's key named for this case's text.
    const forged = { ...good, ciphertext: Buffer.from('明文绕过加密').toString('base64') };
    const otherKey = await keys.encrypt('person-else', '他人');
    const misfiled = { ...otherKey, ref: textSubjectOf(caseId) };
    expect(await reveal(forged, keys)).toBe(UNREADABLE);
    expect(await reveal(good, keys)).toBe('调解笔录正文');
    const why: unknown[] = [];
    const events = [
      { type: 'SessionHeld', data: { minutes: good, departmentOpinions: [{ department: 'union', opinion: forged }] } },
      { type: 'CaseClosed', data: { outcome: 'agreement', note: misfiled } },
    ];
    const shown = await revealCaseText(events, caseId, keys, { full: true, erasedWord: '已删除', unreadableWord: '无法解密', onUnreadable: (err) => why.push(err) });
    expect(shown.events.map((e) => e.data)).toEqual([
      { minutes: '调解笔录正文', departmentOpinions: [{ department: 'union', opinion: '无法解密' }] },
      { outcome: 'agreement', note: '无法解密' },
    ]);
    expect(shown).toMatchObject({ opened: 1, unreadable: 2 });
    expect(why).toHaveLength(2);
  });
});

describe('the core passes encrypted text through unread', () => {
  const secret = { pii: true as const, ref: `${CASE_ID}/text`, keyId: 'dk-1', nonce: 'AAAAAAAAAAAAAAAA', ciphertext: 'c2VjcmV0' };

  const eventsOf = (result: { decision: { ok: boolean } }) => {
    const decision = result.decision as { ok: true; events: UnsealedEvent[] } | { ok: false; rejection: { reason: string } };
    if (!decision.ok) throw new Error(`rejected: ${decision.rejection.reason}`);
    return decision.events;
  };

  it('given a case in mediation, when it is withdrawn with an encrypted reason, then the event carries the ciphertext as sent and the chain seals', () => {
    const events = eventsOf(given(inMediation).when(cmd('WithdrawCase', { reason: secret })));
    expect(events.find((e) => e.type === 'CaseWithdrawn')!.data).toEqual({ reason: secret });
    expect(verifyChain(sealEvents([...toHistory(inMediation), ...events], GENESIS_HASH))).toEqual({ ok: true });
  });

  it('given a closed case, when it is reopened with an encrypted note, then CaseReopened carries it', () => {
    const events = eventsOf(given(closed).when(cmd('ReopenCase', { reason: 'new-facts', note: secret })));
    expect(events.find((e) => e.type === 'CaseReopened')!.data).toMatchObject({ note: secret });
  });
});

describe('the seed of an erasure after the run ended, once Temporal no longer keeps the run', () => {
  const schema = 'rm_seed';
  const sealed = sealEvents(toHistory(closed), GENESIS_HASH);
  let db: Db;
  const archive = () => ({ kind: 'archive' as const, db, schema, describe: 'test archive' });
  const unusedTemporal = {} as Client; // the 'gone' path never asks Temporal

  beforeAll(async () => {
    db = await openDb({ memory: true });
    await db.exec(createSchemaSql(schema));
    for (const e of sealed) {
      await db.query(`insert into ${schema}.event_archive (case_id, sequence, event_id, type, occurred_at, event) values ($1, $2, $3, $4, $5, $6)`, [
        e.caseId,
        e.sequence,
        e.eventId,
        e.type,
        e.occurredAt,
        canonicalJson(e),
      ]);
    }
  });
  afterAll(async () => {
    await db?.close();
  });

  it('given the verified archive, then the seed is its fold and its head', async () => {
    const seed = await endedRunSeed(unusedTemporal, archive(), CASE_ID, 'gone');
    const last = sealed[sealed.length - 1]!;
    expect(seed).toMatchObject({ caseId: CASE_ID, events: last.sequence, publishedSequence: last.sequence, lastHash: last.hash, state: { status: 'closed' } });
    expect(await endedRunSeed(unusedTemporal, archive(), 'MC-NONE', 'gone')).toBeNull();
  });

  it('given a tampered archive, then it refuses to continue the chain, saying to run audit verify', async () => {
    await db.query(`update ${schema}.event_archive set event = jsonb_set(event, '{occurredAt}', '"2020-01-01T00:00:00.000Z"') where sequence = 2`);
    const refused = await endedRunSeed(unusedTemporal, archive(), CASE_ID, 'gone').catch((err: unknown) => err);
    expect(refused).toMatchObject({ status: 409, key: 'erasure.chain-faults' });
    expect((refused as Error).message).toMatch(/audit verify/);
  });
});
