/**
 * Ingest of a polled channel (TELEGRAM_MODE=polling, no webhook): updates fetched from the fake
 * Telegram API's getUpdates go through `ingest` (src/inbound/ingest.ts) one by one. Each is
 * stored and answered at the provider; the sender's Telegram language becomes the contact's when
 * the gateway speaks it, and is ignored when it does not; an update that comes twice in one
 * getUpdates answer is stored and answered once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramApi, telegramUpdates, type FakeTelegramApi } from '../fakes/telegram-api.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';

const TOKEN = '123456:TEST-polling';

let telegram: FakeTelegramApi;
let gateway: TestGateway;
beforeAll(async () => {
  telegram = await startTelegramApi({ token: TOKEN });
  gateway = await startTestGateway({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MODE: 'polling', TELEGRAM_API_ROOT: telegram.url });
});
afterAll(async () => {
  await gateway?.close();
  await telegram?.close();
});

const repliesTo = (chat: number) => telegram.calls('sendMessage').filter((c) => String(c.payload.chat_id) === String(chat));

async function contactOf(chat: number) {
  const identity = await gateway.db.contactIdentity.findUniqueOrThrow({
    where: { channel_addressHash: { channel: 'telegram', addressHash: gateway.personalData.hash('telegram', String(chat)) } },
    include: { contact: true },
  });
  return identity;
}

describe('a polled channel', () => {
  // Update ids only grow from test to test: the fake API drops an update below a confirmed offset.
  it('stores and answers an update, in the language Telegram gives when the gateway speaks it', async () => {
    // "hi" is an English word: only the language given by Telegram makes the answer French (the
    // one-time offer to register a home area, made once the language is known).
    telegram.pushUpdate(telegramUpdates.text(7101, 'hi', { updateId: 9101, languageCode: 'fr-FR' }));
    await eventually(() => repliesTo(7101).length > 0, 15_000, 'a reply');
    await waitForIdle(gateway);
    expect(String(repliesTo(7101)[0]!.payload.text)).toMatch(/^Dites-nous où vous habitez/);
    const identity = await contactOf(7101);
    expect(identity.contact.language).toBe('fr');
    const stored = await gateway.db.message.findMany({ where: { identityId: identity.id, direction: 'in' } });
    expect(stored.map((m) => [m.providerId, m.status])).toEqual([['9101', 'processed']]);
    expect(gateway.personalData.decrypt(stored[0]!.bodyEnc)).toContain('hi');
  });

  it('keeps no language the gateway does not speak', async () => {
    telegram.pushUpdate(telegramUpdates.text(7102, 'hi', { updateId: 9102, languageCode: 'am' }));
    await eventually(() => repliesTo(7102).length > 0, 15_000, 'a reply');
    expect(String(repliesTo(7102)[0]!.payload.text)).toMatch(/^Welcome! Choose your language/);
    expect((await contactOf(7102)).contact.language).toBeNull();
  });

  it('stores and answers once an update that comes twice in one getUpdates answer', async () => {
    // The first update wakes the waiting long poll; the copies queue behind it for the next one.
    telegram.pushUpdate(telegramUpdates.text(7103, 'hi', { updateId: 9103, languageCode: 'en' }));
    const twice = telegramUpdates.text(7104, 'hi', { updateId: 9104, languageCode: 'en' });
    telegram.pushUpdate(twice);
    telegram.pushUpdate(twice);
    await eventually(() => repliesTo(7104).length > 0, 15_000, 'a reply');
    await waitForIdle(gateway);
    expect(repliesTo(7104)).toHaveLength(repliesTo(7103).length);
    const identity = await contactOf(7104);
    expect(await gateway.db.message.count({ where: { identityId: identity.id, direction: 'in' } })).toBe(1);
    // And the channel goes on: the next update is answered.
    telegram.pushUpdate(telegramUpdates.text(7105, 'hi', { updateId: 9105, languageCode: 'en' }));
    await eventually(() => repliesTo(7105).length > 0, 15_000, 'a reply to the next update');
  });

  it('answers an update that carries no language at all with the language question', async () => {
    telegram.pushUpdate(telegramUpdates.text(7106, 'hi', { updateId: 9106 }));
    await eventually(() => repliesTo(7106).length > 0, 15_000, 'a reply');
    expect(String(repliesTo(7106)[0]!.payload.text)).toMatch(/^Welcome! Choose your language/);
    expect((await contactOf(7106)).contact.language).toBeNull();
  });
});
