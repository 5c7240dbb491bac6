/**
 * Whether an error means the database cannot be used right now (server down or restarting,
 * connection refused or cut, pool exhausted, SQLite file locked by another process), as opposed
 * to a mistake in the request or in our code. Such requests are answered 503 with Retry-After
 * (src/http/server.ts), so a provider repeats its webhook later instead of dropping it, and jobs
 * are retried with their backoff.
 *
 * Recognised anywhere in the error's chain (`cause`, Prisma's `meta.driverAdapterError`):
 * - Node socket codes: ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, EHOSTUNREACH, ENETUNREACH, EAI_AGAIN;
 * - PostgreSQL SQLSTATE classes 08 (connection exception) and 57P01-57P03 (admin shutdown, crash
 *   shutdown, cannot connect now), 53300 (too many connections);
 * - Prisma codes P1001 (cannot reach), P1002 (timed out), P1017 (server closed the connection),
 *   P2024 (timed out fetching a connection from the pool), P2028 (transaction could not start);
 * - SQLite SQLITE_BUSY / SQLITE_LOCKED ("database is locked");
 * - the pg client's "Connection terminated" messages.
 */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1017', 'P2024', 'P2028']);
const SQLSTATES = /^(08\d{3}|57P0[123]|53300)$/;
const MESSAGES = /Connection terminated|database is locked|database table is locked|SQLITE_BUSY|Can't reach database server|Server has closed the connection|the database system is (shutting down|starting up)|terminating connection due to administrator command|connect ECONNREFUSED/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const record = current as { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; meta?: unknown; originalCode?: unknown; errors?: unknown };
    for (const code of [record.code, record.originalCode]) {
      if (typeof code !== 'string') continue;
      if (SOCKET_CODES.has(code) || PRISMA_CODES.has(code) || SQLSTATES.test(code) || code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return true;
    }
    if (record.kind === 'DatabaseNotReachable' || record.kind === 'SocketTimeout' || record.kind === 'ConnectionClosed' || record.kind === 'SqliteBusy' || record.kind === 'TransactionAlreadyClosed') return true;
    if (typeof record.message === 'string' && MESSAGES.test(record.message)) return true;
    queue.push(record.cause, record.meta, (record.meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError);
    if (Array.isArray(record.errors)) queue.push(...record.errors);
  }
  return false;
}
