import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerTelegramWebhook, telegramWebhookInfo } from '../../bots/telegram/index.js';
import { ProviderRejectedError } from '../../src/errors.js';
import { startTelegramApi, type FakeTelegramApi } from '../fakes/telegram-api.js';

const TOKEN = '123:abc';
let fake: FakeTelegramApi;

beforeEach(async () => {
  fake = await startTelegramApi({ token: TOKEN });
});

afterEach(async () => {
  await fake.close();
});

describe('telegram webhook registration', () => {
  it('calls setWebhook with PUBLIC_URL + /webhooks/telegram, the secret and the handled update types', async () => {
    const registration = await registerTelegramWebhook(
      { botToken: TOKEN, webhookSecret: 'the-secret', apiRoot: fake.url },
      'https://gateway.example.org/',
    );
    expect(registration).toEqual({
      url: 'https://gateway.example.org/webhooks/telegram',
      allowedUpdates: ['message', 'callback_query'],
    });
    expect(fake.calls('setWebhook')[0]?.payload).toEqual({
      url: 'https://gateway.example.org/webhooks/telegram',
      secret_token: 'the-secret',
      allowed_updates: ['message', 'callback_query'],
    });
  });

  it('refuses to register without a secret', async () => {
    await expect(registerTelegramWebhook({ botToken: TOKEN, apiRoot: fake.url }, 'https://gateway.example.org')).rejects.toThrow(
      /webhookSecret/,
    );
    expect(fake.requests).toHaveLength(0);
  });

  it('reports what Telegram has on record as a plain object', async () => {
    await registerTelegramWebhook({ botToken: TOKEN, webhookSecret: 'the-secret', apiRoot: fake.url }, 'https://gateway.example.org');
    fake.pushUpdate({ update_id: 1 });
    const info = await telegramWebhookInfo({ botToken: TOKEN, apiRoot: fake.url });
    expect(info).toMatchObject({
      url: 'https://gateway.example.org/webhooks/telegram',
      pendingUpdateCount: 1,
      allowedUpdates: ['message', 'callback_query'],
    });
  });

  it('passes on the last delivery error Telegram reports', async () => {
    fake.next({
      result: { url: 'https://x.example/webhooks/telegram', has_custom_certificate: false, pending_update_count: 4, last_error_date: 1700000000, last_error_message: 'Wrong response from the webhook: 401 Unauthorized' },
    });
    const info = await telegramWebhookInfo({ botToken: TOKEN, apiRoot: fake.url });
    expect(info.lastErrorAt).toBe('2023-11-14T22:13:20.000Z');
    expect(info.lastErrorMessage).toContain('401');
    expect(info.pendingUpdateCount).toBe(4);
  });

  it('throws ProviderRejectedError when Telegram refuses the token', async () => {
    await expect(telegramWebhookInfo({ botToken: '1:wrong', apiRoot: fake.url })).rejects.toBeInstanceOf(ProviderRejectedError);
  });
});
