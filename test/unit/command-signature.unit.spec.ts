// The worker's check that the API authorised a command (workflows/command-signature.ts) against the API's
// signer (runtime/command-signing.ts): a good signature passes; no signature, another key, a changed actor,
// case, command or id fail.
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowBundlerOptions } from '../../runtime/workflow-bundle.js';
import { clerk, receiveInput, request } from '../support/cases.js';
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
