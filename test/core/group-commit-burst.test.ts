/**
 * Group commit (src/jobs/group-commit.ts) through the whole gateway, as people use it: a burst of
 * SMS from several people (and a dozen newcomers' greetings) lands while the inbound queue is
 * held, so that when it is let go the worker takes them all at once and commits messages of
 * different people together. Each does something different (opts out then writes again, comes
 * back, asks for help, picks a language, confirms the erasure of their data, greets, sends HELP,
 * STOP and START in a row). Afterwards every message is processed once, every reply leaves once
 * and in the order of the messages it answers, the stopped person gets nothing more, the erased
 * person's data is gone and the others' is intact.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { inboundSms, startProviders, webhooksTo, type GatewayWebhooks, type Providers } from '../support/providers.js';

const TOKEN = 'metrics-token-group-commit-burst';
const STOPPED = 'You will get no more messages from us. Send START to come back.';
const HELP = /^This service lets you report/;
const LANGUAGE_QUESTION = /1\. English/;
const ERASED = 'Your data has been erased. This is the last message you will get from us.';

let providers: Providers<'sms'>;
let gateway: TestGateway;
let webhooks: GatewayWebhooks;

beforeAll(async () => {
  providers = await startProviders(['sms']);
  gateway = await startTestGateway({ ...providers.env, METRICS_TOKEN: TOKEN });
  webhooks = webhooksTo(gateway.url);
});
afterAll(async () => {
  await gateway?.close();
  await providers?.close();
});

/** Texts the fake Twilio accepted for `number`, in the order they reached it. */
const sentTo = (number: string) =>
  providers.sms
    .messages()
    .filter((r) => r.form.To === number && r.answeredStatus === 201)
    .map((r) => r.form.Body!);

const identityOf = (number: string) =>
  gateway.db.contactIdentity.findUnique({ where: { channel_addressHash: { channel: 'sms', addressHash: gateway.personalData.hash('sms', number) } } });

async function say(number: string, text: string): Promise<string> {
  const params = inboundSms(number, text);
  expect((await webhooks.sms(params)).status).toBe(200);
  return params.MessageSid!;
}

/** The sum of a metric's samples named `name` (the text format). */
async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

