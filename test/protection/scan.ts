/** Scans of what a test gateway leaves behind: raw SQLite files, every table, and Redis under the test's prefix. */
import { existsSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { TestGateway } from '../support/gateway.js';

/** The raw bytes of the SQLite database and its log (empty on PostgreSQL). */
export function sqliteFiles(gateway: TestGateway): string {
  const url = gateway.config.databaseUrl;
  if (!url.startsWith('file:')) return '';
  const file = url.slice('file:'.length);
  return [file, `${file}-wal`, `${file}-shm`].filter(existsSync).map((f) => readFileSync(f).toString('latin1') + readFileSync(f).toString('utf8')).join('\n');
}

const TABLES = ['Contact', 'ContactIdentity', 'Session', 'Message', 'AuditEntry', 'Incident', 'SurveyAnswer', 'RumourReport', 'Subscription', 'BroadcastFeedback', 'Rumour', 'Escalation'];

/** Every row of the tables that may hold a person, as text. */
export async function tableText(gateway: TestGateway): Promise<string> {
  const parts: string[] = [];
  for (const table of TABLES) parts.push(JSON.stringify(await gateway.db.$queryRawUnsafe(`SELECT * FROM "${table}"`), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
  return parts.join('\n');
}

/** Every value under the test's queue prefix in Redis (strings, hashes, lists, sets, sorted sets, streams). */
export async function redisText(gateway: TestGateway): Promise<string> {
  const redis = new Redis(gateway.config.REDIS_URL!);
  const parts: string[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${gateway.config.QUEUE_PREFIX}:*`, 'COUNT', '500');
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        parts.push(key);
        if (type === 'string') parts.push((await redis.get(key)) ?? '');
        else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
        else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
        else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
        else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return parts.join('\n');
}

/** Which of `needles` appear in `haystack`. */
export function found(haystack: string, needles: string[]): string[] {
  return needles.filter((n) => haystack.includes(n));
}
