// The console's language: Chinese by default, English on request (kept in localStorage). The API is asked
// in the same language (Accept-Language), so the core's rejections and field messages match the screen.
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { z } from 'zod';
import type { Locale } from '@engine/domain/case/messages.js';

export type { Locale } from '@engine/domain/case/messages.js';

const KEY = 'mediation-console.locale';
let current: Locale = (typeof localStorage !== 'undefined' && localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN');

/** For code outside React (the API client). */
export const currentLocale = (): Locale => current;

function applyZodLocale(locale: Locale) {
  z.config(locale === 'en' ? z.locales.en() : z.locales.zhCN());
}
applyZodLocale(current);

interface LocaleContextValue {
  locale: Locale;
  setLocale: (l: Locale) => void;
  /** The words in the current language: tr('待办', 'My work'). */
  tr: (zh: string, en: string) => string;
}

const LocaleContext = createContext<LocaleContextValue>({ locale: 'zh-CN', setLocale: () => undefined, tr: (zh) => zh });

export function LocaleProvider({ children }: { children: ReactNode }) {
  const [locale, setState] = useState<Locale>(current);
  const value = useMemo<LocaleContextValue>(
    () => ({
      locale,
      setLocale: (l) => {
        current = l;
        localStorage.setItem(KEY, l);
        applyZodLocale(l);
        document.documentElement.lang = l;
        setState(l);
      },
      tr: (zh, en) => (locale === 'en' ? en : zh),
    }),
    [locale],
  );
  return <LocaleContext.Provider value={value}>{children}</LocaleContext.Provider>;
}

export const useLocale = () => useContext(LocaleContext);
