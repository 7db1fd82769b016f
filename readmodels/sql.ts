// The one check every statement builder runs on the schema name it splices into SQL. A leaf module: the
// table files, the registry and schema creation all import it, and it imports nothing of theirs.
import { assertSqlIdentifier } from '../runtime/sql-identifier.js';

export const assertSchemaName = (schema: string): string => assertSqlIdentifier(schema, 'schema:');
