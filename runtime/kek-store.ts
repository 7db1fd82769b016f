// Where the key-encryption keys (KEKs) of the personal-data key store live (runtime/personal-data-keys.ts).
//
// Erasure is real on disk only if the key that wrapped an erased subject's data key is destroyed
// somewhere that keeps no history of it: the database keeps every old row in its write-ahead log, its
// backups and its replicas, so a KEK kept in the database (even wrapped by another key that lives on)
// would be recoverable with them. KEKs therefore live in a KekStore — a keyring file outside the data
// directory, or a KMS — and each erasure epoch creates one and destroys the one before
// (docs/personal-data-erasure.md).
//
// Implementations:
// - FileKekStore: a keyring file ({"current", "keys"}, mode 0600), rewritten atomically on every change.
//   The local stack keeps it outside its data directory (ops/apps.ts).
// - KeyringKekStore: a keyring held in memory (tests, benchmarks) or given as a fixed environment secret
//   (PERSONAL_DATA_MASTER_KEYS), which cannot be changed from inside the process: keys cannot be destroyed.
// - A cloud KMS (documented in docs/personal-data-erasure.md, not built here): create = CreateKey, wrap =
//   Encrypt with the additional data as encryption context, unwrap = Decrypt, destroy = ScheduleKeyDeletion
//   (the KMS's waiting period then bounds how long an erased subject stays recoverable).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { openAesGcm, sealAesGcm } from './crypto.js';
import { keyringFromJson, PayloadKeyError, type KeyringJson, type PayloadKeyring } from './payload-codec.js';

export interface KekStore {
  /** For messages: where the keys live (a path, "PERSONAL_DATA_MASTER_KEYS", a KMS key ring). */
  readonly describe: string;
  /** Whether create() and destroy() are possible: a fixed keyring from a variable cannot forget a key. */
  readonly mutable: boolean;
  /** The key new epochs start from when the store cannot create one. */
  currentId(): Promise<string>;
  /** Seals `plain` (a 32-byte key) under the KEK, binding `aad`. */
  wrap(kekId: string, plain: Buffer, aad: string): Promise<Buffer>;
  /** The key sealed by wrap(); undefined when the store does not hold `kekId` (destroyed, or never here). */
  unwrap(kekId: string, sealed: Buffer, aad: string): Promise<Buffer | undefined>;
  /** A new KEK, stored durably before this returns. */
  create(): Promise<string>;
  /** Forgets these KEKs for good, durably before this returns. Unknown ids are ignored. */
  destroy(kekIds: readonly string[]): Promise<void>;
}

/** A KEK id that says when it was made (operators read them in the keyring) and never repeats. */
export function newKekId(): string {
  return `kek-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${crypto.randomBytes(4).toString('hex')}`;
}

/** A keyring in memory: tests and benchmarks (mutable), or a fixed environment secret (not mutable). */
export class KeyringKekStore implements KekStore {
  private readonly keys = new Map<string, Buffer>();
  private current: string;

  constructor(
    keyring: PayloadKeyring,
    readonly describe = 'an in-memory keyring',
    readonly mutable = true,
  ) {
    // Copies: destroy() zeroes its keys, and the keyring's buffers may serve elsewhere (a test's payload codec).
    for (const id of keyring.keyIds) this.keys.set(id, Buffer.from(keyring.key(id)!));
    this.current = keyring.currentKeyId;
  }

  async currentId(): Promise<string> {
    return this.current;
  }

  async wrap(kekId: string, plain: Buffer, aad: string): Promise<Buffer> {
    const key = this.keys.get(kekId);
    if (!key) throw new PayloadKeyError(`${this.describe} holds no key-encryption key "${kekId}"`);
    return sealAesGcm(key, plain, aad);
  }

  async unwrap(kekId: string, sealed: Buffer, aad: string): Promise<Buffer | undefined> {
    const key = this.keys.get(kekId);
    return key ? openAesGcm(key, sealed, aad) : undefined;
  }

