// The read-model stores a projection spec runs on: PGlite always, and the real PostgreSQL server that
// `npm test` starts (TEST_DATABASE_URL). Each test gets a fresh schema, so files never share tables.
import { openDb, type Db } from '../../readmodels/db.js';
import { createSchemaSql } from '../../readmodels/schema.js';
import { uniqueName } from './stack.js';

export const stores: Array<'pglite' | 'postgres'> = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export async function freshStore(kind: 'pglite' | 'postgres'): Promise<{ db: Db; schema: string }> {
  const db = kind === 'pglite' ? await openDb({ memory: true }) : await openDb({ url: process.env.TEST_DATABASE_URL as string });
  const schema = uniqueName('rm');
  await db.exec(createSchemaSql(schema));
  return { db, schema };
}
