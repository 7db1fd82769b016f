// Registers the case workflow's search attributes on a Temporal cluster that lacks them: an existing
// cluster (TEMPORAL_ADDRESS) or the Java test server, which knows none until told.
import type { Connection } from '@temporalio/client';
// The default import: @temporalio/proto is CommonJS whose named exports Node's ESM loader cannot detect,
// so a named import works under vitest but not under plain `tsx` (e.g. test/fixtures/record-histories.ts).
import proto from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';
import { caseSearchAttributes } from '../workflows/search-attributes.js';

const IndexedValueType = proto.temporal.api.enums.v1.IndexedValueType;
const indexedType: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  TEXT: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

const GRPC_UNIMPLEMENTED = 12;

export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const known = new Set<string>();
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    for (const name of [...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]) known.add(name);
  } catch (err) {
    // The Java test server implements adding search attributes but not listing them.
    if ((err as { code?: number }).code !== GRPC_UNIMPLEMENTED) throw err;
  }
  const missing = caseSearchAttributes.filter((k) => !known.has(k.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((k) => [k.name, indexedType[k.type] as temporal.api.enums.v1.IndexedValueType])),
  });
  return missing.map((k) => k.name);
}
