/**
 * Dates the send worker writes with raw statements (src/outbound/worker.ts: `sentAt` and
 * `updatedAt` of the claim and the sent mark, src/db/raw.ts) read back by what shows them: an
 * announcement sent by SMS through the fake Twilio API appears in its delivery timeline (GET
 * /api/v1/broadcasts/:id/progress, src/broadcasts/delivery-timeline.ts) in the seconds it actually left,
 * every message counted once, and the stored `sentAt` reads back as the moment of the send, on
 * the database the suite runs on.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTwilioApi, type FakeTwilioApi } from '../fakes/twilio-api.js';
import { eventually, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { addContact, api, makeTokens, sendBroadcast, smsEnv, startBroadcastGateway, type Tokens } from '../broadcasts/support.js';

let sms: FakeTwilioApi;
let gateway: TestGateway;
let tokens: Tokens;

beforeAll(async () => {
  sms = await startTwilioApi();
  gateway = await startBroadcastGateway({}, smsEnv(sms.url, 10));
  tokens = await makeTokens(gateway);
});
afterAll(async () => {
  await gateway?.close();
  await sms?.close();
});

it('shows an announcement sent by SMS in its timeline in the seconds it left, each message once', async () => {
  const numbers = Array.from({ length: 12 }, (_, i) => `+1555021${String(i).padStart(4, '0')}`);
  for (const address of numbers) await addContact(gateway, { address, channel: 'sms', language: 'en', topics: ['civic'] });
  const started = Date.now();
  const id = await sendBroadcast(gateway, tokens, { title: 'Road', texts: { en: 'The bridge road is open again.' }, audience: { topic: 'civic' } });
  await eventually(() => numbers.every((n) => sms.messages().some((r) => r.form.To === n && r.answeredStatus === 201)), 30_000, 'every SMS sent');
  await waitForIdle(gateway);
  const finished = Date.now();

  const rows = await gateway.db.message.findMany({ where: { broadcastId: id } });
  expect(rows).toHaveLength(numbers.length);
  for (const row of rows) {
    expect(row.status).toBe('sent');
    // Read back as the moment it left: after the start, before the end, and no earlier than its
    // creation; `updatedAt` written with it.
    expect(row.sentAt).toBeInstanceOf(Date);
    expect(row.sentAt!.getTime()).toBeGreaterThanOrEqual(started - 1);
    expect(row.sentAt!.getTime()).toBeLessThanOrEqual(finished + 1);
    expect(row.sentAt!.getTime()).toBeGreaterThanOrEqual(row.createdAt.getTime());
    expect(row.updatedAt.getTime()).toBe(row.sentAt!.getTime());
  }
  // Each row holds the provider's id of its own send.
  expect(new Set(rows.map((r) => r.providerId)).size).toBe(numbers.length);

  const shown = await api(gateway, tokens.analyst, 'GET', `/broadcasts/${id}/progress`);
  expect(shown.status).toBe(200);
  const timeline = shown.body.timeline as { bucket: string; points: { at: string; sent: number; delivered: number; failed: number }[] };
  expect(timeline.bucket).toBe('second');
  // Each message in the second its stored `sentAt` falls in, counted once.
  const expected = new Map<string, number>();
  for (const row of rows) {
    const second = new Date(Math.floor(row.sentAt!.getTime() / 1000) * 1000).toISOString();
    expected.set(second, (expected.get(second) ?? 0) + 1);
  }
  expect(timeline.points.map((p) => [p.at, p.sent])).toEqual([...expected.entries()].sort(([a], [b]) => a.localeCompare(b)));
  expect(timeline.points.every((p) => p.delivered === 0 && p.failed === 0)).toBe(true);
  for (const point of timeline.points) {
    expect(Date.parse(point.at)).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
    expect(Date.parse(point.at)).toBeLessThanOrEqual(finished);
  }
}, 60_000);
