/**
 * Delivery reports applied to the stored message (applyStatus in src/inbound/ingest.ts), through
 * signed Twilio status callbacks to a running gateway: reports arrive out of order and never move
 * a message back (a late "sent" after "delivered"); one of the same rank replaces the earlier one
 * with its error; a report for a message we do not know is acknowledged and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { inboundSms, startProviders, TWILIO_SID, webhooksTo, type GatewayWebhooks, type Providers } from '../support/providers.js';

let providers: Providers<'sms'>;
let gateway: TestGateway;
let webhooks: GatewayWebhooks;
beforeAll(async () => {
  providers = await startProviders(['sms']);
  gateway = await startTestGateway(providers.env);
  webhooks = webhooksTo(gateway.url);
});
afterAll(async () => {
  await gateway?.close();
  await providers?.close();
});

/** A reply sent to `from` (its stored row, with the provider's sid). */
async function replyTo(from: string) {
  expect((await webhooks.sms(inboundSms(from, 'hi'))).status).toBe(200);
  await waitForIdle(gateway);
  const identity = await gateway.db.contactIdentity.findUniqueOrThrow({ where: { channel_addressHash: { channel: 'sms', addressHash: gateway.personalData.hash('sms', from) } } });
  return eventually(() => gateway.db.message.findFirst({ where: { identityId: identity.id, direction: 'out', status: 'sent', providerId: { not: null } } }));
}

async function report(sid: string, status: string, extra: Record<string, string> = {}): Promise<void> {
  const params = { MessageSid: sid, MessageStatus: status, AccountSid: TWILIO_SID, To: '+15550300000', From: '+15550009999', ...extra };
  expect((await webhooks.smsStatus(params)).status).toBe(200);
}

const stored = (id: string) => gateway.db.message.findUniqueOrThrow({ where: { id } });

describe('delivery reports', () => {
  it('move a message forward only: delivered stays delivered when a late "sent" comes', async () => {
    const message = await replyTo('+15550300001');
    await report(message.providerId!, 'delivered');
    expect((await stored(message.id)).status).toBe('delivered');
    await report(message.providerId!, 'sent');
    expect((await stored(message.id)).status).toBe('delivered');
    await report(message.providerId!, 'read');
    expect((await stored(message.id)).status).toBe('read');
  });

  it('keep the error of a message that did not arrive; one of the same rank replaces it', async () => {
    const message = await replyTo('+15550300002');
    await report(message.providerId!, 'undelivered', { ErrorCode: '30003', ErrorMessage: 'Unreachable destination handset' });
    expect(await stored(message.id)).toMatchObject({ status: 'undelivered', errorCode: '30003', errorMessage: 'Unreachable destination handset' });
    await report(message.providerId!, 'failed', { ErrorCode: '30005' });
    expect(await stored(message.id)).toMatchObject({ status: 'failed', errorCode: '30005', errorMessage: null });
  });

  it('for a message we do not know are acknowledged and change nothing', async () => {
    const message = await replyTo('+15550300003');
    const before = await gateway.db.message.findMany({ orderBy: { id: 'asc' }, select: { id: true, status: true, errorCode: true } });
    await report('SM' + 'f'.repeat(32), 'failed', { ErrorCode: '30003' });
    expect(await gateway.db.message.findMany({ orderBy: { id: 'asc' }, select: { id: true, status: true, errorCode: true } })).toEqual(before);
    expect((await stored(message.id)).status).toBe('sent');
  });
});
