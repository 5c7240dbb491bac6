/**
 * The raw statements of src/db/raw.ts on PostgreSQL run on the pg connection under Prisma's driver
 * adapter, without the Prisma client's runtime. Through the runtime a raw statement costs the
 * gateway about 180 µs of CPU; sent on the same pg connection, about 85 µs (5,000 calls of a
 * one-row SELECT by key, this project's 2-core machines). The inbound and send paths run about a
 * dozen of them per message.
 *
 * - Outside a transaction a statement goes to the adapter's pool, as Prisma's would.
 * - In a transaction opened by src/db/transaction.ts it goes to that transaction's connection
 *   (src/db/direct-routes.ts binds the two).
 * - Once Prisma sends COMMIT or ROLLBACK (also on its timeout) the binding is closed: a statement
 *   then fails as Prisma's would ("transaction already closed"), and never runs on a connection
 *   given back to the pool.
 * - Values come back as Prisma's raw queries give them: text as strings, integers and floats as
 *   numbers (int8 as BigInt), booleans, and timestamps as Dates (a `timestamp` column is UTC, as
 *   Prisma writes it). A column of another type is refused with an error naming it, so a raw
 *   statement never returns a value shaped differently from Prisma's.
 * - Errors are pg's own (SQLSTATE in `code`); src/db/unavailable.ts and `isUniqueViolation`
 *   (src/conversation/contacts.ts) recognise them.
 *
 * This relies on the adapter's shape (`client`, `startTransaction`, `executeRaw`, `commit`,
 * `rollback`; @prisma/adapter-pg 7.10); test/core/pg-direct.test.ts fails if it stops holding.
 */
import type { FieldDef, QueryResult } from 'pg';
import { offerTransactionRoute, routeClient, watchEnd, type DirectResult } from './direct-routes.js';

/** What a statement runs on: the pool, or one checked-out connection (pg's `query`). */
interface PgQueryTarget {
  query(config: { text: string; values: unknown[]; name?: string; types: { getTypeParser: (oid: number, format?: string) => unknown } }): Promise<QueryResult>;
}

/** The adapter's transaction, as @prisma/adapter-pg's PgTransaction has it. */
interface AdapterTransaction {
  client: PgQueryTarget;
  executeRaw(query: { sql: string }): Promise<number>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

/** The adapter, as @prisma/adapter-pg's PrismaPgAdapter has it. */
interface Adapter {
  client: PgQueryTarget;
  startTransaction(...args: unknown[]): Promise<AdapterTransaction>;
}

/**
 * The pg types a raw statement may return (OIDs, pg_type), read as Prisma's raw queries give them:
 * bool, int2, int4 and the floats as JS booleans and numbers, int8 as BigInt, timestamps as
 * Dates, the text types (text, varchar, bpchar, name) as strings.
 */
const BOOL = 16;
const INT8 = 20;
const INTEGERS = new Set([21, 23]);
const FLOATS = new Set([700, 701]);
const TEXTS = new Set([19, 25, 1042, 1043]);
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;
const parsers = {
  getTypeParser: (oid: number): ((value: string) => unknown) => {
    if (oid === TIMESTAMP) return (value) => new Date(`${value.replace(' ', 'T')}Z`);
    if (oid === TIMESTAMPTZ) return (value) => new Date(value.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00'));
    if (oid === INT8) return (value) => BigInt(value);
    if (oid === BOOL) return (value) => value === 't';
    if (INTEGERS.has(oid)) return (value) => Number.parseInt(value, 10);
    if (FLOATS.has(oid)) return (value) => Number.parseFloat(value);
    return (value) => value;
  },
};
const readable = (oid: number) => TEXTS.has(oid) || INTEGERS.has(oid) || FLOATS.has(oid) || oid === BOOL || oid === INT8 || oid === TIMESTAMP || oid === TIMESTAMPTZ;

/**
 * Watches `adapter` (the result of PrismaPg's `connect`) for the transactions it opens, and routes
 * the raw statements of `db` (the top-level client) to its pool. `name` names statements as the
 * adapter does (src/db/pg-statements.ts). Throws when the adapter lacks the expected shape.
 */
export function watchTransactions(db: object, adapter: unknown, name: (query: { sql: string }) => string | undefined): void {
  const shaped = adapter as Partial<Adapter>;
  if (typeof shaped.startTransaction !== 'function' || typeof shaped.client?.query !== 'function') {
    throw new Error('the PostgreSQL driver adapter does not have the expected shape (src/db/pg-direct.ts)');
  }
  const pool = shaped.client;
  const start = shaped.startTransaction.bind(adapter);
  shaped.startTransaction = async (...args: unknown[]) => {
    const transaction = await start(...args);
    const open = watchEnd(transaction);
    offerTransactionRoute({ query: (text, values) => run(transaction.client, name, text, values), open });
    return transaction;
  };
  routeClient(db, { query: (text, values) => run(pool, name, text, values), open: () => true });
}

async function run(target: PgQueryTarget, name: (query: { sql: string }) => string | undefined, text: string, values: unknown[]): Promise<DirectResult> {
  const result = await target.query({ text, values, name: name({ sql: text }), types: parsers });
  refuseUnreadable(result.fields ?? []);
  return { rows: result.rows, rowCount: result.rowCount ?? 0 };
}

function refuseUnreadable(fields: FieldDef[]): void {
  for (const field of fields) {
    if (!readable(field.dataTypeID)) {
      throw new Error(`raw statement column "${field.name}" has a type (oid ${field.dataTypeID}) that raw statements do not read on PostgreSQL (src/db/pg-direct.ts)`);
    }
  }
}
