// The HTTP API on Fastify: every route declares its zod schemas (which validate requests and responses
// and make /openapi.json) and the operation it performs in the authorisation table. Around the routes:
// bearer-token sign-on, problem+json errors in the caller's language, application/json bodies only,
// a body limit, security headers, a per-user rate limit on writes, and a request id that is logged,
// returned and used as the correlation id of the events a request writes.
import crypto from 'node:crypto';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { caseWorkflow } from '../workflows/case-workflow.js';
import type { CaseWorkflowInput } from '../workflows/messages.js';
import { deadLetterSummary } from '../readmodels/queries.js';
import { AccessLog } from './access-log.js';
import { traceRequests } from '../runtime/tracing.js';
import type { ApiDeps } from './deps.js';
import { grantFor } from './authz.js';
import { temporalUnavailable, withTemporalDeadline } from './commands.js';
import { countFailingCases, health } from './health.js';
import { message, negotiateLocale, type Locale } from './i18n.js';
import { ApiError, parseInput, problem, RejectedError, renderError, validationError } from './problem.js';
import { caseRoutes } from './routes/cases.js';
import { codecAuthorization, codecCors, codecRoutes } from './routes/codec.js';
import { erasureRoutes } from './routes/erasure.js';
import { readModelRoutes } from './routes/readmodels.js';
import { createProcessMetrics } from '../runtime/metrics.js';
import { auditRoutes } from './routes/audit.js';
import { intakeCheckRoutes } from './routes/intake-check.js';
import { meRoutes } from './routes/me.js';
import { myWorkRoutes } from './routes/my-work.js';
import { DEFAULT_CONSOLE_DIR, serveConsole } from './console-static.js';
import { signCommand } from '../runtime/command-signing.js';

