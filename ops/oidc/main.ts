// The local OpenID provider for development and tests: oidc-provider (a certified implementation) on
// loopback, as its own process like the other servers of the stack. A centre uses its own IdP instead
// (docs/sign-on.md, "Using your own identity provider"). Access tokens are JWTs for the API's audience, signed with
// ES256 by a key kept in the data directory (tokens survive a restart of `npm start`).
//
//   OIDC_HOST, OIDC_PORT   where it listens (the issuer is http://OIDC_HOST:OIDC_PORT)
//   OIDC_DATA_DIR          where its signing key and cookie keys are kept
//   API_PORT               the API whose /docs page and console are redirect targets of the console client
//   CONSOLE_PORTS          more such API ports, comma-separated (the test profile's second browser test)
//   OIDC_LOCKOUT_ATTEMPTS, OIDC_LOCKOUT_WINDOW_SECONDS, OIDC_LOCKOUT_SECONDS
//                          wrong passwords within the window that lock an account, and for how long (5, 15 min, 15 min)
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { createLogger } from '../../runtime/log.js';
import { API_AUDIENCE, CONSOLE_CLIENT_ID, seedAccounts, serviceClients, type SeedAccount } from './accounts.js';
import { lockoutPolicyFromEnv, SignInLockout } from './lockout.js';

const log = createLogger('oidc');
const host = process.env.OIDC_HOST ?? '127.0.0.1';
const port = Number(process.env.OIDC_PORT ?? 9000);
const apiPorts = [...new Set([process.env.API_PORT ?? '8080', ...(process.env.CONSOLE_PORTS ?? '').split(',')].filter(Boolean).map(Number))];
const dataDir = process.env.OIDC_DATA_DIR ?? path.join(process.cwd(), '.data', 'dev', 'oidc');
const issuer = `http://${host}:${port}`;

async function keys(): Promise<{ jwks: { keys: JWK[] }; cookieKeys: string[] }> {
  const file = path.join(dataDir, 'keys.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as { jwks: { keys: JWK[] }; cookieKeys: string[] };
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: crypto.randomUUID() };
  const made = { jwks: { keys: [jwk] }, cookieKeys: [crypto.randomBytes(32).toString('base64url')] };
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(made), { mode: 0o600 });
  return made;
}

/** The claims of the API's access token: names as in the API's default claim mapping. */
function staffClaims(who: { role: string; department?: string; level?: string; town?: string }): Record<string, string> {
  return {
    mediation_role: who.role,
    ...(who.department ? { mediation_department: who.department } : {}),
    ...(who.level ? { mediation_level: who.level } : {}),
    ...(who.town ? { mediation_town: who.town } : {}),
  };
}

const byUsername = new Map<string, SeedAccount>(seedAccounts.map((a) => [a.username, a]));
const lockout = new SignInLockout(lockoutPolicyFromEnv());

async function main(): Promise<void> {
  const { jwks, cookieKeys } = await keys();
  const apiOrigins = apiPorts.flatMap((apiPort) => [`http://127.0.0.1:${apiPort}`, `http://localhost:${apiPort}`]);
  const configuration: Configuration = {
    jwks,
    cookies: { keys: cookieKeys },
    clients: [
      {
        // The staff console (a browser app): authorization code with PKCE, no secret.
        client_id: CONSOLE_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [...apiOrigins.map((o) => `${o}/docs/oauth2-redirect.html`), ...apiOrigins.map((o) => `${o}/callback`)],
        // The console's 退出 signs out at the provider too, then comes back to the console's start page.
        post_logout_redirect_uris: apiOrigins.map((o) => `${o}/`),
      },
      ...serviceClients.map((c) => ({
        client_id: c.clientId,
        client_secret: c.secret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      })),
    ],
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    pkce: { required: () => true },
    scopes: ['openid', 'profile', 'offline_access', 'mediation'],
    claims: { openid: ['sub'], profile: ['name'] },
    findAccount: (_ctx, id) => {
      const account = byUsername.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: () => ({ sub: id, name: account.name }) };
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => API_AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== API_AUDIENCE) throw new errors.InvalidTarget();
          return { scope: 'mediation', audience: API_AUDIENCE, accessTokenTTL: 15 * 60, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
        },
      },
    },
    // The console is the centre's own: its users are not asked to consent to it.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
      grant.addOIDCScope('openid profile offline_access');
      grant.addResourceScope(API_AUDIENCE, 'mediation');
      await grant.save();
      return grant;
    },
    extraTokenClaims: (_ctx, token) => {
      if (token.kind === 'AccessToken') {
        const account = byUsername.get((token as { accountId: string }).accountId);
        return account ? staffClaims(account) : undefined;
      }
      if (token.kind === 'ClientCredentials') {
        const client = serviceClients.find((c) => c.clientId === token.clientId);
        return client ? staffClaims(client) : undefined;
      }
      return undefined;
    },
    // The console renews its 15-minute access token with a refresh token instead of sending staff back to
    // this login page. Issued to the console only, without `offline_access` (which would need a consent
    // prompt): such a token expires with the sign-in session (8 hours, or at sign-out), and oidc-provider
    // rotates it on each use because the console is a public client.
    issueRefreshToken: async (_ctx, client) => client.clientId === CONSOLE_CLIENT_ID && client.grantTypeAllowed('refresh_token'),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: { AccessToken: 15 * 60, ClientCredentials: 15 * 60, Session: 8 * 3600, Interaction: 600, Grant: 8 * 3600, AuthorizationCode: 60, RefreshToken: 8 * 3600 },
  };
  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (_ctx, err) => log.error({ err }, 'provider error'));

  const callback = provider.callback();
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/interaction/')) void interaction(provider, req, res);
    else callback(req, res);
  });
  server.listen(port, host, () => log.info({ issuer, accounts: seedAccounts.length, clients: 1 + serviceClients.length }, 'OpenID provider listening'));
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

