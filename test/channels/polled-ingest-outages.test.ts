/**
 * A polled channel (TELEGRAM_MODE=polling) when an update cannot be taken at once: `ingest`
 * (src/inbound/ingest.ts) fails, the poller offers the same update again with a growing pause
 * (bots/telegram/polling.ts), and once the gateway can take it, it is stored and answered once.
 * - The database refuses to store it with an error that is not a repeated key: the error is not
 *   taken for a repeat, so the update is not dropped.
 * - Redis is away: the update is stored but cannot be queued; the next offer finds it stored and
 *   queues it (a repeat of a message never processed), so it is answered after all.
 * The gateway runs on its own Redis here, stopped and started again on the same port.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../src/redis/embedded.js';
import { startTelegramApi, telegramUpdates, type FakeTelegramApi } from '../fakes/telegram-api.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { refuseMessage } from '../support/refused-message.js';

const TOKEN = '123456:TEST-polling-outages';

const lines: string[] = [];
const redisDir = mkdtempSync(join(tmpdir(), 'gateway-polled-outage-'));
const redisLogger = createLogger('silent');
let redis: EmbeddedRedis;
let telegram: FakeTelegramApi;
let gateway: TestGateway;
beforeAll(async () => {
  redis = await startEmbeddedRedis({ bin: 'redis-server', dataDir: redisDir, logger: redisLogger });
  telegram = await startTelegramApi({ token: TOKEN });
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  gateway = await startTestGateway(
    { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MODE: 'polling', TELEGRAM_API_ROOT: telegram.url, REDIS_URL: redis.url },
    { logger: createLogger('warn', sink) },
  );
});
afterAll(async () => {
  await gateway?.close();
  await telegram?.close();
  await redis?.stop();
});

const repliesTo = (chat: number) => telegram.calls('sendMessage').filter((c) => String(c.payload.chat_id) === String(chat));
const storedWith = (updateId: number) => gateway.db.message.findMany({ where: { channel: 'telegram', direction: 'in', providerId: String(updateId) } });

/** Resolves once the poller has logged that the sink refused update `updateId`. */
const refusedOnce = (updateId: number) =>
  eventually(() => lines.some((line) => line.includes('refused by the sink') && line.includes(`"updateId":${updateId}`)), 15_000, `update ${updateId} refused`);

describe('a polled update the gateway cannot take at once', () => {
  // Update ids only grow from test to test: the fake API drops an update below a confirmed offset.
  it('is offered again while the database refuses to store it, then stored and answered once', async () => {
    const refused = await refuseMessage(gateway, '9401');
    telegram.pushUpdate(telegramUpdates.text(7401, 'hi', { updateId: 9401, languageCode: 'en' }));
    await refusedOnce(9401);
    expect(await storedWith(9401)).toHaveLength(0);
    expect(repliesTo(7401)).toHaveLength(0);

    await refused.lift();
    await eventually(() => repliesTo(7401).length > 0, 20_000, 'a reply once the database takes the update');
    await waitForIdle(gateway);
    expect((await storedWith(9401)).map((m) => m.status)).toEqual(['processed']);
  });

  it('is stored while Redis is away, queued when the poller offers it again after Redis is back, and answered once', async () => {
    // The reply a first "hi" gets, for comparison.
    telegram.pushUpdate(telegramUpdates.text(7402, 'hi', { updateId: 9402, languageCode: 'en' }));
    await eventually(() => repliesTo(7402).length > 0, 15_000, 'a reply');
    await waitForIdle(gateway);
    const perHi = repliesTo(7402).length;

    await redis.stop();
    telegram.pushUpdate(telegramUpdates.text(7403, 'hi', { updateId: 9403, languageCode: 'en' }));
    await refusedOnce(9403);
    const [stored] = await storedWith(9403);
    expect(stored?.status).toBe('received');

    redis = await startEmbeddedRedis({ bin: 'redis-server', dataDir: redisDir, logger: redisLogger, port: redis.port });
    await eventually(() => repliesTo(7403).length > 0, 20_000, 'a reply once Redis is back');
    await waitForIdle(gateway);
    expect(repliesTo(7403)).toHaveLength(perHi);
    expect((await storedWith(9403)).map((m) => [m.id, m.status])).toEqual([[stored!.id, 'processed']]);
  });
});
