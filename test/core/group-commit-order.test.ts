/**
 * Per-person order under group commit: several people each send several SMS at about the same
 * time (the provider posts them at once, as Twilio does), so that the gateway stores them
 * together (often several of one person in one stored batch, with the same arrival time) and the
 * inbound worker takes them all at once. The order the gateway queued them in is
 * the order it received them; each person's messages must be handled in that order, which the
 * answers written for each show: HELP is answered with the help and the waiting question, STOP
 * with the opt-out confirmation, the HELP after it with the help for a stopped person, START with
 * the welcome back and the question. (The order in which the answers leave is the subject of
 * group-commit-reply-order.test.ts.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { inboundSms, startProviders, webhooksTo, type GatewayWebhooks, type Providers } from '../support/providers.js';

const STOPPED = 'You will get no more messages from us. Send START to come back.';
const HELP_STOPPED = 'You left this service and get no messages from us. To come back, send START.';

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

/** What a text answers, by its beginning. */
function kind(text: string): string {
  if (text.startsWith('This service lets you report')) return 'help';
  if (text === STOPPED) return 'stopped';
  if (text === HELP_STOPPED) return 'help-stopped';
  if (text.startsWith('Welcome back')) return 'back';
  if (/1\. English/.test(text) || text.startsWith('Welcome! Choose your language')) return 'question';
  return text;
}

/** The answers each message gets when the messages are handled in the order given. */
function expectedAnswers(texts: string[]): string[][] {
  let stopped = false;
  return texts.map((text) => {
    if (text === 'HELP') return stopped ? ['help-stopped'] : ['help', 'question'];
    if (text === 'STOP') {
      const answer = stopped ? [] : ['stopped'];
      stopped = true;
      return answer;
    }
    const answer = stopped ? ['back', 'question'] : ['question']; // START
    stopped = false;
    return answer;
  });
}

it("handles each person's messages stored and taken together in the order the gateway received them", async () => {
  const people = Array.from({ length: 8 }, (_, i) => `+1555019${String(i).padStart(4, '0')}`);
  for (const number of people) expect((await webhooks.sms(inboundSms(number, 'hi'))).status).toBe(200);
  await waitForIdle(gateway);

  await gateway.queues.inbound.pause();
  const texts = ['HELP', 'STOP', 'HELP', 'START'];
  const sent = new Map<string, { number: string; text: string }>();
  // Everyone's messages posted at once, as the provider does for a burst.
  await Promise.all(
    people.flatMap((number) =>
      texts.map(async (text) => {
        const params = inboundSms(number, text);
        sent.set(params.MessageSid!, { number, text });
        expect((await webhooks.sms(params)).status).toBe(200);
      }),
    ),
  );
  // The order the gateway received and queued them in (the worker takes them in this order).
  const waiting = await gateway.queues.inbound.getWaiting(0, -1); // oldest first
  const messages = await gateway.db.message.findMany({ where: { direction: 'in', providerId: { in: [...sent.keys()] } } });
  expect(messages).toHaveLength(sent.size);
  const byId = new Map(messages.map((m) => [m.id, m]));
  const queued = waiting.map((job) => byId.get(job.data.messageId)).filter((m) => m !== undefined);
  expect(queued).toHaveLength(sent.size);
  await gateway.queues.inbound.resume();
  await waitForIdle(gateway);

  // Each message was handled after the ones received before it: its answers are those it gets
  // in that order (HELP after STOP gets the help for a stopped person, and so on).
  for (const number of people) {
    const mine = queued.filter((m) => sent.get(m.providerId!)!.number === number);
    const written = [];
    for (const message of mine) {
      expect(message.status === 'received').toBe(true); // (as read while the queue was held)
      const processed = await gateway.db.message.findUniqueOrThrow({ where: { id: message.id } });
      expect(processed.status).toBe('processed');
      const replies = await gateway.db.message.findMany({ where: { direction: 'out', causeId: message.id } });
      replies.sort((x, y) => Number(x.dedupeKey!.split(':').at(-1)) - Number(y.dedupeKey!.split(':').at(-1)));
      written.push(replies.map((r) => kind((JSON.parse(gateway.personalData.decrypt(r.bodyEnc)) as { text: string }).text)));
    }
    const texts = mine.map((m) => sent.get(m.providerId!)!.text);
    expect({ number, texts, answers: written }).toEqual({ number, texts, answers: expectedAnswers(texts) });
    // Each answer sent reached the provider once.
    const identity = await gateway.db.contactIdentity.findFirstOrThrow({ where: { channel: 'sms', addressHash: gateway.personalData.hash('sms', number) } });
    const sentRows = await gateway.db.message.count({ where: { direction: 'out', identityId: identity.id, status: 'sent' } });
    expect(providers.sms.messages().filter((r) => r.form.To === number && r.answeredStatus === 201)).toHaveLength(sentRows);
  }
}, 120_000);
