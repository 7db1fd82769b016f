// The schema names the engine puts into SQL text (read models, access log, key store): identifiers cannot
// be bound as parameters, so only plain lower-case names of PostgreSQL's length are accepted.
export const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export const SQL_IDENTIFIER_MESSAGE = 'expected a lower-case SQL identifier';

/** `name`, when it is a plain lower-case SQL identifier; throws naming `what` otherwise. */
export function assertSqlIdentifier(name: string, what: string): string {
  if (!SQL_IDENTIFIER.test(name)) throw new Error(`${what} ${JSON.stringify(name)} is not a plain lower-case SQL identifier`);
  return name;
}
