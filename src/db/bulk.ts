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

/**
 * Inserts `rows` into `table` in one statement. Each row holds the values of the columns that are
 * not `constant`, in the order of `columns`. Nothing is written for an empty `rows`.
 */
export async function insertRows(db: Db, dialect: Dialect, table: string, columns: BulkColumn[], rows: BulkValue[][]): Promise<void> {
  if (rows.length === 0) return;
  const names = columns.map((c) => quote(c.name)).join(', ');
  const target = tableName(dialect, table);
  const params: unknown[] = [];
  if (dialect.provider === 'postgres') {
    const arrays: string[] = [];
    const selects: string[] = [];
    let varying = 0;
    for (const column of columns) {
      const type = column.type === 'timestamp' ? 'timestamp(3)' : 'text';
      if ('constant' in column) {
        params.push(writtenAs(dialect, column.constant ?? null));
        selects.push(`$${params.length}::${type}`);
      } else {
        const index = varying++;
        params.push(rows.map((row) => writtenAs(dialect, row[index] ?? null)));
        arrays.push(`$${params.length}::${type}[]`);
        selects.push(`t.c${index}`);
      }
    }
    const aliases = arrays.map((_, i) => `c${i}`).join(', ');
    await executeText(db, `INSERT INTO ${target} (${names}) SELECT ${selects.join(', ')} FROM unnest(${arrays.join(', ')}) AS t(${aliases})`, params);
    return;
  }
  const selects: string[] = [];
  let varying = 0;
  for (const column of columns) {
    if ('constant' in column) {
      params.push(writtenAs(dialect, column.constant ?? null));
      selects.push('?');
    } else selects.push(`value->>${varying++}`);
  }
  params.push(JSON.stringify(rows.map((row) => row.map((value) => writtenAs(dialect, value)))));
  await executeText(db, `INSERT INTO ${target} (${names}) SELECT ${selects.join(', ')} FROM json_each(?)`, params);
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
