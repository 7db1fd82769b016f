// Personal data at the edge: the API is the only process that sees it in plain text, and the only one
// holding the key store (runtime/personal-data-keys.ts). Here commands are encrypted before they reach
// Temporal (names, ID numbers, phones, and every free-text field the schemas mark with personalText: the
// claim summary, notes, reasons, opinions, minutes, agreement terms, …), and reads decrypt on demand for the
// roles whose grant shows personal data (every such read goes to the access log).
import { CaseCommandSchema, commandDataSchema, renderRejection, type CommandOf, type CommandType } from '../domain/case/index.js';
import { textProblemKey } from '../domain/text/index.js';
import { schemaTextProblems } from '../domain/text/fields.js';
import { findPersonalValues, isEncryptedValue, mapPersonalText, mapPersonalValues, textSubjectOf, type EncryptedValue, type PersonalValue } from '../events/index.js';
import type { z } from '../events/zod.js';
import { SubjectErasedError, type PersonalDataKeys } from '../runtime/personal-data-keys.js';
import { message, type Locale } from './i18n.js';
import { ApiError, parseInput, RejectedError, type FieldIssue } from './problem.js';

async function encryptField(field: PersonalValue, keys: PersonalDataKeys): Promise<PersonalValue> {
  if (isEncryptedValue(field)) return field;
  if (field.value === undefined) return field; // erased in the old scheme: nothing left to encrypt
  return keys.encrypt(field.ref, field.value);
}

/**
 * The ReceiveCase command as it leaves the edge: every marked personal value encrypted with its subject's
 * key, the claim summary with the case's text key. Run the core's intake decision on the plain command
 * first (it checks the ID number's check digit and the phone's format), then send only this.
 */
export async function encryptReceive(receive: CommandOf<'ReceiveCase'>, keys: PersonalDataKeys): Promise<CommandOf<'ReceiveCase'>> {
  const complainants = [];
  for (const c of receive.data.complainants) {
    complainants.push({
      ...c,
      name: await encryptField(c.name, keys),
      ...(c.idNumber ? { idNumber: await encryptField(c.idNumber, keys) } : {}),
      ...(c.phone ? { phone: await encryptField(c.phone, keys) } : {}),
    });
  }
  // The enterprise's contact person: their own subject, their own key.
  const { contact } = receive.data.respondent;
  const respondent = contact
    ? { ...receive.data.respondent, contact: { ...contact, name: await encryptField(contact.name, keys), ...(contact.phone ? { phone: await encryptField(contact.phone, keys) } : {}) } }
    : receive.data.respondent;
  // The claim summary and any other marked free text: under the case's text key.
  const data = (await encryptText('ReceiveCase', receive.caseId, { ...receive.data, complainants, respondent }, keys)) as CommandOf<'ReceiveCase'>['data'];
  return { ...receive, data };
}

/** A command's data with every personalText field that is still plain encrypted under the case's text subject. */
async function encryptText(type: CommandType, caseId: string, data: unknown, keys: PersonalDataKeys): Promise<unknown> {
  return mapPersonalText(commandDataSchema(type), data, (text) => encryptCaseText(caseId, text, keys));
}

/** One free text of a case, under its text subject. Refused (409, not a 500) once the case's data is erased. */
export async function encryptCaseText(caseId: string, text: string, keys: PersonalDataKeys): Promise<EncryptedValue> {
  try {
    return await keys.encrypt(textSubjectOf(caseId), text);
  } catch (err) {
    if (!(err instanceof SubjectErasedError)) throw err;
    throw new RejectedError(409, { code: 'illegal-state', key: 'erasure.already', params: {}, reason: "this case's personal data has already been erased" });
  }
}

/**
 * A staff command's body with its free text encrypted: every field its schema marks with personalText
 * (events/personal-data.ts). The plain body is validated first, so that length limits and the like hold for
 * what the clerk wrote, and a refusal names the field.
 */
