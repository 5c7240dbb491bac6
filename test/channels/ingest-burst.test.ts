/**
 * Webhooks stored in batches (src/inbound/ingest-batch.ts), seen from outside: a burst of signed
 * SMS webhooks arriving together, each delivered twice at once as a provider retry would, is
 * stored once per provider id and answered once per message, exactly as the same messages sent
 * one at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { inboundSms, startProviders, webhooksTo, type Providers } from '../support/providers.js';

let providers: Providers<'sms'>;
let gateway: TestGateway;
beforeAll(async () => {
  providers = await startProviders(['sms']);
  gateway = await startTestGateway(providers.env);
});
afterAll(async () => {
  await gateway?.close();
  await providers?.close();
});

const repliesTo = (to: string) => providers.sms.messages().filter((m) => m.form.To === to);

describe('a burst of webhooks stored in batches', () => {
  it('stores each provider id once and answers each message once, duplicates delivered at the same moment included', async () => {
    const post = webhooksTo(gateway.url).sms;
    // One contact alone first: how many replies a first "hi" gets.
    expect((await post(inboundSms('+254711000000', 'hi'))).status).toBe(200);
    await waitForIdle(gateway);
    const perHi = repliesTo('+254711000000').length;
    expect(perHi).toBeGreaterThan(0);

    const senders = Array.from({ length: 15 }, (_, i) => `+2547110001${String(i).padStart(2, '0')}`);
    const sms = senders.map((from) => inboundSms(from, 'hi'));
    const answers = await Promise.all([...sms, ...sms].map((params) => post(params)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    await waitForIdle(gateway);

    for (const params of sms) {
      expect(await gateway.db.message.count({ where: { direction: 'in', channel: 'sms', providerId: params.MessageSid } })).toBe(1);
    }
    for (const from of senders) expect(repliesTo(from)).toHaveLength(perHi);
    expect(await gateway.db.contactIdentity.count({ where: { channel: 'sms' } })).toBe(senders.length + 1);
  });
});
