/**
 * Applies the SQL migrations of prisma/migrations/<provider>/ in order, once each, recording the
 * applied versions in the table _gateway_migrations. Runs under a lock (SQLite: an immediate
 * write transaction; PostgreSQL: an advisory lock), so two processes starting together do not race.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

export interface MigrationFile {
  version: string;
  sql: string;
}

export function readMigrations(dir: string): MigrationFile[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: f.replace(/\.sql$/, ''), sql: readFileSync(join(dir, f), 'utf8') }));
}

const TABLE = '_gateway_migrations';
/** Any constant; identifies this gateway's migration lock among PostgreSQL advisory locks. */
const PG_LOCK_KEY = 72_410_301;

/** Applies pending SQLite migrations. Returns the versions applied now. */
export function migrateSqlite(file: string, migrations: MigrationFile[]): string[] {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 10000');
    db.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`);
    const applied: string[] = [];
    const run = db.transaction(() => {
      const done = new Set(db.prepare(`SELECT version FROM ${TABLE}`).pluck().all() as string[]);
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        db.exec(migration.sql);
        db.prepare(`INSERT INTO ${TABLE} (version, applied_at) VALUES (?, ?)`).run(migration.version, new Date().toISOString());
        applied.push(migration.version);
      }
    });
    run.immediate();
    return applied;
  } finally {
    db.close();
  }
}

/** Applies pending PostgreSQL migrations into `schema` (created if missing). */
export async function migratePostgres(connectionString: string, schema: string, migrations: MigrationFile[]): Promise<string[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const quoted = `"${schema.replace(/"/g, '""')}"`;
    await client.query('SELECT pg_advisory_lock($1)', [PG_LOCK_KEY]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
      await client.query(`SET search_path TO ${quoted}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)`);
      const done = new Set((await client.query(`SELECT version FROM ${TABLE}`)).rows.map((r: { version: string }) => r.version));
      const applied: string[] = [];
      for (const migration of migrations) {
        if (done.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query(`INSERT INTO ${TABLE} (version, applied_at) VALUES ($1, now())`, [migration.version]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${migration.version} failed: ${(error as Error).message}`, { cause: error });
        }
        applied.push(migration.version);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PG_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}
