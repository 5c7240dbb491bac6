/**
 * Keeps statements outside a transaction out of the transaction that is open on SQLite's one
 * connection. The better-sqlite3 adapter runs one transaction at a time (a mutex around BEGIN ...
 * COMMIT) but runs a statement outside any transaction at once, on the same connection: while a
 * transaction is open, that statement becomes part of it. It saw the transaction's uncommitted
 * writes, and a write of its own was undone when the transaction rolled back. With the inbound
 * worker's group commit a rolled-back group undid the send worker's "sent" mark of a message the
 * provider had taken (test/core/group-commit-rollback-send.test.ts).
 *
 * Here every transaction and every write outside one take their turn in one first-come,
 * first-served queue (async-mutex): a write waits for the open transaction to end, and a
 * transaction for the write before it. A statement is synchronous in better-sqlite3, so its turn
 * is short. Code inside a transaction must use the transaction's client for its writes, not the
 * top-level one: a top-level write would wait for the transaction it runs in (until its timeout).
 *
 * Reads outside a transaction still run at once: holding them for every transaction would
 * serialise the inbound worker's reads with its group transactions, and groups would no longer
 * form. Such a read may see an open transaction's writes before they commit; what reads there
 * acts on a status that a later, committed check repeats (the inbound order check and the
 * per-contact lock, the send worker's claim, which only changes a row still `queued`).
 *
 * This relies on the adapter's shape (`startTransaction`, `queryRaw`, `executeRaw`; the same in
 * its 6.19 and 7.10 releases); test/core/sqlite-isolation.test.ts fails if it stops holding.
 */
import { Mutex } from 'async-mutex';

interface Transaction {
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

interface SqliteAdapterConnection {
  startTransaction(...args: unknown[]): Promise<Transaction>;
  queryRaw(...args: unknown[]): Promise<unknown>;
  executeRaw(...args: unknown[]): Promise<unknown>;
}

/** Whether SQL only reads (SELECT, or WITH ... SELECT): it runs at once, without waiting its turn. */
export function onlyReads(sql: string): boolean {
  return /^\s*(SELECT|WITH)\b/i.test(sql) && !/\b(INSERT|UPDATE|DELETE)\b/i.test(sql);
}

/** Whether an adapter query only reads (`onlyReads` of its SQL). */
function isRead(query: unknown): boolean {
  const sql = (query as { sql?: unknown } | null)?.sql;
  return typeof sql === 'string' && onlyReads(sql);
}

/** The connection's queue of turns: `exclusive` runs `fn` in the next turn (a write outside a transaction). */
export interface Turns {
  exclusive<T>(fn: () => T | Promise<T>): Promise<T>;
}

/**
 * Wraps `adapter` (a connected better-sqlite3 adapter) in place and returns its turns (for writes
 * that skip the adapter, src/db/sqlite-direct.ts); null when its shape is not the expected one.
 */
export function isolateTransactions(adapter: unknown): Turns | null {
  const connection = adapter as Partial<SqliteAdapterConnection> | null;
  if (!connection || typeof connection.startTransaction !== 'function' || typeof connection.queryRaw !== 'function' || typeof connection.executeRaw !== 'function') {
    return null;
  }
  const turns = new Mutex();
  const start = connection.startTransaction.bind(connection);
  const query = connection.queryRaw.bind(connection);
  const execute = connection.executeRaw.bind(connection);
  connection.startTransaction = async (...args: unknown[]) => {
    const release = await turns.acquire();
    let transaction: Transaction;
    try {
      transaction = await start(...args);
    } catch (error) {
      release();
      throw error;
    }
    const commit = transaction.commit.bind(transaction);
    const rollback = transaction.rollback.bind(transaction);
    let ended = false;
    const end = () => {
      if (!ended) (ended = true), release();
    };
    transaction.commit = () => commit().finally(end);
    transaction.rollback = () => rollback().finally(end);
    return transaction;
  };
  connection.queryRaw = (...args: unknown[]) => (isRead(args[0]) ? query(...args) : turns.runExclusive(() => query(...args)));
  connection.executeRaw = (...args: unknown[]) => turns.runExclusive(() => execute(...args));
  return { exclusive: (fn) => turns.runExclusive(fn) };
}
