/**
 * Redis away for a while: a webhook that cannot queue answers 500 (the provider retries), the
 * message it stored waits, and when Redis is back the retry queues it: handled once, none lost.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../src/redis/embedded.js';
import { ConsoleUser } from '../support/console.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';

let redis: EmbeddedRedis;
let gateway: TestGateway;
afterAll(async () => {
  await gateway?.close();
  await redis?.stop();
});

describe('Redis briefly down', () => {
  it('answers 500 while it cannot queue, keeps the message, and handles it once when Redis is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-outage-'));
    const logger = createLogger('silent');
    redis = await startEmbeddedRedis({ bin: 'redis-server', dataDir: dir, logger });
    gateway = await startTestGateway({ REDIS_URL: redis.url });
    const user = new ConsoleUser(gateway, 'during-outage');
    expect(await user.ask('hi')).toMatch(/English/);

    await redis.stop();
    const status = await user.say('1', 'delivery-1');
    expect(status).toBe(500);
    const stored = await gateway.db.message.findUniqueOrThrow({ where: { dedupeKey: 'in:console:delivery-1' } });
    expect(stored.status).toBe('received');

    const urlBefore = redis.url;
    redis = await startEmbeddedRedis({ bin: 'redis-server', dataDir: dir, logger, port: redis.port });
    // The restarted server takes the running gateway back: same port, same password.
    expect(redis.url).toBe(urlBefore);
    // The provider retries the same delivery.
    const retried = await eventually(async () => ((await user.say('1', 'delivery-1')) === 200 ? true : undefined), 15_000, 'the retry to be accepted');
    expect(retried).toBe(true);
    // The first language choice is followed by the registration offer (once).
    expect(await user.replies(1, 15_000)).toEqual([expect.stringMatching(/^Tell us where you live/)]);
    await eventually(() => gateway.db.message.findFirst({ where: { id: stored.id, status: 'processed' } }));
    expect(await gateway.db.message.count({ where: { causeId: stored.id } })).toBe(1);
  });
});
