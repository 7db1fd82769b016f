// The API's signature on every command it sends to a case workflow, and the keys on both sides.
//
// Temporal's frontend is reachable by more than the API (an operator's `temporal` CLI, a service with
// namespace access), and a command names its actor in its arguments. So the worker trusts a command only
// when the API signed it: every sender of a case update signs the request here (signCommand), and the
// case workflow's update validator checks the signature (workflows/command-signature.ts) before the
// command can reach history.
//
// Keys: Ed25519. The API holds the private key (COMMAND_SIGNING_KEY_FILE or COMMAND_SIGNING_KEY); the
// worker holds only public keys (COMMAND_VERIFY_KEYS_FILE or COMMAND_VERIFY_KEYS) and so cannot make a
// command itself. One JSON format for both files:
//   {"keys": [{"id": "ck-…", "publicKey": "<base64url, 32 bytes>", "privateKey": "<base64url seed, 32 bytes>"}]}
// The signing file names one key with its private half (the first such key signs); the verify file lists
// the public halves of every key still trusted (the current one and, during a rotation, the one before).
// docs/security-command-signing.md says who holds which and how the local stack makes them.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { CaseCommand } from '../domain/case/index.js';
import { commandSignedText, mergeIntoRequest, type CommandAuthorization, type CommandRequest } from '../workflows/messages.js';

const Base64url32 = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'expected 32 bytes in base64url');
const KeyFile = z.strictObject({
  keys: z
    .array(z.strictObject({ id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected a key id of letters, digits, . _ -'), publicKey: Base64url32, privateKey: Base64url32.optional() }))
    .min(1),
});
type KeyFile = z.infer<typeof KeyFile>;

export class CommandKeyError extends Error {}

export interface CommandSigner {
  keyId: string;
  sign<R extends CommandRequest>(req: R): R;
}

function parseKeyFile(text: string, where: string): KeyFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CommandKeyError(`${where}: not JSON; expected {"keys": [{"id", "publicKey", "privateKey"?}]}`);
  }
  const parsed = KeyFile.safeParse(json);
  if (!parsed.success) throw new CommandKeyError(`${where}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** The command key variables (runtime/config.ts describes them). */
export type CommandKeyVariables = Partial<Record<'COMMAND_SIGNING_KEY' | 'COMMAND_SIGNING_KEY_FILE' | 'COMMAND_VERIFY_KEYS' | 'COMMAND_VERIFY_KEYS_FILE', string | undefined>>;

function readKeys(env: CommandKeyVariables, variable: 'COMMAND_SIGNING_KEY' | 'COMMAND_VERIFY_KEYS'): KeyFile | undefined {
  if (env[variable]) return parseKeyFile(env[variable], variable);
  const file = env[`${variable}_FILE`];
  if (!file) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CommandKeyError(`${variable}_FILE ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseKeyFile(text, `${variable}_FILE ${file}`);
}

/** A signer over the key of a key file (its first key with a private half). */
export function signerFromKeys(keys: KeyFile): CommandSigner {
  const key = keys.keys.find((k) => k.privateKey);
  if (!key) throw new CommandKeyError('the command signing key file holds no private key');
  const privateKey = crypto.createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: key.privateKey!, x: key.publicKey }, format: 'jwk' });
  const signer: CommandSigner = {
    keyId: key.id,
    sign<R extends CommandRequest>(request: R): R {
      // A merge carries the surviving case's half signed too: the duplicate's workflow sends it on (the merge
      // saga), and the worker holds no key to sign it.
      const req: R =
        request.command.type === 'MergeCase' && !request.intoAuthorization
          ? { ...request, intoAuthorization: signer.sign(mergeIntoRequest(request as CommandRequest<Extract<CaseCommand, { type: 'MergeCase' }>>)).authorization }
          : request;
      // What the workflow receives is the request after Temporal's JSON round trip (no undefined members).
      const { authorization: _, ...rest } = req;
      const plain = JSON.parse(JSON.stringify(rest)) as CommandRequest;
      const auth = { keyId: key.id, signedAt: new Date().toISOString() };
      const signature = crypto.sign(null, Buffer.from(commandSignedText(plain, auth), 'utf8'), privateKey).toString('base64url');
      const authorization: CommandAuthorization = { ...auth, signature };
      return { ...req, authorization };
    },
  };
  return signer;
}

/** The API's signer, from COMMAND_SIGNING_KEY[_FILE]; undefined when neither is set. */
export function envCommandSigner(env: CommandKeyVariables = process.env): CommandSigner | undefined {
  const keys = readKeys(env, 'COMMAND_SIGNING_KEY');
  return keys ? signerFromKeys(keys) : undefined;
}

/** The public keys a worker trusts (key id → base64url), from COMMAND_VERIFY_KEYS[_FILE]; empty when neither is set. */
export function envCommandVerifyKeys(env: CommandKeyVariables = process.env): Record<string, string> {
  const keys = readKeys(env, 'COMMAND_VERIFY_KEYS');
  return Object.fromEntries((keys?.keys ?? []).map((k) => [k.id, k.publicKey]));
}

let processSigner: CommandSigner | undefined;

/**
 * Signs a command request with this process's key (COMMAND_SIGNING_KEY[_FILE], read once): the one way a
 * case update is sent — the API's commands and merges, the erasure route, the tests' and bench's helpers.
 */
export function signCommand<R extends CommandRequest>(req: R): R {
  processSigner ??= envCommandSigner();
  if (!processSigner) throw new CommandKeyError('no command signing key: set COMMAND_SIGNING_KEY_FILE (npm start makes one in .data/dev/keys) or COMMAND_SIGNING_KEY');
  return processSigner.sign(req);
}

/** A new key pair in the key-file format: the signing file's content and the public-only verify file's. */
export function newCommandKeyFiles(id = `ck-${new Date().toISOString().slice(0, 10)}-${crypto.randomBytes(3).toString('hex')}`): { signing: KeyFile; verify: KeyFile } {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const pub = publicKey.export({ format: 'jwk' });
  const priv = privateKey.export({ format: 'jwk' });
  return { signing: { keys: [{ id, publicKey: pub.x!, privateKey: priv.d! }] }, verify: { keys: [{ id, publicKey: pub.x! }] } };
}

/**
 * The local stack's command keys, made on first start (mode 0600) and kept: `signing` for the API, `verify`
 * (public halves only) for the worker. Existing files are kept as they are.
 */
export function ensureCommandKeyFiles(signingFile: string, verifyFile: string): { created: boolean } {
  if (fs.existsSync(signingFile)) {
    if (!fs.existsSync(verifyFile)) {
      const signing = parseKeyFile(fs.readFileSync(signingFile, 'utf8'), signingFile);
      const verify = { keys: signing.keys.map(({ id, publicKey }) => ({ id, publicKey })) };
      fs.writeFileSync(verifyFile, JSON.stringify(verify, null, 2) + '\n', { mode: 0o644 });
    }
    return { created: false };
  }
  const { signing, verify } = newCommandKeyFiles();
  fs.mkdirSync(path.dirname(signingFile), { recursive: true, mode: 0o700 });
  fs.writeFileSync(signingFile, JSON.stringify(signing, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  fs.writeFileSync(verifyFile, JSON.stringify(verify, null, 2) + '\n', { mode: 0o644 });
  return { created: true };
}
