/**
 * Where the raw statements of src/db/raw.ts run when they skip the Prisma client's runtime: on the
 * driver under the client's adapter (src/db/pg-direct.ts, src/db/sqlite-direct.ts). Through the
 * runtime a raw statement costs the gateway 100-180 µs of CPU; on the driver directly about half
 * or less. The inbound and send paths run about a dozen of them per message.
 *
 * A route belongs to one client object: the top-level client (installed when its adapter
 * connects), or a transaction client. A transaction opened by src/db/transaction.ts gets the route
 * its adapter opened for it: the adapter's `startTransaction` is watched, and the route it makes
 * while a `transaction()` call starts one is bound to that call's transaction client
 * (AsyncLocalStorage carries the call through Prisma's runtime to the adapter). A client without a
 * route (a transaction opened some other way) goes through Prisma, as before.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The outcome of one statement: rows as objects keyed by column name, and rows changed. */
export interface DirectResult<Row = unknown> {
  rows: Row[];
  rowCount: number;
}

/** Runs statements for one client object. */
export interface DirectRoute {
  /** Runs `text` (the database's own placeholders) with `values`; throws the driver's error. */
  query(text: string, values: unknown[]): Promise<DirectResult>;
  /** False once a transaction's COMMIT or ROLLBACK was sent: its statements are refused then. */
  open(): boolean;
}

const routes = new WeakMap<object, DirectRoute>();
const opening = new AsyncLocalStorage<{ route?: DirectRoute }>();

/** Routes the raw statements of `client` (the top-level client of an adapter) through `route`. */
export function routeClient(client: object, route: DirectRoute): void {
  routes.set(client, route);
}

/**
 * Called by a watched adapter as it opens a transaction: `route` serves the transaction client of
 * the `transaction()` call that is opening it, if any (else it is not used).
 */
export function offerTransactionRoute(route: DirectRoute): void {
  const slot = opening.getStore();
  if (slot && !slot.route) slot.route = route;
}

/**
 * Runs `open` (which starts a Prisma interactive transaction on `db` and calls `bind` with its
 * transaction client first thing) so that the raw statements of that client take the route its
 * adapter opened for it.
 */
export function openingTransaction<T>(db: object, open: (bind: (tx: object) => void) => Promise<T>): Promise<T> {
  if (!routes.has(db)) return open(() => undefined);
  const slot: { route?: DirectRoute } = {};
  return opening.run(slot, () =>
    open((tx) => {
      if (slot.route) routes.set(tx, slot.route);
    }),
  );
}

/** Whether raw statements of `db` skip the client's runtime. */
export function runsDirectly(db: object): boolean {
  return routes.has(db);
}

/** Runs `text` with `values` on `db`'s route; refused once its transaction has ended. */
export function directQuery<Row>(db: object, text: string, values: unknown[]): Promise<DirectResult<Row>> {
  const route = routes.get(db)!;
  if (!route.open()) return Promise.reject(Object.assign(new Error('Transaction already closed: a raw statement came after its transaction ended'), { kind: 'TransactionAlreadyClosed' }));
  return route.query(text, values) as Promise<DirectResult<Row>>;
}

/**
 * Marks `transaction` ended from its COMMIT or ROLLBACK on (sent by `commit()`/`rollback()`, or as
 * a statement through `executeRaw`), before it is sent: a statement racing it is refused rather
 * than run outside the transaction. Returns the flag's reader.
 */
export function watchEnd(transaction: { executeRaw?: (query: { sql: string }) => Promise<number>; commit(): Promise<void>; rollback(): Promise<void> }): () => boolean {
  let ended = false;
  const commit = transaction.commit.bind(transaction);
  const rollback = transaction.rollback.bind(transaction);
  if (transaction.executeRaw) {
    const executeRaw = transaction.executeRaw.bind(transaction);
    transaction.executeRaw = (query) => {
      if (/^\s*(COMMIT|ROLLBACK)\b/i.test(query.sql)) ended = true;
      return executeRaw(query);
    };
  }
  transaction.commit = () => {
    ended = true;
    return commit();
  };
  transaction.rollback = () => {
    ended = true;
    return rollback();
  };
  return () => !ended;
}
