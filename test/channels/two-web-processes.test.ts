/**
 * Two gateway processes on one database and Redis (two web processes behind a load balancer): a
 * provider retry that reaches the other process while the first is storing the same message is
 * still one message. Each SMS of a burst is posted to both processes at once, as new contacts:
 * whichever batch writes second finds the message (or the contact) taken and falls back to
 * storing its events one by one (src/inbound/ingest.ts), which sees the duplicate. Every delivery
 * is answered 200; each message is stored once, each contact once, and answered as often as a
 * lone "hi" is, and no job is left failed for good.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildGateway, type ChildGateway } from '../support/child-gateway.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { inboundSms, startProviders, webhooksTo, type Providers } from '../support/providers.js';

let providers: Providers<'sms'>;
let first: TestGateway;
let second: ChildGateway;
beforeAll(async () => {
  providers = await startProviders(['sms']);
  first = await startTestGateway(providers.env);
  // A process of its own, as behind a load balancer: on SQLite, two gateways in one process would
  // wait for each other's write lock synchronously (better-sqlite3) on the one event loop that
  // the lock holder needs to commit, until the busy timeout.
  second = await startChildGateway(first.env.anotherProcess());
});
afterAll(async () => {
  await second?.stop();
  await first?.close();
  await providers?.close();
});

const repliesTo = (to: string) => providers.sms.messages().filter((m) => m.form.To === to);

describe('the same webhook at two processes at once', () => {
  it('is stored once and answered once, for every message of a burst', async () => {
    const lone = '+254722000000';
    expect((await webhooksTo(first.url).sms(inboundSms(lone, 'hi'))).status).toBe(200);
    await waitForIdle(first);
    const perHi = repliesTo(lone).length;
    expect(perHi).toBeGreaterThan(0);

    const senders = Array.from({ length: 20 }, (_, i) => `+2547220001${String(i).padStart(2, '0')}`);
    const sms = senders.map((from) => inboundSms(from, 'hi'));
    // A provider delivers again after a 5xx (a database busy past its timeout), and so does this one.
    const deliver = async (url: string, params: Record<string, string>) => {
      for (let attempt = 1; ; attempt++) {
        const answer = await webhooksTo(url).sms(params);
        if (answer.status < 500 || attempt === 5) return answer;
      }
    };
    const answers = await Promise.all(sms.flatMap((params) => [deliver(first.url, params), deliver(second.url, params)]));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    // Both processes share the queues and the database: the first sees the second's work too.
    await waitForIdle(first, { timeoutMs: 60_000 });
    expect(await first.queues.inbound.getJobCounts('failed')).toEqual({ failed: 0 });

    for (const params of sms) {
      expect(await first.db.message.count({ where: { direction: 'in', channel: 'sms', providerId: params.MessageSid } })).toBe(1);
    }
    for (const from of senders) expect(repliesTo(from)).toHaveLength(perHi);
    expect(await first.db.contactIdentity.count({ where: { channel: 'sms' } })).toBe(senders.length + 1);
  }, 120_000);
});
