// Erasure is real on disk, not only in the tables (issue 21 §4; docs/personal-data-erasure.md). A subject's
// values go to Kafka encrypted under its data key, the key store keeps the key in PGlite (a directory) or
// in the test stack's PostgreSQL server; then the subject is erased. A byte copy of everything written —
// the database's files with its write-ahead log, the Kafka log segments of the topic — and the keyring file
// as it is after the erasure go to test/support/forensics.ts, which tries every key it can find in the
// bytes: nothing opens the erased subject's ciphertext, while the same copy gives back a subject that was
// not erased (the control). With the keyring as it was before the erasure — what the key store left on
// disk before erasure epochs, when an erasure changed no key outside the database — the same copy gives
// back the erased subject too: the scan does find the old row in the WAL, and only the retired KEK stops it.
// Temporal: the test stack's dev server keeps its state in memory (nothing on disk to copy), and its
// payloads hold only the same ciphertext under the same keys (test/e2e/personal-data.e2e.spec.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { EncryptedValue } from '../../events/personal-data.js';
import { openDb, type Db } from '../../readmodels/db.js';
import { connectProducer, createKafka } from '../../runtime/kafka.js';
import { newKeyringJson } from '../../runtime/payload-codec.js';
import { masterKeySource, PersonalDataKeys } from '../../runtime/personal-data-keys.js';
import { confirmsIdNumber, copyAndScan, recover } from '../support/forensics.js';
import { describeWithStack, stack, uniqueName } from '../support/stack.js';
import { createTopic } from '../support/temporal.js';

const ERASED = { name: '欧阳删除', phone: '13911112222', note: '被删除者的调解笔录', idNumber: '11010519491231002X' };
const KEPT = { name: '司马保留', phone: '13833334444', idNumber: '110105194912310013' };

