/**
 * The shapes of the errors Prisma raises through our driver adapters, read by our two error
 * checks: a unique violation (`isUniqueViolation`, which turns a lost creation race into "use the
 * winner's row") and a database that cannot be used now (`isDatabaseUnavailable`, answered 503
 * with Retry-After). The errors come from a real client on a real database, so an upgrade of
 * Prisma or of a driver that changes their shape fails here rather than in production.
 */
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { migrateSqlite, readMigrations } from '../../src/db/migrate.js';
import { isDatabaseUnavailable } from '../../src/db/unavailable.js';
import { PrismaClient as SqliteClient } from '../../src/db/generated/sqlite/client.js';
import { PrismaClient as PostgresClient } from '../../src/db/generated/postgres/client.js';
import { isUniqueViolation } from '../../src/conversation/contacts.js';
import { testEnv } from '../support/gateway.js';

const SQLITE_MIGRATIONS = join(import.meta.dirname, '..', '..', 'prisma', 'migrations', 'sqlite');

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the query to fail');
}

/** A local port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('database errors as our checks read them', () => {
  it('a duplicate key is a unique violation; a missing parent row is neither that nor an outage', async () => {
    const env = testEnv();
    const database = await openDatabase(env.vars.DATABASE_URL!);
    try {
      const { db } = database;
      await db.area.create({ data: { id: 'area-1', name: 'Riverside', level: 'locality' } });
      const duplicate = await failure(db.area.create({ data: { id: 'area-1', name: 'Riverside again', level: 'locality' } }));
      expect(isUniqueViolation(duplicate)).toBe(true);
      expect(isDatabaseUnavailable(duplicate)).toBe(false);
      // The row is still the first one: the failed insert changed nothing.
      expect((await db.area.findUniqueOrThrow({ where: { id: 'area-1' } })).name).toBe('Riverside');

      const orphan = await failure(db.area.create({ data: { id: 'area-2', name: 'Hillside', level: 'locality', parentId: 'no-such-area' } }));
      expect(isUniqueViolation(orphan)).toBe(false);
      expect(isDatabaseUnavailable(orphan)).toBe(false);
    } finally {
      await database.close();
      await env.cleanup();
    }
  });

  it('a duplicate key inside a transaction is a unique violation too', async () => {
    const env = testEnv();
    const database = await openDatabase(env.vars.DATABASE_URL!);
    try {
      const { db } = database;
      await db.area.create({ data: { id: 'area-1', name: 'Riverside', level: 'locality' } });
      const duplicate = await failure(
        db.$transaction(async (tx) => {
          await tx.area.create({ data: { id: 'area-3', name: 'Lakeside', level: 'locality' } });
          await tx.area.create({ data: { id: 'area-1', name: 'Riverside again', level: 'locality' } });
        }),
      );
      expect(isUniqueViolation(duplicate)).toBe(true);
      // Rolled back whole.
      expect(await db.area.count()).toBe(1);
    } finally {
      await database.close();
      await env.cleanup();
    }
  });

  it('SQLite held locked by another connection past the busy timeout is unavailable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-db-errors-'));
    const file = join(dir, 'locked.db');
    migrateSqlite(file, readMigrations(SQLITE_MIGRATIONS));
    const holder = new Database(file);
    // A short busy timeout (ms) instead of the gateway's 10 s: the error is the same.
    const db = new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: `file:${file}`, timeout: 50 }) });
    try {
      holder.exec('BEGIN EXCLUSIVE');
      const locked = await failure(db.area.create({ data: { id: 'area-1', name: 'Riverside', level: 'locality' } }));
      expect(isDatabaseUnavailable(locked)).toBe(true);
      expect(isUniqueViolation(locked)).toBe(false);
      holder.exec('ROLLBACK');
      // Back by itself once the lock is gone.
      await db.area.create({ data: { id: 'area-1', name: 'Riverside', level: 'locality' } });
      expect(await db.area.count()).toBe(1);
    } finally {
      await db.$disconnect();
      holder.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a PostgreSQL server that refuses the connection is unavailable', async () => {
    const port = await closedPort();
    const db = new PostgresClient({ adapter: new PrismaPg({ connectionString: `postgresql://gateway@127.0.0.1:${port}/gateway`, connectionTimeoutMillis: 2000 }) });
    try {
      const refused = await failure(db.area.count());
      expect(isDatabaseUnavailable(refused)).toBe(true);
      expect(isUniqueViolation(refused)).toBe(false);
    } finally {
      await db.$disconnect();
    }
  });
});
