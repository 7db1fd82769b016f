// The caller's language: zh-CN unless Accept-Language prefers English. The API's messages are in the one
// catalogue with the core's rejections (domain/case/messages.ts); zod's default messages come from zod's own
// zh-CN and en locales.
import { AsyncLocalStorage } from 'node:async_hooks';
import { z } from 'zod';
import { renderMessage, type Locale, type MessageKey, type MessageParams } from '../domain/case/messages.js';

export type { Locale, MessageKey } from '../domain/case/messages.js';

/** The first language tag of Accept-Language (by q) that we speak; zh-CN by default. */
export function negotiateLocale(header: string | undefined): Locale {
  if (!header) return 'zh-CN';
  const tags = header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? '1');
      return { tag: tag.toLowerCase(), q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((t) => t.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of tags) {
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'zh-CN';
}

/** A message of the catalogue (domain/case/messages.ts) in a locale. */
export function message(key: MessageKey, locale: Locale, params: MessageParams = {}): string {
  return renderMessage(key, params, locale);
}

// Field messages are rendered when a schema fails, which happens inside a request: the request's locale
// is carried there so that a schema's own message (error: msg('field.phone')) renders in it.
const current = new AsyncLocalStorage<Locale>();

export function inLocale<T>(locale: Locale, fn: () => T): T {
  return current.run(locale, fn);
}

export function currentLocale(): Locale {
  return current.getStore() ?? 'zh-CN';
}

/** A schema's field message in the locale of the request being validated. */
export const msg = (key: MessageKey) => () => message(key, currentLocale());

const zodLocales = { 'zh-CN': z.locales.zhCN(), en: z.locales.en() };

/** zod's default message for an issue, in a locale (schema-level messages take precedence). */
export function zodErrorMap(locale: Locale): z.core.$ZodErrorMap {
  return zodLocales[locale].localeError as z.core.$ZodErrorMap;
}
