// Tokens the API must refuse though their signature is good: one that claims a life of centuries, and one
// signed with a key the provider has since removed from its key set (the cached copy must not outlive a
// revocation by more than the configured age).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { createVerifier, remoteKeys, tokenLifetimeFailure } from '../../api/auth.js';
import { ApiError } from '../../api/problem.js';
import { inProcessApi, TEST_AUDIENCE, TEST_ISSUER, testAuthSettings } from '../support/api.js';

const claims = { sub: 'u1', mediation_role: 'auditor' };

async function refusal(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return String(((err as ApiError).params as { reason?: string } | undefined)?.reason ?? (err as Error).message);
  }
}

describe('token lifetime', () => {
  it('refuses a validly signed token whose exp is in 2286, and one that lives longer than the cap', async () => {
    const { api, idp } = await inProcessApi();
    try {
      const now = Math.floor(Date.now() / 1000);
      const forever = await idp.sign(claims, { expiresIn: 9_999_999_999 });
      const res = await api.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${forever}` } });
      expect(res.statusCode).toBe(401);
      expect(res.body).toMatch(/lifetime/);
      const twoDays = await idp.sign(claims, { expiresIn: now + 2 * 86_400 });
      expect((await api.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${twoDays}` } })).statusCode).toBe(401);
      // The control: an ordinary token is accepted.
      const ordinary = await idp.sign(claims, { expiresIn: '15m' });
      expect((await api.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${ordinary}` } })).statusCode).toBe(200);
    } finally {
      await api.close();
    }
  });

  it('checks exp − iat and exp − now against the configured cap', () => {
    expect(tokenLifetimeFailure({ iat: 1000, exp: 1000 + 3600 }, 3600, 0, 1000)).toBeUndefined();
    expect(tokenLifetimeFailure({ iat: 1000, exp: 1000 + 3601 }, 3600, 0, 1000)).toMatch(/exp − iat/);
    // No iat: what is left of the token counts.
    expect(tokenLifetimeFailure({ exp: 1000 + 3601 }, 3600, 0, 1000)).toMatch(/exp − now/);
    expect(tokenLifetimeFailure({ exp: 1000 + 3601 }, 3600, 5, 1000)).toBeUndefined();
  });
});

describe('the key set cache', () => {
  let server: http.Server;
  let url: string;
  let published: JWK[] = [];
  let fetches = 0;
  const pairs: Record<string, CryptoKey> = {};

  beforeAll(async () => {
    for (const kid of ['a', 'b']) {
      const { privateKey, publicKey } = await generateKeyPair('ES256');
      pairs[kid] = privateKey;
      published.push({ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' });
    }
    server = http.createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const token = (kid: string) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).setIssuer(TEST_ISSUER).setAudience(TEST_AUDIENCE).setIssuedAt().setExpirationTime('5m').sign(pairs[kid]!);

  it('stops accepting a removed key once the cache is older than its maximum age, and fetches again for an unknown key id', async () => {
    const all = published;
    published = [all[0]!];
    const verify = createVerifier(testAuthSettings, await remoteKeys(TEST_ISSUER, url, { maxAgeMs: 400, cooldownMs: 0 }));
    const bearer = async (kid: string) => `Bearer ${await token(kid)}`;
    expect((await verify(await bearer('a'))).id).toBe('u1');
    // A key the provider added since the last fetch: an unknown key id is fetched for at once.
    published = all;
    expect((await verify(await bearer('b'))).id).toBe('u1');
    // The provider removes key a: within the maximum age it may still verify, after it no longer does.
    published = [all[1]!];
    await new Promise((r) => setTimeout(r, 500));
    expect(await refusal(verify(await bearer('a')))).toMatch(/signature not from the issuer/);
    expect((await verify(await bearer('b'))).id).toBe('u1');
    expect(fetches).toBeGreaterThanOrEqual(3);
  });
});
