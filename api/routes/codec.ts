// The payload codec over HTTP, for the Temporal Web UI (`--ui-codec-endpoint`): POST /codec/encode and
// /codec/decode take and give `{ payloads: [{ metadata: {k: base64}, data: base64 }] }` (Temporal's remote
// codec convention). Behind sign-on like every route (operation `temporal.payloads`), so a browser without a
// staff token gets 401 and the UI keeps showing ciphertext. The browser calls from the UI's origin, so the
// routes answer CORS (preflight included, with credentials) for the configured UI origins only.
//
// The Web UI of the Temporal CLI's dev server cannot send a bearer token (docs/research/temporal-ui-codec.md
// §1–§2); it can send cookies (`Include cross-origin credentials`). So the console, after each sign-in and
// token renewal, hands its access token to POST /codec/session, which keeps it in an HttpOnly cookie scoped
// to /codec; /codec/encode|decode accept the token from that cookie when the call comes from the UI's origin
// (or from no browser origin, or the API's own). Every port of 127.0.0.1 is the same site, so SameSite alone
// would let any local page spend the cookie: the Origin check is what confines it to the UI.
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import type { AccessLog } from '../access-log.js';
import { ApiError, problemResponses } from '../problem.js';

const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const JsonPayload = z.object({ metadata: z.record(z.string(), Base64).optional(), data: Base64.optional() });
const Payloads = z.object({ payloads: z.array(JsonPayload).max(1000) }).meta({ id: 'CodecPayloads' });
type JsonPayload = z.infer<typeof JsonPayload>;

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))])),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

interface Options {
  codecs: readonly PayloadCodec[];
  namespace: string;
  /** Origins allowed to call from a browser (the Temporal Web UI's). */
  corsOrigins: readonly string[];
  accessLog: AccessLog;
}

