/**
 * A person's answers leave in the order they were written, an opt-out in between included. Here
 * the answer to HELP is refused once by the provider (a passing 500) and waits for its retry;
 * meanwhile the person sends STOP. The question repeated after the help is not sent (the person
 * has opted out), and the opt-out confirmation, written after both, must still not overtake the
 * help: the person reads the help, then "You will get no more messages", never the other way
 * round.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { twilioError } from '../fakes/twilio-api.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { inboundSms, startProviders, webhooksTo, type GatewayWebhooks, type Providers } from '../support/providers.js';

const STOPPED = 'You will get no more messages from us. Send START to come back.';
const HELP = /^This service lets you report/;

let providers: Providers<'sms'>;
let gateway: TestGateway;
let webhooks: GatewayWebhooks;

beforeAll(async () => {
  providers = await startProviders(['sms']);
  // A refused send is tried again after 2 s: time enough for the STOP to be handled meanwhile.
  gateway = await startTestGateway({ ...providers.env, JOB_BACKOFF_MS: '2000' });
  webhooks = webhooksTo(gateway.url);
});
afterAll(async () => {
  await gateway?.close();
  await providers?.close();
});

it('sends the answer to HELP before the opt-out confirmation of a STOP that followed it', async () => {
  const number = '+15550183001';
  const accepted = () => providers.sms.messages().filter((r) => r.form.To === number && r.answeredStatus === 201).map((r) => r.form.Body!);
  expect((await webhooks.sms(inboundSms(number, 'hi'))).status).toBe(200);
  await waitForIdle(gateway);
  const before = accepted().length;

  // The provider refuses the next send once (the answer to HELP), then takes everything.
  providers.sms.nextResponse(twilioError(500, 20500));
  expect((await webhooks.sms(inboundSms(number, 'HELP'))).status).toBe(200);
  await eventually(() => providers.sms.messages().some((r) => r.form.To === number && r.answeredStatus === 500 && HELP.test(r.form.Body!)), 10_000, 'the help refused once');
  expect((await webhooks.sms(inboundSms(number, 'STOP'))).status).toBe(200);
  await eventually(() => accepted().length >= before + 2, 20_000, 'the help and the opt-out confirmation sent');
  await waitForIdle(gateway);

  const texts = accepted().slice(before);
  expect(texts).toHaveLength(2);
  expect(texts[0]).toMatch(HELP);
  expect(texts[1]).toBe(STOPPED);
}, 60_000);
