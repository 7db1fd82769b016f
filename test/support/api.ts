// The API in-process without servers behind it: a PGlite read model in memory, a Temporal client that
// has no cases, and a verifier over a local key set, so the HTTP plumbing (sign-on, errors, limits,
// headers, the OpenAPI document) is tested without the stack.
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { exportJWK, generateKeyPair, createLocalJWKSet, SignJWT, type JWTPayload, type CryptoKey } from 'jose';
import type { Admin } from 'kafkajs';
import pino from 'pino';
import { createVerifier, type AuthSettings } from '../../api/auth.js';
import { createApi, type Api } from '../../api/server.js';
import { testPersonalDataKeys } from '../../testkit/payload-keys.js';
import { openDb, type Db } from '../../readmodels/db.js';
import { createSchemaSql } from '../../readmodels/schema.js';

export const TEST_ISSUER = 'https://idp.test.example';
export const TEST_AUDIENCE = 'urn:mediation-engine:api';

export const testAuthSettings: AuthSettings = {
  issuer: TEST_ISSUER,
  audience: TEST_AUDIENCE,
  algorithms: ['ES256'],
  claims: { role: 'mediation_role', department: 'mediation_department', level: 'mediation_level', town: 'mediation_town' },
  roleMap: {},
  clockToleranceSeconds: 0,
};

export interface LocalIdp {
  sign(claims: JWTPayload, opts?: { issuer?: string; audience?: string; expiresIn?: string | number; key?: CryptoKey; kid?: string }): Promise<string>;
  otherKey: CryptoKey;
}

export async function localIdp(): Promise<{ idp: LocalIdp; keys: ReturnType<typeof createLocalJWKSet> }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const other = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
  const keys = createLocalJWKSet({ keys: [jwk] });
  return {
    keys,
    idp: {
      otherKey: other.privateKey,
      sign: (claims, opts = {}) =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: 'ES256', kid: opts.kid ?? 'k1', typ: 'at+jwt' })
          .setIssuer(opts.issuer ?? TEST_ISSUER)
          .setAudience(opts.audience ?? TEST_AUDIENCE)
          .setIssuedAt()
          .setExpirationTime(opts.expiresIn ?? '5m')
          .sign(opts.key ?? privateKey),
    },
  };
}

export async function inProcessApi(opts: { writeRateLimit?: number; readRateLimit?: number; bodyLimitBytes?: number; consoleDir?: string; codecCorsOrigins?: string[]; log?: pino.Logger } = {}): Promise<{ api: Api; idp: LocalIdp; db: Db }> {
  const { idp, keys } = await localIdp();
  const db = await openDb({ memory: true });
  await db.exec(createSchemaSql('rm'));
  const notFound = () => {
    throw new WorkflowNotFoundError('no such workflow', 'none', undefined);
  };
  // A worker that polled just now, for /health.
  const poller = () => ({ pollers: [{ identity: 'stub-worker', lastAccessTime: { seconds: Math.floor(Date.now() / 1000), nanos: 0 } }] });
  const temporal = {
    options: { namespace: 'default' },
    withDeadline: <R>(_deadline: number, fn: () => Promise<R>) => fn(),
    connection: { workflowService: { getSystemInfo: async () => ({ serverVersion: 'stub' }), describeTaskQueue: async () => poller() } },
    workflow: { getHandle: () => ({ query: async () => notFound(), executeUpdate: async () => notFound() }), start: async () => ({}) },
  } as unknown as Client;
  const kafkaAdmin = { describeCluster: async () => ({ brokers: [] }) } as unknown as Admin;
  const api = await createApi({
    temporal,
    taskQueue: 'none',
    kafkaAdmin,
    db,
    schema: 'rm',
    projectorLag: async () => [],
    log: pino({ level: 'silent' }),
    verify: createVerifier(testAuthSettings, keys),
    personalDataKeys: testPersonalDataKeys(db),
    ...opts,
  });
  return { api, idp, db };
}

/** The verifier for the local OpenID provider `npm test` started (OIDC_ISSUER), as the API process builds it. */
export async function stackVerifier() {
  const { authSettings, remoteKeys } = await import('../../api/auth.js');
  const { loadAppConfig } = await import('../../runtime/config.js');
  const settings = authSettings(loadAppConfig());
  return createVerifier(settings, await remoteKeys(settings.issuer));
}
