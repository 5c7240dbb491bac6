/**
 * The Redis settings: one server, sentinels or cluster nodes (exactly one of them, or none for
 * the embedded server), host:port lists checked at boot, and the hash-tagged key prefix on a
 * cluster. Also what the metrics settings accept.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/gateway.js';
import { configProblems } from '../support/config-problems.js';
import { configuredRedis, keyPrefix, redisOptions } from '../../src/redis/connection.js';

describe('Redis settings', () => {
  it('is the embedded server when nothing is set', () => {
    expect(configuredRedis(loadConfig({}))).toBeUndefined();
  });

  it('reads a server’s URL: TCP, TLS, or a Unix socket on this host', () => {
    expect(redisOptions('redis://app:p%40ss@redis.internal:6380/2')).toMatchObject({ host: 'redis.internal', port: 6380, username: 'app', password: 'p@ss', db: 2, tls: undefined });
    expect(redisOptions('rediss://redis.internal')).toMatchObject({ host: 'redis.internal', port: 6379, db: 0, tls: {} });
    const socket = redisOptions('unix:///var/run/redis/redis-server.sock?db=3&password=p%40ss&username=app');
    expect(socket).toEqual({ path: '/var/run/redis/redis-server.sock', username: 'app', password: 'p@ss', db: 3, maxRetriesPerRequest: null });
    expect(redisOptions('unix:///srv/gateway%20data/redis.sock')).toMatchObject({ path: '/srv/gateway data/redis.sock', password: undefined, db: 0 });
    expect(configuredRedis(loadConfig({ REDIS_URL: 'unix:///var/run/redis/redis-server.sock' }))).toEqual({ kind: 'server', url: 'unix:///var/run/redis/redis-server.sock' });
    expect(configProblems({ REDIS_URL: 'unix:/var/run/redis.sock' })).toEqual([expect.stringMatching(/^REDIS_URL: redis:\/\/host:port\[\/db\], rediss:\/\/\.\.\., or unix:\/\/\/path/)]);
  });

  it('reads sentinels and the master name', () => {
    const target = configuredRedis(loadConfig({ REDIS_SENTINELS: '10.0.0.1:26379, 10.0.0.2:26380', REDIS_SENTINEL_NAME: 'warn', REDIS_PASSWORD: 'pw' }));
    expect(target).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
      ],
      name: 'warn',
      sentinelPassword: undefined,
      username: undefined,
      password: 'pw',
    });
    expect(keyPrefix('gw', target!)).toBe('gw');
  });

  it('reads cluster nodes and hash-tags the key prefix', () => {
    const target = configuredRedis(loadConfig({ REDIS_CLUSTER_NODES: 'redis-a:6379,redis-b:6379' }));
    expect(target).toMatchObject({ kind: 'cluster', nodes: [{ host: 'redis-a', port: 6379 }, { host: 'redis-b', port: 6379 }] });
    expect(keyPrefix('gw', target!)).toBe('{gw}');
  });

  it('refuses a malformed host list, naming the variable and the form', () => {
    expect(configProblems({ REDIS_SENTINELS: '10.0.0.1' })).toEqual([expect.stringMatching(/^REDIS_SENTINELS: host:port pairs, comma-separated.*\(got "10.0.0.1"\)$/)]);
    expect(configProblems({ REDIS_CLUSTER_NODES: 'a:1,,b:2' })[0]).toMatch(/^REDIS_CLUSTER_NODES: host:port pairs/);
  });

  it('refuses two ways to reach Redis at once', () => {
    expect(configProblems({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: 'a:1' })).toEqual([
      'REDIS_URL, REDIS_CLUSTER_NODES: set one of them (a Redis URL, sentinels, or cluster nodes), not several',
    ]);
  });
});

describe('metrics settings', () => {
  it('refuses a short token without echoing it, and a bad port', () => {
    const found = configProblems({ METRICS_TOKEN: 'short', METRICS_PORT: 'x' });
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^METRICS_TOKEN: at least 16 characters/), expect.stringMatching(/^METRICS_PORT: a port number/)]));
    expect(found.join('\n')).not.toContain('short');
  });
});
