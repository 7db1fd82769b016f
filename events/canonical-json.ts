// Canonical JSON: the one byte sequence that a hash of an event is taken over.
//
// - object keys sorted by UTF-16 code units (the order of RFC 8785, JSON Canonicalization Scheme);
// - no insignificant whitespace;
// - strings and finite numbers written exactly as JSON.stringify writes them (which is also RFC 8785's
//   rule for both);
// - anything JSON cannot round-trip is refused rather than silently dropped or changed: undefined,
//   NaN, ±Infinity, -0, bigint, functions, symbols, Dates, Maps and other class instances, sparse
//   arrays. A silently dropped `undefined` would make two different in-memory events hash the same.

export class CanonicalJsonError extends Error {
  constructor(path: string, problem: string) {
    super(`cannot canonicalize ${path || '(root)'}: ${problem}`);
    this.name = 'CanonicalJsonError';
  }
}

export function canonicalJson(value: unknown): string {
  return write(value, '');
}

// Fast path: a value that is already in canonical shape — plain objects whose keys are in sorted order,
// dense arrays, finite numbers other than -0, no undefined — is written by JSON.stringify exactly as the
// rules above write it (same string and number forms, keys in their own order, which is the sorted one).
// An event parsed from its stored, canonical bytes is such a value, so re-serialising it (to hash or to
// publish it) costs one native JSON.stringify instead of a walk building strings. A subtree that is not
// in shape is written by the walk below, which sorts and refuses; its in-shape children take the fast
// path again.
function inCanonicalShape(value: unknown): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!(i in value) || !inCanonicalShape(value[i])) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      const record = value as Record<string, unknown>;
      let previous: string | undefined;
      for (const key in record) {
        if (!Object.hasOwn(record, key)) return false;
        if (previous !== undefined && !(previous < key)) return false;
        if (!inCanonicalShape(record[key])) return false;
        previous = key;
      }
      return true;
    }
    default:
      return false;
  }
}

function write(value: unknown, path: string): string {
  if (typeof value === 'object' && value !== null && inCanonicalShape(value)) return JSON.stringify(value);
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `${value} is not a JSON number`);
      if (Object.is(value, -0)) throw new CanonicalJsonError(path, '-0 does not survive JSON');
      return JSON.stringify(value);
    case 'object':
      return Array.isArray(value) ? writeArray(value, path) : writeObject(value, path);
    default:
      throw new CanonicalJsonError(path, `a ${typeof value} is not a JSON value`);
  }
}

function writeArray(items: readonly unknown[], path: string): string {
  const parts: string[] = [];
  for (let i = 0; i < items.length; i++) {
    if (!(i in items)) throw new CanonicalJsonError(`${path}[${i}]`, 'sparse array');
    parts.push(write(items[i], `${path}[${i}]`));
  }
  return `[${parts.join(',')}]`;
}

function writeObject(object: object, path: string): string {
  const proto = Object.getPrototypeOf(object) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw new CanonicalJsonError(path, 'only plain objects are allowed (no Date, Map or class instance)');
  }
  const record = object as Record<string, unknown>;
  // Default sort compares UTF-16 code units, which is what RFC 8785 asks for.
  const keys = Object.keys(record).sort();
  const parts: string[] = [];
  for (const key of keys) {
    const childPath = path ? `${path}.${key}` : key;
    if (record[key] === undefined) throw new CanonicalJsonError(childPath, 'undefined is not a JSON value');
    parts.push(`${JSON.stringify(key)}:${write(record[key], childPath)}`);
  }
  return `{${parts.join(',')}}`;
}