describeWithStack('erasure is real on disk: no copy of the data, with the keyring after the erasure, opens an erased key', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'erasure-on-disk-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const kind of ['pglite', 'postgres'] as const) {
    it(`on ${kind}: the erased subject's values stay shut in a copy of the database files, WAL included, and of the Kafka log; a kept subject's open`, async () => {
      const work = path.join(tmp, kind);
      // The keyring outside the database's directory, as npm start keeps it.
      const keysDir = path.join(work, 'keys');
      fs.mkdirSync(keysDir, { recursive: true });
      const keyringFile = path.join(keysDir, 'master-keys.json');
      fs.writeFileSync(keyringFile, JSON.stringify(newKeyringJson('m-1')), { mode: 0o600 });
      const pglitePath = path.join(work, 'pglite');
      const db: Db = kind === 'pglite' ? await openDb({ pglitePath }) : await openDb({ url: stack!.postgresUrl });
      const schema = kind === 'pglite' ? 'keys' : uniqueName('keys_disk');
      const keys = new PersonalDataKeys(db, await masterKeySource({ PERSONAL_DATA_MASTER_KEYS_FILE: keyringFile }).load(), schema);
      await keys.init();

      // The values, encrypted at the edge, published as events are: the erased subject and the kept one,
      // and a few others so that the key store is not a table of two.
      const erased: EncryptedValue[] = [await keys.encrypt('erased-subject', ERASED.name), await keys.encrypt('erased-subject', ERASED.phone), await keys.encrypt('erased-subject', ERASED.note)];
      const kept = [await keys.encrypt('kept-subject', KEPT.name), await keys.encrypt('kept-subject', KEPT.phone)];
      for (let i = 0; i < 20; i++) await keys.encrypt(`other-${i}`, `其他人${i}`);
      await keys.complainantIndex().record('CASE-1', [
        { subjectRef: 'erased-subject', idNumber: ERASED.idNumber },
        { subjectRef: 'kept-subject', idNumber: KEPT.idNumber },
      ]);
      const topic = uniqueName('erasure_disk');
      await createTopic(stack!.kafkaBrokers, topic, 1);
      const producer = await connectProducer(createKafka(stack!.kafkaBrokers, 'erasure-on-disk'));
      await producer.send({ topic, acks: -1, messages: [...erased, ...kept].map((field) => ({ key: field.ref, value: JSON.stringify({ type: 'PersonalValueRecorded', data: { field } }) })) });
      await producer.disconnect();
      const keyringBefore = JSON.parse(fs.readFileSync(keyringFile, 'utf8')) as { keys: Record<string, string> };

      const turnedOver = await keys.epoch();
      expect(await keys.erase(['erased-subject'])).toEqual(['erased-subject']);
      await keys.complainantIndex().erase(['erased-subject']);
      expect(await keys.epoch()).not.toBe(turnedOver);
      expect(await keys.decrypt(erased[0]!)).toBeNull();
      expect(await keys.decrypt(kept[0]!)).toBe(KEPT.name);
      // The kept subject's index row, recomputed under the new index key, still finds the case; the erased one's went.
      expect(await keys.complainantIndex().casesOf([KEPT.idNumber])).toEqual(['CASE-1']);
      expect(await keys.complainantIndex().casesOf([ERASED.idNumber])).toEqual([]);

      // Everything on disk as a backup or a stolen disk would have it: PGlite closed (all it wrote is in its
      // files); PostgreSQL running, after a checkpoint (its heap pages written too, the WAL kept).
      let dbDirs: string[];
      if (kind === 'pglite') {
        await db.close();
        dbDirs = [pglitePath];
      } else {
        await db.query('checkpoint');
        dbDirs = [(await db.query<{ data_directory: string }>('show data_directory')).rows[0]!.data_directory];
        await db.close();
      }
      const kafkaLogs = path.join(process.env.MEDIATION_DATA_DIR!, 'kafka', 'logs');
      const topicDirs = fs.readdirSync(kafkaLogs).filter((d) => d.startsWith(`${topic}-`)).map((d) => path.join(kafkaLogs, d));
      expect(topicDirs.length).toBe(1);
      const started = Date.now();
      const copy = copyAndScan([...dbDirs, ...topicDirs], path.join(work, 'copy'));
      const keyringAfter = JSON.parse(fs.readFileSync(keyringFile, 'utf8')) as { keys: Record<string, string> };
      // The erased subject's ciphertext is in the copied Kafka log, and the keyring is another than before.
      const kafkaBytes = Buffer.concat(topicDirs.flatMap((d) => fs.readdirSync(d).map((f) => fs.readFileSync(path.join(d, f)))));
      for (const field of erased) expect(kafkaBytes.includes(field.ciphertext)).toBe(true);
      expect(Object.keys(keyringAfter.keys)).toEqual([await keys.epoch()]);
      expect(Object.keys(keyringBefore.keys)).toEqual(['m-1']);

      for (const field of erased) expect(recover(copy, keyringAfter, field)).toBeNull();
      // The control: the same copy and keyring give back the kept subject.
      expect(recover(copy, keyringAfter, kept[0]!)).toBe(KEPT.name);
      expect(recover(copy, keyringAfter, kept[1]!)).toBe(KEPT.phone);
      // What the key store before erasure epochs left: an erasure changed no key outside the database, so the
      // keyring after it was the keyring before it, and with that the copy gives the erased subject back.
      expect(recover(copy, keyringBefore, erased[0]!)).toBe(ERASED.name);
      expect(recover(copy, keyringBefore, erased[2]!)).toBe(ERASED.note);
      // The complainant index: the erased subject's ID number cannot be confirmed from the copy (its blind
      // index was a digest under an index key retired with the epoch); the kept subject's can (the control),
      // and with the keyring before the erasure so could the erased one's.
      expect(confirmsIdNumber(copy, keyringAfter, ERASED.idNumber)).toBe(false);
      expect(confirmsIdNumber(copy, keyringAfter, KEPT.idNumber)).toBe(true);
      expect(confirmsIdNumber(copy, keyringBefore, ERASED.idNumber)).toBe(true);
      console.log(`${kind}: scanned ${copy.files} files, ${(copy.bytes / 1e6).toFixed(1)} MB, ${copy.sealed.size} sealed-key candidates, in ${Date.now() - started} ms`);
    }, 300_000);
  }
});
