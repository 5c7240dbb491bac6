import { createConnection } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { redisOptions } from '../../src/redis/connection.js';
import { RedisNotInstalledError, runningEmbeddedRedis, startEmbeddedRedis } from '../../src/redis/embedded.js';
import { startTestGateway } from '../support/gateway.js';

const logger = createLogger('silent');

describe('embedded Redis', () => {
  it('starts on loopback, keeps data in its append-only file across a restart, and stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-redis-'));
    const first = await startEmbeddedRedis({ bin: 'redis-server', dataDir: dir, logger });
    // A generated password, required: a client without it is refused.
    expect(first.url).toMatch(/^redis:\/\/:[0-9a-f]{48}@127\.0\.0\.1:\d+$/);
    // The same server on a Unix socket in its folder, only the gateway's user may open (0700).
    expect(first.socketUrl).toBe(`unix://${dir}/redis.sock?password=${new URL(first.url).password}`);
    expect(statSync(join(dir, 'redis.sock')).mode & 0o777).toBe(0o700);
    expect(runningEmbeddedRedis(dir)).toBe(first.socketUrl);
    const refusal = await new Promise<string>((resolve, reject) => {
      const socket = createConnection({ host: '127.0.0.1', port: first.port }, () => socket.write('GET timer\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString());
      });
      socket.once('error', reject);
    });
    expect(refusal).toMatch(/^-NOAUTH/);
    const socketRefusal = await new Promise<string>((resolve, reject) => {
      const socket = createConnection({ path: join(dir, 'redis.sock') }, () => socket.write('GET timer\r\n'));
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString());
      });
      socket.once('error', reject);
    });
    expect(socketRefusal).toMatch(/^-NOAUTH/);
    // The password is in files only the gateway's user reads, never on redis-server's command line.
    for (const file of ['redis.url', 'redis.conf']) expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const pid = Number(readFileSync(join(dir, 'redis.pid'), 'utf8'));
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(new URL(first.url).password);
    const client = new Redis(first.url);
    await client.set('timer', 'kept');
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    client.disconnect();
    await first.stop();
    expect(runningEmbeddedRedis(dir)).toBeUndefined();
    expect(existsSync(join(dir, 'appendonlydir'))).toBe(true);

    const second = await startEmbeddedRedis({ bin: 'redis-server', dataDir: dir, logger });
    const again = new Redis(redisOptions(second.socketUrl!));
    expect(await again.get('timer')).toBe('kept');
    // Through the socket (flag U), not TCP.
    expect(await again.client('INFO')).toMatch(/ flags=U /);
    again.disconnect();
    await second.stop();
  });

  it('gives a socket URL that finds its socket whatever characters the folder’s path holds', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gateway-redis-')), 'data #1? 50% é');
    const redis = await startEmbeddedRedis({ bin: 'redis-server', dataDir: dir, logger });
    try {
      expect(redisOptions(redis.socketUrl!)).toMatchObject({ path: join(dir, 'redis.sock'), password: new URL(redis.url).password });
      const client = new Redis(redisOptions(redis.socketUrl!));
      expect(await client.ping()).toBe('PONG');
      client.disconnect();
    } finally {
      await redis.stop();
    }
  });

  it('keeps to TCP where its folder’s path is too long for a socket', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gateway-redis-')), 'a-data-folder-whose-path-is-longer-than-a-unix-socket-path-may-be'.repeat(2));
    const redis = await startEmbeddedRedis({ bin: 'redis-server', dataDir: dir, logger });
    expect(redis.socketUrl).toBeUndefined();
    expect(existsSync(join(dir, 'redis.sock'))).toBe(false);
    expect(runningEmbeddedRedis(dir)).toBe(redis.url);
    const client = new Redis(redis.url);
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
    await redis.stop();
  });

  it('is reached by a gateway on its defaults through its socket only', async () => {
    const gateway = await startTestGateway({ REDIS_URL: '' });
    try {
      const url = runningEmbeddedRedis(join(gateway.env.dataDir, 'redis'))!;
      expect(url).toMatch(/^unix:\/\/\//);
      const look = new Redis(redisOptions(url));
      const clients = (await look.client('LIST')) as string;
      look.disconnect();
      const lines = clients.trim().split('\n');
      // The command client, the queues' and workers' connections: several, every one on the socket.
      expect(lines.length).toBeGreaterThan(3);
      for (const line of lines) expect(line).toMatch(/ flags=[A-Za-z]*U/);
    } finally {
      await gateway.close();
    }
  }, 60_000);

  it('restarts the server when it dies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-redis-'));
    const redis = await startEmbeddedRedis({ bin: 'redis-server', dataDir: dir, logger });
    const pid = Number(readFileSync(join(dir, 'redis.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    const client = new Redis(redis.url, { maxRetriesPerRequest: null, retryStrategy: () => 100 });
    client.on('error', () => undefined); // connection refused while the server restarts
    expect(await client.ping()).toBe('PONG');
    const newPid = Number(readFileSync(join(dir, 'redis.pid'), 'utf8'));
    expect(newPid).not.toBe(pid);
    client.disconnect();
    await redis.stop();
  });

  it('says how to install Redis when redis-server is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-redis-'));
    const start = startEmbeddedRedis({ bin: 'redis-server-not-installed', dataDir: dir, logger });
    await expect(start).rejects.toBeInstanceOf(RedisNotInstalledError);
    await expect(start).rejects.toThrow(/apt-get install -y redis-server.*or set REDIS_URL/);
  });
});
