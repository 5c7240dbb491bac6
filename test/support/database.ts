/**
 * A database of its own for a test file that needs no gateway: the suite's engine (a fresh SQLite
 * file, or a fresh PostgreSQL schema with TEST_DATABASE_URL), migrated and opened before the
 * file's tests, closed and dropped after them. Call at the top of the file; the returned function
 * gives the opened database inside tests.
 */
import { afterAll, beforeAll } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { testEnv, type TestEnv } from './gateway.js';

export function useTestDatabase(): () => Database {
  let env: TestEnv | undefined;
  let database: Database | undefined;
  beforeAll(async () => {
    env = testEnv();
    database = await openDatabase(env.vars.DATABASE_URL!);
  });
  afterAll(async () => {
    await database?.close();
    await env?.cleanup();
  });
  return () => {
    if (!database) throw new Error('the test database opens in beforeAll');
    return database;
  };
}
