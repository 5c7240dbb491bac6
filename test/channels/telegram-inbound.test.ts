import { pino } from 'pino';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTelegramAdapter } from '../../bots/telegram/index.js';
import { hasWebhookSecret, SECRET_HEADER } from '../../bots/telegram/verify.js';
import type { ChannelAdapter, WebhookRequest, WebhookRoute } from '../../src/channels/adapter.js';
import { MalformedPayloadError } from '../../src/errors.js';
import { startTelegramApi, telegramErrors, telegramUpdates, type FakeTelegramApi } from '../fakes/telegram-api.js';
import { signedWebhook } from '../support/providers.js';

const SECRET = 'webhook-secret_123';
const CHAT = 424242;

/** `secret` null: no secret header at all. */
function request(body: unknown, secret: string | null = SECRET): WebhookRequest {
  return signedWebhook.telegram(body, { secret });
}

let fake: FakeTelegramApi;
let adapter: ChannelAdapter;
let route: WebhookRoute;
let logLines: string[];

beforeEach(async () => {
  fake = await startTelegramApi();
  logLines = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  adapter = createTelegramAdapter({ botToken: '123:abc', webhookSecret: SECRET, apiRoot: fake.url }, pino({ level: 'debug' }, sink));
  const first = adapter.webhooks[0];
  if (first === undefined) throw new Error('no webhook route');
  route = first;
});

afterEach(async () => {
  await fake.close();
});

describe('telegram webhook verification', () => {
  it('serves POST /webhooks/telegram', () => {
    expect(adapter.webhooks.map((w) => w.path)).toEqual(['/webhooks/telegram']);
  });

  it('accepts the configured secret', () => {
    expect(route.verify(request(telegramUpdates.text(CHAT, 'hi')))).toBe(true);
  });

  it('rejects a forged secret, one of another length, and a missing header', () => {
    expect(route.verify(request({}, 'webhook-secret_124'))).toBe(false);
    expect(route.verify(request({}, 'short'))).toBe(false);
    expect(route.verify(request({}, ''))).toBe(false);
    expect(route.verify(request({}, null))).toBe(false);
  });

  it('accepts no call at all when no secret is configured (an empty secret header included), and does not throw', () => {
    expect(hasWebhookSecret({ [SECRET_HEADER]: '' }, '')).toBe(false);
    expect(hasWebhookSecret({ [SECRET_HEADER]: SECRET }, undefined)).toBe(false);
    expect(hasWebhookSecret({ [SECRET_HEADER]: SECRET }, SECRET)).toBe(true);
  });

  it('refuses to build a webhook adapter without a secret', () => {
    expect(() => createTelegramAdapter({ botToken: '123:abc', apiRoot: fake.url }, pino({ level: 'silent' }))).toThrow(/webhookSecret/);
  });

  it('serves no route in polling mode', () => {
    const polling = createTelegramAdapter({ botToken: '123:abc', mode: 'polling', apiRoot: fake.url }, pino({ level: 'silent' }));
    expect(polling.webhooks).toEqual([]);
  });
});

