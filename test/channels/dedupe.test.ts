/**
 * Inbound dedupe, seen from outside: a provider id names a message within its channel only. The
 * same id delivered twice on one channel is one message (one reply at the provider); the same id
 * on two channels is two messages from two people (two replies).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramUpdates } from '../fakes/telegram-api.js';
import { ConsoleUser } from '../support/console.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { startProviders, webhooksTo, type Providers } from '../support/providers.js';

let providers: Providers<'telegram'>;
let gateway: TestGateway;
beforeAll(async () => {
  providers = await startProviders(['telegram']);
  gateway = await startTestGateway(providers.env);
});
afterAll(async () => {
  await gateway?.close();
  await providers?.close();
});

const postTelegram = async (update: unknown): Promise<number> => (await webhooksTo(gateway.url).telegram(update)).status;

const repliesTo = (chat: number) => providers.telegram.calls('sendMessage').filter((c) => String(c.payload.chat_id) === String(chat));

describe('inbound dedupe', () => {
  it('takes the same provider id on two channels as two messages, each answered', async () => {
    expect(await postTelegram(telegramUpdates.text(6001, 'hi', { updateId: 880001, languageCode: 'en' }))).toBe(200);
    const user = new ConsoleUser(gateway, 'same-id-on-console');
    expect(await user.say('hi', '880001')).toBe(200);
    expect(await user.replies(1)).toHaveLength(1);
    await waitForIdle(gateway);
    expect(repliesTo(6001)).toHaveLength(1);
    expect(await gateway.db.message.count({ where: { direction: 'in', providerId: '880001' } })).toBe(2);
  });

  it('takes the same provider id twice on one channel as one message, answered once', async () => {
    const update = telegramUpdates.text(6002, 'hi', { updateId: 880002, languageCode: 'en' });
    expect(await postTelegram(update)).toBe(200);
    expect(await postTelegram(update)).toBe(200);
    await waitForIdle(gateway);
    expect(repliesTo(6002)).toHaveLength(1);
    const user = new ConsoleUser(gateway, 'repeated-on-console');
    expect(await user.say('hi', 'console-repeat')).toBe(200);
    expect(await user.say('hi', 'console-repeat')).toBe(200);
    await waitForIdle(gateway);
    expect(await user.unread()).toHaveLength(1);
  });
});
