// Crypto-shredding: per-subject data keys wrapped by a master key; encrypt-then-hash; erasure by key
// destruction leaves every hash valid and nothing decryptable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptCommandText, encryptReceive, reveal } from '../../api/personal-data.js';
import { toReceiveCase } from '../../api/intake.js';
import { findPersonalValues, GENESIS_HASH, isEncryptedValue, sealEvents, textSubjectOf, verifyChain } from '../../events/index.js';
import { openDb, type Db } from '../../readmodels/db.js';
import { keyringFromJson, newKeyringJson, rotateKeyringJson } from '../../runtime/payload-codec.js';
import { PersonalDataKeys, SubjectErasedError } from '../../runtime/personal-data-keys.js';
import { caseReceived, complainant } from '../support/case-fixtures.js';
import { toHistory } from '../support/decider-spec.js';

const master = newKeyringJson('m-1');
// One in-memory database for the file (PGlite takes seconds to start on a busy machine); a schema per test.
let shared: Db;
let n = 0;
beforeAll(async () => {
  shared = await openDb({ memory: true });
});
afterAll(async () => {
  await shared?.close();
});
const store = async (json = master) => {
  const schema = `keys_${++n}`;
  const keys = new PersonalDataKeys(shared, keyringFromJson(json, 'test'), schema);
  await keys.init();
  const db = { query: <R extends Record<string, unknown>>(sql: string) => shared.query<R>(sql.replaceAll('keys.subject_keys', `${schema}.subject_keys`)), close: async () => undefined };
  return { db, keys, schema };
};

describe('the personal-data key store', () => {
  it('given a value, when encrypted, then only ciphertext is stored, it decrypts back, and the database holds no plain key', async () => {
    const { db, keys, schema } = await store();
    const field = await keys.encrypt('person-1', '欧阳明明');
    expect(JSON.stringify(field)).not.toContain('欧阳明明');
    expect(await keys.decrypt(field)).toBe('欧阳明明');
    const rows = await db.query<{ wrapped_key: string }>('select wrapped_key from keys.subject_keys');
    expect(rows.rows).toHaveLength(1);
    // One key per subject: a second value uses the same key id.
    expect((await keys.encrypt('person-1', '13900000000')).keyId).toBe(field.keyId);
    // A fresh store over the same rows (a restart) decrypts through the master key alone.
    expect(await new PersonalDataKeys(shared, keyringFromJson(master, 'test'), schema).decrypt(field)).toBe('欧阳明明');
    await db.close();
  });

  it('refuses a ciphertext moved to another subject, and a wrong master key', async () => {
    const { db, keys, schema } = await store();
    const a = await keys.encrypt('person-a', '甲');
    await keys.encrypt('person-b', '乙');
    await expect(keys.decrypt({ ...a, ref: 'person-b' })).rejects.toThrow();
    await expect(new PersonalDataKeys(shared, keyringFromJson(newKeyringJson('m-1'), 'other'), schema).decrypt(a)).rejects.toThrow();
    await db.close();
  });

  it('given a master-key rotation, then keys wrapped under the old master still open, new ones use the new master', async () => {
    const { db, keys, schema } = await store();
    const before = await keys.encrypt('person-1', '旧');
    const rotated = new PersonalDataKeys(shared, keyringFromJson(rotateKeyringJson(master, 'm-2'), 'rotated'), schema);
    expect(await rotated.decrypt(before)).toBe('旧');
    await rotated.encrypt('person-2', '新');
    const masters = await db.query<{ subject_ref: string; master_key_id: string }>('select subject_ref, master_key_id from keys.subject_keys order by subject_ref');
    expect(masters.rows).toEqual([{ subject_ref: 'person-1', master_key_id: 'm-1' }, { subject_ref: 'person-2', master_key_id: 'm-2' }]);
    await db.close();
  });

  it('given an erasure, then nothing decrypts, the tombstone stays, and nothing new is encrypted for the subject', async () => {
    const { db, keys, schema } = await store();
    const field = await keys.encrypt('person-1', '待删除');
    const other = await keys.encrypt('person-2', '保留');
    expect(await keys.erase(['person-1'])).toEqual(['person-1']);
    expect(await keys.decrypt(field)).toBeNull();
    expect(await new PersonalDataKeys(shared, keyringFromJson(master, 'test'), schema).decrypt(field)).toBeNull();
    expect(await keys.decrypt(other)).toBe('保留');
    await expect(keys.encrypt('person-1', '再来')).rejects.toThrow(SubjectErasedError);
    const rows = await keys.rows(['person-1']);
    expect(rows[0]).toMatchObject({ subjectRef: 'person-1', keyId: field.keyId, erasedAt: expect.any(String) });
    const stored = await db.query<{ wrapped_key: string | null }>(`select wrapped_key from keys.subject_keys where subject_ref = 'person-1'`);
    expect(stored.rows[0]!.wrapped_key).toBeNull();
    await db.close();
  });
});

