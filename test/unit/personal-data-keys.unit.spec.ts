// Crypto-shredding: per-subject data keys wrapped by an erasure epoch's key, whose KEK lives outside the
// database; encrypt-then-hash; erasure by key destruction (and an epoch turnover) leaves every hash valid
// and nothing decryptable.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptCommandText, encryptReceive, reveal } from '../../api/personal-data.js';
import { toReceiveCase } from '../../api/intake.js';
import { findPersonalValues, GENESIS_HASH, isEncryptedValue, sealEvents, textSubjectOf, verifyChain } from '../../events/index.js';
import { openDb, type Db } from '../../readmodels/db.js';
import { sealAesGcm } from '../../runtime/crypto.js';
import { FileKekStore, type KekStore } from '../../runtime/kek-store.js';
import { keyringFromJson, newKeyringJson, type KeyringJson } from '../../runtime/payload-codec.js';
import { fieldAad, legacyWrapAad, masterKeySource, PersonalDataKeys, SubjectErasedError } from '../../runtime/personal-data-keys.js';
import { caseReceived, complainant } from '../../testkit/case-fixtures.js';
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

  it('given keys wrapped directly by a master key (before erasure epochs), then they still open, and the first epoch moves them and destroys that master key', async () => {
    const { db, keys, schema } = await store();
    // A row as the key store wrote it before epochs: the data key sealed by master key m-1 itself.
    const dataKey = crypto.randomBytes(32);
    const keyId = 'dk-legacy';
    const wrapped = sealAesGcm(Buffer.from(master.keys['m-1']!, 'base64'), dataKey, legacyWrapAad('person-1', keyId, 'm-1')).toString('base64');
    await shared.query(`insert into ${schema}.subject_keys (subject_ref, key_id, master_key_id, wrapped_key, created_at) values ('person-1', $1, 'm-1', $2, now())`, [keyId, wrapped]);
    const sealed = sealAesGcm(dataKey, Buffer.from('旧', 'utf8'), fieldAad('person-1', keyId));
    const before = { pii: true as const, ref: 'person-1', keyId, nonce: sealed.subarray(0, 12).toString('base64'), ciphertext: sealed.subarray(12).toString('base64') };
    expect(await keys.decrypt(before)).toBe('旧');
    await keys.encrypt('person-2', '新');
    await keys.erase(['person-2']);
    const rows = await db.query<{ subject_ref: string; master_key_id: string | null; epoch: string | null }>('select subject_ref, master_key_id, epoch from keys.subject_keys order by subject_ref');
    expect(rows.rows).toEqual([{ subject_ref: 'person-1', master_key_id: null, epoch: await keys.epoch() }, { subject_ref: 'person-2', master_key_id: null, epoch: null }]);
    expect(await keys.kekStore.unwrap('m-1', Buffer.from(wrapped, 'base64'), legacyWrapAad('person-1', keyId, 'm-1'))).toBeUndefined();
    expect(await keys.decrypt(before)).toBe('旧');
    await db.close();
  });

  it('given an erasure, then the epoch turns over: the old KEK is gone from the KEK store, every remaining key opens under the new one, and new keys use it', async () => {
    const { keys, schema } = await store();
    const kept = await keys.encrypt('person-keep', '保留');
    await keys.encrypt('person-gone', '删除');
    const first = await keys.epoch();
    expect(first).toBe('m-1');
    await keys.erase(['person-gone']);
    const second = await keys.epoch();
    expect(second).not.toBe(first);
    // The KEK store no longer holds m-1 (the first epoch's KEK): the old epoch key cannot be opened by anyone.
    const oldEpoch = await shared.query<{ wrapped_key: string | null; retired_at: unknown }>(`select wrapped_key, retired_at from ${schema}.epochs where epoch = 'm-1'`);
    expect(oldEpoch.rows[0]).toMatchObject({ wrapped_key: null, retired_at: expect.anything() });
    expect(await keys.kekStore.unwrap('m-1', crypto.randomBytes(60), 'x')).toBeUndefined();
    // A fresh store on the same KEK store (a restart) opens the remaining subject through the new epoch.
    const restarted = new PersonalDataKeys(shared, keys.kekStore, schema);
    expect(await restarted.decrypt(kept)).toBe('保留');
    await restarted.encrypt('person-new', '新');
    const epochs = await shared.query<{ subject_ref: string; epoch: string | null }>(`select subject_ref, epoch from ${schema}.subject_keys order by subject_ref`);
    expect(epochs.rows).toEqual([
      { subject_ref: 'person-gone', epoch: null },
      { subject_ref: 'person-keep', epoch: second },
      { subject_ref: 'person-new', epoch: second },
    ]);
    // One epoch per erasure call however many subjects it names.
    await keys.erase(['person-keep', 'person-new']);
    expect((await shared.query(`select epoch from ${schema}.epochs`)).rows).toHaveLength(3);
  });

  it('given a crash in the middle of an epoch turnover, then every remaining key still opens, and the retirement is finished at the next start', async () => {
    const { keys, schema } = await store();
    const kept = await keys.encrypt('person-keep', '保留');
    await keys.encrypt('person-gone', '删除');
    // A crash before the commit: the new KEK is made, the re-wrap fails half-way; the transaction rolls back.
    const inner = keys.kekStore;
    const failing: KekStore = {
      describe: 'failing',
      mutable: true,
      currentId: () => inner.currentId(),
      unwrap: (id, sealed, aad) => inner.unwrap(id, sealed, aad),
      create: () => inner.create(),
      destroy: (ids) => inner.destroy(ids),
      wrap: async (id, plain, aad) => {
        if (aad.startsWith('mediation-engine/epoch-key/v1')) throw new Error('crash');
        return inner.wrap(id, plain, aad);
      },
    };
    await expect(new PersonalDataKeys(shared, failing, schema).erase(['person-gone'])).rejects.toThrow('crash');
    const fresh = new PersonalDataKeys(shared, inner, schema);
    expect(await fresh.epoch()).toBe('m-1');
    expect(await fresh.decrypt(kept)).toBe('保留');
    // A crash after the commit, before the old KEK is destroyed: the data is under the new epoch already;
    // the next start destroys the retired KEK.
    const noDestroy: KekStore = { ...failing, wrap: (id, plain, aad) => inner.wrap(id, plain, aad), destroy: async () => { throw new Error('crash'); } };
    await expect(new PersonalDataKeys(shared, noDestroy, schema).erase(['person-gone'])).rejects.toThrow('crash');
    const afterCrash = new PersonalDataKeys(shared, inner, schema);
    expect(await afterCrash.epoch()).not.toBe('m-1');
    expect(await afterCrash.decrypt(kept)).toBe('保留');
    expect((await shared.query(`select kek_id from ${schema}.kek_retirements where destroyed_at is null`)).rows).toEqual([{ kek_id: 'm-1' }]);
    await afterCrash.init();
    const pending = await shared.query(`select kek_id from ${schema}.kek_retirements where destroyed_at is null`);
    expect(pending.rows).toEqual([]);
    expect(await afterCrash.decrypt(kept)).toBe('保留');
  });

  it('keeps the KEKs in a keyring file that it rewrites whole, and refuses a keyring file inside the data directory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kek-store-'));
    const file = path.join(dir, 'master-keys.json');
    fs.writeFileSync(file, JSON.stringify(newKeyringJson('m-1')), { mode: 0o600 });
    const kek = await masterKeySource({ PERSONAL_DATA_MASTER_KEYS_FILE: file }).load();
    const { schema } = await store();
    const keys = new PersonalDataKeys(shared, kek, schema);
    await keys.init();
    const kept = await keys.encrypt('person-keep', '保留');
    await keys.encrypt('person-gone', '删除');
    await keys.erase(['person-gone']);
    const onDisk = JSON.parse(fs.readFileSync(file, 'utf8')) as KeyringJson;
    expect(Object.keys(onDisk.keys)).toEqual([await keys.epoch()]);
    expect(onDisk.current).toBe(await keys.epoch());
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['master-keys.json']);
    // Another process reading the file afresh opens the remaining subject.
    expect(await new PersonalDataKeys(shared, new FileKekStore(file), schema).decrypt(kept)).toBe('保留');
    // Beside the data it protects, the keyring is refused, naming the variable.
    await expect(masterKeySource({ PERSONAL_DATA_MASTER_KEYS_FILE: file, MEDIATION_DATA_DIR: dir }).load()).rejects.toThrow(/MEDIATION_DATA_DIR/);
    await expect(masterKeySource({ PERSONAL_DATA_MASTER_KEYS_FILE: file, PGLITE_PATH: dir }).load()).rejects.toThrow(/PGLITE_PATH/);
    // A fixed keyring in a variable still works, and says that its erasures cannot retire keys.
    const fixed = new PersonalDataKeys(shared, await masterKeySource({ PERSONAL_DATA_MASTER_KEYS: JSON.stringify(newKeyringJson('m-env')) }).load(), `${schema}_env`);
    await fixed.init();
    expect(fixed.erasureRetiresKeys).toBe(false);
    const envField = await fixed.encrypt('person-env', '环境');
    await fixed.erase(['person-env']);
    expect(await fixed.decrypt(envField)).toBeNull();
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
