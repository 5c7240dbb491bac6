/**
 * A send recorded while a group of inbound messages rolls back. The send worker marks a message
 * sent with statements of its own, outside any transaction (src/outbound/worker.ts); a group of
 * inbound messages is committed in one transaction, which rolls back when one of them fails
 * (src/jobs/group-commit.ts). What the send worker records must not go with that rollback: the
 * provider has the SMS, so the message stays `sent`, and it is neither left pending nor sent
 * again.
 *
 * The inbound worker under test runs a pipeline that answers, and fails on one text after a
 * gate the test opens once the send job has been taken, so that the send starts while the
 * group's transaction is open (as in inbound-groups.test.ts). The send worker is the
 * gateway's own, on the SMS channel against the fake Twilio API.
 */
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { InboundContext } from '../../src/inbound/pipeline/context.js';
import { combineObservers } from '../../src/observer.js';
import { startOutboundWorker } from '../../src/outbound/worker.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { startGroupingWorker, waitUntilLocked } from '../support/grouping-worker.js';
import { inboundSms, startProviders, webhooksTo, type GatewayWebhooks, type Providers } from '../support/providers.js';

let providers: Providers<'sms'>;
let gateway: TestGateway;
let webhooks: GatewayWebhooks;
const workers: Worker[] = [];

beforeAll(async () => {
  providers = await startProviders(['sms']);
  gateway = await startTestGateway(providers.env, { workers: false });
  webhooks = webhooksTo(gateway.url);
});
afterAll(async () => {
  for (const worker of workers) await worker.close();
  await gateway?.close();
  await providers?.close();
});

it('keeps a send recorded while a group of inbound messages rolls back', async () => {
  const answered = '+15550240001';
  const first = '+15550240002';
  const together = '+15550240003';
  const failing = '+15550240004';

  let holdFirst = false;
  let held = false;
  let heldNow!: () => void;
  const holding = new Promise<void>((resolve) => (heldNow = resolve));
  let releaseFirst!: () => void;
  const firstGate = new Promise<void>((resolve) => (releaseFirst = resolve));
  let failNow!: () => void;
  const failGate = new Promise<void>((resolve) => (failNow = resolve));
  let failingInside!: () => void;
  const failingStarted = new Promise<void>((resolve) => (failingInside = resolve));
  const pipeline = async (ctx: InboundContext) => {
    const text = ctx.input.type === 'text' ? ctx.input.text : '';
    if (holdFirst && text !== 'boom' && !held) {
      held = true; // whichever of the two reaches the pipeline first waits; the others are taken meanwhile
      heldNow();
      await firstGate;
    }
    if (text === 'boom') {
      failingInside();
      await failGate;
      throw new Error('the pipeline failed on this message');
    }
    ctx.outbox.push({ message: { type: 'text', text: `noted: ${text}` } });
  };
  const ends: [number, boolean][] = [];
  workers.push(
    startGroupingWorker(gateway, pipeline, ends),
  );

  // One person's answer is written and waits to be sent (no send worker yet).
  const hello = inboundSms(answered, 'hello');
  expect((await webhooks.sms(hello)).status).toBe(200);
  const helloMessage = await eventually(async () => {
    const message = await gateway.db.message.findFirst({ where: { direction: 'in', providerId: hello.MessageSid! } });
    return message?.status === 'processed' ? message : undefined;
  }, 10_000, 'hello processed');
  const reply = await gateway.db.message.findFirstOrThrow({ where: { direction: 'out', causeId: helloMessage.id } });
  expect(reply.status).toBe('queued');

  // Three more: one of the first two to reach the pipeline is held alone in its transaction;
  // the other two are taken meanwhile and go together (all stored first: on SQLite a webhook's
  // write waits for the held transaction).
  holdFirst = true;
  await gateway.queues.inbound.pause();
  for (const [number, text] of [
    [first, 'first'],
    [together, 'together'],
    [failing, 'boom'],
  ] as const) {
    expect((await webhooks.sms(inboundSms(number, text))).status).toBe(200);
  }
  await gateway.queues.inbound.resume();
  await holding;
  // The other two wait for the held transaction once each holds its contact's lock (taken just
  // before a message joins the waiting group).
  await waitUntilLocked(gateway, [first, together, failing], 'the three taken, two of them waiting');
  releaseFirst();
  await failingStarted; // the group's transaction is open, and will roll back

  // Meanwhile the send worker sends the waiting answer.
  workers.push(
    startOutboundWorker({
      db: gateway.db,
      dialect: gateway.database.dialect,
      redis: gateway.redis,
      queues: gateway.queues,
      personalData: gateway.personalData,
      logger: gateway.logger,
      adapter: gateway.adapters.get('sms')!,
      observe: combineObservers([]),
      lockDurationMs: 5_000,
      backoffMs: 50,
    }),
  );
  // Its job is taken while the group's transaction is open; on SQLite its statements wait for
  // that transaction to end (src/db/sqlite-isolation.ts) instead of joining it.
  await eventually(async () => (await gateway.queues.outbound('sms').getJob(`out-${reply.id}`))?.processedOn, 10_000, 'the send job taken');
  failNow();
  await eventually(async () => (await gateway.queues.outbound('sms').getJob(`out-${reply.id}`))?.finishedOn, 10_000, 'the answer sent and its job done');
  expect(providers.sms.messages().filter((r) => r.form.To === answered && r.answeredStatus === 201).map((r) => r.form.Body)).toEqual(['noted: hello']);

  // The group rolled back (and went again message by message).
  await eventually(() => ends.some(([messages, committed]) => messages === 2 && !committed), 10_000, 'the group rolled back');

  // The send stays recorded: the message is sent, with the provider's id.
  const after = await gateway.db.message.findUniqueOrThrow({ where: { id: reply.id } });
  expect({ status: after.status, providerId: after.providerId !== null, sentAt: after.sentAt !== null }).toEqual({ status: 'sent', providerId: true, sentAt: true });
}, 60_000);
