/**
 * The outbound worker, observed where a mistake reaches a person: what the providers' (fake) APIs
 * received, what the database holds, what the metrics endpoint and the dead-letter list show.
 *
 * - the claim: a message is sent only while it is still queued (sent already, cancelled before its
 *   job ran, or cancelled while its job waited for the channel's pace: nothing goes out);
 * - a stopped identity gets only the opt-out confirmation and the HELP answer; an erased contact
 *   gets nothing; a job naming no outbound message fails at once;
 * - per-address order: a message waits while the one written before it has not left, at most
 *   ORDER_WAIT_MS after it was written;
 * - failures by class: rate limited, recipient stopped, rejected, transient (retried, then failed),
 *   an answer lost on the way (read back before sending again);
 * - reconciliation of a send cut mid-call: found at the provider (marked sent with its id), not
 *   found (sent again), already recorded for another of our messages (not taken), the read-back
 *   window, a failing read-back, and a channel that cannot read back (left for a person);
 * - the reply latency is measured for replies to an inbound message only.
 *
 * One gateway with SMS (20 per second, so that a burst waits for the pace) and Telegram; each test
 * uses its own addresses.
 */
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatMessageRef, parseMessageRef } from '../../bots/slack/index.js';
import { findOrCreateContact, stopIdentity } from '../../src/conversation/contacts.js';
import { listDeadLetters } from '../../src/jobs/dead-letter.js';
import { createLogger } from '../../src/logger.js';
import { ORDER_WAIT_MS } from '../../src/outbound/worker.js';
import { enqueueAll, writeOutbox, type QueuedMessage } from '../../src/outbound/outbox.js';
import { telegramErrors } from '../fakes/telegram-api.js';
import { rateLimited, twilioError, type FakeTwilioResponse } from '../fakes/twilio-api.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { inboundSms, startProviders, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN, webhooksTo, type Providers } from '../support/providers.js';

const METRICS_TOKEN = 'outbound-claim-metrics-token-0123';
const ATTEMPTS = 3;

let providers: Providers<'sms' | 'telegram' | 'slack'>;
let gateway: TestGateway;
const logs: { level: number; msg: string; [key: string]: unknown }[] = [];
/** Every address and text a test used: none may appear in the logs. */
const personal = new Set<string>();

beforeAll(async () => {
  providers = await startProviders(['sms', 'telegram', 'slack']);
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line));
      done();
    },
  });
  gateway = await startTestGateway(
    {
      ...providers.env,
      TWILIO_MESSAGES_PER_SECOND: '20',
      TWILIO_REQUEST_TIMEOUT_MS: '5000',
      JOB_ATTEMPTS: String(ATTEMPTS),
      JOB_BACKOFF_MS: '50',
      METRICS_TOKEN,
    },
    { logger: createLogger('info', sink) },
  );
});

afterEach(() => {
  providers.sms.respondWith(undefined);
  providers.telegram.respondWith('sendMessage', undefined);
});

afterAll(async () => {
  await gateway?.close();
  await providers?.close();
});

let keys = 0;
type Entry = string | { text: string; kind: string };

/** Writes messages to one address through the outbox; queues their jobs unless told not to. */
async function write(channel: 'sms' | 'telegram' | 'slack', address: string, entries: Entry[], options: { enqueue?: boolean; causeId?: string; threadOf?: string } = {}): Promise<QueuedMessage[]> {
  if (!/^\d+$/.test(address)) personal.add(address); // (a chat id is a number, which a timestamp may contain)
  const target = { ...(await findOrCreateContact(gateway.db, gateway.personalData, channel, address)), channel };
  const outbox = entries.map((entry) => {
    const { text, kind } = typeof entry === 'string' ? { text: entry, kind: undefined } : entry;
    if (text.length >= 10) personal.add(text);
    return { message: { type: 'text' as const, text }, kind, threadOf: options.threadOf };
  });
  const rows = await writeOutbox(gateway.db, gateway, target, `outbound-claim:${++keys}`, outbox, options.causeId);
  if (options.enqueue !== false) await enqueueAll(gateway.queues, rows);
  return rows;
}

const message = (id: string) => gateway.db.message.findUniqueOrThrow({ where: { id } });
const smsTo = (address: string) => providers.sms.messages().filter((m) => m.form.To === address);
const readBacksFor = (address: string) => providers.sms.lists().filter((m) => m.form.To === address);
const telegramTo = (chat: string) => providers.telegram.calls('sendMessage').filter((c) => String(c.payload.chat_id) === chat);
const deadLetterOf = async (id: string) => (await listDeadLetters(gateway.queues)).find((l) => l.data.messageId === id);

/** The SMS provider answers `answers` in turn to the requests `which` selects, then as usual. */
function troubleFor(which: (request: { method: string; form: Record<string, string> }) => boolean, answers: FakeTwilioResponse[]): void {
  providers.sms.respondWith((request) => (which(request) ? answers.shift() : undefined));
}

