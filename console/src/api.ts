// The API client: the signed-in user's access token, the screen's language, and problem+json errors
// kept whole (the core's rejection in `detail`, every bad field in `errors`).
import { currentLocale } from './i18n';
import { accessToken, signIn } from './auth';

export interface FieldProblem {
  field: string;
  message: string;
}

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: FieldProblem[] = [],
  ) {
    super(detail);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  return (await apiWithHeaders<T>(path, init)).body;
}

/** Every page of a paged list (the API says where the next one starts in `x-next-cursor`). */
export async function apiAllPages<T>(path: string, maxPages = 20): Promise<T[]> {
  const items: T[] = [];
  let url: string | undefined = path;
  for (let page = 0; url !== undefined && page < maxPages; page++) {
    const { body, headers }: { body: T[]; headers: Headers } = await apiWithHeaders<T[]>(url);
    items.push(...body);
    const next = headers.get('x-next-cursor');
    url = next ? `${path}${path.includes('?') ? '&' : '?'}after=${encodeURIComponent(next)}` : undefined;
  }
  return items;
}

async function apiWithHeaders<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<{ body: T; headers: Headers }> {
  const token = await accessToken();
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    headers: {
      accept: 'application/json',
      'accept-language': currentLocale(),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  if (res.status === 401) {
    await signIn(location.pathname + location.search);
    throw new ApiProblem(401, 'unauthenticated', '请重新登录');
  }
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const p = (body ?? {}) as { code?: string; detail?: string; errors?: FieldProblem[] };
    throw new ApiProblem(res.status, p.code ?? 'error', p.detail ?? `HTTP ${res.status}`, p.errors ?? []);
  }
  return { body: body as T, headers: res.headers };
}