describe('telegram inbound mapping', () => {
  it('maps a text message with its chat id, update id, chat message id, language and date', async () => {
    const update = telegramUpdates.text(CHAT, 'fire near the market', { updateId: 501, languageCode: 'fr' });
    const result = await route.parse(request(update));
    expect(result.events).toEqual([
      {
        providerId: '501',
        address: String(CHAT),
        message: { type: 'text', text: 'fire near the market' },
        languageHint: 'fr',
        sentAt: new Date(update.message.date * 1000),
        chatMessageId: String(update.message.message_id),
      },
    ]);
  });

  it('turns /start with a deep-link payload into the payload keyword', async () => {
    const result = await route.parse(request(telegramUpdates.text(CHAT, '/start report')));
    expect(result.events?.[0]?.message).toEqual({ type: 'text', text: 'report' });
  });

  it('also strips /start@bot before a payload, and keeps a bare /start', async () => {
    const named = await route.parse(request(telegramUpdates.text(CHAT, '/start@gateway_test_bot survey_fr')));
    expect(named.events?.[0]?.message).toEqual({ type: 'text', text: 'survey_fr' });
    const bare = await route.parse(request(telegramUpdates.text(CHAT, '/start')));
    expect(bare.events?.[0]?.message).toEqual({ type: 'text', text: '/start' });
  });

  it('maps a button press to a choice with its label, and answers the callback query', async () => {
    const update = telegramUpdates.callback(CHAT, 'severity:high', {
      updateId: 777,
      queryId: 'q-1',
      languageCode: 'sw',
      buttons: [
        { text: 'Low', callback_data: 'severity:low' },
        { text: 'High', callback_data: 'severity:high' },
      ],
    });
    const result = await route.parse(request(update));
    expect(result.events).toEqual([
      {
        providerId: '777',
        address: String(CHAT),
        message: { type: 'choice', choiceId: 'severity:high', text: 'High' },
        languageHint: 'sw',
      },
    ]);
    const answers = fake.calls('answerCallbackQuery');
    expect(answers).toHaveLength(1);
    expect(answers[0]?.payload.callback_query_id).toBe('q-1');
  });

  it('falls back to the presser id when the keyboard message is not in the update', async () => {
    const update = telegramUpdates.callback(CHAT, 'yes');
    const { message: _message, ...query } = update.callback_query;
    const result = await route.parse(request({ update_id: update.update_id, callback_query: { ...query, from: { ...query.from, id: 99 } } }));
    expect(result.events?.[0]?.address).toBe('99');
    expect(result.events?.[0]?.message).toEqual({ type: 'choice', choiceId: 'yes' });
  });

  it('still returns the choice when answering the callback fails, and logs no chat id', async () => {
    fake.next(telegramErrors.serverError(), 'answerCallbackQuery');
    const result = await route.parse(request(telegramUpdates.callback(CHAT, 'ack')));
    expect(result.events?.[0]?.message).toMatchObject({ type: 'choice', choiceId: 'ack' });
    const log = logLines.join('');
    expect(log).toContain('callback query not answered');
    expect(log).not.toContain(String(CHAT));
  });

  it('maps a location', async () => {
    const result = await route.parse(request(telegramUpdates.location(CHAT, -1.2921, 36.8219)));
    expect(result.events?.[0]?.message).toEqual({ type: 'location', latitude: -1.2921, longitude: 36.8219 });
  });

  it('maps a photo to media with its caption', async () => {
    const result = await route.parse(request(telegramUpdates.photo(CHAT, 'burnt stall')));
    expect(result.events?.[0]?.message).toEqual({ type: 'media', mimeType: 'image/jpeg', caption: 'burnt stall' });
  });

  it('maps a document to media with its mime type', async () => {
    const update = telegramUpdates.photo(CHAT);
    const { photo: _photo, ...message } = update.message;
    const body = { update_id: update.update_id, message: { ...message, document: { file_id: 'f', file_unique_id: 'u', mime_type: 'application/pdf' }, caption: 'list' } };
    const result = await route.parse(request(body));
    expect(result.events?.[0]?.message).toEqual({ type: 'media', mimeType: 'application/pdf', caption: 'list' });
  });

  it('ignores update types and message kinds the gateway does not handle', async () => {
    const text = telegramUpdates.text(CHAT, 'edited');
    const edited = await route.parse(request({ update_id: 1, edited_message: text.message }));
    const member = await route.parse(
      request({ update_id: 2, my_chat_member: { chat: { id: CHAT, type: 'private' }, from: { id: CHAT }, date: 1 } }),
    );
    const channelPost = await route.parse(request({ update_id: 3, channel_post: text.message }));
    const { text: _text, ...withoutText } = text.message;
    const sticker = await route.parse(request({ update_id: 4, message: { ...withoutText, sticker: { file_id: 's' } } }));
    for (const result of [edited, member, channelPost, sticker]) expect(result.events ?? []).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });

  it('throws MalformedPayloadError for a body that is not an update', async () => {
    const bodies = ['not json', '[1,2]', '"text"', 'null', JSON.stringify({ message: {} }), JSON.stringify({ update_id: '5' })];
    for (const body of bodies) {
      await expect(Promise.resolve().then(() => route.parse(request(body)))).rejects.toBeInstanceOf(MalformedPayloadError);
    }
  });

  it('throws MalformedPayloadError for a message without a chat, naming the field only', async () => {
    const error = await Promise.resolve()
      .then(() => route.parse(request({ update_id: 9, message: { message_id: 1, date: 1, text: 'secret words' } })))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedPayloadError);
    expect((error as Error).message).toContain('message.chat');
    expect((error as Error).message).not.toContain('secret words');
  });
});
