// Which fields of a command are free text (notes, reasons, minutes: lines allowed) and which are names, read
// from the zod schemas: a field of the free-text schema (Text), marked with personalText or not, is free text;
// every other string is held to the rules of a name.
import { isEncryptedValue, isPersonalTextSchema, schemaPathsWhere } from '../../events/personal-data.js';
import { Text } from '../../events/vocabulary.js';
import type { z } from '../../events/zod.js';
import { DEFAULT_FREE_TEXT_POLICY, textFieldProblems, type FreeTextPolicy, type TextFieldProblem } from './index.js';

/** The free-text fields of a schema as paths (`claim.summary`, `departmentOpinions[].opinion`). */
export function freeTextPaths(schema: z.ZodType): string[] {
  return schemaPathsWhere(schema, (s) => s === Text || isPersonalTextSchema(s));
}

const cache = new WeakMap<z.ZodType, ReadonlySet<string>>();

/** The text problems of a value that `schema` describes: free-text fields as free text, the rest as names. */
export function schemaTextProblems(schema: z.ZodType, value: unknown, policy: FreeTextPolicy = DEFAULT_FREE_TEXT_POLICY): TextFieldProblem[] {
  let free = cache.get(schema);
  if (!free) {
    free = new Set(freeTextPaths(schema));
    cache.set(schema, free);
  }
  const paths = free;
  const key = (path: readonly (string | number)[]) => path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[]` : s ? `${s}.${p}` : p), '');
  // A ciphertext holds no text to check (its schema allows base64 only), and is the longest string there is.
  return textFieldProblems(value, (path) => paths.has(key(path)), policy, [], isEncryptedValue);
}
