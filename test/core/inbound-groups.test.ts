/**
 * The inbound worker commits messages of different contacts together (src/jobs/group-commit.ts),
 * on a real database and Redis. The gateway here only stores and queues (no workers of its own);
 * the worker under test runs a pipeline that writes in the transaction and answers, and fails on
 * one text. While the first message is held, the others are taken and form one group; the
 * failing one rolls the group back, and each is run again alone: the failing message's writes
 * are gone and its job fails, every other message is processed and answered once.
 */
import type { Worker } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { InboundContext } from '../../src/inbound/pipeline/context.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { startGroupingWorker, waitUntilLocked } from '../support/grouping-worker.js';
import { inboundSms, startProviders, webhooksTo, type Providers } from '../support/providers.js';

let providers: Providers<'sms'>;
let gateway: TestGateway;
let worker: Worker | undefined;

beforeAll(async () => {
  providers = await startProviders(['sms']);
  gateway = await startTestGateway(providers.env, { workers: false });
});
afterAll(async () => {
  await worker?.close();
  await gateway?.close();
  await providers?.close();
});

it('commits the messages taken together in one transaction, and a failing one fails alone', async () => {
  const numbers = Array.from({ length: 10 }, (_, i) => `+1555017${String(i).padStart(4, '0')}`);
  const failing = numbers[6]!;
  const webhooks = webhooksTo(gateway.url);
  for (const number of numbers) expect((await webhooks.sms(inboundSms(number, number === failing ? 'boom' : 'hello'))).status).toBe(200);

  let held: string | undefined;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const pipeline = async (ctx: InboundContext) => {
    if (held === undefined) {
      held = ctx.messageId; // the first message taken waits until all the others are taken
      await gate;
    }
    // A write in the transaction: it must not outlive a rollback.
    await ctx.tx.contact.update({ where: { id: ctx.contactId }, data: { language: 'fr' } });
    if (ctx.input.type === 'text' && ctx.input.text === 'boom') throw new Error('the pipeline failed on this message');
    ctx.outbox.push({ message: { type: 'text', text: 'noted' } });
  };
  const ends: [number, boolean][] = [];
  worker = startGroupingWorker(gateway, pipeline, ends);
  // Every message waits once each holds its contact's lock (taken just before it joins the group).
  await waitUntilLocked(gateway, numbers, 'every message taken and waiting');
  release();

  const identityOf = (number: string) =>
    gateway.db.contactIdentity.findUniqueOrThrow({ where: { channel_addressHash: { channel: 'sms', addressHash: gateway.personalData.hash('sms', number) } }, include: { contact: true } });
  const inbound = async (number: string) => gateway.db.message.findFirstOrThrow({ where: { direction: 'in', identityId: (await identityOf(number)).id } });
  await eventually(async () => {
    for (const number of numbers) if (number !== failing && (await inbound(number)).status !== 'processed') return false;
    return true;
  }, 15_000, 'the other messages processed');
  const failedJob = await eventually(async () => {
    const job = await gateway.queues.inbound.getJob(`in-${(await inbound(failing)).id}`);
    return job && job.attemptsMade >= 1 ? job : undefined;
  }, 15_000, 'a failed try of the failing message');
  expect(failedJob.failedReason).toContain('the pipeline failed on this message');

  // The nine taken while the first was held went together, rolled back, and went again alone.
  expect(ends[0]).toEqual([1, true]);
  expect(ends[1]).toEqual([numbers.length - 1, false]);
  expect(ends.slice(2, 2 + numbers.length - 1).map(([messages]) => messages)).toEqual(Array(numbers.length - 1).fill(1));
  expect(ends.slice(2, 2 + numbers.length - 1).filter(([, committed]) => !committed)).toHaveLength(1);

  for (const number of numbers) {
    const identity = await identityOf(number);
    const message = await inbound(number);
    const replies = await gateway.db.message.findMany({ where: { direction: 'out', causeId: message.id } });
    if (number === failing) {
      expect(message.status).toBe('received');
      expect(identity.contact.language).not.toBe('fr');
      expect(replies).toHaveLength(0);
    } else {
      expect(message.status).toBe('processed');
      expect(identity.contact.language).toBe('fr');
      expect(replies).toHaveLength(1);
      expect(await gateway.queues.outbound('sms').getJob(`out-${replies[0]!.id}`)).toBeDefined();
    }
  }
});