it('commits a burst of different people together: each gets its own answers, once and in order', async () => {
  const stopper = '+15550181001';
  const returner = '+15550181002';
  const helper = '+15550181003';
  const chooser = '+15550181004';
  const eraser = '+15550181005';
  const greeter = '+15550181006';
  const busy = '+15550181007';
  const everyone = [stopper, returner, helper, chooser, eraser, greeter, busy];

  // Before the burst: everyone has been asked for a language; the returner has opted out and the
  // eraser has asked for the erasure of their data (the confirmation question waits).
  for (const number of everyone) await say(number, 'hi');
  await say(returner, 'STOP');
  await say(eraser, 'DELETE ME');
  await waitForIdle(gateway);
  const before = new Map(everyone.map((n) => [n, sentTo(n).length]));
  expect(sentTo(eraser).at(-1)).toMatch(/^Do you want us to erase everything/);
  const eraserIdentity = (await identityOf(eraser))!;
  const groupsBefore = await metric('gateway_inbound_transaction_messages_count');
  const committedBefore = await metric('gateway_inbound_transaction_messages_sum');

  // The burst, held back until all of it is stored, so that the worker takes it at once.
  await gateway.queues.inbound.pause();
  // Newcomers' greetings first: with them, far more people's messages are ready at once than
  // transactions can run at once (4 on PostgreSQL), so groups form however fast each one commits.
  const newcomers = Array.from({ length: 12 }, (_, i) => `+155501820${String(i).padStart(2, '0')}`);
  const burst: [string, string][] = [
    ...newcomers.map((number): [string, string] => [number, 'hi']),
    [stopper, 'STOP'],
    [returner, 'START'],
    [helper, 'HELP'],
    [busy, 'HELP'],
    [chooser, '2'],
    [eraser, 'YES'],
    [stopper, 'hi'],
    [busy, 'STOP'],
    [greeter, 'hello'],
    [busy, 'START'],
    [stopper, 'HELP'],
  ];
  const sids: string[] = [];
  for (const [number, text] of burst) sids.push(await say(number, text));
  await gateway.queues.inbound.resume();
  await waitForIdle(gateway);

  // The burst was committed in fewer transactions than messages: messages went together.
  const groups = (await metric('gateway_inbound_transaction_messages_count')) - groupsBefore;
  expect((await metric('gateway_inbound_transaction_messages_sum')) - committedBefore).toBe(burst.length);
  expect(groups).toBeLessThan(burst.length);
  expect(await metric('gateway_inbound_group_rollbacks_total')).toBe(0);

  const after = (number: string) => sentTo(number).slice(before.get(number));

  // Every message of the people still here processed once; every reply written sent once.
  for (const [i, [number]] of burst.entries()) {
    if (number === eraser) continue;
    const message = await gateway.db.message.findFirstOrThrow({ where: { direction: 'in', providerId: sids[i]! } });
    expect(message.status).toBe('processed');
    const replies = await gateway.db.message.findMany({ where: { direction: 'out', causeId: message.id } });
    // Sent; or, for a question that was still waiting when its person's STOP was handled, not sent.
    for (const reply of replies) expect(reply.status === 'sent' || (reply.status === 'failed' && reply.errorCode === 'stopped')).toBe(true);
  }
  for (const number of everyone.filter((n) => n !== eraser)) {
    const identity = (await identityOf(number))!;
    const out = await gateway.db.message.findMany({ where: { direction: 'out', identityId: identity.id, status: 'sent' } });
    // Each reply the gateway sent reached the provider once (the fake saw as many as were sent).
    expect(sentTo(number)).toHaveLength(out.length);
  }

  // The stopper: the confirmation, the help for a stopped person, and nothing for the greeting.
  expect(after(stopper)).toEqual([STOPPED, 'You left this service and get no messages from us. To come back, send START.']);
  expect((await identityOf(stopper))!.stoppedAt).not.toBeNull();
  // The returner is back and asked for the language again.
  const back = after(returner);
  expect(back[0]).toMatch(/^Welcome back/);
  expect(back[1]).toMatch(LANGUAGE_QUESTION);
  expect(back).toHaveLength(2);
  expect((await identityOf(returner))!.stoppedAt).toBeNull();
  // The helper: the help, then the waiting question again.
  expect(after(helper)[0]).toMatch(HELP);
  expect(after(helper)[1]).toMatch(LANGUAGE_QUESTION);
  expect(after(helper)).toHaveLength(2);
  // The chooser picked French: what follows is in French, and the contact keeps it.
  const chooserContact = await gateway.db.contact.findUniqueOrThrow({ where: { id: (await identityOf(chooser))!.contactId } });
  expect(chooserContact.language).toBe('fr');
  expect(after(chooser).length).toBeGreaterThanOrEqual(1);
  for (const text of after(chooser)) expect(text).not.toMatch(/^(Welcome|This service|Choose)/);
  // Each newcomer: the language question, once.
  for (const number of newcomers) {
    expect(sentTo(number)).toHaveLength(1);
    expect(sentTo(number)[0]).toMatch(LANGUAGE_QUESTION);
  }
  // The greeter: the language question again.
  expect(after(greeter)).toHaveLength(1);
  expect(after(greeter)[0]).toMatch(LANGUAGE_QUESTION);
  // The busy one: help, the question, the opt-out confirmation, then back with the question, in
  // the order of the messages they answer.
  const busyTexts = after(busy);
  expect(busyTexts[0]).toMatch(HELP);
  const stopAt = busyTexts.indexOf(STOPPED);
  expect(stopAt).toBeGreaterThanOrEqual(1);
  expect(busyTexts.slice(1, stopAt).every((t) => LANGUAGE_QUESTION.test(t))).toBe(true);
  expect(busyTexts[stopAt + 1]).toMatch(/^Welcome back/);
  expect(busyTexts[stopAt + 2]).toMatch(LANGUAGE_QUESTION);
  expect(busyTexts).toHaveLength(stopAt + 3);
  expect((await identityOf(busy))!.stoppedAt).toBeNull();

  // The eraser: the last message, and nothing of theirs is left.
  expect(after(eraser)).toEqual([ERASED]);
  expect(await identityOf(eraser)).toBeNull();
  expect(await gateway.db.contact.count({ where: { id: eraserIdentity.contactId } })).toBe(0);
  expect(await gateway.db.message.count({ where: { contactId: eraserIdentity.contactId } })).toBe(0);
  expect(await gateway.db.message.count({ where: { identityId: eraserIdentity.id } })).toBe(0);
  expect(await gateway.db.session.count({ where: { contactId: eraserIdentity.contactId } })).toBe(0);
  // The others are all there, with their messages.
  for (const number of everyone.filter((n) => n !== eraser)) {
    const identity = (await identityOf(number))!;
    expect(await gateway.db.contact.count({ where: { id: identity.contactId } })).toBe(1);
    const inbound = await gateway.db.message.count({ where: { direction: 'in', identityId: identity.id } });
    const sent = 1 + (number === returner ? 1 : 0) + burst.filter(([n]) => n === number).length;
    expect(inbound).toBe(sent);
  }
}, 120_000);
