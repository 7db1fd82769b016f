// Which fields of a command are free text (notes, reasons, minutes: lines allowed) and which are names, read
// from the zod schemas: a field of the free-text schema (Text), marked with personalText or not, is free text;
// every other string is held to the rules of a name.
import { isEncryptedValue, isPersonalTextSchema } from '../../events/personal-data.js';
import { Text } from '../../events/vocabulary.js';
import type { z } from '../../events/zod.js';
import { DEFAULT_FREE_TEXT_POLICY, textFieldProblems, type FreeTextPolicy, type TextFieldProblem } from './index.js';

type SchemaDef = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; element?: z.ZodType; in?: z.ZodType };
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** The free-text fields of a schema as paths (`claim.summary`, `departmentOpinions[].opinion`). */
export function freeTextPaths(schema: z.ZodType, path = ''): string[] {
  if (schema === Text || isPersonalTextSchema(schema)) return [path];
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return freeTextPaths(def.innerType!, path);
    case 'pipe':
      return freeTextPaths(def.in!, path);
    case 'array':
      return freeTextPaths(def.element!, `${path}[]`);
    case 'object':
      return Object.entries(def.shape!).flatMap(([key, child]) => freeTextPaths(child, path ? `${path}.${key}` : key));
    default:
      return [];
  }
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