describe('encrypt-then-hash', () => {
  it('given an encrypted event, then the hash covers the ciphertext: tampering breaks the chain, erasure does not', async () => {
    const { db, keys } = await store();
    const name = await keys.encrypt('person-1', '张三');
    const history = toHistory([caseReceived({ complainants: [{ ...complainant('person-1'), name, phone: await keys.encrypt('person-1', '13800000000') }] })]);
    const sealed = sealEvents(history, GENESIS_HASH);
    expect(verifyChain(sealed)).toEqual({ ok: true });
    const tampered = structuredClone(sealed);
    const c = (tampered[0]!.data as { complainants: Array<{ name: { ciphertext: string } }> }).complainants[0]!;
    c.name.ciphertext = Buffer.from('forged').toString('base64') + c.name.ciphertext.slice(8);
    expect(verifyChain(tampered).ok).toBe(false);
    await keys.erase(['person-1']);
    expect(verifyChain(sealed)).toEqual({ ok: true });
    for (const { field } of findPersonalValues(sealed[0]!.data)) expect(await reveal(field, keys)).toBeNull();
    await db.close();
  });
});

describe('the edge', () => {
  it('encrypts every personal value and the claim summary of a new case; validates and encrypts the free text of commands', async () => {
    const { db, keys } = await store();
    const plain = toReceiveCase('MC-1', {
      channel: 'walk-in',
      complainants: [{ name: '欧阳边缘', idNumber: '11010519491231002X', phone: '13912345678', isRepresentative: true }],
      workerCount: 1,
      respondent: { name: '某厂', creditCode: '91330100MA2XXXXX1B', town: '城关镇', industry: 'x', responsibleDepartment: '经信局', level: 'enterprise' },
      claim: { disputeTypeHint: 'wage-arrears', summary: '边缘诉求短语' },
    });
    const sent = await encryptReceive(plain, keys);
    const text = JSON.stringify(sent);
    for (const secret of ['欧阳边缘', '11010519491231002X', '13912345678', '边缘诉求短语']) expect(text).not.toContain(secret);
    expect(findPersonalValues(sent.data).every((f) => isEncryptedValue(f.field))).toBe(true);
    expect(sent.data.claim.summary).toMatchObject({ pii: true, ref: textSubjectOf('MC-1') });
    expect(await reveal(sent.data.claim.summary, keys)).toBe('边缘诉求短语');

    const body = (await encryptCommandText('RecordAgreement', 'MC-1', { totalAmountFen: 1, items: [], schedule: [], terms: '欧阳边缘同意分期' }, keys, 'zh-CN')) as { terms: unknown };
    expect(JSON.stringify(body)).not.toContain('欧阳边缘');
    expect(await reveal(body.terms as never, keys)).toBe('欧阳边缘同意分期');
    // The plain text is validated before it is encrypted: too long is refused, naming the field.
    await expect(encryptCommandText('HoldSession', 'MC-1', { sessionId: 'S', outcome: 'progress', minutes: 'x'.repeat(5001), departmentOpinions: [] }, keys, 'en')).rejects.toThrow();
    await db.close();
  });
});
