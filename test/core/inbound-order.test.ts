/**
 * A contact's messages are handled in the order they arrived, even when the job of an earlier
 * one comes late: here its queueing was lost after the message was stored (Redis failed between
 * the commit and the queueing, the webhook answered 500) and the provider's retry queues it again
 * after the next message has come. Found by the scale-out bench: HELP replies reached one number
 * as "0, 1, 2, 4, 3" when a job waiting for the contact's lock was overtaken by the next one.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
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

it('handles a message whose job came late before the next message of the same contact', async () => {
  const number = '+15550166001';
  const webhooks = webhooksTo(gateway.url);
  const repliesTo = () => providers.sms.messages().filter((r) => r.form.To === number && r.answeredStatus === 201);
  expect((await webhooks.sms(inboundSms(number, 'hi'))).status).toBe(200);
  await waitForIdle(gateway);
  const before = repliesTo().length;

  // The second message is stored, but its job is lost before a worker takes it.
  await gateway.queues.inbound.pause();
  const late = inboundSms(number, 'HELP');
  expect((await webhooks.sms(late)).status).toBe(200);
  const lateMessage = await gateway.db.message.findFirstOrThrow({ where: { providerId: late.MessageSid, direction: 'in' } });
  await (await gateway.queues.inbound.getJob(`in-${lateMessage.id}`))!.remove();
  // The third comes and is queued while the second waits for its retry.
  const next = inboundSms(number, 'STOP');
  expect((await webhooks.sms(next)).status).toBe(200);
  await gateway.queues.inbound.resume();
  // The provider retries the second message: it is queued again and goes first.
  expect((await webhooks.sms(late)).status).toBe(200);
  await eventually(() => repliesTo().length >= before + 2, 15_000, 'both replies');
  await waitForIdle(gateway);

  // HELP is answered, then the waiting question (the language choice) is asked again; that
  // second reply is sent only if it leaves before STOP is handled (a stopped contact gets
  // nothing more), so it may or may not be there, but never after the opt-out confirmation.
  const replies = repliesTo().slice(before);
  const kind = (body: string) =>
    body.startsWith('This service lets you report') ? 'help' : body.startsWith('You will get no more messages') ? 'stop' : body.startsWith('Welcome! Choose your language') ? 'question' : body;
  const kinds = replies.map((r) => kind(r.form.Body!));
  expect([['help', 'stop'], ['help', 'question', 'stop']]).toContainEqual(kinds);
  // And the opt-out came last: the contact is stopped.
  const identity = await gateway.db.contactIdentity.findFirstOrThrow({ where: { addressHash: gateway.personalData.hash('sms', number) } });
  expect(identity.stoppedAt).not.toBeNull();
});
