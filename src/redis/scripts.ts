/**
 * The gateway's own Lua scripts, run by their SHA1 (EVALSHA) rather than by sending their text
 * with every call (EVAL). ioredis's `defineCommand` does it: a call sends EVALSHA, and on NOSCRIPT
 * (a restarted or failed-over Redis that lost its script cache) sends the text once with EVAL, so
 * a script always runs (ioredis README, "Lua Scripting"). On a Cluster ioredis routes each call by
 * its key's slot, as for any command.
 *
 * Each is made a command of a client on its first use there. A client that pipelines by itself
 * (ioredis's `enableAutoPipelining`) is refused: it queues a tick's commands on a pipeline made
 * with the commands known then, and a script defined later in that tick is missing from it
 * (ioredis 6.0 then throws from its own callback, uncaught). The gateway's clients do not.
 */
import type { Redis } from 'ioredis';

/** A script: a command name unique among them, its key count and its Lua text. */
export interface RedisScript {
  readonly name: string;
  readonly keys: number;
  readonly lua: string;
}

/**
 * Claims a channel's next departure (src/outbound/pacer.ts): (pace key; interval ms). Returns 0
 * when claimed now, else the ms to wait. Time is Redis's, so every process shares one clock.
 */
export const PACE_CLAIM: RedisScript = {
  name: 'gatewayPaceClaim',
  keys: 1,
  lua: `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local interval = tonumber(ARGV[1])
if now - last >= interval then
  redis.call('SET', KEYS[1], now, 'PX', interval + 60000)
  return 0
end
return interval - (now - last)
`,
};

/** Deletes a lock if it still holds our token (src/inbound/worker.ts): (lock key; token). 1 deleted, 0 not ours. */
export const RELEASE_LOCK: RedisScript = {
  name: 'gatewayReleaseLock',
  keys: 1,
  lua: "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
};

/** Extends a lock if it still holds our token: (lock key; token, ms). 1 extended, 0 not ours. */
export const RENEW_LOCK: RedisScript = {
  name: 'gatewayRenewLock',
  keys: 1,
  lua: "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end",
};

/** The scripts each client has as commands already (defineCommand is per client). */
const defined = new WeakMap<object, Set<string>>();

/**
 * Runs `script` on `redis` with `keys` (as many as `script.keys`) and `args`, and resolves with
 * its reply (Lua numbers as numbers, strings as strings, nil as null); rejects with the server's
 * error, as EVAL would. Throws at once for a wrong key count, and for a client that pipelines by
 * itself (see above).
 */
export function runScript(redis: Redis, script: RedisScript, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
  if (keys.length !== script.keys) throw new Error(`the script ${script.name} takes ${script.keys} keys, not ${keys.length}`);
  let names = defined.get(redis);
  if (!names?.has(script.name)) {
    if (redis.options.enableAutoPipelining) throw new Error(`the script ${script.name} cannot run on a client that pipelines by itself`);
    if (!names) defined.set(redis, (names = new Set()));
    redis.defineCommand(script.name, { numberOfKeys: script.keys, lua: script.lua });
    names.add(script.name);
  }
  const command = (redis as unknown as Record<string, (...parts: (string | number)[]) => Promise<unknown>>)[script.name]!;
  return command.call(redis, ...keys, ...args);
}
