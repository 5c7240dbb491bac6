/**
 * Bulk statements on the hot paths (inbound ingest, broadcast fan-out): one INSERT for many rows,
 * one SELECT for many keys, with a fixed handful of parameters however many rows there are. The
 * client's createMany and `in` lists bind every value and compile a plan for each shape; this
 * costs several times more per row (measured with scripts/bench/broadcast.ts and
 * scripts/bench/ingest.ts).
 *
 * - SQLite: the rows travel as one JSON parameter, unpacked by `json_each` (SQLite >= 3.38 for `->>`).
 * - PostgreSQL: one array parameter per column, unpacked by `unnest`.
 *
 * Values are written as the client writes them (`writtenAs`), so the client reads them back
 * unchanged. The statements run on the driver directly (src/db/direct-routes.ts); on PostgreSQL
 * unnamed (a custom plan sees the arrays' lengths). A unique violation is thrown as the driver's
 * (pg's 23505, SQLite's SQLITE_CONSTRAINT_UNIQUE); `isUniqueViolation` recognises both.
 */
import type { Db } from './client.js';
import { quoteName, tableName, writtenAs, type Dialect } from './dialect.js';
import { executeText, queryText } from './raw.js';

/** A column value: text, a timestamp, or SQL NULL. */
export type BulkValue = string | Date | null;

export interface BulkColumn {
  name: string;
  /** text (the default) or timestamp (a Date value). */
  type?: 'text' | 'timestamp';
  /** The same value in every row, bound once; the rows then carry no value for this column. */
  constant?: BulkValue;
}

const quote = quoteName;

/** Rows for one table: its columns (see BulkColumn) and the values of the non-constant ones, row by row. */
export interface RowSet {
  table: string;
  columns: BulkColumn[];
  rows: BulkValue[][];
}

/**
 * Inserts `rows` into `table` in one statement. Each row holds the values of the columns that are
 * not `constant`, in the order of `columns`. Nothing is written for an empty `rows`.
 */
export async function insertRows(db: Db, dialect: Dialect, table: string, columns: BulkColumn[], rows: BulkValue[][]): Promise<void> {
  if (rows.length === 0) return;
  if (dialect.provider === 'postgres') {
    const params: unknown[] = [];
    await executeText(db, postgresInsert(dialect, { table, columns, rows }, params), params);
    return;
  }
  const names = columns.map((c) => quote(c.name)).join(', ');
  const params: unknown[] = [];
  const selects: string[] = [];
  let varying = 0;
  for (const column of columns) {
    if ('constant' in column) {
      params.push(writtenAs(dialect, column.constant ?? null));
      selects.push('?');
    } else selects.push(`value->>${varying++}`);
  }
  params.push(JSON.stringify(rows.map((row) => row.map((value) => writtenAs(dialect, value)))));
  await executeText(db, `INSERT INTO ${tableName(dialect, table)} (${names}) SELECT ${selects.join(', ')} FROM json_each(?)`, params);
}

/**
 * Inserts several tables' rows, in the order given (a row's parent table first), all or none.
 * - PostgreSQL: in one statement, each table's INSERT but the last a data-modifying WITH query
 *   (PostgreSQL manual, "WITH Queries", 7.8.4). It needs no transaction to be all or none, and
 *   foreign keys between the sets hold: they are checked at the statement's end.
 * - SQLite: one INSERT per table; call it in a transaction (src/db/transaction.ts) to make them
 *   all or none.
 * Sets without rows are left out; nothing is written when none has any. A unique violation is
 * thrown as `insertRows` throws it.
 */
export async function insertRowSets(db: Db, dialect: Dialect, sets: RowSet[]): Promise<void> {
  const filled = sets.filter((set) => set.rows.length > 0);
  if (filled.length === 0) return;
  if (dialect.provider !== 'postgres') {
    for (const set of filled) await insertRows(db, dialect, set.table, set.columns, set.rows);
    return;
  }
  const params: unknown[] = [];
  const inserts = filled.map((set) => postgresInsert(dialect, set, params));
  const last = inserts.pop()!;
  const withs = inserts.map((insert, i) => `w${i} AS (${insert})`);
  await executeText(db, withs.length > 0 ? `WITH ${withs.join(', ')} ${last}` : last, params);
}

/**
 * One PostgreSQL INSERT of `set`: one array parameter per varying column, unpacked by `unnest`,
 * and one parameter per constant column, numbered after those already in `params` (added to it).
 */
function postgresInsert(dialect: Dialect, set: RowSet, params: unknown[]): string {
  const arrays: string[] = [];
  const selects: string[] = [];
  let varying = 0;
  for (const column of set.columns) {
    const type = column.type === 'timestamp' ? 'timestamp(3)' : 'text';
    if ('constant' in column) {
      params.push(writtenAs(dialect, column.constant ?? null));
      selects.push(`$${params.length}::${type}`);
    } else {
      const index = varying++;
      params.push(set.rows.map((row) => writtenAs(dialect, row[index] ?? null)));
      arrays.push(`$${params.length}::${type}[]`);
      selects.push(`t.c${index}`);
    }
  }
  const names = set.columns.map((c) => quote(c.name)).join(', ');
  const aliases = arrays.map((_, i) => `c${i}`).join(', ');
  return `INSERT INTO ${tableName(dialect, set.table)} (${names}) SELECT ${selects.join(', ')} FROM unnest(${arrays.join(', ')}) AS t(${aliases})`;
}

/**
 * The rows of `table` whose `keyColumns` equal one of `keys` (each key holds one text value per
 * key column), with the text columns `columns`. Order is not defined; an empty `keys` reads nothing.
 */
export async function selectByKeys<Column extends string>(
  db: Db,
  dialect: Dialect,
  table: string,
  columns: readonly Column[],
  keyColumns: string[],
  keys: string[][],
): Promise<Record<Column, string>[]> {
  if (keys.length === 0) return [];
  const select = columns.map(quote).join(', ');
  const target = tableName(dialect, table);
  const tuple = `(${keyColumns.map(quote).join(', ')})`;
  if (dialect.provider === 'postgres') {
    const arrays = keyColumns.map((_, i) => `$${i + 1}::text[]`).join(', ');
    return queryText(
      db,
      `SELECT ${select} FROM ${target} WHERE ${tuple} IN (SELECT * FROM unnest(${arrays}))`,
      keyColumns.map((_, i) => keys.map((key) => key[i])),
    );
  }
  const values = keyColumns.map((_, i) => `value->>${i}`).join(', ');
  return queryText(db, `SELECT ${select} FROM ${target} WHERE ${tuple} IN (SELECT ${values} FROM json_each(?))`, [JSON.stringify(keys)]);
}
