/**
 * Starts one real Redis for the whole test run (the gateway's own embedded-Redis code, in a
 * temporary folder) unless TEST_REDIS_URL points at one. Test files share it and keep apart by
 * queue prefix.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createLogger } from '../../src/logger.js';
import { startEmbeddedRedis } from '../../src/redis/embedded.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.TEST_REDIS_URL) {
    project.provide('redisUrl', process.env.TEST_REDIS_URL);
    return async () => undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gateway-test-redis-'));
  const redis = await startEmbeddedRedis({ bin: process.env.REDIS_SERVER_BIN ?? 'redis-server', dataDir: dir, logger: createLogger('silent') });
  project.provide('redisUrl', redis.url);
  return async () => {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
