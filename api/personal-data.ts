// Personal data at the edge: the API is the only process that sees it in plain text, and the only one
// holding the key store (runtime/personal-data-keys.ts). Here commands are encrypted before they reach
// Temporal (names, ID numbers, phones, the claim summary, session minutes, agreement terms), and reads
// decrypt on demand for the roles whose grant shows personal data (every such read goes to the access log).
import { CaseCommandSchema, personalTextFields, type CommandOf, type CommandType } from '../domain/case/index.js';
import { isEncryptedValue, textSubjectOf, type PersonalValue } from '../events/index.js';
import type { PersonalDataKeys } from '../runtime/personal-data-keys.js';
import type { Locale } from './i18n.js';
import { parseInput } from './problem.js';

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
  const { summary } = receive.data.claim;
  const claim = { ...receive.data.claim, summary: typeof summary === 'string' ? await keys.encrypt(textSubjectOf(receive.caseId), summary) : summary };
  return { ...receive, data: { ...receive.data, complainants, claim } };
}

/**
 * A staff command's body with its people-naming free text encrypted (personalTextFields). The plain body
 * is validated first, so that length limits and the like hold for what the clerk wrote.
 */
export async function encryptCommandText(
  type: CommandType,
  caseId: string,
  body: unknown,
  keys: PersonalDataKeys,
  locale: Locale,
): Promise<unknown> {
  const fields = personalTextFields[type];
  if (!fields || typeof body !== 'object' || body === null) return body;
  parseInput(CaseCommandSchema, { type, caseId, data: body }, locale);
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const field of fields) {
    const value = copy[field];
    if (typeof value === 'string') copy[field] = await keys.encrypt(textSubjectOf(caseId), value);
  }
  return copy;
}

/** A personal value in plain text, or null when it has been erased (its key destroyed, or the old value removed). */
export async function reveal(field: PersonalValue | string, keys: PersonalDataKeys): Promise<string | null> {
  if (typeof field === 'string') return field; // free text of old events, never encrypted
  if (isEncryptedValue(field)) return keys.decrypt(field);
  return field.value ?? null;
}