/** A message the provider holds, as if our send had reached it and its answer was lost. */
async function providerHolds(to: string, body: string): Promise<string> {
  const response = await fetch(`${providers.sms.url}/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ To: to, From: TWILIO_FROM, Body: body }).toString(),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { sid: string }).sid;
}

/** The metrics endpoint's samples of `name`, keyed by their labels (`channel=sms,status=sent`). */
async function metric(name: string): Promise<Map<string, number>> {
  const response = await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    const match = /^(\w+)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const labels = [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => `${m[1]}=${m[2]}`).sort().join(',');
    samples.set(labels, Number(match[3]));
  }
  return samples;
}

/** How much each outbound outcome of `channel` moves while `run` runs. */
async function outcomesDuring(channel: string, run: () => Promise<void>): Promise<Record<string, number>> {
  const before = await metric('gateway_outbound_messages_total');
  await run();
  const after = await metric('gateway_outbound_messages_total');
  const moved: Record<string, number> = {};
  for (const [labels, value] of after) {
    const status = /status=(\w+)/.exec(labels)?.[1];
    if (!labels.includes(`channel=${channel}`) || !status) continue;
    const delta = value - (before.get(labels) ?? 0);
    if (delta !== 0) moved[status] = delta;
  }
  return moved;
}

describe('the claim: a message is sent only while it is still queued', () => {
  it('sends a queued message once and records the provider id, encoding and segments', async () => {
    let id = '';
    const moved = await outcomesDuring('sms', async () => {
      [{ id }] = (await write('sms', '+15550300001', ['Water point open until 6 pm.'])) as [QueuedMessage];
      await waitForIdle(gateway);
    });
    const sent = smsTo('+15550300001');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.form.Body).toBe('Water point open until 6 pm.');
    const row = await message(id);
    // The provider says "queued"; for us it has left.
    expect(row).toMatchObject({ status: 'sent', providerId: sent[0]!.sid, encoding: 'GSM-7', segments: 1, errorCode: null, errorMessage: null });
    expect(row.sentAt).not.toBeNull();
    expect(moved).toEqual({ sent: 1 });
  });

  it('sends nothing for a message already sent or cancelled when its job runs', async () => {
    const [sentAlready] = await write('sms', '+15550300002', ['already sent'], { enqueue: false });
    const [cancelled] = await write('sms', '+15550300003', ['cancelled'], { enqueue: false });
    await gateway.db.message.update({ where: { id: sentAlready!.id }, data: { status: 'sent', providerId: 'SM-earlier' } });
    await gateway.db.message.update({ where: { id: cancelled!.id }, data: { status: 'cancelled' } });
    await enqueueAll(gateway.queues, [sentAlready!, cancelled!]);
    await waitForIdle(gateway);
    expect(smsTo('+15550300002')).toHaveLength(0);
    expect(smsTo('+15550300003')).toHaveLength(0);
    expect(await message(sentAlready!.id)).toMatchObject({ status: 'sent', providerId: 'SM-earlier' });
    expect((await message(cancelled!.id)).status).toBe('cancelled');
  });

  it('leaves a settled message as it is, even when its contact has stopped or been erased since', async () => {
    const [cancelled] = await write('sms', '+15550300004', ['cancelled, then the contact stopped'], { enqueue: false });
    const [sent] = await write('sms', '+15550300005', ['sent, then the contact was erased'], { enqueue: false });
    await gateway.db.message.update({ where: { id: cancelled!.id }, data: { status: 'cancelled' } });
    await stopIdentity(gateway.db, (await message(cancelled!.id)).identityId!);
    await gateway.db.message.update({ where: { id: sent!.id }, data: { status: 'sent', identityId: null } });
    await enqueueAll(gateway.queues, [cancelled!, sent!]);
    await waitForIdle(gateway);
    expect(await message(cancelled!.id)).toMatchObject({ status: 'cancelled', errorCode: null });
    expect(await message(sent!.id)).toMatchObject({ status: 'sent', errorCode: null });
  });

  it('does not send a message cancelled while its job waited for the channel pace', async () => {
    // 16 messages at 20 per second: all jobs start at once, and most wait for their slot.
    const addresses = Array.from({ length: 16 }, (_, i) => `+155503101${String(i).padStart(2, '0')}`);
    const ids: string[] = [];
    for (const address of addresses) ids.push((await write('sms', address, ['Road to the market closed.'], { enqueue: false }))[0]!.id);
    for (const id of ids) await gateway.queues.enqueueOutbound('sms', id);
    await eventually(() => providers.sms.messages().some((m) => addresses.includes(m.form.To!)), 10_000, 'the first of them to leave');
    const cancelled = await gateway.db.message.updateMany({ where: { id: { in: ids }, status: 'queued' }, data: { status: 'cancelled' } });
    expect(cancelled.count).toBeGreaterThan(0);
    await waitForIdle(gateway);
    const rows = await gateway.db.message.findMany({ where: { id: { in: ids } }, include: { identity: true } });
    expect(rows.filter((r) => r.status === 'cancelled')).toHaveLength(cancelled.count);
    for (const row of rows) {
      const address = gateway.personalData.decrypt(row.identity!.addressEnc);
      expect(smsTo(address)).toHaveLength(row.status === 'cancelled' ? 0 : 1);
      if (row.status !== 'cancelled') expect(row.status).toBe('sent');
    }
  });
});

describe('pace and gap', () => {
  it('keeps several sends in flight while each waits for the provider, at the channel pace', async () => {
    const addresses = Array.from({ length: 4 }, (_, i) => `+15550302${String(i).padStart(3, '0')}`);
    // Each answer takes 1.5 s; at 20 per second the four requests leave within a fraction of that.
    let unansweredAtLast: number | undefined;
    providers.sms.respondWith((request) => {
      if (request.method !== 'POST' || !addresses.includes(request.form.To!)) return undefined;
      const ours = providers.sms.messages().filter((m) => addresses.includes(m.form.To!));
      if (ours.length === addresses.length) unansweredAtLast = ours.filter((m) => m.answeredStatus === undefined).length;
      return { delayMs: 1500 };
    });
    for (const address of addresses) await write('sms', address, ['Market day moved to Friday.']);
    await waitForIdle(gateway);
    expect(addresses.map((a) => smsTo(a).length)).toEqual([1, 1, 1, 1]);
    // The last request arrived while every earlier one was still waiting for its answer.
    expect(unansweredAtLast).toBe(addresses.length);
  });

  it('reports how long each send waited for the pace, in seconds', async () => {
    const addresses = Array.from({ length: 6 }, (_, i) => `+15550303${String(i).padStart(3, '0')}`);
    const sample = async (name: string) => (await metric(name)).get('channel=sms') ?? 0;
    const [count, sum] = [await sample('gateway_pacing_wait_seconds_count'), await sample('gateway_pacing_wait_seconds_sum')];
    for (const address of addresses) await write('sms', address, ['Queue at the clinic is short now.']);
    await waitForIdle(gateway);
    expect((await sample('gateway_pacing_wait_seconds_count')) - count).toBe(addresses.length);
    // Six sends at 20 per second: the last waited about a quarter of a second, all together well under a minute.
    const waited = (await sample('gateway_pacing_wait_seconds_sum')) - sum;
    expect(waited).toBeGreaterThan(0);
    expect(waited).toBeLessThan(60);
  });

  it('spaces two messages to one chat by the gap, while another chat goes on', async () => {
    await write('telegram', '930100', ['one', 'two']);
    await write('telegram', '930101', ['other']);
    await waitForIdle(gateway);
    const busy = telegramTo('930100');
    const other = telegramTo('930101');
    expect(busy.map((c) => c.payload.text)).toEqual(['one', 'two']);
    expect(other).toHaveLength(1);
    // Telegram's gap is 1 s per chat; the margin allows for the trip to the fake.
    expect(busy[1]!.at - busy[0]!.at).toBeGreaterThanOrEqual(700);
    expect(other[0]!.at).toBeLessThan(busy[1]!.at);
    // The other chat is not held by the first chat's gap.
    expect(other[0]!.at - busy[0]!.at).toBeLessThan(700);
  });
});

describe('who gets nothing', () => {
  it('a stopped identity gets the opt-out confirmation and the HELP answer, and no other message', async () => {
    const address = '+15550300010';
    const target = await findOrCreateContact(gateway.db, gateway.personalData, 'sms', address);
    await stopIdentity(gateway.db, target.identityId);
    let rows: QueuedMessage[] = [];
    const moved = await outcomesDuring('sms', async () => {
      rows = await write('sms', address, ['Flood warning for the lower valley.', { text: 'You will get no more messages. START to come back.', kind: 'opt_out_confirmation' }, { text: 'Reply STOP to leave.', kind: 'help' }]);
      await waitForIdle(gateway);
    });
    expect(smsTo(address).map((m) => m.form.Body)).toEqual(['You will get no more messages. START to come back.', 'Reply STOP to leave.']);
    expect(await message(rows[0]!.id)).toMatchObject({ status: 'failed', errorCode: 'stopped' });
    expect((await message(rows[1]!.id)).status).toBe('sent');
    expect((await message(rows[2]!.id)).status).toBe('sent');
    expect(moved).toEqual({ failed: 1, sent: 2 });
  });

  it('an erased contact gets nothing: the message fails', async () => {
    const [row] = await write('sms', '+15550300011', ['For an erased contact'], { enqueue: false });
    await gateway.db.message.update({ where: { id: row!.id }, data: { identityId: null } });
    await enqueueAll(gateway.queues, [row!]);
    await waitForIdle(gateway);
    expect(smsTo('+15550300011')).toHaveLength(0);
    expect(await message(row!.id)).toMatchObject({ status: 'failed', errorCode: 'no_identity' });
  });

  it('a job naming no outbound message sends nothing and goes to the dead letters without retries', async () => {
    const webhooks = webhooksTo(gateway.url);
    personal.add('+15550300012');
    expect((await webhooks.sms(inboundSms('+15550300012', 'hello'))).status).toBe(200);
    await waitForIdle(gateway);
    const inbound = await gateway.db.message.findFirstOrThrow({ where: { direction: 'in', channel: 'sms' }, orderBy: { createdAt: 'desc' } });
    const before = smsTo('+15550300012').length;
    await gateway.queues.enqueueOutbound('sms', inbound.id);
    await gateway.queues.enqueueOutbound('sms', 'no-such-message');
    await waitForIdle(gateway);
    expect(smsTo('+15550300012')).toHaveLength(before);
    expect((await message(inbound.id)).status).toBe(inbound.status);
    for (const id of [inbound.id, 'no-such-message']) expect((await deadLetterOf(id))?.attempts).toBe(1);
  });
});

describe('per-address order', () => {
  const delayedJobOf = async (id: string) => (await gateway.queues.outbound('sms').getDelayed()).some((job) => job.data.messageId === id);

  it('a message waits while the one written before it is still queued', async () => {
    const address = '+15550300020';
    const first = await write('sms', address, ['first'], { enqueue: false });
    const [second] = await write('sms', address, ['second']);
    await eventually(() => delayedJobOf(second!.id), 10_000, 'the second message to wait');
    expect(smsTo(address)).toHaveLength(0);
    await enqueueAll(gateway.queues, first);
    await waitForIdle(gateway);
    expect(smsTo(address).map((m) => m.form.Body)).toEqual(['first', 'second']);
  });

  it('a message waits while the one written before it is being sent', async () => {
    const address = '+15550300021';
    const [first] = await write('sms', address, ['first, being sent'], { enqueue: false });
    await gateway.db.message.update({ where: { id: first!.id }, data: { status: 'sending' } });
    const [second] = await write('sms', address, ['second']);
    await eventually(() => delayedJobOf(second!.id), 10_000, 'the second message to wait');
    expect(smsTo(address)).toHaveLength(0);
    await gateway.db.message.update({ where: { id: first!.id }, data: { status: 'sent' } });
    await waitForIdle(gateway);
    expect(smsTo(address).map((m) => m.form.Body)).toEqual(['second']);
  });

  it('a message written longer than ORDER_WAIT_MS ago does not wait for a lost predecessor', async () => {
    const address = '+15550300022';
    const [first] = await write('sms', address, ['lost predecessor'], { enqueue: false });
    const [second] = await write('sms', address, ['late one'], { enqueue: false });
    await gateway.db.message.update({ where: { id: second!.id }, data: { createdAt: new Date(Date.now() - ORDER_WAIT_MS - 10_000) } });
    await enqueueAll(gateway.queues, [second!]);
    await eventually(async () => (await message(second!.id)).status === 'sent', 10_000, 'the late message to be sent');
    expect(smsTo(address).map((m) => m.form.Body)).toEqual(['late one']);
    expect((await message(first!.id)).status).toBe('queued');
    await gateway.db.message.update({ where: { id: first!.id }, data: { status: 'failed' } });
  });

  it('a message whose predecessor was deleted goes at once', async () => {
    const address = '+15550300023';
    const [first] = await write('sms', address, ['deleted predecessor'], { enqueue: false });
    const [second] = await write('sms', address, ['goes on its own'], { enqueue: false });
    await gateway.db.message.delete({ where: { id: first!.id } });
    await enqueueAll(gateway.queues, [second!]);
    await waitForIdle(gateway);
    expect(smsTo(address).map((m) => m.form.Body)).toEqual(['goes on its own']);
  });
});

describe('send failures, by class', () => {
  it('rate limited: the channel waits Retry-After, the message is sent without a read-back', async () => {
    const address = '+15550300030';
    troubleFor((r) => r.method === 'POST' && r.form.To === address, [rateLimited(1)]);
    let id = '';
    const moved = await outcomesDuring('sms', async () => {
      [{ id }] = (await write('sms', address, ['after the limit'])) as [QueuedMessage];
      await eventually(async () => (await message(id)).status === 'sent', 15_000, 'the message to be sent');
      await waitForIdle(gateway);
    });
    const tries = smsTo(address);
    expect(tries.map((t) => t.answeredStatus)).toEqual([429, 201]);
    expect(tries[1]!.receivedAt - tries[0]!.receivedAt).toBeGreaterThanOrEqual(900);
    expect(readBacksFor(address)).toHaveLength(0);
    expect(moved).toEqual({ rate_limited: 1, sent: 1 });
    expect(logs.some((l) => l.level === 40 && /rate limit/.test(l.msg) && l.retryAfterMs === 1000)).toBe(true);
  });

  it('recipient stopped: the identity is stopped, the message fails untried again, and later ones are not sent', async () => {
    const address = '+15550300031';
    troubleFor((r) => r.method === 'POST' && r.form.To === address, [twilioError(400, 21610, 'Attempt to send to unsubscribed recipient')]);
    const [row] = await write('sms', address, ['first try']);
    await waitForIdle(gateway);
    expect(smsTo(address)).toHaveLength(1);
    expect(await message(row!.id)).toMatchObject({ status: 'failed', errorCode: '21610' });
    const identity = await gateway.db.contactIdentity.findUniqueOrThrow({ where: { id: (await message(row!.id)).identityId! } });
    expect(identity.stoppedAt).not.toBeNull();
    expect(await deadLetterOf(row!.id)).toMatchObject({ attempts: 1, reason: expect.stringMatching(/stopped/) });
    const [later] = await write('sms', address, ['a later one']);
    await waitForIdle(gateway);
    expect(smsTo(address)).toHaveLength(1);
    expect(await message(later!.id)).toMatchObject({ status: 'failed', errorCode: 'stopped' });
  });

  it('rejected: the message fails with the provider code after one try', async () => {
    const address = '+15550300032';
    troubleFor((r) => r.method === 'POST' && r.form.To === address, [twilioError(400, 21211, 'Invalid To number')]);
    const [row] = await write('sms', address, ['to a bad number']);
    await waitForIdle(gateway);
    expect(smsTo(address)).toHaveLength(1);
    const failed = await message(row!.id);
    expect(failed).toMatchObject({ status: 'failed', errorCode: '21211' });
    expect(failed.errorMessage).toMatch(/400/);
    expect(await deadLetterOf(row!.id)).toMatchObject({ attempts: 1, reason: expect.stringMatching(/rejected/) });
  });

  it('transient: retried with the error shown meanwhile, and the error cleared once sent', async () => {
    const address = '+15550300033';
    // The second try is answered late: meanwhile the message shows the first try's error.
    troubleFor((r) => r.method === 'POST' && r.form.To === address, [twilioError(500, 20500, 'Internal Server Error'), { delayMs: 800 }]);
    const jobFailures = (samples: Map<string, number>) => [...samples].filter(([labels]) => labels.includes('sms')).reduce((sum, [, value]) => sum + value, 0);
    const jobFailuresBefore = jobFailures(await metric('gateway_job_failures_total'));
    let id = '';
    const moved = await outcomesDuring('sms', async () => {
      [{ id }] = (await write('sms', address, ['after an outage'])) as [QueuedMessage];
      const meanwhile = await eventually(async () => {
        const row = await message(id);
        return row.status === 'sending' && row.errorCode !== null && row;
      }, 10_000, 'the retry under way with the last error');
      expect(meanwhile.errorCode).toBe('20500');
      expect(meanwhile.errorMessage).toMatch(/500/);
      await waitForIdle(gateway);
    });
    expect(smsTo(address).map((t) => t.answeredStatus)).toEqual([500, 201]);
    expect(readBacksFor(address)).toHaveLength(0);
    expect(await message(id)).toMatchObject({ status: 'sent', errorCode: null, errorMessage: null, providerId: smsTo(address)[1]!.sid });
    expect(moved).toEqual({ retry: 1, sent: 1 });
    expect(jobFailures(await metric('gateway_job_failures_total')) - jobFailuresBefore).toBe(1);
    expect(logs.some((l) => l.level === 40 && /job failed/.test(l.msg) && l.messageId === id && l.channel === 'sms')).toBe(true);
    expect(logs.some((l) => l.level >= 50 && l.messageId === id)).toBe(false);
  });

  it('transient on every try: the message fails after the last one', async () => {
    const address = '+15550300034';
    troubleFor((r) => r.method === 'POST' && r.form.To === address, Array.from({ length: ATTEMPTS }, () => twilioError(503, 20503, 'Service Unavailable')));
    let id = '';
    const moved = await outcomesDuring('sms', async () => {
      [{ id }] = (await write('sms', address, ['never through'])) as [QueuedMessage];
      await eventually(async () => (await message(id)).status === 'failed', 15_000, 'the message to fail');
      await waitForIdle(gateway);
    });
    expect(smsTo(address)).toHaveLength(ATTEMPTS);
    expect(await message(id)).toMatchObject({ status: 'failed', errorCode: '20503' });
    expect(await deadLetterOf(id)).toMatchObject({ attempts: ATTEMPTS });
    expect(moved).toEqual({ retry: ATTEMPTS - 1, failed: 1 });
  });

  it('answer lost after the provider took it: read back on the retry, marked sent, never sent twice', async () => {
    const address = '+15550300035';
    // Accepted, then the connection is cut before the answer.
    troubleFor((r) => r.method === 'POST' && r.form.To === address, [{ destroy: true }]);
    let id = '';
    const moved = await outcomesDuring('sms', async () => {
      [{ id }] = (await write('sms', address, ['taken, answer lost'])) as [QueuedMessage];
      await eventually(async () => (await message(id)).status === 'sent', 15_000, 'the message to be settled');
      await waitForIdle(gateway);
    });
    const taken = smsTo(address);
    expect(taken).toHaveLength(1);
    expect(taken[0]!.sid).toBeDefined();
    expect(readBacksFor(address).length).toBeGreaterThanOrEqual(1);
    expect(await message(id)).toMatchObject({ status: 'sent', providerId: taken[0]!.sid, errorCode: null, encoding: 'GSM-7', segments: 1 });
    expect(moved).toEqual({ retry: 1, reconciled: 1 });
    expect(logs.some((l) => l.level === 40 && /answer lost/.test(l.msg) && l.messageId === id && typeof l.code === 'string')).toBe(true);
  });

  it('answer lost on every try: unconfirmed after the last, for a person to check', async () => {
    const address = '+15550300036';
    // Cut before the provider took it, each time: every read-back finds nothing.
    troubleFor((r) => r.method === 'POST' && r.form.To === address, Array.from({ length: ATTEMPTS }, () => ({ status: 500, destroy: true })));
    let id = '';
    const moved = await outcomesDuring('sms', async () => {
      [{ id }] = (await write('sms', address, ['never answered'])) as [QueuedMessage];
      await eventually(async () => (await message(id)).status === 'unconfirmed', 15_000, 'the message to be left unconfirmed');
      await eventually(() => deadLetterOf(id), 10_000, 'its job in the dead letters');
    });
    expect(smsTo(address)).toHaveLength(ATTEMPTS);
    expect(readBacksFor(address)).toHaveLength(ATTEMPTS - 1);
    const row = await message(id);
    expect(row.errorCode).toMatch(/^E[A-Z]+$/);
    expect(row.errorMessage).toBeTruthy();
    expect(moved).toEqual({ retry: ATTEMPTS - 1, unconfirmed: 1 });
  });

  it('Telegram, which cannot read back: a dropped connection is sent again', async () => {
    const chat = '930001';
    providers.telegram.next({ drop: true }, 'sendMessage');
    const [row] = await write('telegram', chat, ['dropped once']);
    await eventually(async () => (await message(row!.id)).status === 'sent', 15_000, 'the message to be sent');
    expect(telegramTo(chat)).toHaveLength(2);
    expect(await message(row!.id)).toMatchObject({ status: 'sent', errorCode: null });
  });

  it('Telegram: a blocked bot stops the identity', async () => {
    const chat = '930002';
    providers.telegram.next(telegramErrors.blocked(), 'sendMessage');
    const [row] = await write('telegram', chat, ['to a chat that blocked us']);
    await eventually(async () => (await message(row!.id)).status === 'failed', 15_000, 'the message to fail');
    expect(telegramTo(chat)).toHaveLength(1);
    expect((await message(row!.id)).errorCode).toBe('403');
    const identity = await gateway.db.contactIdentity.findUniqueOrThrow({ where: { id: (await message(row!.id)).identityId! } });
    expect(identity.stoppedAt).not.toBeNull();
  });
});

describe('reconciliation of a send cut mid-call', () => {
  /** Writes a message as a send interrupted after its claim (status sending). */
  async function interrupted(channel: 'sms' | 'telegram' | 'slack', address: string, text: string, data: { updatedAt?: Date; errorCode?: string; threadOf?: string } = {}): Promise<string> {
    const { threadOf, ...rest } = data;
    const [row] = await write(channel, address, [text], { enqueue: false, threadOf });
    data = rest;
    await gateway.db.message.update({ where: { id: row!.id }, data: { status: 'sending', ...data } });
    await enqueueAll(gateway.queues, [row!]);
    return row!.id;
  }

  it('found at the provider: marked sent with its id, not sent again', async () => {
    const address = '+15550300040';
    const claimedAt = new Date();
    const sid = await providerHolds(address, 'The clinic opens at 8.');
    let id = '';
    const moved = await outcomesDuring('sms', async () => {
      id = await interrupted('sms', address, 'The clinic opens at 8.', { updatedAt: claimedAt });
      await waitForIdle(gateway);
    });
    expect(smsTo(address)).toHaveLength(1);
    expect(await message(id)).toMatchObject({ status: 'sent', providerId: sid, encoding: 'GSM-7', segments: 1, errorCode: null });
    expect((await message(id)).sentAt).not.toBeNull();
    expect(moved).toEqual({ reconciled: 1 });
    expect(logs.some((l) => l.level === 30 && l.messageId === id && l.reconciled === 'sent' && /found at the provider/.test(l.msg))).toBe(true);
  });

  it('not at the provider: sent again, once', async () => {
    const address = '+15550300041';
    const id = await interrupted('sms', address, 'Never reached the provider.');
    await waitForIdle(gateway);
    expect(smsTo(address)).toHaveLength(1);
    expect(readBacksFor(address)).toHaveLength(1);
    expect(await message(id)).toMatchObject({ status: 'sent', providerId: smsTo(address)[0]!.sid });
    expect(logs.some((l) => l.level === 30 && l.messageId === id && l.reconciled === 'not_sent' && /not found at the provider/.test(l.msg))).toBe(true);
  });

  it('the same text already recorded for another of our messages is not taken for this one', async () => {
    const address = '+15550300042';
    const [earlier] = await write('sms', address, ['Same words twice.']);
    await waitForIdle(gateway);
    const earlierSid = (await message(earlier!.id)).providerId;
    expect(earlierSid).toBe(smsTo(address)[0]!.sid);
    // Claimed after a lost answer: the read-back looks five minutes back and meets the earlier one.
    const id = await interrupted('sms', address, 'Same words twice.', { errorCode: 'ECONNRESET' });
    await waitForIdle(gateway);
    expect(smsTo(address)).toHaveLength(2);
    const row = await message(id);
    expect(row.status).toBe('sent');
    expect(row.providerId).toBe(smsTo(address)[1]!.sid);
    expect(row.providerId).not.toBe(earlierSid);
  });

  it('after a lost answer, a provider message up to five minutes before the recorded error is ours', async () => {
    const address = '+15550300043';
    const sid = await providerHolds(address, 'Answer lost, then the worker died.');
    // The error was written 90 s after the provider took the message (a client timeout).
    const id = await interrupted('sms', address, 'Answer lost, then the worker died.', { updatedAt: new Date(Date.now() + 90_000), errorCode: 'ETIMEDOUT' });
    await waitForIdle(gateway);
    expect(smsTo(address)).toHaveLength(1);
    expect(await message(id)).toMatchObject({ status: 'sent', providerId: sid, errorCode: null, errorMessage: null });
  });

  it('without a lost answer, a provider message from before the claim is not ours: sent again', async () => {
    const address = '+15550300044';
    await providerHolds(address, 'An older message with the same words.');
    const id = await interrupted('sms', address, 'An older message with the same words.', { updatedAt: new Date(Date.now() + 90_000) });
    await waitForIdle(gateway);
    const sends = smsTo(address);
    expect(sends).toHaveLength(2);
    expect(await message(id)).toMatchObject({ status: 'sent', providerId: sends[1]!.sid });
  });

  it('a read-back that fails for a while is tried again, then settles the send', async () => {
    const address = '+15550300045';
    const sid = await providerHolds(address, 'Read back after the outage.');
    troubleFor((r) => r.method === 'GET' && r.form.To === address, [twilioError(500, 20500, 'Internal Server Error')]);
    const id = await interrupted('sms', address, 'Read back after the outage.', { updatedAt: new Date(Date.now() - 1000) });
    await waitForIdle(gateway);
    expect(readBacksFor(address).map((r) => r.answeredStatus)).toEqual([500, 200]);
    expect(smsTo(address)).toHaveLength(1);
    expect(await message(id)).toMatchObject({ status: 'sent', providerId: sid });
    expect(logs.some((l) => l.level === 40 && /trying again later/.test(l.msg) && l.messageId === id)).toBe(true);
  });

  it('a read-back that keeps failing leaves the message unconfirmed for a person after the last try', async () => {
    const address = '+15550300046';
    troubleFor((r) => r.method === 'GET' && r.form.To === address, Array.from({ length: ATTEMPTS }, () => twilioError(503, 20503, 'Service Unavailable')));
    let id = '';
    const moved = await outcomesDuring('sms', async () => {
      id = await interrupted('sms', address, 'Cannot tell whether it went.');
      await eventually(() => deadLetterOf(id), 15_000, 'its job in the dead letters');
    });
    expect(readBacksFor(address)).toHaveLength(ATTEMPTS);
    expect(smsTo(address)).toHaveLength(0);
    expect(await message(id)).toMatchObject({ status: 'unconfirmed', errorCode: 'interrupted' });
    expect((await deadLetterOf(id))?.reason).toMatch(/interrupted/);
    expect(moved).toEqual({ unconfirmed: 1 });
    expect(logs.some((l) => l.level === 40 && /left for a person/.test(l.msg) && l.messageId === id)).toBe(true);
  });

  it('a read-back refused for good is not tried again: unconfirmed at once', async () => {
    const address = '+15550300047';
    troubleFor((r) => r.method === 'GET' && r.form.To === address, [twilioError(403, 20003, 'Permission denied')]);
    const id = await interrupted('sms', address, 'Read-back refused.');
    await eventually(() => deadLetterOf(id), 15_000, 'its job in the dead letters');
    expect(readBacksFor(address)).toHaveLength(1);
    expect(smsTo(address)).toHaveLength(0);
    expect(await message(id)).toMatchObject({ status: 'unconfirmed', errorCode: 'interrupted' });
    expect((await deadLetterOf(id))?.attempts).toBe(1);
  });

  it('a send interrupted for a contact erased since: left unconfirmed, not sent', async () => {
    const address = '+15550300048';
    const [row] = await write('sms', address, ['For a contact erased mid-send.'], { enqueue: false });
    await gateway.db.message.update({ where: { id: row!.id }, data: { status: 'sending', identityId: null } });
    await enqueueAll(gateway.queues, [row!]);
    await eventually(() => deadLetterOf(row!.id), 15_000, 'its job in the dead letters');
    expect(smsTo(address)).toHaveLength(0);
    expect(await message(row!.id)).toMatchObject({ status: 'unconfirmed', errorCode: 'interrupted' });
  });

  it('Slack: threaded messages go into their thread, and an interrupted one is read back from that thread', async () => {
    const channel = 'C0OUTCLAIM';
    const [root] = await write('slack', channel, ['Incident opened in the north ward.']);
    await waitForIdle(gateway);
    // Slack reports a posted message as delivered.
    const rootRow = await message(root!.id);
    expect(rootRow.status).toBe('delivered');
    const rootTs = parseMessageRef(rootRow.providerId!)!.ts;
    const posts = () => providers.slack.posts().filter((p) => p.channel === channel);
    expect(posts().map((p) => p.text)).toEqual(['Incident opened in the north ward.']);

    const [reply] = await write('slack', channel, ['Escalated to level 2.'], { threadOf: root!.id });
    await waitForIdle(gateway);
    expect(posts()[1]).toMatchObject({ text: 'Escalated to level 2.', thread_ts: rootTs });
    expect((await message(reply!.id)).status).toBe('delivered');

    // Slack holds this one in the thread (posted before the worker died); the history does not show it.
    const held = await fetch(`${providers.slack.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-test', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ channel, text: 'Acknowledged by the ward office.', thread_ts: rootTs }).toString(),
    });
    const heldTs = ((await held.json()) as { ts: string }).ts;
    const found = await interrupted('slack', channel, 'Acknowledged by the ward office.', { threadOf: root!.id, updatedAt: new Date(Date.now() - 2000) });
    const missing = await interrupted('slack', channel, 'Responder on the way.', { threadOf: root!.id });
    await waitForIdle(gateway);
    expect(providers.slack.requests.some((call) => call.method === 'conversations.replies' && call.params.ts === rootTs)).toBe(true);
    expect(await message(found)).toMatchObject({ status: 'delivered', providerId: formatMessageRef({ channel, ts: heldTs }) });
    expect(posts().map((p) => p.text)).toEqual(['Incident opened in the north ward.', 'Escalated to level 2.', 'Acknowledged by the ward office.', 'Responder on the way.']);
    expect(posts()[3]).toMatchObject({ thread_ts: rootTs });
    expect((await message(missing)).status).toBe('delivered');
  });

  it('Telegram, which cannot read back: left unconfirmed for a person, not sent again', async () => {
    const chat = '930010';
    let id = '';
    const moved = await outcomesDuring('telegram', async () => {
      id = await interrupted('telegram', chat, 'Interrupted on Telegram.');
      await eventually(() => deadLetterOf(id), 15_000, 'its job in the dead letters');
    });
    expect(telegramTo(chat)).toHaveLength(0);
    expect(await message(id)).toMatchObject({ status: 'unconfirmed', errorCode: 'interrupted' });
    expect(moved).toEqual({ unconfirmed: 1 });
  });
});

