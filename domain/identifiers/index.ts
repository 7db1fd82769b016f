// Checks of real Chinese identifiers. Pure functions; each returns null when the value is well formed, or
// the message key of what is wrong.

/** A resident ID number's shape (GB 11643-1999): 17 digits and a check character, a digit or upper-case X. */
export const RESIDENT_ID = /^\d{17}[\dX]$/;

/**
 * A resident ID number as a clerk may type it — grouped with spaces or hyphens, the check character as a
 * lower-case x — in the one form the core, the blind index and the records hold: bare, upper-case X.
 * Applied at the edge, before any check.
 */
export function normaliseResidentId(typed: string): string {
  return typed.replace(/[\s-]/g, '').toUpperCase();
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643-1999: 17 digits and a check character by ISO 7064 MOD 11-2; the birth date must exist. */
export function residentIdProblem(id: string): 'format' | 'birth-date' | 'check-digit' | null {
  if (!RESIDENT_ID.test(id)) return 'format';
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return 'birth-date';
  return residentIdCheckChar(id.slice(0, 17)) === id[17] ? null : 'check-digit';
}

export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK[sum % 11] ?? '';
}

const CODE_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** A unified social credit code's shape (GB 32100-2015): 18 of the 31 characters (no I, O, Z, S, V). */
export const CREDIT_CODE = /^[0-9A-HJ-NPQRTUWXY]{18}$/;
const CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** GB 32100-2015: 18 characters from 31 (no I, O, Z, S, V); the last is a check character mod 31. */
export function creditCodeProblem(code: string): 'format' | 'check-char' | null {
  if (!CREDIT_CODE.test(code)) return 'format';
  return creditCodeCheckChar(code.slice(0, 17)) === code[17] ? null : 'check-char';
}

export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CODE_CHARS.indexOf(first17[i] ?? '') * (CODE_WEIGHTS[i] ?? 0);
  return CODE_CHARS[(31 - (sum % 31)) % 31] ?? '';
}

/**
 * A mainland mobile (1[3-9]x, 11 digits, optional +86) or landline (area code 0xx/0xxx, 7–8 digit number,
 * optional extension), with spaces or hyphens between groups allowed. 12351 and other short service
 * numbers are not a party's phone.
 */
export function phoneProblem(phone: string): 'format' | null {
  const spaced = phone.trim().replace(/\s+/g, ' ');
  const withoutCountry = spaced.replace(/^\+?86[\s-]?/, '');
  const compact = withoutCountry.replace(/[\s-]/g, '');
  if (/^1[3-9]\d{9}$/.test(compact)) return null;
  // A landline written with its area code separated (0573-82345678, 010 62345678, extension after a hyphen).
  const separated = /^(0\d{2,3})[\s-]([2-9]\d{6,7})(?:-(\d{1,6}))?$/.exec(withoutCountry);
  if (separated) return null;
  // Written together, the area code's length is ambiguous: accept when one reading works.
  if (!/[\s-]/.test(withoutCountry) && /^0(?:\d{2}[2-9]\d{7}|\d{3}[2-9]\d{6,7})$/.test(compact)) return null;
  return 'format';
}
