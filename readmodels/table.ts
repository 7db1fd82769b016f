// A read-model table declared once, as a column map: its DDL, its row type and its set-based writes all
// come from that map, so a column is named in one place (readmodels/tables/*.ts, one file per table, with
// the derivation of its rows and the queries that read it).
//
// Writes are set-based: one JSON parameter per table holding every row (`jsonb_to_recordset`), and every
// table a batch touches is written in ONE statement of data-modifying CTEs (BatchWrite) — one round trip
// to the database per batch instead of one per table.
import type { Queryable } from './db.js';

export type SqlType = 'text' | 'integer' | 'bigint' | 'boolean' | 'timestamptz' | 'double precision' | 'jsonb';

export interface Column {
  type: SqlType;
  /** Null allowed (default: not null). */
  nullable?: boolean;
  unique?: boolean;
}

type ValueOf<T extends SqlType> = T extends 'integer' | 'double precision' ? number : T extends 'boolean' ? boolean : T extends 'jsonb' ? unknown : string;

/** The row a column map describes: instants as ISO strings, bigint as text, jsonb as any JSON value. */
export type RowOf<C extends Record<string, Column>> = {
  [K in keyof C]: ValueOf<C[K]['type']> | (C[K]['nullable'] extends true ? null : never);
};

/** What the DDL and the writes need of any table. */
export interface Table {
  name: string;
  columns: Readonly<Record<string, Column>>;
  primaryKey: readonly string[];
  /** Indexes, as statements over the schema name (`create index if not exists … on ${s}.table …`). */
  indexes?: (s: string) => string[];
  /** Views over the table, as statements over the schema name, created after every table. */
  views?: (s: string) => string[];
}

/** A table as declared, its column map kept exact (RowOf reads it). */
export interface TableOf<C extends Record<string, Column>> extends Table {
  columns: C;
  primaryKey: readonly (keyof C & string)[];
  /** Indexes, as statements over the schema name (`create index if not exists … on ${s}.table …`). */
  indexes?: (s: string) => string[];
}

export function defineTable<const C extends Record<string, Column>>(table: TableOf<C>): TableOf<C> {
  for (const key of table.primaryKey) if (!(key in table.columns)) throw new Error(`${table.name}: primary key column ${key} is not a column`);
  return table;
}

export function createTableSql(s: string, table: Table): string {
  const columns = Object.entries(table.columns).map(
    ([name, c]) => `  ${name} ${c.type}${c.nullable ? '' : ' not null'}${c.unique ? ' unique' : ''}`,
  );
  return [
    `create table if not exists ${s}.${table.name} (\n${[...columns, `  primary key (${table.primaryKey.join(', ')})`].join(',\n')}\n);`,
    ...(table.indexes?.(s) ?? []).map((i) => `${i};`),
  ].join('\n');
}

/** `expression as alias`, the expression an ISO instant in UTC (query select lists). */
export const iso = (column: string, as: string = column.replace(/^.*\./, '')): string => `${isoInstant(column)} as ${as}`;

/** The moment time-dependent answers are computed from: the one given, else the clock. */
export const nowOr = (now: string | undefined): string => now ?? new Date().toISOString();

export const DAY_MS = 86_400_000;

