// The core's rejections in the caller's language: the domain's message catalogue renders each one from its
// stable key and parameters (domain/case/messages.ts). A rejection without a key (a workflow's own refusal of
// a malformed update, say) keeps the English reason it was given.
import { renderRejection, type MessageParams, type RejectionKey } from '../domain/case/index.js';
import type { Locale } from './i18n.js';

export interface CoreRejection {
  code: string;
  reason: string;
  key?: RejectionKey;
  params?: MessageParams;
  problems?: readonly { key: RejectionKey; params: MessageParams }[];
}

export function rejectionMessage(rejection: CoreRejection, locale: Locale): string {
  if (!rejection.key) return rejection.reason;
  return renderRejection({ key: rejection.key, params: rejection.params ?? {}, ...(rejection.problems ? { problems: rejection.problems } : {}) }, locale);
}