export type Api = Awaited<ReturnType<typeof createApi>>;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function createApi(deps: ApiDeps) {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: deps.bodyLimitBytes ?? 1024 * 1024,
    // The server's own, always: the access log, the logs and the events' correlation id must name a request
    // the caller could not choose (a reused or forged id would tie one request's reads to another's).
    genReqId: () => crypto.randomUUID(),
    // The caller's X-Request-Id (a proxy's or client's trace), when it is a sane token, is kept beside it in the log.
    childLoggerFactory: (logger, bindings, opts, raw) => {
      const given = raw.headers['x-request-id'];
      return logger.child(typeof given === 'string' && REQUEST_ID.test(given) ? { ...bindings, callerRequestId: given } : bindings, opts);
    },
    // A malformed percent-escape in the path is the caller's mistake: 400, not 500.
    frameworkErrors: (error, req, reply) => {
      const locale = negotiateLocale(req.headers['accept-language']);
      const bad = error.code === 'FST_ERR_BAD_URL' || error.code === 'FST_ERR_ASYNC_CONSTRAINT';
      const err = bad ? new ApiError(400, 'validation', 'validation.bad-path') : new ApiError(400, 'validation', 'validation.invalid', { fields: error.message });
      void sendProblem(reply, req, err, locale);
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // A server span per request, the route handlers inside it (runtime/tracing.ts; nothing while tracing is off).
  traceRequests(app);
  // Bodies are JSON and nothing else (Fastify answers any other content type with 415).
  app.removeContentTypeParser(['text/plain']);
  app.decorateRequest('staff', undefined);
  app.decorateRequest('grant', undefined);
  app.decorateRequest('locale', 'zh-CN');

  // Prometheus: every answer counted by its route's template (never the URL: no case ids in labels).
  const metrics = deps.metrics ?? createProcessMetrics();
  metrics.sources.projectorLag ??= deps.projectorLag;
  metrics.sources.parked ??= () => deadLetterSummary(deps.db, deps.schema);
  metrics.sources.failingCases ??= () => countFailingCases(deps.temporal.connection, deps.temporal.options.namespace, deps.taskQueue);
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.httpSeconds.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  await app.register(fastifyHelmet, {
    // The reference page (swagger-ui) needs its own scripts and styles; everything else is JSON.
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", 'https:', "'unsafe-inline'"], imgSrc: ["'self'", 'data:', 'validator.swagger.io'], upgradeInsecureRequests: null, connectSrc: ["'self'", ...(deps.oidc ? [deps.oidc.issuer] : [])] } },
    strictTransportSecurity: false, // loopback and TLS-terminating proxies set it where it means something
  });
  // Every authenticated read is limited per user (each route its own count): a stolen token or a runaway
  // script cannot page through the cases' personal data at machine speed. Added before the rate-limit
  // plugin so that its own onRoute hook sees the limit.
  const readLimit = { max: deps.readRateLimit ?? 600, timeWindow: '1 minute' };
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const config = (route.config ?? {}) as { public?: boolean; rateLimit?: unknown };
    // The Web UI's payload decoding is a read of personal data too, though it is a POST.
    const read = methods.includes('GET') || route.url === '/codec/decode';
    if (!read || config.public || config.rateLimit || route.url.startsWith('/docs')) return;
    route.config = { ...config, rateLimit: readLimit } as typeof route.config;
  });
  await app.register(fastifyRateLimit, {
    global: false,
    // After sign-on (onRequest), so the key is the user; before validation, so bad requests count too.
    hook: 'preValidation',
    keyGenerator: (req) => req.staff?.id ?? req.ip,
    errorResponseBuilder: (_req, context) => new ApiError(429, 'rate-limited', 'rate-limited', { after: context.after }),
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'mediation-engine',
        version: '0.1.0',
        description:
          'Labour-dispute complaints and joint mediation (劳动争议联动调处). Every route but /health, /openapi.json and /docs needs an OpenID Connect access token; errors are RFC 9457 problem+json in the language of Accept-Language (zh-CN by default, en).',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          ...(deps.oidc
            ? {
                console: {
                  type: 'oauth2',
                  flows: { authorizationCode: { authorizationUrl: `${deps.oidc.issuer}/auth`, tokenUrl: `${deps.oidc.issuer}/token`, scopes: { openid: 'sign in', profile: 'name' } } },
                },
              }
            : {}),
        },
      },
      security: [{ bearer: [] }, ...(deps.oidc ? [{ console: ['openid'] }] : [])],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    ...(deps.oidc ? { initOAuth: { clientId: deps.oidc.consoleClientId, usePkceWithAuthorizationCodeGrant: true, scopes: ['openid', 'profile'] } } : {}),
    uiHooks: { onRequest: async (req) => void (req.routeOptions.config.public = true) },
  });

  app.addHook('onRequest', async (req, reply) => {
    req.locale = negotiateLocale(req.headers['accept-language']);
    reply.header('x-request-id', req.id);
    codecCors(req, reply, deps.codecCorsOrigins ?? []);
    const config = req.routeOptions.config;
    if (config.public || req.url.startsWith('/docs')) return;
    // What a signed-in route answers may name people: no browser, proxy or shared cache keeps it.
    reply.header('cache-control', 'no-store');
    // The sign-on proxy's headers of old set who acted; nobody may believe they still do.
    if (Object.keys(req.headers).some((h) => h.startsWith('x-actor-'))) throw new ApiError(400, 'actor-headers', 'auth.actor-headers');
    // The bearer header; for the Web UI's codec calls, the codec cookie (api/routes/codec.ts).
    req.staff = await deps.verify(codecAuthorization(req, deps.codecCorsOrigins ?? []));
    if (config.operation) req.grant = grantFor(req.staff, config.operation);
  });

  app.setNotFoundHandler((req, reply) => sendProblem(reply, req, new ApiError(404, 'not-found', 'not-found.route', { method: req.method, url: req.url.split('?')[0] ?? '' }), req.locale));
  app.setErrorHandler((error: FastifyError, req, reply) => sendProblem(reply, req, error, req.locale ?? negotiateLocale(req.headers['accept-language'])));

  const accessLog = new AccessLog(deps.db, deps.accessLogSchema ?? 'access');
  await accessLog.init();
  await deps.personalDataKeys.init();
  await deps.personalDataKeys.complainantIndex().init();

  app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, () => app.swagger());
  const healthDeps = () => ({
    temporal: deps.temporal.connection,
    namespace: deps.temporal.options.namespace,
    taskQueue: deps.taskQueue,
    kafkaAdmin: deps.kafkaAdmin,
    db: deps.db,
    projectorLag: deps.projectorLag,
    deadLetters: () => deadLetterSummary(deps.db, deps.schema),
    ...(deps.maxProjectorLag === undefined ? {} : { maxProjectorLag: deps.maxProjectorLag }),
  });
  const healthResponses = { 200: z.looseObject({ status: z.literal('ok') }), 503: z.looseObject({ status: z.literal('degraded') }) };
  for (const url of ['/health', '/health/ready']) {
    app.get(
      url,
      {
        config: { public: true },
        schema: {
          summary: 'Readiness: Temporal, a worker on the task queue, Kafka, the database and the projector lag; 503 if any is down or the read models lag past the limit',
          security: [],
          response: healthResponses,
        },
      },
      async (_req, reply) => {
        const out = await health(healthDeps());
        if (out.status !== 200) reply.header('retry-after', '5');
        return reply.status(out.status as 200).send(out.body as { status: 'ok' });
      },
    );
  }
  app.get(
    '/metrics',
    {
      config: { public: true },
      schema: {
        summary: 'Prometheus metrics: requests and latencies by route, projector events/s, batch times and lag, parked events, process figures. Aggregates only: no case ids, no personal data',
        security: [],
        produces: ['text/plain'],
      },
    },
    async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  app.get(
    '/health/live',
    { config: { public: true }, schema: { summary: 'Liveness: the process answers (restart it when it does not)', security: [], response: { 200: z.object({ status: z.literal('ok') }) } } },
    () => ({ status: 'ok' as const }),
  );

  const writeLimit = { max: deps.writeRateLimit ?? 120, timeWindow: '1 minute' };
  await app.register(caseRoutes, { deps, accessLog, writeLimit, startCase });
  await app.register(readModelRoutes, { db: deps.db, schema: deps.schema, accessLog });
  await app.register(erasureRoutes, { deps, accessLog, writeLimit });
  await app.register(codecRoutes, {
    // The codec of the API's own Temporal client: the UI decodes exactly what the engine encodes.
    codecs: deps.temporal.options?.loadedDataConverter?.payloadCodecs ?? [],
    namespace: deps.temporal.options?.namespace ?? 'default',
    corsOrigins: deps.codecCorsOrigins ?? [],
    accessLog,
  });
  await app.register(meRoutes, { deps });
  await app.register(myWorkRoutes, { deps });
  await app.register(intakeCheckRoutes, { deps });
  await app.register(auditRoutes, { deps, accessLog });
  await serveConsole(app, deps.consoleDir ?? DEFAULT_CONSOLE_DIR);
  await app.ready();
  return app;

  async function startCase(caseId: string, receive: CaseWorkflowInput['receive']): Promise<void> {
    try {
      await withTemporalDeadline(deps.temporal, () => deps.temporal.workflow.start<typeof caseWorkflow>('caseWorkflow', {
        workflowId: caseId,
        // A case number is never used twice, not even after the old case's workflow has ended.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        taskQueue: deps.taskQueue,
        args: [{ caseId, receive: signCommand(receive) }],
      }));
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw new ApiError(409, 'conflict', 'conflict', { caseId });
      throw err;
    }
  }
}

