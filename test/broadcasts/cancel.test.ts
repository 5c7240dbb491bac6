import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwilioApi, type FakeTwilioApi } from '../fakes/twilio-api.js';
import { eventually, type TestGateway } from '../support/gateway.js';
import { api, makeTokens, sendBroadcast, smsEnv, startBroadcastGateway, type Tokens } from './support.js';
import { waitForIdle } from '../support/idle.js';

let gateway: TestGateway;
let tokens: Tokens;
let sms: FakeTwilioApi;
const TOTAL = 40;

beforeAll(async () => {
  sms = await startTwilioApi();
  // 5 SMS per second: 40 recipients take 8 s, time enough to cancel in the middle.
  gateway = await startBroadcastGateway({ settings: { BROADCAST_PAGE_SIZE: 10 } }, smsEnv(sms.url, 5));
  tokens = await makeTokens(gateway);
  for (let i = 0; i < TOTAL; i++) {
    const address = `+2547100000${String(i).padStart(2, '0')}`;
    const contact = await gateway.db.contact.create({ data: { areaId: 'mbali', language: 'en' } });
    await gateway.db.contactIdentity.create({
      data: { contactId: contact.id, channel: 'sms', addressHash: gateway.personalData.hash('sms', address), addressEnc: gateway.personalData.encrypt(address) },
    });
  }
});

afterAll(async () => {
  await gateway?.close();
  await sms?.close();
});

describe('cancel', () => {
  it('stops what has not gone out, mid-send: queued messages cancelled, their jobs removed, nothing more sent', async () => {
    const id = await sendBroadcast(gateway, tokens, { title: 'Meeting', texts: { en: 'Community meeting at the school, 4 pm.' }, audience: { areaId: 'mbali' } });
    await eventually(() => sms.messages().length >= 6, 10_000, 'some messages sent');
    const cancelled = await api(gateway, tokens.broadcaster, 'POST', `/broadcasts/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    const atCancel = sms.messages().length;
    expect(cancelled.body.broadcast.status).toBe('cancelled');
    expect(cancelled.body.cancelledMessages).toBeGreaterThan(TOTAL / 2);

    await waitForIdle(gateway);
    const sent = sms.messages().length;
    // Only sends already under way at the moment of cancelling (at most the worker concurrency) may finish.
    expect(sent).toBeLessThanOrEqual(atCancel + 5);
    expect(sent).toBeLessThan(TOTAL);

    const progress = await api(gateway, tokens.analyst, 'GET', `/broadcasts/${id}/progress`);
    const by = progress.body.byStatus as Record<string, number>;
    expect(by.cancelled).toBe(cancelled.body.cancelledMessages);
    expect((by.sent ?? 0) + (by.cancelled ?? 0)).toBe(progress.body.written);
    expect(by.sent).toBe(sent);
    expect(progress.body.done).toBe(true);
    const counts = await gateway.queues.outbound('sms').getJobCounts('waiting', 'delayed', 'prioritized', 'active');
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(0);
    const again = await api(gateway, tokens.broadcaster, 'POST', `/broadcasts/${id}/cancel`);
    expect(again.status).toBe(409);
  });
});
