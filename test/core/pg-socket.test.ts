/**
 * A gateway on the database's host may reach PostgreSQL through its Unix socket
 * (`postgres://user@localhost/db?host=/var/run/postgresql`, the form libpq and pg read): it
 * migrates and runs there, its model queries and its raw statements on pg directly alike, none
 * of them over TCP. scripts/with-postgres.sh gives the socket's URL as TEST_DATABASE_SOCKET_URL.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { withSchema } from '../../src/db/client.js';
import { rawQuery } from '../../src/db/raw.js';
import { startTestGateway } from '../support/gateway.js';

const socketUrl = process.env.TEST_DATABASE_SOCKET_URL;

describe.runIf(Boolean(socketUrl))('PostgreSQL through its Unix socket', () => {
  it('migrates, and runs model queries and raw statements over the socket', async () => {
    const gateway = await startTestGateway({ DATABASE_URL: withSchema(socketUrl!, `t_sock_${randomBytes(4).toString('hex')}`) });
    try {
      // inet_server_addr() is NULL on a Unix-socket connection, the server's address over TCP.
      const [model] = await gateway.db.$queryRawUnsafe<{ local: boolean }[]>('SELECT inet_server_addr() IS NULL AS "local"');
      expect(model!.local).toBe(true);
      const [direct] = await rawQuery<{ local: boolean; areas: bigint }>(gateway.db, gateway.dialect, 'SELECT inet_server_addr() IS NULL AS "local", (SELECT COUNT(*) FROM {Area}) AS "areas"');
      expect(direct!.local).toBe(true);
      expect(direct!.areas).toBeGreaterThan(0n);
    } finally {
      await gateway.close();
    }
  }, 60_000);
});
