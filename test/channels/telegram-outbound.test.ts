import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTelegramAdapter } from '../../bots/telegram/index.js';
import type { ChannelAdapter, SendContext } from '../../src/channels/adapter.js';
import {
  ProviderNetworkError,
  ProviderRateLimitError,
  ProviderRejectedError,
  ProviderUnavailableError,
  RecipientStoppedError,
} from '../../src/errors.js';
import type { OutboundMessage } from '../../src/messages.js';
import { startTelegramApi, telegramErrors, type FakeTelegramApi } from '../fakes/telegram-api.js';

const TOKEN = '123:abc';
const CHAT = '424242';
const context: SendContext = { messageId: 'm-1', queuedAt: new Date() };

let fake: FakeTelegramApi;
let adapter: ChannelAdapter;

beforeEach(async () => {
  fake = await startTelegramApi({ token: TOKEN });
  adapter = createTelegramAdapter({ botToken: TOKEN, webhookSecret: 's', apiRoot: `${fake.url}/` }, pino({ level: 'silent' }));
});

afterEach(async () => {
  await fake.close();
});

async function sendError(message: OutboundMessage): Promise<unknown> {
  return adapter.send(CHAT, message, context).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('telegram outbound mapping', () => {
  it('sends a text with sendMessage and returns the message id', async () => {
    const result = await adapter.send(CHAT, { type: 'text', text: 'Report received' }, context);
    const [call] = fake.calls('sendMessage');
    expect(call?.token).toBe(TOKEN);
    expect(call?.payload).toMatchObject({ chat_id: CHAT, text: 'Report received' });
    expect(result).toEqual({ providerId: '1', status: 'sent' });
  });

  it('sends a choice as an inline keyboard, one button per row, callback_data = choice id', async () => {
    await adapter.send(
      CHAT,
      {
        type: 'choice',
        text: 'How serious is it?',
        multiple: false,
        choices: [
          { id: 'sev:low', label: 'Low' },
          { id: 'sev:high', label: 'High' },
        ],
      },
      context,
    );
    expect(fake.calls('sendMessage')[0]?.payload).toEqual({
      chat_id: CHAT,
      text: 'How serious is it?',
      reply_markup: {
        inline_keyboard: [[{ text: 'Low', callback_data: 'sev:low' }], [{ text: 'High', callback_data: 'sev:high' }]],
      },
    });
  });

  it('refuses a choice id over 64 bytes without calling Telegram', async () => {
    // 32 characters, 64 bytes: accepted. 33 two-byte characters: 66 bytes, refused.
    await adapter.send(CHAT, { type: 'choice', text: 'ok', multiple: false, choices: [{ id: 'é'.repeat(32), label: 'A' }] }, context);
    const error = await sendError({ type: 'choice', text: 'too long', multiple: false, choices: [{ id: 'é'.repeat(33), label: 'A' }] });
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(fake.calls('sendMessage')).toHaveLength(1);
  });

  it('sends a location with sendLocation, after its text', async () => {
    const result = await adapter.send(CHAT, { type: 'location', text: 'Safe assembly point', latitude: 9.03, longitude: 38.74 }, context);
    expect(fake.requests.map((r) => r.method)).toEqual(['sendMessage', 'sendLocation']);
    expect(fake.calls('sendMessage')[0]?.payload).toMatchObject({ chat_id: CHAT, text: 'Safe assembly point' });
    expect(fake.calls('sendLocation')[0]?.payload).toMatchObject({ chat_id: CHAT, latitude: 9.03, longitude: 38.74 });
    expect(result.providerId).toBe('2');
  });

  it('sends a location without text as sendLocation alone', async () => {
    await adapter.send(CHAT, { type: 'location', latitude: 1, longitude: 2 }, context);
    expect(fake.requests.map((r) => r.method)).toEqual(['sendLocation']);
  });

  it('sends an image URL with sendPhoto and other media with sendDocument, captions kept', async () => {
    await adapter.send(CHAT, { type: 'media', url: 'https://cdn.example.org/map.PNG?v=2', caption: 'Road closures' }, context);
    await adapter.send(CHAT, { type: 'media', url: 'https://cdn.example.org/guide.pdf' }, context);
    expect(fake.calls('sendPhoto')[0]?.payload).toEqual({ chat_id: CHAT, photo: 'https://cdn.example.org/map.PNG?v=2', caption: 'Road closures' });
    expect(fake.calls('sendDocument')[0]?.payload).toEqual({ chat_id: CHAT, document: 'https://cdn.example.org/guide.pdf' });
  });

  it('offers the default pace: 30 per second, 1 s between messages to one chat', () => {
    expect(adapter.rate).toEqual({ max: 30, durationMs: 1000, perAddressGapMs: 1000 });
  });
});

describe('telegram send errors', () => {
  const text: OutboundMessage = { type: 'text', text: 'hello' };

  it('maps 429 to ProviderRateLimitError with retry_after in ms, and does not retry by itself', async () => {
    fake.next(telegramErrors.tooManyRequests(7));
    const error = await sendError(text);
    expect(error).toBeInstanceOf(ProviderRateLimitError);
    expect((error as ProviderRateLimitError).retryAfterMs).toBe(7000);
    expect((error as ProviderRateLimitError).code).toBe(429);
    expect(fake.calls('sendMessage')).toHaveLength(1);
  });

  it('maps 403 blocked and deactivated to RecipientStoppedError', async () => {
    fake.next(telegramErrors.blocked());
    fake.next(telegramErrors.deactivated());
    expect(await sendError(text)).toBeInstanceOf(RecipientStoppedError);
    expect(await sendError(text)).toBeInstanceOf(RecipientStoppedError);
  });

  it('maps 400 chat not found and a bad token (401) to ProviderRejectedError', async () => {
    fake.next(telegramErrors.chatNotFound());
    const notFound = await sendError(text);
    expect(notFound).toBeInstanceOf(ProviderRejectedError);
    expect((notFound as Error).message).toContain('chat not found');
    const wrongToken = createTelegramAdapter({ botToken: '999:zzz', webhookSecret: 's', apiRoot: fake.url }, pino({ level: 'silent' }));
    const unauthorized = await wrongToken.send(CHAT, text, context).catch((e: unknown) => e);
    expect(unauthorized).toBeInstanceOf(ProviderRejectedError);
  });

  it('maps 500 and 502 to ProviderUnavailableError, without retrying', async () => {
    fake.next(telegramErrors.serverError());
    fake.next(telegramErrors.badGateway());
    expect(await sendError(text)).toBeInstanceOf(ProviderUnavailableError);
    expect(await sendError(text)).toBeInstanceOf(ProviderUnavailableError);
    expect(fake.calls('sendMessage')).toHaveLength(2);
  });

  it('maps a dropped connection to ProviderNetworkError', async () => {
    fake.next({ drop: true });
    expect(await sendError(text)).toBeInstanceOf(ProviderNetworkError);
  });

  it('maps a closed server to ProviderNetworkError whose message holds neither token nor chat id', async () => {
    await fake.close();
    const error = await sendError(text);
    expect(error).toBeInstanceOf(ProviderNetworkError);
    expect((error as ProviderNetworkError).code).toBe('ECONNREFUSED');
    expect((error as Error).message).not.toContain(TOKEN);
    expect((error as Error).message).not.toContain(CHAT);
    expect((error as Error).cause).toBeUndefined();
  });

  it('maps a request that outlasts requestTimeoutSeconds to ProviderNetworkError', async () => {
    const slow = createTelegramAdapter(
      { botToken: TOKEN, webhookSecret: 's', apiRoot: fake.url, requestTimeoutSeconds: 0.2 },
      pino({ level: 'silent' }),
    );
    fake.next({ delayMs: 1000 });
    const error = await slow.send(CHAT, text, context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderNetworkError);
    expect((error as ProviderNetworkError).code).toBe('timeout');
  });
});

describe('a 429 from Telegram', () => {
  it('becomes a rate limit carrying retry_after, and one chat\'s limit does not refuse another chat', async () => {
    // The gateway's own pacing (channel slots, gap per chat) is proven in test/core/send-gap.test.ts;
    // here the adapter alone meets Telegram's answer to a second message to one chat within a second.
    const paced = await startTelegramApi({ limits: { perChatGapMs: 1000, perSecond: 30, retryAfterSeconds: 1 } });
    try {
      const sender = createTelegramAdapter({ botToken: TOKEN, webhookSecret: 's', apiRoot: paced.url }, pino({ level: 'silent' }));
      await sender.send(CHAT, { type: 'text', text: 'one' }, context);
      const error = await sender.send(CHAT, { type: 'text', text: 'two' }, context).catch((e: unknown) => e);
      const other = await sender.send('777', { type: 'text', text: 'other chat' }, context);
      expect(error).toBeInstanceOf(ProviderRateLimitError);
      expect((error as ProviderRateLimitError).retryAfterMs).toBe(1000);
      expect(other.providerId).toBeTruthy();
    } finally {
      await paced.close();
    }
  });
});
