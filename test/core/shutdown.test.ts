/** SIGTERM: stop taking webhooks, finish the running job, close connections, exit 0. */
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { startChildGateway, type ChildGateway } from '../support/child-gateway.js';
import { eventually, testEnv, type TestEnv } from '../support/gateway.js';
import { startTelegramApi, telegramUpdates, type FakeTelegramApi } from '../fakes/telegram-api.js';

const TOKEN = '123456:TEST-token';
const SECRET = 'webhook-secret';
let fake: FakeTelegramApi;
let env: TestEnv;
let child: ChildGateway | undefined;

afterEach(async () => {
  child?.kill('SIGKILL');
  await fake?.close();
  await env?.cleanup();
});

describe('graceful shutdown', () => {
  it('refuses new webhooks, drains the send in flight, and exits cleanly', async () => {
    fake = await startTelegramApi({ token: TOKEN });
    env = testEnv({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: fake.url });
    fake.respondWith('sendMessage', { delayMs: 2000 });
    child = await startChildGateway(env.vars);
    const post = (update: unknown) =>
      fetch(`${child!.url}/webhooks/telegram`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify(update),
      }).then((r) => r.status, () => 0);
    expect(await post(telegramUpdates.text(5151, 'hi', { languageCode: 'en' }))).toBe(200);
    await fake.waitFor('sendMessage', 1, 15_000);

    child.kill('SIGTERM');
    // The send in flight takes 2 s: the server stays up while it drains, and says so.
    const url = child.url;
    await eventually(() => fetch(`${url}/readyz`).then((r) => r.status === 503, () => false), 1500, 'readyz 503 while draining');
    expect(await post(telegramUpdates.text(5152, 'hi', { languageCode: 'en' }))).toBe(503);
    expect(await child.exited).toBe(0);

    const database = await openDatabase(env.vars.DATABASE_URL!);
    try {
      const sent = await database.db.message.findMany({ where: { direction: 'out' } });
      expect(sent.map((m) => m.status)).toEqual(['sent']);
      expect(await database.db.message.count({ where: { direction: 'in' } })).toBe(1);
    } finally {
      await database.close();
    }
    expect(fake.calls('sendMessage')).toHaveLength(1);
  });
});
