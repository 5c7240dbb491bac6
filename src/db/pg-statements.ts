/**
 * Named prepared statements on PostgreSQL. Prisma's pg driver adapter sends every query unnamed,
 * so the server parses and plans its SQL anew each time. Given a name, `pg.Client#query` prepares
 * the statement once per connection and then only binds and executes it (node-postgres,
 * "Prepared statements"; PostgreSQL, "Extended Query" in the frontend/backend protocol). The
 * adapter asks `statementNames` for each query's name (its `statementNameGenerator` option).
 *
 * Measured on the e2e bench (PostgreSQL on the same 2 cores, two runs each): the server's CPU per
 * message at 150 messages/s fell from 3.9-4.0 ms to 2.6-2.7 ms.
 *
 * - A name stands for one SQL text for the life of the adapter, so a connection never meets one
 *   name with two texts (pg refuses that).
 * - The texts named are capped (`limit`): a prepared statement lives until its connection closes
 *   and pg never deallocates one, so queries whose text varies without bound (an IN list of any
 *   length) must not fill the server's memory. Past the cap, a new text goes unnamed, as before.
 * - A pooler that hands one server connection to several clients per transaction (PgBouncer in
 *   transaction mode before 1.21) cannot keep them: `pgbouncer=true` in the URL turns naming off,
 *   as it does for Prisma's own engines (see `postgresTarget`).
 * - A statement prepared before its table's columns change fails with "cached plan must not
 *   change result type": the migrations run before the pool opens, so this meets only a schema
 *   changed under a running gateway.
 */

/** Distinct SQL texts named per database at the most. */
export const NAMED_STATEMENTS_LIMIT = 500;

/**
 * The name of each query's statement: `g0`, `g1`, ... in order of first use, or undefined (sent
 * unnamed) once `limit` texts are named.
 */
export function statementNames(limit = NAMED_STATEMENTS_LIMIT): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  // (The adapter's type says string; pg sends a query without a name, undefined, unnamed.)
  return (query) => {
    let name = names.get(query.sql);
    if (name === undefined && names.size < limit) {
      name = `g${names.size}`;
      names.set(query.sql, name);
    }
    return name as string;
  };
}
