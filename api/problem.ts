// Errors as RFC 9457 problem details (application/problem+json): a stable `code`, the HTTP status, a
// message in the caller's language, the request id, and for validation every bad field.
import type { z } from 'zod';
import { z as zod } from 'zod';
import { currentLocale, inLocale, message, zodErrorMap, type Locale, type MessageKey } from './i18n.js';
import { rejectionMessage, type CoreRejection } from './messages.js';
import { MESSAGE_KEYS } from '../domain/case/messages.js';

export interface FieldIssue {
  field: string;
  message: string;
}

type Params = Record<string, string | number>;

/** An error of the API itself: its message is a catalogue key, rendered in the caller's language. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly key: MessageKey,
    readonly params: Params = {},
    readonly fields?: FieldIssue[],
  ) {
    super(message(key, 'en', params));
  }
}

/** A rejection by the domain core, passed through with its own words (api/messages.ts renders them). */
export class RejectedError extends Error {
  constructor(
    readonly status: number,
    readonly rejection: CoreRejection,
  ) {
    super(rejection.reason);
  }
}

export const Problem = zod
  .object({
    type: zod.string().describe('a URI naming the kind of problem'),
    title: zod.string(),
    status: zod.number().int(),
    detail: zod.string().describe("in the caller's language (Accept-Language: zh-CN by default, en)"),
    instance: zod.string().optional(),
    code: zod.string().describe('stable, for programs: validation, unauthenticated, invalid-token, forbidden, not-found, illegal-state, …'),
    requestId: zod.string().optional(),
    errors: zod.array(zod.object({ field: zod.string(), message: zod.string() })).optional().describe('every bad field, for validation'),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof Problem>;

/** The error answers every route declares (the OpenAPI document lists them). */
export const problemResponses = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 413: Problem, 415: Problem, 429: Problem };

/** The title of an error answer: the catalogue's word for its status (http.<status>), else 内部错误. */
const titleOf = (status: number, locale: Locale): string => message(MESSAGE_KEYS.includes(`http.${status}` as MessageKey) ? (`http.${status}` as MessageKey) : 'http.500', locale);

export function problem(status: number, code: string, detail: string, locale: Locale, extra: Partial<Problem> = {}): Problem {
  return {
    type: `urn:mediation-engine:problem:${code}`,
    title: titleOf(status, locale),
    status,
    detail,
    code,
    ...extra,
  };
}

/** Parses input against a schema in the caller's language; a failure is a 400 naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, locale: Locale, fieldPrefix = ''): z.infer<S> {
  // zod renders messages when the issues are first read: read them inside the locale too.
  const parsed = inLocale(locale, () => {
    const result = schema.safeParse(input, { error: zodErrorMap(locale) });
    return result.success ? result : { success: false as const, failure: validationError(result.error, fieldPrefix) };
  });
  if (parsed.success) return parsed.data;
  throw parsed.failure;
}

export function validationError(error: z.ZodError, fieldPrefix = ''): ApiError {
  const fields = error.issues.map((i) => ({ field: fieldPrefix + (i.path.map(String).join('.') || '(body)'), message: i.message }));
  return new ApiError(400, 'validation', 'validation.invalid', { fields: fields.map((f) => f.field).join(', ') }, fields);
}

export function renderError(err: ApiError | RejectedError, locale: Locale): { status: number; code: string; detail: string; fields?: FieldIssue[] } {
  if (err instanceof RejectedError) return { status: err.status, code: err.rejection.code, detail: rejectionMessage(err.rejection, locale) };
  return { status: err.status, code: err.code, detail: message(err.key, locale, err.params), ...(err.fields ? { fields: err.fields } : {}) };
}

export { currentLocale };
