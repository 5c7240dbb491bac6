/**
 * Leave nothing on the reporter's phone: after a report over Telegram, every message of the
 * report conversation (the person's and the bot's) is deleted through deleteMessages, except the
 * closing one that carries the case code. The same whether the updates come by webhook (stored
 * in batches, src/inbound/ingest-batch.ts) or by long polling (stored one by one,
 * src/inbound/ingest.ts): each keeps the person's message ids.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { startTelegramApi, telegramUpdates, type FakeTelegramApi } from '../fakes/telegram-api.js';

const TOKEN = '123456:TEST-token';
const SECRET = 'telegram-webhook-secret';
let gateway: TestGateway | undefined;
let telegram: FakeTelegramApi | undefined;

afterEach(async () => {
  await gateway?.close();
  await telegram?.close();
  gateway = undefined;
  telegram = undefined;
});

type Mode = 'webhook' | 'polling';

/** A gateway receiving Telegram updates in `mode`, and how to hand it one update. */
async function start(mode: Mode): Promise<(update: unknown) => Promise<void>> {
  const api = (telegram = await startTelegramApi({ token: TOKEN }));
  const common = { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: api.url };
  if (mode === 'polling') {
    gateway = await startTestGateway({ ...common, TELEGRAM_MODE: 'polling' });
    return async (update) => api.pushUpdate(update as { update_id: number });
  }
  const running = (gateway = await startTestGateway({ ...common, TELEGRAM_WEBHOOK_SECRET: SECRET, PUBLIC_URL: 'https://gateway.example.org' }));
  return async (update) => {
    const response = await fetch(`${running.url}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(update),
    });
    expect(response.status).toBe(200);
  };
}

describe.each<Mode>(['webhook', 'polling'])('a report over Telegram (%s)', (mode) => {
  it('is deleted from the chat, all but the message with the case code', async () => {
    const deliver = await start(mode);
    const api = telegram!;
    const chat = 4242;
    const userIds: number[] = [];
    let sent = 0;
    const say = async (text: string, replies = 1) => {
      const update = telegramUpdates.text(chat, text, { languageCode: 'en' });
      update.message.message_id = 5000 + userIds.length;
      userIds.push(update.message.message_id);
      await deliver(update);
      sent += replies;
      await api.waitFor('sendMessage', sent, 15_000);
    };
    await say('hi');
    await say('report', 2);
    for (const answer of ['1', 'kanzi', 'yesterday', '40', 'high', 'Men in uniform took our phones']) await say(answer);
    await say('2', 2); // the summary, then "Send this report now?"
    await say('yes');
    const sends = api.calls('sendMessage');
    const closing = String(sends.at(-1)!.payload.text);
    expect(closing).toMatch(/R-[A-Z2-9]{6}/);
    const botIds = sends.map((_, index) => index + 1); // the fake numbers the bot's messages 1, 2, 3...
    const closingId = botIds.at(-1)!;

    const calls = await eventually(() => {
      const found = api.calls('deleteMessages');
      return found.length > 0 ? found : undefined;
    }, 20_000, 'deleteMessages');
    const deleted = new Set(calls.flatMap((call) => (call.payload.message_ids as number[]).map(Number)));
    expect(calls.every((call) => String(call.payload.chat_id) === String(chat))).toBe(true);
    for (const id of [...userIds, ...botIds.slice(0, -1)]) expect(deleted.has(id), `message ${id} deleted`).toBe(true);
    expect(deleted.has(closingId)).toBe(false);
  }, 180_000);
});