describe('reply latency', () => {
  it('is measured for replies to an inbound message, and for nothing else', async () => {
    const count = async () => (await metric('gateway_reply_latency_seconds_count')).get('channel=sms') ?? 0;
    const sum = async () => (await metric('gateway_reply_latency_seconds_sum')).get('channel=sms') ?? 0;
    const [countBefore, sumBefore] = [await count(), await sum()];
    const address = '+15550300050';
    personal.add(address);
    expect((await webhooksTo(gateway.url).sms(inboundSms(address, 'hi'))).status).toBe(200);
    await waitForIdle(gateway);
    const replies = smsTo(address).length;
    expect(replies).toBeGreaterThanOrEqual(1);
    expect((await count()) - countBefore).toBe(replies);
    const seconds = (await sum()) - sumBefore;
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(30 * replies);

    const inbound = await gateway.db.message.findFirstOrThrow({ where: { direction: 'in', channel: 'sms' }, orderBy: { createdAt: 'desc' } });
    const outbound = await gateway.db.message.findFirstOrThrow({ where: { direction: 'out', channel: 'sms', status: 'sent' } });
    const countNow = await count();
    await write('sms', '+15550300051', [{ text: 'A notification, caused by a message in.', kind: 'notification' }], { causeId: inbound.id });
    await write('sms', '+15550300052', ['A reply whose cause is a message out.'], { causeId: outbound.id });
    await write('sms', '+15550300053', ['A reply without a cause.']);
    await waitForIdle(gateway);
    expect(smsTo('+15550300051')).toHaveLength(1);
    expect(smsTo('+15550300052')).toHaveLength(1);
    expect(smsTo('+15550300053')).toHaveLength(1);
    expect(await count()).toBe(countNow);
  });
});

describe('logs', () => {
  it('name no address and no text', () => {
    expect(logs.length).toBeGreaterThan(0);
    const text = logs.map((l) => JSON.stringify(l)).join('\n');
    for (const value of personal) expect(text).not.toContain(value);
  });
});
