// The core's rejections in the caller's language. The domain is getting a message catalogue with a stable
// key and parameters per rejection (issue 9); until it lands this adapter returns the reason the core
// wrote, and it is the one place to point at `renderRejection(rejection, locale)` when it does.
import type { Locale } from './i18n.js';

export interface CoreRejection {
  code: string;
  reason: string;
  key?: string;
  params?: Record<string, unknown>;
}

export function rejectionMessage(rejection: CoreRejection, _locale: Locale): string {
  return rejection.reason;
}
