/**
 * The gap per address, measured where it matters: at the Telegram API. Telegram takes about one
 * message per second into one chat; the gateway spaces two messages to one chat by the channel's
 * gap (1,000 ms) while other chats go on at the channel's pace. The fake API answers 429 to a
 * second message to one chat within 700 ms (a margin for the trip between departure and arrival,
 * which varies on a loaded machine).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOrCreateContact } from '../../src/conversation/contacts.js';
import { enqueueAll, writeOutbox } from '../../src/outbound/outbox.js';
import { startTelegramApi, type FakeTelegramApi } from '../fakes/telegram-api.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';

const TOKEN = '123456:TEST-token';

let telegram: FakeTelegramApi;
let gateway: TestGateway;
beforeAll(async () => {
  telegram = await startTelegramApi({ token: TOKEN, limits: { perChatGapMs: 700, perSecond: 30 } });
  gateway = await startTestGateway({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: 'secret', TELEGRAM_API_ROOT: telegram.url });
});
afterAll(async () => {
  await gateway?.close();
  await telegram?.close();
});

async function queueTexts(chat: string, key: string, texts: string[], kind?: string): Promise<string[]> {
  const target = { ...(await findOrCreateContact(gateway.db, gateway.personalData, 'telegram', chat)), channel: 'telegram' };
  const rows = await writeOutbox(gateway.db, gateway, target, key, texts.map((text) => ({ message: { type: 'text' as const, text }, kind })));
  if (kind !== 'broadcast') await enqueueAll(gateway.queues, rows);
  return rows.map((row) => row.id);
}

const sendsTo = (chat: string) => telegram.calls('sendMessage').filter((r) => String(r.payload.chat_id) === chat);

describe('the gap per address', () => {
  it('spaces three messages to one chat by at least the gap, and never meets a 429', async () => {
    await queueTexts('5001', 'gap:one-chat', ['first', 'second', 'third']);
    await waitForIdle(gateway);
    const sends = sendsTo('5001');
    expect(sends.map((s) => s.status)).toEqual([200, 200, 200]);
    expect(sends.map((s) => s.payload.text)).toEqual(['first', 'second', 'third']);
    for (let i = 1; i < sends.length; i++) expect(sends[i]!.at - sends[i - 1]!.at).toBeGreaterThanOrEqual(700);
    expect(telegram.rateLimited).toBe(0);
  });

  it('keeps the order of messages written one after another: a later reply waits for the earlier ones', async () => {
    await queueTexts('5004', 'gap:order-1', ['one', 'two']);
    await queueTexts('5004', 'gap:order-2', ['three', 'four']);
    await waitForIdle(gateway);
    expect(sendsTo('5004').map((s) => s.payload.text)).toEqual(['one', 'two', 'three', 'four']);
    expect(telegram.rateLimited).toBe(0);
  });

  it('does not hold a reply behind an announcement still waiting for its turn at the broadcast pace', async () => {
    // The announcement is written but not queued yet, as in a long paced fan-out.
    const [announcement] = await queueTexts('5005', 'gap:broadcast', ['announcement'], 'broadcast');
    await queueTexts('5005', 'gap:reply', ['reply']);
    await eventually(() => sendsTo('5005').length === 1, 10_000, 'the reply sent');
    expect(sendsTo('5005').map((s) => s.payload.text)).toEqual(['reply']);
    await gateway.db.message.update({ where: { id: announcement! }, data: { status: 'failed' } });
  });

  it('holds up only that chat: another chat gets its message at the channel pace', async () => {
    await queueTexts('5002', 'gap:busy-chat', ['a', 'b']);
    await queueTexts('5003', 'gap:other-chat', ['c']);
    await waitForIdle(gateway);
    const busy = sendsTo('5002');
    const other = sendsTo('5003');
    expect(busy).toHaveLength(2);
    expect(other).toHaveLength(1);
    expect(other[0]!.at).toBeLessThan(busy[1]!.at);
    expect(other[0]!.at - busy[0]!.at).toBeLessThan(700);
    expect(telegram.rateLimited).toBe(0);
  });
});