/** A column as an ISO instant in UTC where it is a timestamptz (the same text on PGlite and PostgreSQL). */
export function isoInstant(expression: string): string {
  return `to_char(${expression} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

const camel = (column: string): string => column.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/**
 * A select list of the given columns (default all) under their camelCase names, instants as ISO text:
 * what the query functions return, derived from the same column map.
 */
export function selectColumns(table: Table, alias: string, columns: readonly string[] = Object.keys(table.columns)): string {
  return columns
    .map((name) => {
      const column = table.columns[name];
      if (!column) throw new Error(`${table.name}: no column ${name}`);
      const expression = `${alias}.${name}`;
      return `${column.type === 'timestamptz' ? isoInstant(expression) : expression} as "${camel(name)}"`;
    })
    .join(', ');
}

/** The row's values of the given columns, and only those (a row object may carry more). */
function pick(row: Record<string, unknown>, columns: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of columns) picked[name] = row[name] ?? null;
  return picked;
}

/** A parameter of a statement being built: its value, and the SQL type it is cast to; returns `$n::type`. */
export type Param = (value: unknown, type: string) => string;

/**
 * The writes of one batch, as one statement: each table's rows go in as one array per column, and each
 * write is a data-modifying CTE. The CTEs touch different tables (or, for a replace, different rows of
 * one table), so their order within the statement does not matter.
 */
export class BatchWrite {
  private readonly params: unknown[] = [];
  private readonly parts: string[] = [];

  constructor(private readonly s: string) {}

  get empty(): boolean {
    return this.parts.length === 0;
  }

  private param(value: unknown, type: string): string {
    this.params.push(value);
    return `$${this.params.length}::${type}`;
  }

  /**
   * `select … from` the rows sent as ONE JSON parameter (jsonb_to_recordset), in the rows' order. One JSON
   * text per table rather than a PostgreSQL array literal per column: node-pg builds array literals in
   * JavaScript, escaping every character of every value (a case document would be serialised and then
   * escaped again), which costs the projector much of its CPU. JSON.stringify is native, the jsonb columns
   * go in as the values they are, and PostgreSQL parses the text in C.
   */
  private source(table: Table, rows: readonly Record<string, unknown>[]): { select: string; columns: string[] } {
    const columns = Object.keys(table.columns);
    const json = this.param(JSON.stringify(rows.map((r) => pick(r, columns))), 'jsonb');
    const definitions = columns.map((name) => `${name} ${(table.columns[name] as Column).type}`);
    return {
      select: `select ${columns.map((name) => `x.${name}`).join(', ')} from rows from (jsonb_to_recordset(${json}) as (${definitions.join(', ')})) with ordinality as x(${columns.join(', ')}, n) order by x.n`,
      columns,
    };
  }

  private add(sql: string): void {
    this.parts.push(`w${this.parts.length} as (${sql})`);
  }

  /** Rows appended; a key that exists already is an error (a data exception for the whole batch). */
  insert(table: Table, rows: readonly Record<string, unknown>[]): this {
    if (rows.length === 0) return this;
    const { select, columns } = this.source(table, rows);
    this.add(`insert into ${this.s}.${table.name} (${columns.join(', ')}) ${select}`);
    return this;
  }

  /** Rows inserted or, where the primary key exists, every other column replaced. */
  upsert(table: Table, rows: readonly Record<string, unknown>[]): this {
    if (rows.length === 0) return this;
    const { select, columns } = this.source(table, rows);
    const set = columns.filter((c) => !table.primaryKey.includes(c)).map((c) => `${c} = excluded.${c}`);
    this.add(
      `insert into ${this.s}.${table.name} (${columns.join(', ')}) ${select}
       on conflict (${table.primaryKey.join(', ')}) do update set ${set.join(', ')}`,
    );
    return this;
  }

  /**
   * The rows of the given cases become exactly `rows`: the cases' rows whose key is not among them are
   * deleted, the others upserted. (Delete and upsert touch different rows, so one statement holds both.)
   */
  replaceOfCases(table: Table, caseIds: readonly string[], rows: readonly Record<string, unknown>[]): this {
    if (caseIds.length === 0) return this;
    const key = table.primaryKey;
    const keyArrays = key.map((k) => this.param(rows.map((r) => r[k]), `${(table.columns[k] as Column).type}[]`));
    this.add(
      `delete from ${this.s}.${table.name} t where t.case_id = any(${this.param(caseIds, 'text[]')})
       and not exists (select 1 from unnest(${keyArrays.join(', ')}) as k(${key.join(', ')}) where ${key.map((k) => `k.${k} = t.${k}`).join(' and ')})`,
    );
    return this.upsert(table, rows);
  }

  /** Any other write of the batch, its parameters given as values (numbered here); null: nothing to write. */
  statement(sql: (param: Param) => string | null): this {
    const text = sql((value, type) => this.param(value, type));
    if (text !== null) this.add(text);
    return this;
  }

  async run(tx: Queryable): Promise<void> {
    if (this.parts.length === 0) return;
    await tx.query(`with ${this.parts.join(',\n')}\nselect 1`, this.params);
  }
}
