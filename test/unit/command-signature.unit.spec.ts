// The worker's check that the API authorised a command (workflows/command-signature.ts) against the API's
// signer (runtime/command-signing.ts): a good signature passes; no signature, another key, a changed actor,
// case, command or id fail.
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowBundlerOptions } from '../../runtime/workflow-bundle.js';
import { clerk, receiveInput, request } from '../../testkit/cases.js';
import { failureOf, startCase, updateOutcome, workflowContext } from '../support/vm-workflows.js';
import { commandAuthorizationFailure, fromBase64url } from '../../workflows/command-signature.js';
import { newCommandKeyFiles, signerFromKeys, envCommandVerifyKeys, signCommand } from '../../runtime/command-signing.js';
import type { CommandRequest } from '../../workflows/messages.js';

const { signing, verify } = newCommandKeyFiles('ck-unit');
const signer = signerFromKeys(signing);
const keys = Object.fromEntries(verify.keys.map((k) => [k.id, k.publicKey]));
const supervisor = { id: 'supervisor-1', role: 'supervisor' as const };
const base: CommandRequest = {
  command: { type: 'AcceptCase', caseId: 'MC-1', data: {} },
  actor: { id: 'clerk-1', role: 'intake-clerk' },
  commandId: 'cmd-1',
  correlationId: 'req-1',
};
// What the workflow receives: the request after Temporal's JSON round trip.
const received = (req: CommandRequest): CommandRequest => JSON.parse(JSON.stringify(req)) as CommandRequest;

describe('command signatures', () => {
  it('accepts a command the API signed', () => {
    expect(commandAuthorizationFailure(received(signer.sign(base)), keys)).toBeUndefined();
    expect(commandAuthorizationFailure(received(signer.sign({ ...base, fingerprint: 'f'.repeat(64), mergeTarget: { caseId: 'MC-2', status: 'accepted' } })), keys)).toBeUndefined();
  });

  it('refuses an unsigned command, one signed with an unknown key, and one changed after signing', () => {
    expect(commandAuthorizationFailure(received(base), keys)).toMatch(/no signature/);
    const other = signerFromKeys(newCommandKeyFiles('ck-other').signing);
    expect(commandAuthorizationFailure(received(other.sign(base)), keys)).toMatch(/does not know/);
    // Same key id, another key: the forger picks the id the worker knows.
    const forger = signerFromKeys({ keys: [{ ...newCommandKeyFiles('ck-unit').signing.keys[0]! }] });
    expect(commandAuthorizationFailure(received(forger.sign(base)), keys)).toMatch(/does not match/);
    const signed = received(signer.sign(base));
    expect(commandAuthorizationFailure({ ...signed, actor: supervisor }, keys)).toMatch(/does not match/);
    expect(commandAuthorizationFailure({ ...signed, command: { ...signed.command, caseId: 'MC-2' } }, keys)).toMatch(/does not match/);
    expect(commandAuthorizationFailure({ ...signed, commandId: 'cmd-2' }, keys)).toMatch(/does not match/);
    expect(commandAuthorizationFailure({ ...signed, fingerprint: 'x' }, keys)).toMatch(/does not match/);
    expect(commandAuthorizationFailure({ ...signed, authorization: { ...signed.authorization!, signedAt: new Date(0).toISOString() } }, keys)).toMatch(/does not match/);
    expect(commandAuthorizationFailure({ ...signed, authorization: { ...signed.authorization!, signature: 'not base64!' } }, keys)).toMatch(/malformed/);
    // A bundle made without keys refuses everything.
    expect(commandAuthorizationFailure(signed, {})).toMatch(/does not know/);
  });

  it('signs with the process key from the environment, which the configured verify keys accept', () => {
    expect(commandAuthorizationFailure(received(signCommand(base)), envCommandVerifyKeys())).toBeUndefined();
  });

  it('decodes base64url as Buffer does', () => {
    for (const n of [0, 1, 2, 3, 31, 32, 64]) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff));
      expect(Buffer.from(fromBase64url(bytes.toString('base64url'))!)).toEqual(bytes);
    }
    expect(fromBase64url('a+b/')).toBeUndefined();
  });
});

describe('the case workflow in the worker sandbox', () => {
  it('refuses in the validator a command sent without the API, with a forged actor, and applies the signed one', { timeout: 120_000 }, async () => {
    const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
    const { code } = await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)), logger: quiet, ...workflowBundlerOptions });
    const creator = await workflowContext(code);
    try {
      const caseId = 'MC-SIGNED-1';
      const c = await startCase(creator, caseId, 1, Date.now(), receiveInput(caseId));
      expect(failureOf(c.started)).toBeUndefined();
      const accept = request({ type: 'AcceptCase', caseId, data: {} }, clerk);
      const { authorization: _, ...unsigned } = accept;
      // As `temporal workflow update execute --name AcceptCase` would send it: no signature, any actor.
      expect(updateOutcome(await c.update('AcceptCase', { ...unsigned, actor: supervisor, commandId: 'forged' }))).toMatch(/^forbidden: .*no signature/);
      expect(updateOutcome(await c.update('AcceptCase', { ...accept, actor: supervisor }))).toMatch(/^forbidden: .*does not match/);
      expect(updateOutcome(await c.update('AcceptCase', accept))).toBe('completed');
      await c.workflow.dispose();
    } finally {
      await creator.destroy();
    }
  });
});

describe('the sandbox Ed25519 verification (workflows/shared/ed25519.ts)', () => {
  it("agrees with noble's verify and node:crypto on good, altered and malformed signatures", async () => {
    const { verifyEd25519, ed25519Ready } = await import('../../workflows/shared/ed25519.js');
    const { ed25519 } = await import('@noble/curves/ed25519.js');
    const crypto = await import('node:crypto');
    expect(ed25519Ready).toBe(true);
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let checked = 0;
    for (let i = 0; i < 12; i++) {
      const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
      const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
      const message = crypto.randomBytes(i * 37);
      const good = crypto.sign(null, message, privateKey);
      const sMinusL = Buffer.from(good);
      // s + L: the same point equation, but not canonical (must be refused, as RFC 8032 says).
      let s = 0n;
      for (let b = 63; b >= 32; b--) s = (s << 8n) | BigInt(sMinusL[b]!);
      s += L;
      for (let b = 32; b < 64; b++) {
        sMinusL[b] = Number(s & 0xffn);
        s >>= 8n;
      }
      const flipped = (at: number) => {
        const x = Buffer.from(good);
        x[at]! ^= 1 << (i % 8);
        return x;
      };
      const otherMessage = Buffer.concat([message, Buffer.from([1])]);
      for (const [sig, msg, key] of [
        [good, message, pub],
        [flipped(i), message, pub],
        [flipped(32 + i), message, pub],
        [good, otherMessage, pub],
        [sMinusL, message, pub],
        [good, message, Buffer.alloc(32)],
        [good, message, Buffer.alloc(32, 0xff)],
      ] as const) {
        const mine = verifyEd25519(sig, msg, key);
        const noble = (() => {
          try {
            return ed25519.verify(sig, msg, key, { zip215: false });
          } catch {
            return false;
          }
        })();
        expect(mine, `case ${i}`).toBe(noble);
        if (key === pub) expect(mine).toBe(crypto.verify(null, msg, publicKey, sig));
        checked++;
      }
      expect(verifyEd25519(good, message, pub)).toBe(true);
    }
    expect(checked).toBe(84);
  });
});
