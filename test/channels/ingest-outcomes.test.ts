/**
 * What becomes of a Telegram webhook's update, seen from outside through signed webhooks, the
 * database and /metrics (gateway_inbound_messages_total), on both roads to storage: in a batch
 * (src/inbound/ingest-batch.ts), and one by one (`ingest`, src/inbound/ingest.ts) when its sender
 * is over the rate limit (stored with its processing deferred, not refused: webhook-abuse.test.ts).
 * - A new update is acknowledged and counted "queued"; its repeat is acknowledged, counted
 *   "duplicate" and stored once. A deferred one is left unprocessed for now, even when repeated.
 * - When the database refuses to store an update with an error that is not a repeated key, the
 *   webhook is not acknowledged (5xx, so Telegram delivers it again) and nothing is counted; the
 *   delivery after the database takes it back is stored once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramUpdates } from '../fakes/telegram-api.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { startProviders, webhooksTo, type GatewayWebhooks, type Providers } from '../support/providers.js';
import { refuseMessage } from '../support/refused-message.js';

const TOKEN = 'metrics-token-deferred-ingest-0123';

let providers: Providers<'telegram'>;
let gateway: TestGateway;
let webhooks: GatewayWebhooks;
beforeAll(async () => {
  providers = await startProviders(['telegram']);
  // Two updates per chat and minute: a chat's third update is over the limit.
  gateway = await startTestGateway({ ...providers.env, WEBHOOK_SENDER_MAX: '2', WEBHOOK_SENDER_WINDOW_SECONDS: '60', METRICS_TOKEN: TOKEN });
  webhooks = webhooksTo(gateway.url);
});
afterAll(async () => {
  await gateway?.close();
  await providers?.close();
});

/** gateway_inbound_messages_total of Telegram, by status, read from /metrics. */
async function inboundCounts(): Promise<Record<string, number>> {
  const response = await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(200);
  const counts: Record<string, number> = {};
  for (const line of (await response.text()).split('\n')) {
    const match = /^gateway_inbound_messages_total\{(.*)\}\s+(\S+)$/.exec(line);
    if (!match || !match[1]!.includes('channel="telegram"')) continue;
    const status = /status="(\w+)"/.exec(match[1]!)?.[1];
    if (status) counts[status] = Number(match[2]);
  }
  return counts;
}

/** How each Telegram count moved while `act` ran (statuses that did not move left out). */
async function countsMovedBy(act: () => Promise<void>): Promise<Record<string, number>> {
  const before = await inboundCounts();
  await act();
  const after = await inboundCounts();
  return Object.fromEntries(Object.entries(after).flatMap(([status, n]) => (n !== (before[status] ?? 0) ? [[status, n - (before[status] ?? 0)]] : [])));
}

const storedWith = (updateId: number) => gateway.db.message.findMany({ where: { channel: 'telegram', direction: 'in', providerId: String(updateId) } });
const repliesTo = (chat: number) => providers.telegram.calls('sendMessage').filter((c) => String(c.payload.chat_id) === String(chat));

async function post(update: unknown): Promise<number> {
  return (await webhooks.telegram(update)).status;
}

describe('an update over the sender limit, stored on its own', () => {
  it('is acknowledged, counted queued and not processed yet; its repeat is counted duplicate and stored once', async () => {
    const chat = 7301;
    expect(await post(telegramUpdates.text(chat, 'hi', { updateId: 930100, languageCode: 'en' }))).toBe(200);
    expect(await post(telegramUpdates.text(chat, 'hi', { updateId: 930101, languageCode: 'en' }))).toBe(200);
    await waitForIdle(gateway);
    const answered = repliesTo(chat).length;
    expect(answered).toBeGreaterThan(0);

    const over = telegramUpdates.text(chat, 'hello again', { updateId: 930102, languageCode: 'en' });
    expect(await countsMovedBy(async () => expect(await post(over)).toBe(200))).toEqual({ queued: 1 });
    expect(await countsMovedBy(async () => expect(await post(over)).toBe(200))).toEqual({ duplicate: 1 });
    await waitForIdle(gateway);
    // Deferred past the window: stored, not processed, not answered; the repeat did not hurry it.
    expect((await storedWith(930102)).map((m) => m.status)).toEqual(['received']);
    expect(repliesTo(chat)).toHaveLength(answered);
  });

  it('is not acknowledged while the database refuses it, and stored once when the database takes it again', async () => {
    const chat = 7302;
    expect(await post(telegramUpdates.text(chat, 'hi', { updateId: 930200, languageCode: 'en' }))).toBe(200);
    expect(await post(telegramUpdates.text(chat, 'hi', { updateId: 930201, languageCode: 'en' }))).toBe(200);
    const over = telegramUpdates.text(chat, 'hello again', { updateId: 930202, languageCode: 'en' });
    const refused = await refuseMessage(gateway, '930202');
    let status = 0;
    expect(await countsMovedBy(async () => void (status = await post(over)))).toEqual({});
    expect(status).toBeGreaterThanOrEqual(500);
    expect(await storedWith(930202)).toHaveLength(0);

    await refused.lift();
    expect(await countsMovedBy(async () => expect(await post(over)).toBe(200))).toEqual({ queued: 1 });
    await waitForIdle(gateway);
    expect((await storedWith(930202)).map((m) => m.status)).toEqual(['received']);
  });
});

describe('an update under the limit, stored in a batch', () => {
  it('is acknowledged and counted queued; its repeat is counted duplicate and stored once', async () => {
    const update = telegramUpdates.text(7304, 'hi', { updateId: 930401, languageCode: 'en' });
    expect(await countsMovedBy(async () => expect(await post(update)).toBe(200))).toEqual({ queued: 1 });
    expect(await countsMovedBy(async () => expect(await post(update)).toBe(200))).toEqual({ duplicate: 1 });
    await waitForIdle(gateway);
    expect((await storedWith(930401)).map((m) => m.status)).toEqual(['processed']);
  });

  it('is not acknowledged while the database refuses it, nor counted, and stored once when the database takes it again', async () => {
    const chat = 7303;
    const update = telegramUpdates.text(chat, 'hi', { updateId: 930301, languageCode: 'en' });
    const refused = await refuseMessage(gateway, '930301');
    let status = 0;
    expect(await countsMovedBy(async () => void (status = await post(update)))).toEqual({});
    expect(status).toBeGreaterThanOrEqual(500);
    expect(await storedWith(930301)).toHaveLength(0);

    await refused.lift();
    // Telegram's next delivery of the same update.
    expect(await countsMovedBy(async () => expect(await post(update)).toBe(200))).toEqual({ queued: 1 });
    await waitForIdle(gateway);
    expect((await storedWith(930301)).map((m) => m.status)).toEqual(['processed']);
  });
});