// The sign-in page: one form, the seeded accounts' passwords (development only).
async function interaction(provider: Provider, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      const query = new URL(req.url ?? '/', issuer).searchParams;
      const notice = query.has('locked') ? 'locked' : query.has('failed') ? 'failed' : undefined;
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(loginPage(details.uid, notice));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const account = byUsername.get(form.get('username') ?? '');
    // A locked account is refused whatever the password, so the lock cannot be used to test guesses.
    const lockedUntil = account ? lockout.lockedUntilOf(account.username) : undefined;
    if (account && lockedUntil !== undefined) {
      log.warn({ username: account.username, lockedUntil: new Date(lockedUntil).toISOString() }, 'sign-in refused: account locked');
      res.writeHead(303, { location: `/interaction/${details.uid}?locked` });
      res.end();
      return;
    }
    const password = Buffer.from(form.get('password') ?? '');
    const expected = Buffer.from(account?.password ?? '\0');
    if (!account || password.length !== expected.length || !crypto.timingSafeEqual(password, expected)) {
      // Only known accounts are counted: unknown names cannot sign in, and counting them would let anyone grow the table.
      const locked = account ? lockout.failed(account.username) : undefined;
      log.warn({ username: form.get('username'), ...(locked ? { lockedUntil: new Date(locked).toISOString() } : {}) }, locked ? 'sign-in refused; account locked' : 'sign-in refused');
      res.writeHead(303, { location: `/interaction/${details.uid}?${locked ? 'locked' : 'failed'}` });
      res.end();
      return;
    }
    lockout.succeeded(account.username);
    log.info({ username: account.username, role: account.role }, 'signed in');
    await provider.interactionFinished(req, res, { login: { accountId: account.username } }, { mergeWithLastSubmission: false });
  } catch (err) {
    log.warn({ err }, 'interaction failed');
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('sign-in session expired or unknown; start again from the application');
  }
}

const NOTICES = {
  failed: '用户名或密码错误 / wrong username or password',
  locked: '密码错误次数过多，账户已暂时锁定，请稍后再试（默认 15 分钟） / too many wrong passwords: the account is locked for a while (15 minutes by default)',
} as const;

function loginPage(uid: string, notice: keyof typeof NOTICES | undefined): string {
  return `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>调解平台登录 / Sign in</title>
<body style="font-family:sans-serif;max-width:24rem;margin:4rem auto">
<h1>调解平台登录</h1>${notice ? `<p style="color:#b00">${NOTICES[notice]}</p>` : ''}
<form method="post" action="/interaction/${uid}">
<p><label>用户名 / username <input name="username" autofocus required></label></p>
<p><label>密码 / password <input name="password" type="password" required></label></p>
<p><button type="submit">登录 / sign in</button></p></form>
<p style="color:#666">开发环境账户见 npm start 的输出 / development accounts: see the output of npm start</p></body></html>`;
}

main().catch((err) => {
  log.fatal({ err }, 'OpenID provider failed to start');
  process.exit(1);
});