/** The cookie that carries a staff member's access token to /codec (HttpOnly: no page script reads it). */
export const CODEC_COOKIE = 'mediation_codec';
const CODEC_PATH = '/codec';
/** The routes a browser page of another origin (the Web UI) may call; /codec/session is the console's own. */
const BROWSER_OPS = new Set(['encode', 'decode']);
const browserOp = (url: string) => BROWSER_OPS.has(/^\/codec\/([a-z]+)(?:[?#]|$)/.exec(url)?.[1] ?? '');

/**
 * CORS headers for a codec call from an allowed origin. Called first in the API's onRequest hook, so that a
 * refusal (401 without a token) is readable by the UI too, and on the preflight, which must say
 * `Allow-Credentials` as well for the browser to send the cookie. Always the exact origin, never `*`
 * (browsers refuse `*` with credentials, and it would open the endpoint to every page).
 */
export function codecCors(req: FastifyRequest, reply: FastifyReply, corsOrigins: readonly string[]): void {
  const origin = req.headers.origin;
  if (!browserOp(req.url) || !origin || !corsOrigins.includes(origin)) return;
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-allow-credentials', 'true');
  reply.header('vary', 'Origin');
  // Helmet's same-origin default would keep the UI from reading the answer.
  reply.header('cross-origin-resource-policy', 'cross-origin');
}

/** The value of the codec cookie in a Cookie header, if any. */
export function codecCookie(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === CODEC_COOKIE) return part.slice(at + 1).trim() || undefined;
  }
  return undefined;
}

/**
 * The Authorization header to verify for a request: the bearer header when there is one; for
 * /codec/encode|decode without one, the token of the codec cookie, but only when the call comes from an
 * allowed UI origin, from the API's own origin, or from no browser page at all. Anything else is a page on
 * another port of the same host, which must not decode with a staff member's cookie.
 */
export function codecAuthorization(req: FastifyRequest, corsOrigins: readonly string[]): string | undefined {
  const given = req.headers.authorization;
  if (given || !browserOp(req.url)) return given;
  const token = codecCookie(req.headers.cookie);
  if (!token) return undefined;
  const origin = req.headers.origin;
  const own = `${req.protocol}://${req.headers.host ?? ''}`;
  if (origin === undefined || origin === own || corsOrigins.includes(origin)) return `Bearer ${token}`;
  throw new ApiError(401, 'unauthenticated', 'codec.cookie-origin', { origin });
}

const cookie = (value: string, maxAgeSeconds: number) =>
  // Host-only (no Domain), never sent beyond /codec, never to another site, never read by page scripts.
  `${CODEC_COOKIE}=${value}; Path=${CODEC_PATH}; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
const CLEARED = cookie('', 0);

const Session = z.object({ expiresAt: z.iso.datetime().describe('When the cookie (and the token in it) expires') }).meta({ id: 'CodecSession' });

export const codecRoutes: FastifyPluginAsyncZod<Options> = async (app, { codecs, namespace, corsOrigins, accessLog }) => {
  const allowed = new Set(corsOrigins);
  // The preflight carries no token (browsers never send one on OPTIONS): public, and says what may follow.
  app.options('/codec/:op', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
    const origin = req.headers.origin;
    if (!origin || !allowed.has(origin) || !BROWSER_OPS.has((req.params as { op: string }).op)) return reply.status(403).send();
    reply.header('access-control-allow-methods', 'POST, OPTIONS');
    reply.header('access-control-allow-headers', 'authorization, content-type, x-namespace');
    reply.header('access-control-max-age', '600');
    return reply.status(204).send();
  });

  const checkNamespace = (given: string | string[] | undefined) => {
    const ns = Array.isArray(given) ? given[0] : given;
    if (ns !== undefined && ns !== '' && ns !== namespace) throw new ApiError(400, 'validation', 'codec.namespace', { namespace: ns, served: namespace });
  };

  const route = (op: 'encode' | 'decode') =>
    app.post(
      `/codec/${op}`,
      {
        config: { operation: 'temporal.payloads' },
        schema: {
          summary: op === 'decode' ? 'Decrypt Temporal payloads (the Web UI codec endpoint)' : 'Encrypt Temporal payloads (the Web UI codec endpoint)',
          body: Payloads,
          response: { 200: Payloads, ...problemResponses },
        },
      },
      async (req) => {
        checkNamespace(req.headers['x-namespace']);
        let payloads = req.body.payloads.map(fromJson);
        try {
          if (op === 'encode') for (const codec of codecs) payloads = await codec.encode(payloads);
          else for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
        } catch (err) {
          // The reason names a key id or a length, never a payload's content.
          throw new ApiError(400, 'validation', 'codec.undecodable', { reason: err instanceof Error ? err.message : String(err) });
        }
        if (op === 'decode' && req.staff) {
          // A decrypting read: who, when, how many payloads (the UI does not say which workflow they are from).
          await accessLog.record({ actorId: req.staff.id, actorRole: req.staff.role, caseId: '(temporal-web-ui)', fields: ['temporal-payloads'], requestId: req.id, purpose: `POST /codec/decode (${payloads.length} payloads)` });
        }
        return { payloads: payloads.map(toJson) };
      },
    );
  route('encode');
  route('decode');

  app.post(
    '/codec/session',
    {
      config: { operation: 'temporal.payloads' },
      schema: {
        summary: 'Keep the caller\'s access token in an HttpOnly cookie for /codec, so the Temporal Web UI (which cannot send a token) decodes for them',
        description:
          'The console calls this after each sign-in and token renewal. The answer sets `mediation_codec=<token>; Path=/codec; HttpOnly; SameSite=Strict; Max-Age=<until the token expires>` (host-only). /codec/encode and /codec/decode then accept the token from the cookie when the request comes from a configured Web UI origin (the UI set to "Include cross-origin credentials"). Roles without the `temporal.payloads` grant get 403, and any earlier cookie is cleared.',
        response: { 200: Session, ...problemResponses },
      },
      // A refused session leaves no earlier staff member's cookie behind in this browser.
      onSend: async (_req, reply, payload) => {
        if (reply.statusCode >= 400) reply.header('set-cookie', CLEARED);
        return payload;
      },
    },
    async (req, reply) => {
      const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
      // Verified in onRequest already (signature, issuer, audience, expiry): here only its expiry is read.
      const exp = decodeJwt(token).exp!;
      const maxAge = Math.max(0, exp - Math.floor(Date.now() / 1000));
      reply.header('set-cookie', cookie(token, maxAge));
      reply.header('cache-control', 'no-store');
      return { expiresAt: new Date(exp * 1000).toISOString() };
    },
  );

  app.delete(
    '/codec/session',
    {
      // Public: clearing one's own cookie needs no proof, and the console's token may be gone already.
      config: { public: true },
      schema: { summary: 'Clear the codec cookie (the console calls this on sign-out)', security: [], response: { 204: z.null().describe('Cleared') } },
    },
    async (_req, reply) => reply.header('set-cookie', CLEARED).header('cache-control', 'no-store').status(204).send(null),
  );
};
