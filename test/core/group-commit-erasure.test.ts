/**
 * A confirmed erasure committed in a group that rolls back. A person who asked for the erasure of
 * their data (DELETE ME) answers YES; their message is taken together with another person's,
 * whose handling fails (a bug, a conflict, or in the gateway as shipped a responder's own YES to
 * DELETE ME, which src/protection/erase.ts refuses by throwing: src/jobs/group-commit.ts runs
 * such a group again message by message). The YES must still erase the person: a failing message fails only its own
 * job. The pipeline is the gateway's own erasure step (the protection capability's middleware,
 * as the gateway runs it) followed by a last step that answers, and fails on one text, as in
 * inbound-groups.test.ts; the gateway here only stores and queues, the worker under test runs it.
 */
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compose, type InboundContext, type Middleware } from '../../src/inbound/pipeline/context.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { startGroupingWorker, waitUntilLocked } from '../support/grouping-worker.js';
import { inboundSms, startProviders, webhooksTo, type GatewayWebhooks, type Providers } from '../support/providers.js';

let providers: Providers<'sms'>;
let gateway: TestGateway;
let webhooks: GatewayWebhooks;
let worker: Worker | undefined;

beforeAll(async () => {
  providers = await startProviders(['sms']);
  gateway = await startTestGateway(providers.env, { workers: false });
  webhooks = webhooksTo(gateway.url);
});
afterAll(async () => {
  await worker?.close();
  await gateway?.close();
  await providers?.close();
});

const identityOf = (number: string) =>
  gateway.db.contactIdentity.findUnique({ where: { channel_addressHash: { channel: 'sms', addressHash: gateway.personalData.hash('sms', number) } } });

it('erases the person who confirmed, though their YES was committed with a message that failed', async () => {
  const eraser = '+15550220001';
  const failing = '+15550220002';
  const others = ['+15550220003', '+15550220004'];
  const erasure = gateway.capabilities.get('protection')!.middlewares!;
  expect(erasure.length).toBeGreaterThan(0);

  // While `holding`, the first message taken waits until every other one has been taken.
  let holding = false;
  let held: string | undefined;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const first: Middleware = async (ctx, next) => {
    if (holding && held === undefined) {
      held = ctx.messageId;
      await gate;
    }
    await next();
  };
  const last: Middleware = async (ctx: InboundContext) => {
    if (ctx.input.type === 'text' && ctx.input.text === 'boom') throw new Error('the pipeline failed on this message');
    ctx.outbox.push({ message: { type: 'text', text: 'noted' } });
  };
  const ends: [number, boolean][] = [];
  worker = startGroupingWorker(gateway, compose([first, ...erasure, last]), ends);

  // The person asks for the erasure and gets the confirmation question.
  const ask = inboundSms(eraser, 'DELETE ME');
  expect((await webhooks.sms(ask)).status).toBe(200);
  const asked = await eventually(async () => {
    const message = await gateway.db.message.findFirst({ where: { direction: 'in', providerId: ask.MessageSid! } });
    return message?.status === 'processed' ? message : undefined;
  }, 10_000, 'DELETE ME processed');
  const question = await gateway.db.message.findFirstOrThrow({ where: { direction: 'out', causeId: asked.id } });
  expect(JSON.parse(gateway.personalData.decrypt(question.bodyEnc)).text).toMatch(/^Do you want us to erase everything/);
  const eraserIdentity = (await identityOf(eraser))!;

  // Then YES, taken with another person's failing message (and two more) while the first is held.
  holding = true;
  const burst: [string, string][] = [
    [others[0]!, 'hello'],
    [eraser, 'YES'],
    [failing, 'boom'],
    [others[1]!, 'hello'],
  ];
  const sids: string[] = [];
  // (Stored while the queue is held: a held transaction would keep the webhooks from storing.)
  await gateway.queues.inbound.pause();
  for (const [number, text] of burst) {
    const params = inboundSms(number, text);
    sids.push(params.MessageSid!);
    expect((await webhooks.sms(params)).status).toBe(200);
  }
  await gateway.queues.inbound.resume();
  // Every message waits once each holds its contact's lock (taken just before it joins the group).
  await waitUntilLocked(gateway, burst.map(([number]) => number), 'every message taken and waiting');
  release();

  const failingMessage = await gateway.db.message.findFirstOrThrow({ where: { direction: 'in', providerId: sids[2]! } });
  await eventually(async () => {
    const job = await gateway.queues.inbound.getJob(`in-${failingMessage.id}`);
    return job && job.attemptsMade >= 1;
  }, 15_000, 'a failed try of the failing message');
  for (const sid of [sids[0]!, sids[3]!]) {
    await eventually(async () => (await gateway.db.message.findFirst({ where: { direction: 'in', providerId: sid } }))?.status === 'processed', 15_000, 'the others processed');
  }
  // The group with the YES rolled back and went again message by message.
  expect(ends.some(([messages, committed]) => messages > 1 && !committed)).toBe(true);

  // The YES was handled (the message is gone with the person, or processed)...
  const yes = await eventually(async () => {
    const message = await gateway.db.message.findFirst({ where: { direction: 'in', providerId: sids[1]! } });
    if (message === null) return { erased: true, answers: [] as string[] };
    if (message.status !== 'processed') return undefined;
    const replies = await gateway.db.message.findMany({ where: { direction: 'out', causeId: message.id } });
    return { erased: false, answers: replies.map((r) => JSON.parse(gateway.personalData.decrypt(r.bodyEnc)).text as string) };
  }, 15_000, 'the YES handled');
  // ...and erased the person, who got no ordinary answer to it: nothing of theirs is left.
  expect(yes).toEqual({ erased: true, answers: [] });
  expect(await identityOf(eraser)).toBeNull();
  expect(await gateway.db.contact.count({ where: { id: eraserIdentity.contactId } })).toBe(0);
  expect(await gateway.db.message.count({ where: { contactId: eraserIdentity.contactId } })).toBe(0);
}, 60_000);