  async create(): Promise<string> {
    if (!this.mutable) throw new PayloadKeyError(`${this.describe} is a fixed keyring: it cannot take a new key`);
    const id = newKekId();
    this.keys.set(id, crypto.randomBytes(32));
    this.current = id;
    return id;
  }

  async destroy(kekIds: readonly string[]): Promise<void> {
    if (!this.mutable) throw new PayloadKeyError(`${this.describe} is a fixed keyring: it cannot forget a key`);
    for (const id of kekIds) {
      this.keys.get(id)?.fill(0);
      this.keys.delete(id);
    }
  }
}

/**
 * A keyring file, re-read when it names a key this process does not hold (another API process may have
 * rotated it) and rewritten whole on each change: a temporary file in the same directory, fsync, rename,
 * fsync of the directory. A lock file makes several processes on one host take turns at the change.
 * Destroying a key rewrites the file without it; the old file's blocks are freed, not overwritten, so the
 * file belongs on storage that is not snapshotted or backed up with the data (docs/personal-data-erasure.md).
 */
export class FileKekStore implements KekStore {
  readonly mutable = true;
  readonly describe: string;
  private json: KeyringJson;

  constructor(private readonly file: string) {
    this.describe = file;
    this.json = this.read();
  }

  async currentId(): Promise<string> {
    return this.json.current;
  }

  async wrap(kekId: string, plain: Buffer, aad: string): Promise<Buffer> {
    const key = this.key(kekId);
    if (!key) throw new PayloadKeyError(`${this.file} holds no key-encryption key "${kekId}"`);
    return sealAesGcm(key, plain, aad);
  }

  async unwrap(kekId: string, sealed: Buffer, aad: string): Promise<Buffer | undefined> {
    const key = this.key(kekId);
    return key ? openAesGcm(key, sealed, aad) : undefined;
  }

  async create(): Promise<string> {
    const id = newKekId();
    await this.change((json) => ({ current: id, keys: { ...json.keys, [id]: crypto.randomBytes(32).toString('base64') } }));
    return id;
  }

  async destroy(kekIds: readonly string[]): Promise<void> {
    await this.change((json) => {
      const keys = Object.fromEntries(Object.entries(json.keys).filter(([id]) => !kekIds.includes(id)));
      // The current key is one the store was asked to destroy only when nothing uses it any more: the newest
      // remaining key becomes current, so the file stays a valid keyring.
      const current = keys[json.current] ? json.current : Object.keys(keys).at(-1);
      if (!current) throw new PayloadKeyError(`${this.file}: destroying ${kekIds.join(', ')} would leave no key`);
      return { current, keys };
    });
  }

  private key(id: string): Buffer | undefined {
    if (!(id in this.json.keys)) this.json = this.read();
    const b64 = this.json.keys[id];
    return b64 === undefined ? undefined : Buffer.from(b64, 'base64');
  }

  private read(): KeyringJson {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      throw new PayloadKeyError(`PERSONAL_DATA_MASTER_KEYS_FILE ${this.file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new PayloadKeyError(`${this.file}: not JSON; expected {"current": …, "keys": {…}}`);
    }
    keyringFromJson(parsed, this.file); // validates
    return parsed as KeyringJson;
  }

  private async change(edit: (json: KeyringJson) => KeyringJson): Promise<void> {
    const lock = `${this.file}.lock`;
    const release = await acquireLock(lock);
    try {
      const next = edit(this.read());
      keyringFromJson(next, this.file);
      const tmp = `${this.file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
      const fd = fs.openSync(tmp, 'wx', 0o600);
      try {
        fs.writeSync(fd, JSON.stringify(next, null, 2) + '\n');
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.file);
      const dir = fs.openSync(path.dirname(this.file), 'r');
      try {
        fs.fsyncSync(dir);
      } finally {
        fs.closeSync(dir);
      }
      this.json = next;
    } finally {
      release();
    }
  }
}

async function acquireLock(lock: string): Promise<() => void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = fs.openSync(lock, 'wx', 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => fs.rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock left by a process that died holding it (a change takes milliseconds).
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 30_000) fs.rmSync(lock, { force: true });
      if (attempt > 600) throw new PayloadKeyError(`${lock}: held for over a minute by another process`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
