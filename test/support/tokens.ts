// Real access tokens from the local OpenID provider (ops/oidc) that `npm test` starts: a staff member's
// by the console's authorization code flow with PKCE (signing in on the provider's form, as a person
// would), a service client's by client credentials. Tokens are cached per account for the file's run.
import crypto from 'node:crypto';
import { CONSOLE_CLIENT_ID, DEV_PASSWORD, seedAccounts, serviceClients } from '../../ops/oidc/accounts.js';

export type SeedUsername = (typeof seedAccounts)[number]['username'];

export function oidcIssuer(): string | undefined {
  return process.env.OIDC_ISSUER;
}

const cache = new Map<string, { token: Promise<string>; at: number }>();

/**
 * An access token for a seeded staff account (e.g. 'clerk', 'liaison-court', 'supervisor-town'). A run
 * longer than the tokens' 15 minutes (the fault drill) asks for a new one after `maxAgeMs`.
 */
export function tokenFor(username: string, issuer = requiredIssuer(), maxAgeMs = Infinity): Promise<string> {
  const key = `${issuer} ${username}`;
  let entry = cache.get(key);
  if (!entry || Date.now() - entry.at > maxAgeMs) {
    entry = { token: signIn(issuer, username), at: Date.now() };
    cache.set(key, entry);
    // A failed sign-in is not kept: the next call tries again.
    const made = entry;
    made.token.catch(() => cache.get(key) === made && cache.delete(key));
  }
  return entry.token;
}

/** An access token of a service client by client credentials. */
export async function serviceToken(clientId: (typeof serviceClients)[number]['clientId'], issuer = requiredIssuer()): Promise<string> {
  const client = serviceClients.find((c) => c.clientId === clientId)!;
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  const body = (await res.json()) as { access_token?: string; error?: string };
  if (!body.access_token) throw new Error(`client credentials for ${clientId} failed: ${JSON.stringify(body)}`);
  return body.access_token;
}

function requiredIssuer(): string {
  const issuer = oidcIssuer();
  if (!issuer) throw new Error('OIDC_ISSUER is not set: run through npm test, which starts the local OpenID provider');
  return issuer;
}

/** Authorization code + PKCE, following the provider's redirects and cookies by hand. */
async function signIn(issuer: string, username: string, password = seedAccounts.find((a) => a.username === username)?.password ?? DEV_PASSWORD): Promise<string> {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = `http://127.0.0.1:${process.env.API_PORT ?? 18080}/callback`;
  const cookies = new Map<string, string>();
  const step = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(new URL(url, issuer), {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair = ''] = c.split(';');
      const i = pair.indexOf('=');
      cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  };
  const authorize = new URL('/auth', issuer);
  authorize.search = new URLSearchParams({
    client_id: CONSOLE_CLIENT_ID,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid profile',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: crypto.randomUUID(),
  }).toString();
  let res = await step(authorize.toString());
  let location = res.headers.get('location');
  for (let hops = 0; location && !location.startsWith(redirectUri) && hops < 10; hops++) {
    if (location.startsWith('/interaction/') && !location.includes('?failed')) {
      await step(location);
      res = await step(location, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username, password }) });
    } else {
      res = await step(location);
    }
    location = res.headers.get('location');
  }
  if (!location?.startsWith(redirectUri)) throw new Error(`sign-in of ${username} did not come back with a code (status ${res.status}, location ${location})`);
  const code = new URL(location).searchParams.get('code');
  if (!code) throw new Error(`sign-in of ${username} came back without a code: ${location}`);
  const tokenRes = await fetch(new URL('/token', issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: CONSOLE_CLIENT_ID, code_verifier: verifier }),
  });
  const body = (await tokenRes.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`token exchange for ${username} failed: ${JSON.stringify(body)}`);
  return body.access_token;
}
