/**
 * Named prepared statements on PostgreSQL. Prisma's pg driver adapter sends every query unnamed,
 * so the server parses and plans its SQL anew each time. Given a name, `pg.Client#query` prepares
 * the statement once per connection and then only binds and executes it (node-postgres,
 * "Prepared statements"; PostgreSQL, "Extended Query" in the frontend/backend protocol). The
 * adapter asks `statementNames` for each query's name (its `statementNameGenerator` option), and
 * so do the raw statements sent on pg directly (src/db/pg-direct.ts).
 *
 * Only the raw statements of src/db/raw.ts are named: the few texts every message runs, each
 * looking rows up by key, where a generic plan is as good as a custom one. Others go unnamed, as
 * before: the client's model queries, and the bulk statements, whose parsing is a small share of
 * their work and whose custom plans see the arrays' lengths. (Named, the broadcast fan-out's audience
 * pages and bulk writes were slower: 100,000 people took 11.2-12.6 s where they took 11.0-11.1 s
 * unnamed, four runs and three.)
 *
 * Measured on the e2e bench (PostgreSQL on the same 2 cores, two runs each): the server's CPU per
 * message at 150 messages/s fell from 3.9-4.0 ms to 2.5-2.8 ms with every statement named, and to
 * 2.9-3.1 ms with only these named (four runs).
 *
 * - A name stands for one SQL text for the life of the adapter, so a connection never meets one
 *   name with two texts (pg refuses that).
 * - The texts named are capped (`limit`): a prepared statement lives until its connection closes
 *   and pg never deallocates one, so the server's memory must not grow with them without bound.
 *   Past the cap, a new text goes unnamed.
 * - A pooler that hands one server connection to several clients per transaction (PgBouncer in
 *   transaction mode before 1.21) cannot keep them: `pgbouncer=true` in the URL turns naming off,
 *   as it does for Prisma's own engines (see `postgresTarget`).
 * - A statement prepared before its table's columns change fails with "cached plan must not
 *   change result type": the migrations run before the pool opens, so this meets only a schema
 *   changed under a running gateway.
 */

/** The texts to prepare by name (src/db/raw.ts marks its PostgreSQL texts). */
const chosen = new Set<string>();

/** Marks the SQL text `text` as one to prepare by name. */
export function prepareByName(text: string): void {
  chosen.add(text);
}

/** Whether `text` was marked by `prepareByName`. */
export function isPreparedByName(text: string): boolean {
  return chosen.has(text);
}

/** Distinct SQL texts named per database at the most. */
export const NAMED_STATEMENTS_LIMIT = 500;

/**
 * The name of each query's statement: `g0`, `g1`, ... in order of first use for a text `named`
 * accepts, undefined (sent unnamed) for any other, and for new texts once `limit` are named.
 */
export function statementNames(named: (sql: string) => boolean = isPreparedByName, limit = NAMED_STATEMENTS_LIMIT): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  // (The adapter's type says string; pg sends a query without a name, undefined, unnamed.)
  return (query) => {
    let name = names.get(query.sql);
    if (name === undefined && names.size < limit && named(query.sql)) {
      name = `g${names.size}`;
      names.set(query.sql, name);
    }
    return name as string;
  };
}
