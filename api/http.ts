// A small JSON-over-HTTP toolkit on node:http: routing by method and path pattern, body parsing with a
// size limit, and errors that carry an HTTP status and a code (validation 400, forbidden 403, not found
// 404, illegal state 409, concurrency 412).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface FieldIssue {
  field: string;
  message: string;
}

/** Every bad field, by its path in the body, e.g. `respondent.creditCode`. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message }));
}

/** Parses request input; a failure is a 400 naming every bad field (prefixed, e.g. `header x-actor-id`). */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, fieldPrefix = ''): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issues = fieldIssues(parsed.error).map((i) => ({ ...i, field: fieldPrefix + i.field }));
    throw new HttpError(400, 'validation', `invalid request: ${issues.map((i) => i.field).join(', ')}`, { issues });
  }
  return parsed.data;
}

export type Handler = (req: IncomingMessage, params: Record<string, string>, body: unknown) => Promise<{ status: number; body: unknown }>;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const pattern = new RegExp(
      '^' +
        path.replace(/:([A-Za-z]+)/g, (_m, key: string) => {
          keys.push(key);
          return '([^/]+)';
        }) +
        '$',
    );
    this.routes.push({ method, pattern, keys, handler });
    return this;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const matching = this.routes.filter((r) => r.pattern.test(url.pathname));
      if (matching.length === 0) throw new HttpError(404, 'not-found', `no route for ${url.pathname}`);
      const route = matching.find((r) => r.method === req.method);
      if (!route) throw new HttpError(405, 'method-not-allowed', `${req.method} is not allowed on ${url.pathname}`);
      const match = route.pattern.exec(url.pathname);
      const params: Record<string, string> = {};
      route.keys.forEach((k, i) => (params[k] = decodeURIComponent(match?.[i + 1] ?? '')));
      const body = req.method === 'POST' || req.method === 'PUT' ? await readJson(req) : undefined;
      const out = await route.handler(req, params, body);
      send(res, out.status, out.body);
    } catch (err) {
      if (err instanceof HttpError) {
        send(res, err.status, { error: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) });
      } else {
        // The message of an unexpected error may carry data from the request: keep it in the log only.
        res.emit('unexpected-error', err);
        send(res, 500, { error: 'internal', message: 'internal error; see the API log' });
      }
    }
  }
}

const MAX_BODY = 1024 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'too-large', `the body is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'validation', 'the request body is empty; send a JSON object');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'validation', 'the request body is not valid JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
