/**
 * Leave nothing on the reporter's phone: after a report over Telegram, every message of the
 * report conversation (the person's and the bot's) is deleted through deleteMessages, except the
 * closing one that carries the case code.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { startTelegramApi, telegramUpdates, type FakeTelegramApi } from '../fakes/telegram-api.js';

const TOKEN = '123456:TEST-token';
const SECRET = 'telegram-webhook-secret';
let gateway: TestGateway;
let telegram: FakeTelegramApi;

beforeAll(async () => {
  telegram = await startTelegramApi({ token: TOKEN });
  gateway = await startTestGateway({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_API_ROOT: telegram.url, PUBLIC_URL: 'https://gateway.example.org' });
});
afterAll(async () => {
  await gateway?.close();
  await telegram?.close();
});

function post(update: unknown): Promise<Response> {
  return fetch(`${gateway.url}/webhooks/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: JSON.stringify(update),
  });
}

it('deletes the report conversation from the chat, all but the message with the case code', async () => {
  const chat = 4242;
  const userIds: number[] = [];
  let sent = 0;
  const say = async (text: string, replies = 1) => {
    const update = telegramUpdates.text(chat, text, { languageCode: 'en' });
    update.message.message_id = 5000 + userIds.length;
    userIds.push(update.message.message_id);
    expect((await post(update)).status).toBe(200);
    sent += replies;
    await telegram.waitFor('sendMessage', sent);
  };
  await say('hi');
  await say('report', 2);
  for (const answer of ['1', 'kanzi', 'yesterday', '40', 'high', 'Men in uniform took our phones']) await say(answer);
  await say('2', 2); // the summary, then "Send this report now?"
  await say('yes');
  const sends = telegram.calls('sendMessage');
  const closing = String(sends.at(-1)!.payload.text);
  expect(closing).toMatch(/R-[A-Z2-9]{6}/);
  const botIds = sends.map((_, index) => index + 1); // the fake numbers the bot's messages 1, 2, 3...
  const closingId = botIds.at(-1)!;

  const calls = await eventually(() => {
    const found = telegram.calls('deleteMessages');
    return found.length > 0 ? found : undefined;
  }, 20_000, 'deleteMessages');
  const deleted = new Set(calls.flatMap((call) => (call.payload.message_ids as number[]).map(Number)));
  expect(calls.every((call) => String(call.payload.chat_id) === String(chat))).toBe(true);
  for (const id of [...userIds, ...botIds.slice(0, -1)]) expect(deleted.has(id), `message ${id} deleted`).toBe(true);
  expect(deleted.has(closingId)).toBe(false);
}, 180_000);
