// The one check every statement builder runs on the schema name it splices into SQL. A leaf module: the
// table files, the registry and schema creation all import it, and it imports nothing of theirs.
const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): string {
  if (!IDENT.test(schema)) throw new Error(`schema: ${JSON.stringify(schema)} is not a plain lower-case SQL identifier`);
  return schema;
}
