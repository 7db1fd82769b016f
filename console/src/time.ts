// Dates and times as the centre reads them: China time (UTC+8), whatever the PC's own zone.
import type { Locale } from './i18n';

const CHINA = 'Asia/Shanghai';

export function chinaTime(iso: string | null | undefined, _locale?: Locale): string {
  if (!iso) return '—';
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: CHINA, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

export function chinaDate(iso: string | Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: CHINA, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

/** A datetime-local input's value ('YYYY-MM-DDTHH:mm', seconds optional), read as China time. */
export function fromChinaLocal(value: string): string {
  return new Date(`${value.length === 16 ? `${value}:00` : value}+08:00`).toISOString();
}

/** An instant as a datetime-local value in China time. */
export function toChinaLocal(iso: string): string {
  return chinaTime(iso).replace(' ', 'T');
}

/** Time left (negative: overdue) in days and hours. */
export function timeLeft(ms: number | null | undefined, locale: Locale): string {
  if (ms === null || ms === undefined) return '—';
  const late = ms < 0;
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const text = locale === 'en'
    ? `${days ? `${days} d ` : ''}${hours ? `${hours} h ` : ''}${days ? '' : `${minutes} min`}`.trim()
    : `${days ? `${days}天` : ''}${hours ? `${hours}小时` : ''}${days ? '' : `${minutes}分钟`}`;
  return late ? (locale === 'en' ? `${text} overdue` : `超期 ${text}`) : text;
}
