/**
 * Prepared statements kept for reuse on the SQLite connection. Prisma's better-sqlite3 driver
 * adapter prepares the SQL of every query anew (`client.prepare(sql).bind(args)`, then `run()`, or
 * `columns()` and `raw().all()` for a query that returns rows); preparing was about 9% of the
 * gateway's CPU in a profile of the e2e bench. The gateway's queries come from a few hundred SQL
 * texts, so a statement prepared once can serve them all.
 *
 * better-sqlite3 binds a statement's parameters for good (`bind` may be called once per
 * statement), so the connection's `prepare` is replaced by one that hands out a light view of the
 * cached statement: `bind(args)` returns another view holding the arguments, and each call passes
 * them to the statement (`run(...args)`, `all(...args)`). A statement's result columns are read once
 * (another 3% of the CPU). The least recently used statements are dropped past `size`.
 *
 * This relies on how the adapter uses its connection (a field `client`, the calls above), the same
 * in the adapter's 6.19 and 7.10 releases; `keepStatements` leaves a connection it does not
 * recognise alone, and test/core/statement-cache.test.ts fails if the gateway's client is not
 * served from the cache.
 */
import type { ColumnDefinition, Database, Statement } from 'better-sqlite3';

/** Statements kept at the most per connection. */
export const STATEMENT_CACHE_SIZE = 500;

/** A statement's result columns, read once: they do not change for a prepared statement. */
const columnsOf = new WeakMap<Statement, ColumnDefinition[]>();

/** What the adapter calls on a prepared statement. */
class StatementView {
  constructor(
    private readonly statement: Statement,
    private readonly args: unknown[] = [],
  ) {}
  get reader(): boolean {
    return this.statement.reader;
  }
  bind(args: unknown[]): StatementView {
    return new StatementView(this.statement, args);
  }
  run() {
    return this.statement.run(...this.args);
  }
  all() {
    return this.statement.all(...this.args);
  }
  columns(): ColumnDefinition[] {
    return columnsOfStatement(this.statement);
  }
  /** Rows as arrays from now on (the adapter reads every result this way). */
  raw(): StatementView {
    this.statement.raw(true);
    return this;
  }
}

export interface StatementCache {
  /** Statements prepared by the driver since the cache was installed (misses). */
  readonly prepared: number;
  /** Statements handed out from the cache (hits). */
  readonly reused: number;
  /**
   * The statement of `sql` itself, from the cache (prepared and kept on a miss), for statements run
   * on the connection without the adapter (src/db/sqlite-direct.ts). Its rows come as arrays
   * (`raw(true)`): the adapter reads every statement so, and the two share it.
   */
  statement(sql: string): Statement;
}

/** The result columns of a prepared statement, read once. */
export function columnsOfStatement(statement: Statement): ColumnDefinition[] {
  let columns = columnsOf.get(statement);
  if (!columns) columnsOf.set(statement, (columns = statement.columns()));
  return columns;
}

/**
 * Replaces `database.prepare` with the cached one and returns its counts; null when `adapter`
 * does not hold a better-sqlite3 connection as expected (the adapter then prepares as before).
 */
export function keepStatements(adapter: unknown, size = STATEMENT_CACHE_SIZE): StatementCache | null {
  const database = (adapter as { client?: Database } | null)?.client;
  if (!database || typeof database.prepare !== 'function' || typeof database.exec !== 'function') return null;
  const prepare = database.prepare.bind(database);
  const cache = new Map<string, Statement>();
  const counts = {
    prepared: 0,
    reused: 0,
    statement(sql: string): Statement {
      let statement = cache.get(sql);
      if (statement) {
        cache.delete(sql); // re-inserted below: the Map's order is the recency order
        counts.reused += 1;
      } else {
        statement = prepare(sql);
        if (statement.reader) statement.raw(true);
        counts.prepared += 1;
        if (cache.size >= size) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
  database.prepare = ((sql: string) => new StatementView(counts.statement(sql)) as unknown as Statement) as Database['prepare'];
  return counts;
}
