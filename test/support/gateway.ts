/**
 * A whole gateway for a test: real Redis (shared, own queue prefix), a real database (a fresh
 * SQLite file, or a fresh PostgreSQL schema when TEST_DATABASE_URL is set), the real workers and
 * HTTP server on a free port. Only provider APIs are fakes (test/fakes/).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { Config } from '../../src/config.js';
import { loadConfig } from '../../src/gateway.js';
import { startGateway, type Gateway, type GatewayOptions } from '../../src/gateway.js';
import { postgresTarget, withSchema } from '../../src/db/client.js';

export const TEST_KEY = 'a'.repeat(64);

export interface TestEnv {
  vars: Record<string, string>;
  dataDir: string;
  /**
   * The variables of one more gateway process on the same database and Redis: its own data
   * folder (below this one), since a gateway locks its folder against a second process.
   */
  anotherProcess(): Record<string, string>;
  /** Drops the PostgreSQL schema / removes the temporary folder. */
  cleanup(): Promise<void>;
}

/** Environment of a test gateway; `overrides` win. */
export function testEnv(overrides: Record<string, string> = {}): TestEnv {
  const dataDir = mkdtempSync(join(tmpdir(), 'gateway-test-'));
  const id = randomBytes(6).toString('hex');
  const pgUrl = process.env.TEST_DATABASE_URL;
  const databaseUrl = pgUrl ? withSchema(pgUrl, `t_${id}`) : `file:${join(dataDir, 'test.db')}`;
  const vars: Record<string, string> = {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: `t${id}`,
    DATA_ENCRYPTION_KEY: TEST_KEY,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    JOB_BACKOFF_MS: '50',
    JOB_LOCK_MS: '2000',
    ...overrides,
  };
  let processes = 0;
  return {
    vars,
    dataDir,
    anotherProcess: () => ({ ...vars, DATA_DIR: join(dataDir, `process-${++processes}`) }),
    async cleanup() {
      if (vars.DATABASE_URL?.startsWith('postgres')) await dropSchema(vars.DATABASE_URL);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function dropSchema(url: string): Promise<void> {
  const { connectionString, schema } = postgresTarget(url);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export interface TestGateway extends Gateway {
  env: TestEnv;
  config: Config;
  /** Stops the gateway and removes its data. */
  close(): Promise<void>;
}

export async function startTestGateway(overrides: Record<string, string> = {}, options: GatewayOptions = {}): Promise<TestGateway> {
  const env = testEnv(overrides);
  const config = loadConfig(env.vars);
  const gateway = await startGateway(config, options);
  return {
    ...gateway,
    env,
    config,
    async close() {
      await gateway.stop();
      await env.cleanup();
    },
  };
}

/** Polls `check` until it returns a value other than undefined/null/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const started = Date.now();
  let last: unknown;
  while (Date.now() - started < timeoutMs) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
