// The payload codec over HTTP, for the Temporal Web UI (`--ui-codec-endpoint`): POST /codec/encode and
// /codec/decode take and give `{ payloads: [{ metadata: {k: base64}, data: base64 }] }` (Temporal's remote
// codec convention). Behind sign-on like every route (operation `temporal.payloads`), so a browser without a
// staff token gets 401 and the UI keeps showing ciphertext. The browser calls from the UI's origin, so the
// routes answer CORS (preflight included) for the configured UI origins only.
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
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

/**
 * CORS headers for a codec call from an allowed origin. Called first in the API's onRequest hook, so that a
 * refusal (401 without a token) is readable by the UI too.
 */
export function codecCors(req: FastifyRequest, reply: FastifyReply, corsOrigins: readonly string[]): void {
  const origin = req.headers.origin;
  if (!req.url.startsWith('/codec/') || !origin || !corsOrigins.includes(origin)) return;
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-allow-credentials', 'true');
  reply.header('vary', 'Origin');
  // Helmet's same-origin default would keep the UI from reading the answer.
  reply.header('cross-origin-resource-policy', 'cross-origin');
}

export const codecRoutes: FastifyPluginAsyncZod<Options> = async (app, { codecs, namespace, corsOrigins, accessLog }) => {
  const allowed = new Set(corsOrigins);
  // The preflight carries no token (browsers never send one on OPTIONS): public, and says what may follow.
  app.options('/codec/:op', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
    const origin = req.headers.origin;
    if (!origin || !allowed.has(origin)) return reply.status(403).send();
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
};
