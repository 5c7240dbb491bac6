/**
 * Raw statements for the few queries every message runs (the inbound worker, the outbox, the send
 * worker). The client's model API costs 100-200 µs a query in its own runtime (its plan is
 * interpreted, the SQL rendered and the result nested, every time); a raw statement costs 40-60
 * µs (SQLite, measured on this project's machines). They skip the client's runtime altogether
 * and run on the driver under its adapter (src/db/direct-routes.ts): better-sqlite3's connection
 * (src/db/sqlite-direct.ts) or pg's (src/db/pg-direct.ts). One SQL text serves both databases:
 *
 * - tables are written `{Message}`: quoted, and schema-qualified on PostgreSQL;
 * - parameters are written `?`: numbered `$1, $2, ...` on PostgreSQL. A `?` inside a quoted string
 *   is not allowed (pass the value as a parameter instead);
 * - a Date parameter is written as the client writes it (src/db/bulk.ts), so compared and read
 *   back as its own; a Date column comes back as a Date on both databases.
 *
 * A raw UPDATE does not set `updatedAt` for you, as the client does: set it. A failed statement
 * throws the driver's error (a unique violation is SQLITE_CONSTRAINT_UNIQUE on SQLite, SQLSTATE
 * 23505 on PostgreSQL), or the client's (P2010) for a client without a direct route;
 * `isUniqueViolation` recognises them all.
 */
import type { Db } from './client.js';
import { tableName, writtenAs, type Dialect } from './dialect.js';
import { directQuery, runsDirectly } from './direct-routes.js';
import { prepareByName } from './pg-statements.js';

/** A parameter: text, a number, a timestamp, or SQL NULL. */
export type RawValue = string | number | Date | null;

const texts = new Map<string, string>();

/** `sql` for `dialect`: tables qualified, placeholders numbered on PostgreSQL (cached). */
export function rawText(dialect: Dialect, sql: string): string {
  const key = `${dialect.provider}:${dialect.schema ?? ''}:${sql}`;
  let text = texts.get(key);
  if (text === undefined) {
    let index = 0;
    text = sql.replace(/\{(\w+)\}/g, (_, table: string) => tableName(dialect, table));
    if (dialect.provider === 'postgres') {
      text = text.replace(/\?/g, () => `$${++index}`);
      prepareByName(text);
    }
    texts.set(key, text);
  }
  return text;
}


/**
 * Runs a SELECT; rows come back as objects keyed by column name (or alias), on the driver without
 * Prisma's runtime where the client has a direct route (src/db/direct-routes.ts).
 */
export function rawQuery<Row>(db: Db, dialect: Dialect, sql: string, ...params: RawValue[]): Promise<Row[]> {
  return queryText<Row>(db, rawText(dialect, sql), params.map((p) => writtenAs(dialect, p)));
}

/** Runs an INSERT, UPDATE or DELETE; resolves with the number of rows it changed. */
export function rawExecute(db: Db, dialect: Dialect, sql: string, ...params: RawValue[]): Promise<number> {
  return executeText(db, rawText(dialect, sql), params.map((p) => writtenAs(dialect, p)));
}

/**
 * Runs a SELECT already written for the database (tables qualified, placeholders numbered on
 * PostgreSQL) with `values` written as the client writes them: on the driver directly where it
 * can (src/db/direct-routes.ts), else through the client. src/db/bulk.ts writes its texts so.
 */
export async function queryText<Row>(db: Db, text: string, values: unknown[]): Promise<Row[]> {
  if (runsDirectly(db)) return (await directQuery<Row>(db, text, values)).rows;
  return db.$queryRawUnsafe<Row[]>(text, ...values);
}

/** As `queryText`, for an INSERT, UPDATE or DELETE: the number of rows it changed. */
export async function executeText(db: Db, text: string, values: unknown[]): Promise<number> {
  if (runsDirectly(db)) return (await directQuery(db, text, values)).rowCount;
  return db.$executeRawUnsafe(text, ...values);
}