const RETRY_AFTER_SECONDS = 5;

function sendProblem(reply: FastifyReply, req: FastifyRequest, error: unknown, locale: Locale): FastifyReply {
  if (temporalUnavailable(error)) {
    // Not the caller's fault and not a bug: Temporal is away or slow. Say when to try again.
    req.log.warn({ err: error instanceof Error ? error.message : String(error), method: req.method, url: req.url }, 'Temporal unavailable');
    const body = problem(503, 'unavailable', message('unavailable.temporal', locale, { after: RETRY_AFTER_SECONDS }), locale, { instance: req.url.split('?')[0] ?? req.url, requestId: req.id });
    return reply.status(503).header('retry-after', String(RETRY_AFTER_SECONDS)).type('application/problem+json; charset=utf-8').send(body);
  }
  const err = asKnownError(error, req, locale);
  if (!err) {
    req.log.error({ err: error, method: req.method, url: req.url }, 'request failed');
    const body = problem(500, 'internal', message('internal', locale, { requestId: req.id }), locale, { instance: req.url, requestId: req.id });
    return reply.status(500).type('application/problem+json; charset=utf-8').send(body);
  }
  const r = renderError(err, locale);
  if (r.status === 401) reply.header('www-authenticate', `Bearer error="${r.code === 'invalid-token' ? 'invalid_token' : 'invalid_request'}"`);
  const body = problem(r.status, r.code, r.detail, locale, { instance: req.url.split('?')[0] ?? req.url, requestId: req.id, ...(r.fields ? { errors: r.fields } : {}) });
  return reply.status(r.status).type('application/problem+json; charset=utf-8').send(body);
}

const PART_PREFIX: Record<string, string> = { body: '', querystring: 'query ', params: 'path ', headers: 'header ' };

function asKnownError(error: unknown, req: FastifyRequest, locale: Locale): ApiError | RejectedError | undefined {
  if (error instanceof ApiError || error instanceof RejectedError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    // Validate again in the caller's language, to name every bad field in it.
    const part = error.validationContext ?? 'body';
    const schema = (req.routeOptions.schema as Record<string, unknown> | undefined)?.[part];
    const input = part === 'querystring' ? req.query : part === 'params' ? req.params : part === 'headers' ? req.headers : req.body;
    if (schema instanceof z.ZodType) {
      try {
        parseInput(schema, input, locale, PART_PREFIX[part] ?? '');
      } catch (again) {
        if (again instanceof ApiError) return again;
      }
    }
    return new ApiError(400, 'validation', 'validation.invalid', { fields: error.validation.map((v) => v.instancePath).join(', ') });
  }
  if (error instanceof z.ZodError) return validationError(error);
  const fe = error as Partial<FastifyError>;
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'unsupported-media-type', 'unsupported-media-type', { type: String(req.headers['content-type'] ?? '—') });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'too-large', 'too-large', { limit: req.routeOptions.bodyLimit ?? 0 });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'validation', 'validation.empty');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(400, 'validation', 'validation.not-json');
    default:
      if (fe.statusCode === 400 && (error instanceof SyntaxError || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY')) return new ApiError(400, 'validation', 'validation.not-json');
      return undefined;
  }
}

