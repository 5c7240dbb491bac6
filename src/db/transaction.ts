/**
 * One way to run a database transaction: the same waiting and running limits everywhere, and the
 * transaction client typed as `Db` (both generated clients share the one model API).
 */
import type { Db } from './client.js';
import { openingTransaction } from './direct-routes.js';

export interface TransactionLimits {
  /** How long to wait for a connection or SQLite's write lock, in ms (default 20 s). */
  maxWaitMs?: number;
  /** How long the transaction may run before it is rolled back, in ms (default 30 s). */
  timeoutMs?: number;
}

/** Runs `fn` in a transaction; its raw statements run on the transaction's connection directly (src/db/direct-routes.ts). */
export async function transaction<T>(db: Db, fn: (tx: Db) => Promise<T>, limits: TransactionLimits = {}): Promise<T> {
  return openingTransaction(db, (bind) =>
    db.$transaction(
      async (tx) => {
        bind(tx);
        return fn(tx as Db);
      },
      { maxWait: limits.maxWaitMs ?? 20_000, timeout: limits.timeoutMs ?? 30_000 },
    ),
  );
}
