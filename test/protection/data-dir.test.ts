/**
 * The data folder: 0700 and files 0600 (database, log, key, console token); one gateway per
 * folder (a second one refuses, naming the first; its redis.url stays); a stale lock is taken over.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir } from '../../src/data-dir/lock.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway?.close();
});

it('keeps the data folder to its owner', () => {
  const dir = gateway.env.dataDir;
  expect(statSync(dir).mode & 0o777).toBe(0o700);
  const files = readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile());
  const sqlite = gateway.config.databaseUrl.startsWith('file:');
  expect(files).toEqual(expect.arrayContaining([...(sqlite ? ['test.db', 'test.db-wal'] : []), 'console.token', 'gateway.lock']));
  for (const file of files) expect({ file, mode: statSync(join(dir, file)).mode & 0o777 }).toEqual({ file, mode: 0o600 });
});

it('refuses a second gateway on the same folder and names the running one; a stale lock is taken over', async () => {
  const dir = gateway.env.dataDir;
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  try {
    writeFileSync(join(dir, 'gateway.lock'), String(other.pid));
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    expect(() => lockDataDir(dir)).toThrow(new RegExp(`pid ${other.pid}`));
  } finally {
    other.kill('SIGKILL');
    await new Promise((r) => other.once('exit', r));
  }
  // Its process is gone: the lock is stale and is taken over.
  const release = lockDataDir(dir);
  release();
  expect(existsSync(join(dir, 'gateway.lock'))).toBe(false);
});