export async function encryptCommandText(
  type: CommandType,
  caseId: string,
  body: unknown,
  keys: PersonalDataKeys,
  locale: Locale,
): Promise<unknown> {
  if (typeof body !== 'object' || body === null) return body;
  refuseUnfitText(commandDataSchema(type), body, locale);
  parseInput(CaseCommandSchema, { type, caseId, data: body }, locale);
  return encryptText(type, caseId, body, keys);
}

/**
 * What a caller sends must be plain text, checked as such before anything is encrypted: a 400 naming each
 * field that carries a marked personal value (an encrypted-looking object: only this edge encrypts, under
 * keys it chooses) or a character domain/text refuses. Nothing is written.
 */
export function refuseUnfitText(schema: z.ZodType, body: unknown, locale: Locale): void {
  const fields: FieldIssue[] = [
    ...findPersonalValues(body).map(({ path }) => ({ field: path || '(body)', message: message('field.plain-text-only', locale) })),
    ...schemaTextProblems(schema, body).map((p) => ({
      field: p.field,
      message: renderRejection({ key: textProblemKey[p.kind], params: { field: p.field, codePoint: p.codePoint } }, locale),
    })),
  ];
  if (fields.length > 0) throw new ApiError(400, 'validation', 'validation.invalid', { fields: fields.map((f) => f.field).join(', ') }, fields);
}

/** What a read shows for a value it cannot decrypt (see reveal). */
export const UNREADABLE = Symbol('unreadable');

/**
 * A personal value in plain text, null when it has been erased (its key destroyed, or the old value removed),
 * or UNREADABLE when it cannot be decrypted: a ciphertext that fails its key (altered, or made by someone
 * other than this edge), the key of another subject. One such value never fails a whole read: the read shows
 * it as unreadable and logs why (onUnreadable), and shows the rest.
 */
export async function reveal(
  field: PersonalValue | string,
  keys: PersonalDataKeys,
  onUnreadable?: (err: unknown) => void,
): Promise<string | null | typeof UNREADABLE> {
  if (typeof field === 'string') return field; // free text of old events, never encrypted
  if (!isEncryptedValue(field)) return field.value ?? null;
  try {
    return await keys.decrypt(field);
  } catch (err) {
    onUnreadable?.(err);
    return UNREADABLE;
  }
}

/**
 * Events with their case's free text in plain text (a full grant), "已删除" where its key has been destroyed,
 * "无法解密" where a value cannot be decrypted (reveal), or left encrypted (any other grant: redact() then shows `{ pii, ref }`). Only the case's text subject is
 * opened here: names, ID numbers and phones stay encrypted (GET /cases/:id/complainants shows those).
 * `opened` counts the fields decrypted, for the access log.
 */
export async function revealCaseText<E>(
  events: readonly E[],
  caseId: string,
  keys: PersonalDataKeys,
  options: { full: boolean; erasedWord: string; unreadableWord?: string; onUnreadable?: (err: unknown) => void },
): Promise<{ events: E[]; opened: number; unreadable: number }> {
  const textRef = textSubjectOf(caseId);
  const fields = new Map<EncryptedValue, string>();
  let opened = 0;
  let unreadable = 0;
  for (const event of events) {
    mapPersonalValues(event, (field) => {
      if (options.full && isEncryptedValue(field) && field.ref === textRef) fields.set(field, '');
      return field;
    });
  }
  for (const field of fields.keys()) {
    const plain = await reveal(field, keys, options.onUnreadable);
    if (plain === UNREADABLE) {
      unreadable++;
      fields.set(field, options.unreadableWord ?? message('personal-data.unreadable', 'zh-CN'));
      continue;
    }
    if (plain !== null) opened++;
    fields.set(field, plain ?? options.erasedWord);
  }
  if (fields.size === 0) return { events: [...events], opened, unreadable };
  const shown = events.map((event) => mapPersonalValues(event, (field) => (isEncryptedValue(field) && fields.has(field) ? fields.get(field) : field)) as E);
  return { events: shown, opened, unreadable };
}
