import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase, postgresTarget } from '../../src/db/client.js';
import { testEnv } from '../support/gateway.js';

describe('migrations', () => {
  it('apply at open, once, and two processes opening together do not race', async () => {
    const env = testEnv();
    const url = env.vars.DATABASE_URL!;
    const [a, b] = await Promise.all([openDatabase(url), openDatabase(url)]);
    const again = await openDatabase(url);
    try {
      expect(await a.db.area.count()).toBe(0);
      const rows = url.startsWith('file:')
        ? (new Database(url.slice(5)).prepare('SELECT version FROM _gateway_migrations').all() as { version: string }[])
        : await (async () => {
            const { connectionString, schema } = postgresTarget(url);
            const client = new pg.Client({ connectionString });
            await client.connect();
            const result = await client.query(`SELECT version FROM "${schema}"._gateway_migrations`);
            await client.end();
            return result.rows as { version: string }[];
          })();
      // Every migration of the provider, each once, in order.
      const provider = url.startsWith('file:') ? 'sqlite' : 'postgres';
      const files = readdirSync(join(import.meta.dirname, '..', '..', 'prisma', 'migrations', provider)).filter((f) => f.endsWith('.sql')).sort();
      expect(files[0]).toBe('0001_init.sql');
      expect(rows.map((r) => r.version)).toEqual(files.map((f) => f.replace(/\.sql$/, '')));
    } finally {
      await Promise.all([a.close(), b.close(), again.close()]);
      await env.cleanup();
    }
  });

  it('creates the SQLite file and its folder when missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-db-'));
    const database = await openDatabase(`file:${join(dir, 'nested', 'gateway.db')}`);
    expect(database.provider).toBe('sqlite');
    expect(await database.db.contact.count()).toBe(0);
    await database.close();
  });
});
