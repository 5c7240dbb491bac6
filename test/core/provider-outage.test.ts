/**
 * The SMS provider in trouble for a while: every call answers 500, 429 (Retry-After 1 s),
 * accepts the message and then cuts the connection before answering, or accepts it and answers
 * after the client has timed out (in both the client cannot tell whether it went), read-backs
 * included. Meanwhile people write in and
 * replies are due. Expected: retried with backoff until the provider is back, each person gets
 * their reply exactly once (nothing lost, nothing doubled), and the trouble is visible while it
 * lasts (the message carries the last error; warnings in the log) and leaves nothing in the
 * dead-letter list once resolved.
 *
 * PROVIDER_OUTAGE_MS sets the window (default 4 s here; 60000 for the minute of the brief); the
 * retry backoff is scaled to it so that JOB_ATTEMPTS tries outlast it.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { listDeadLetters } from '../../src/jobs/dead-letter.js';
import { createLogger } from '../../src/logger.js';
import { rateLimited, twilioError, type FakeTwilioResponse } from '../fakes/twilio-api.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { inboundSms, startProviders, webhooksTo, type Providers } from '../support/providers.js';

const WINDOW_MS = Number(process.env.PROVIDER_OUTAGE_MS ?? 4000);
const PEOPLE = Array.from({ length: 6 }, (_, i) => `+1555040${String(i).padStart(4, '0')}`);

let providers: Providers<'sms'>;
let gateway: TestGateway | undefined;

afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  await providers?.close();
});

describe('the SMS provider failing for a while', () => {
  it('retries with backoff, delivers every reply once, and shows the failures meanwhile', async () => {
    providers = await startProviders(['sms']);
    const fake = providers.sms;
    const logs: { level: number; msg: string; [key: string]: unknown }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line));
        done();
      },
    });
    const timeoutMs = 1000;
    const troubles: FakeTwilioResponse[] = [twilioError(500, 20500, 'Internal Server Error'), rateLimited(1), { destroy: true }, { delayMs: timeoutMs * 3 }];
    // The window opens with the first send the provider sees.
    let until = 0;
    let n = 0;
    fake.respondWith((request) => {
      if (until === 0 && request.method === 'POST') until = Date.now() + WINDOW_MS;
      return Date.now() < until ? troubles[n++ % troubles.length] : undefined;
    });

    // Backoff doubles from JOB_BACKOFF_MS over 8 tries (255 times the first delay in all).
    const backoff = Math.max(50, Math.ceil(WINDOW_MS / 40));
    gateway = await startTestGateway({ ...providers.env, JOB_BACKOFF_MS: String(backoff), TWILIO_REQUEST_TIMEOUT_MS: String(timeoutMs) }, { logger: createLogger('info', sink) });
    const webhooks = webhooksTo(gateway.url);
    for (const person of PEOPLE) expect((await webhooks.sms(inboundSms(person, 'hi'))).status).toBe(200);

    // While the provider is in trouble, the failures show on the messages.
    const failing = await eventually(
      () => gateway!.db.message.findFirst({ where: { direction: 'out', errorCode: { not: null } } }),
      30_000 + WINDOW_MS,
      'a reply to carry the provider error during the outage',
    );
    expect(Date.now() < until + 1000).toBe(true);
    expect(failing.status).toMatch(/^(queued|sending)$/);

    await eventually(
      async () => {
        const out = await gateway!.db.message.findMany({ where: { direction: 'out' } });
        return out.length === PEOPLE.length && out.every((m) => m.status === 'sent');
      },
      WINDOW_MS + 60_000,
      'every reply to be sent once the provider is back',
    );
    await waitForIdle(gateway);

    // Each person's reply was accepted exactly once by the provider.
    const accepted = fake.messages().filter((m) => m.sid !== undefined);
    const perPerson = new Map<string, number>();
    for (const m of accepted) perPerson.set(m.form.To!, (perPerson.get(m.form.To!) ?? 0) + 1);
    expect(Object.fromEntries(perPerson)).toEqual(Object.fromEntries(PEOPLE.map((p) => [p, 1])));
    // The stored provider id is the accepted message's, and the error is cleared.
    const out = await gateway.db.message.findMany({ where: { direction: 'out' } });
    expect(new Set(out.map((m) => m.providerId))).toEqual(new Set(accepted.map((m) => m.sid)));
    expect(out.every((m) => m.errorCode === null)).toBe(true);
    // The trouble was met: 500s, 429s, cut and late answers, and it was logged as warnings.
    const answered = fake.messages().map((m) => m.answeredStatus);
    expect(answered).toContain(500);
    expect(answered).toContain(429);
    expect(fake.messages().some((m) => m.sid !== undefined && m.answeredStatus === undefined)).toBe(true);
    expect(logs.some((l) => l.level === 40 && /answer lost/.test(l.msg) && /ECONNABORTED|ETIMEDOUT|timeout/i.test(String(l.code)))).toBe(true);
    expect(logs.some((l) => l.level === 40 && /rate limit/.test(l.msg))).toBe(true);
    expect(logs.filter((l) => l.level >= 40).length).toBeGreaterThan(2);
    expect(await listDeadLetters(gateway.queues)).toHaveLength(0);
  }, WINDOW_MS + 120_000);
});
