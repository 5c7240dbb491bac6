/**
 * The raw statements of src/db/raw.ts on SQLite run on the better-sqlite3 connection under Prisma's
 * driver adapter, without the Prisma client's runtime (the routing is src/db/direct-routes.ts).
 * The e2e bench runs 13 raw statements per message and nothing else on the hot path; through the
 * runtime they were about a fifth of the gateway's CPU (profile of the e2e bench at 25-300
 * messages/s: the client's runtime 16%, its adapter 1%).
 *
 * - The statement is the one the adapter would run, from the connection's statement cache
 *   (src/db/statement-cache.ts), run synchronously as better-sqlite3 runs every statement.
 * - Outside a transaction a read runs at once and a write waits for its turn, as the adapter's do
 *   (src/db/sqlite-isolation.ts): a write never becomes part of another's open transaction.
 * - In a transaction opened by src/db/transaction.ts a statement runs at once: the transaction
 *   holds the connection's turn. Once Prisma commits or rolls it back, a statement of its client is
 *   refused ("transaction already closed"), as Prisma refuses it, instead of running outside it.
 * - Values come back as Prisma's raw queries give them, by the column's declared type (SQLite's
 *   decltype, as the adapter maps it): DATETIME as Dates (SQLite's own zoneless clock text read as
 *   UTC), BOOLEAN as booleans, integers and reals as numbers (BIGINT as BigInt), text as strings; a
 *   computed column (no declared type) as the connection gives it: text, a real as a number, an
 *   integer as a BigInt (the adapter's connection reads integers safely), or null. A column of
 *   another declared type (BLOB, DECIMAL, DATE...) is refused with an error naming it, so a raw
 *   statement never returns a value shaped differently from Prisma's.
 * - Errors are better-sqlite3's own (`code` SQLITE_CONSTRAINT_UNIQUE, SQLITE_BUSY...);
 *   src/db/unavailable.ts and `isUniqueViolation` (src/conversation/contacts.ts) recognise them.
 *
 * This relies on the adapter's shape (`startTransaction`, and the transaction's `commit` and
 * `rollback`; @prisma/adapter-better-sqlite3 7.10); test/core/sqlite-direct.test.ts fails if it
 * stops holding.
 */
import type { ColumnDefinition, Statement } from 'better-sqlite3';
import { offerTransactionRoute, routeClient, watchEnd, type DirectResult } from './direct-routes.js';
import { onlyReads, type Turns } from './sqlite-isolation.js';
import { columnsOfStatement, type StatementCache } from './statement-cache.js';

interface AdapterTransaction {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

interface Adapter {
  startTransaction(...args: unknown[]): Promise<AdapterTransaction>;
}

/** A column's value as Prisma's raw query gives it. */
type Reader = (value: unknown) => unknown;

const asIs: Reader = (value) => value;
/** SQLite's own clock text (CURRENT_TIMESTAMP, datetime()) has no zone: it is UTC. */
const ZONELESS = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/;
const asDate: Reader = (value) => {
  if (value === null) return null;
  if (typeof value !== 'string') return new Date(Number(value));
  return new Date(ZONELESS.test(value) ? `${value.replace(' ', 'T')}Z` : value);
};
const asBoolean: Reader = (value) => (value === null ? null : Boolean(value));
const asNumber: Reader = (value) => (typeof value === 'bigint' ? Number(value) : value);
/** An integer column: a number (text past the safe integers, as the adapter gives it). */
const asInteger: Reader = (value) => {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  return typeof value === 'number' && !Number.isInteger(value) ? Math.trunc(value) : value;
};
const asBigInt: Reader = (value) => (value === null || typeof value === 'bigint' ? value : BigInt(Math.trunc(Number(value))));

/** Declared types (upper case) and how their values are read; the adapter's mapping (its `mapDeclType`). */
const READERS = new Map<string, Reader>([
  ['', asIs],
  ...['TEXT', 'CLOB', 'CHARACTER', 'VARCHAR', 'VARYING CHARACTER', 'NCHAR', 'NATIVE CHARACTER', 'NVARCHAR'].map((t) => [t, asIs] as const),
  ...['DOUBLE', 'DOUBLE PRECISION', 'NUMERIC', 'REAL', 'FLOAT'].map((t) => [t, asNumber] as const),
  ...['TINYINT', 'SMALLINT', 'MEDIUMINT', 'INT', 'INTEGER', 'SERIAL', 'INT2'].map((t) => [t, asInteger] as const),
  ...['BIGINT', 'UNSIGNED BIG INT', 'INT8'].map((t) => [t, asBigInt] as const),
  ['DATETIME', asDate],
  ['TIMESTAMP', asDate],
  ['BOOLEAN', asBoolean],
]);

interface Shape {
  names: string[];
  readers: Reader[];
}
const shapes = new WeakMap<Statement, Shape>();

function shapeOf(statement: Statement): Shape {
  let shape = shapes.get(statement);
  if (!shape) {
    const columns = columnsOfStatement(statement);
    shape = { names: columns.map((c) => c.name), readers: columns.map(readerOf) };
    shapes.set(statement, shape);
  }
  return shape;
}

function readerOf(column: ColumnDefinition): Reader {
  const reader = READERS.get((column.type ?? '').toUpperCase());
  if (!reader) throw new Error(`raw statement column "${column.name}" has a declared type (${column.type}) that raw statements do not read on SQLite (src/db/sqlite-direct.ts)`);
  return reader;
}

/** Runs `statement` with `values` now. */
function run(statement: Statement, values: unknown[]): DirectResult {
  if (!statement.reader) return { rows: [], rowCount: statement.run(...values).changes };
  const { names, readers } = shapeOf(statement);
  const arrays = statement.all(...values) as unknown[][];
  const rows = arrays.map((array) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) row[names[i]!] = readers[i]!(array[i] ?? null);
    return row;
  });
  return { rows, rowCount: rows.length };
}

/**
 * Routes the raw statements of `db` (the top-level client) to the connection behind `statements`
 * (outside a transaction, writes through `turns`), and those of each transaction client opened
 * by src/db/transaction.ts to the same connection, while the transaction is open. Throws when the
 * adapter (the result of the better-sqlite3 adapter's `connect`, isolated) lacks the expected shape.
 */
export function watchSqliteTransactions(db: object, adapter: unknown, statements: StatementCache, turns: Turns): void {
  const shaped = adapter as Partial<Adapter>;
  if (typeof shaped.startTransaction !== 'function') throw new Error('the SQLite driver adapter does not have the expected shape (src/db/sqlite-direct.ts)');
  const start = shaped.startTransaction.bind(adapter);
  shaped.startTransaction = async (...args: unknown[]) => {
    const transaction = await start(...args);
    const open = watchEnd(transaction);
    offerTransactionRoute({ query: async (text, values) => run(statements.statement(text), values), open });
    return transaction;
  };
  routeClient(db, {
    query: async (text, values) => {
      const statement = statements.statement(text);
      return statement.reader && onlyReads(text) ? run(statement, values) : turns.exclusive(() => run(statement, values));
    },
    open: () => true,
  });
}
