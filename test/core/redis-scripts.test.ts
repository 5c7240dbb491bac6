/**
 * The gateway's Lua scripts run by SHA1 (src/redis/scripts.ts), on a real Redis.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { RELEASE_LOCK, runScript, type RedisScript } from '../../src/redis/scripts.js';

const SWAP: RedisScript = {
  name: 'testSwapIfEqual',
  keys: 1,
  lua: "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('set', KEYS[1], ARGV[2]) return 1 else return 0 end",
};
const sha = createHash('sha1').update(SWAP.lua).digest('hex');

const plain = new Redis(inject('redisUrl'));
const pipelining = new Redis(inject('redisUrl'), { enableAutoPipelining: true });
afterAll(() => {
  plain.disconnect();
  pipelining.disconnect();
});

describe('gateway scripts', () => {
  it('run with their keys and arguments, and leave the script in the server cache', async () => {
    const key = `test:script:${randomUUID()}`;
    await plain.set(key, 'a');
    expect(await runScript(plain, SWAP, [key], ['b', 'c'])).toBe(0);
    expect(await runScript(plain, SWAP, [key], ['a', 'c'])).toBe(1);
    expect(await plain.get(key)).toBe('c');
    expect(await plain.script('EXISTS', sha)).toEqual([1]);
  });

  it("send the script's SHA1, not its text, once the server holds it", async () => {
    const key = `test:script:${randomUUID()}`;
    await runScript(plain, SWAP, [key], ['a', 'b']); // loaded, if it was not
    const monitor = await plain.monitor();
    const seen: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.includes(key) && /^eval/i.test(args[0]!)) seen.push(args); // the script's own commands show too
    });
    await runScript(plain, SWAP, [key], ['a', 'b']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    monitor.disconnect();
    expect(seen).toEqual([['evalsha', sha, '1', key, 'a', 'b']]);
  });

  it('still run after the server lost its script cache (a restart, a failover)', async () => {
    const key = `test:script:${randomUUID()}`;
    await plain.set(key, 'x');
    expect(await runScript(plain, SWAP, [key], ['x', 'y'])).toBe(1);
    await plain.script('FLUSH');
    expect(await runScript(plain, SWAP, [key], ['y', 'z'])).toBe(1);
    expect(await plain.get(key)).toBe('z');
  });

  it('refuse a call with the wrong number of keys', () => {
    expect(() => runScript(plain, SWAP, [], ['a', 'b'])).toThrow(/takes 1 keys, not 0/);
    expect(() => runScript(plain, SWAP, ['one', 'two'], ['a', 'b'])).toThrow(/takes 1 keys, not 2/);
  });
});

describe('clients that pipeline by themselves', () => {
  it('are refused, before anything is sent', () => {
    expect(() => runScript(pipelining, RELEASE_LOCK, ['k'], ['t'])).toThrow(/cannot run on a client that pipelines by itself/);
    expect(pipelining.autoPipelineQueueSize).toBe(0);
  });
});
