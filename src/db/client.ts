/**
 * Opens the database: applies pending migrations, then returns a Prisma client on the matching
 * driver adapter (better-sqlite3 for file: URLs, pg for postgres:// URLs). Both generated clients
 * come from one schema, so the code uses one type, `Db`.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { PoolConfig } from 'pg';
import { PrismaClient as SqliteClient } from './generated/sqlite/client.js';
import { PrismaClient as PostgresClient } from './generated/postgres/client.js';
import { migratePostgres, migrateSqlite, readMigrations } from './migrate.js';
import { projectPath } from '../paths.js';
import type { Dialect } from './dialect.js';
import { watchTransactions } from './pg-direct.js';
import { watchSqliteTransactions } from './sqlite-direct.js';
import { statementNames } from './pg-statements.js';
import { isolateTransactions } from './sqlite-isolation.js';
import { keepStatements, type StatementCache } from './statement-cache.js';
import { compileWasmLean } from './wasm-compilation.js';

export type Db = SqliteClient;
export type { Prisma } from './generated/sqlite/client.js';

const migrationsRoot = projectPath('prisma', 'migrations');

export interface Database {
  db: Db;
  provider: 'sqlite' | 'postgres';
  /** What raw SQL needs to know of the database (src/db/bulk.ts). */
  dialect: Dialect;
  /** SQLite: the counts of the connection's statement cache, null when it is not in use. */
  statements?: () => StatementCache | null;
  close(): Promise<void>;
}

/** The SQLite file path of a file: URL (relative paths resolve from the working directory). */
export function sqlitePath(url: string): string {
  return resolve(url.replace(/^file:/, '').replace(/\?.*$/, ''));
}

/**
 * What a PostgreSQL URL names beside the server: the schema (`?schema=`, default public), and
 * whether statements may be prepared by name (not with `?pgbouncer=true`: a pooler in transaction
 * mode, see src/db/pg-statements.ts). `connectionString` is the URL without both.
 */
export function postgresTarget(url: string): { connectionString: string; schema: string; namedStatements: boolean } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? 'public';
  const namedStatements = parsed.searchParams.get('pgbouncer') !== 'true';
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('pgbouncer');
  return { connectionString: parsed.toString(), schema, namedStatements };
}

/**
 * The better-sqlite3 adapter, its connection's statements kept for reuse
 * (src/db/statement-cache.ts) and kept out of an open transaction (src/db/sqlite-isolation.ts), the
 * raw statements of the Prisma client built on it run on that connection directly
 * (src/db/sqlite-direct.ts).
 */
class SqliteAdapter extends PrismaBetterSqlite3 {
  /** The Prisma client built on this adapter (set once it is built, before its first query). */
  prisma: object | null = null;
  /** The counts of the last connection made (tests). */
  statements: StatementCache | null = null;
  override async connect() {
    const adapter = await super.connect();
    const statements = keepStatements(adapter);
    const turns = isolateTransactions(adapter);
    if (!statements || !turns) throw new Error('the SQLite driver adapter does not have the expected shape (src/db/statement-cache.ts, src/db/sqlite-isolation.ts)');
    this.statements = statements;
    if (this.prisma) watchSqliteTransactions(this.prisma, adapter, statements, turns);
    return adapter;
  }
}

/**
 * The pg adapter, the raw statements of the Prisma client built on it run on its connections
 * directly (src/db/pg-direct.ts), named as the adapter names its own (`statementNameGenerator`).
 */
class PgAdapter extends PrismaPg {
  /** The Prisma client built on this adapter (set once it is built, before its first query). */
  prisma: object | null = null;
  constructor(
    config: PoolConfig,
    private readonly names: ((query: { sql: string }) => string) | undefined,
    schema: string,
  ) {
    super(config, { schema, statementNameGenerator: names });
  }
  override async connect() {
    const adapter = await super.connect();
    if (this.prisma) watchTransactions(this.prisma, adapter, (query) => this.names?.(query));
    return adapter;
  }
}

/** A PostgreSQL URL naming `schema`: its other parameters kept, a `schema` it had replaced. */
export function withSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('schema', schema);
  return parsed.toString();
}

/** The dialect of the database at `url` (a `file:` URL is SQLite, any other PostgreSQL). */
export function dialectOf(url: string): Dialect {
  return url.startsWith('file:') ? { provider: 'sqlite' } : { provider: 'postgres', schema: postgresTarget(url).schema };
}

export async function openDatabase(url: string): Promise<Database> {
  compileWasmLean();
  if (url.startsWith('file:')) {
    const file = sqlitePath(url);
    mkdirSync(dirname(file), { recursive: true });
    migrateSqlite(file, readMigrations(join(migrationsRoot, 'sqlite')));
    const adapter = new SqliteAdapter({ url: `file:${file}`, timeout: 10_000 });
    const db = new SqliteClient({ adapter });
    adapter.prisma = db;
    // WAL lets readers work while a writer commits; NORMAL sync is safe with WAL.
    await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
    await db.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
    await db.$queryRawUnsafe('PRAGMA busy_timeout = 10000');
    await db.$queryRawUnsafe('PRAGMA foreign_keys = ON');
    // Deleted rows are overwritten with zeros, so an erased person leaves nothing in free pages.
    await db.$queryRawUnsafe('PRAGMA secure_delete = ON');
    return { db, provider: 'sqlite', dialect: dialectOf(url), statements: () => adapter.statements, close: () => db.$disconnect() };
  }
  const { connectionString, schema, namedStatements } = postgresTarget(url);
  await migratePostgres(connectionString, schema, readMigrations(join(migrationsRoot, 'postgres')));
  // search_path too, so that raw SQL finds the tables of this schema as Prisma's queries do.
  const config = { connectionString, max: 10, options: `-c search_path="${schema.replace(/"/g, '""')}"` };
  const adapter = new PgAdapter(config, namedStatements ? statementNames() : undefined, schema);
  const db = new PostgresClient({ adapter }) as unknown as Db;
  adapter.prisma = db;
  return { db, provider: 'postgres', dialect: dialectOf(url), close: () => disconnectWithin(db, DISCONNECT_MS) };
}

/** How long closing the PostgreSQL pool may take before the stop goes on without it (ms). */
const DISCONNECT_MS = 5_000;

/**
 * Closes the pool, or gives up after `ms`: after the server went away and came back, the pool
 * can keep waiting for a connection that was cut mid-query, and a stop must not hang on it (the
 * process's exit closes the sockets anyway).
 */
async function disconnectWithin(db: Db, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
    timer.unref();
  });
  const outcome = await Promise.race([db.$disconnect().then(() => 'closed' as const), gaveUp]);
  clearTimeout(timer);
  if (outcome === 'timeout') throw new Error(`the database pool did not close within ${ms} ms; left to the process exit`);
}
