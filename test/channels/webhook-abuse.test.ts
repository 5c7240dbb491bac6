/**
 * Abuse limits on the webhooks, through the real routes with signed requests:
 * - an empty, blank or malformed sender or chat id is refused at parse (400) on every channel,
 *   logged without the value, and nothing is stored or queued;
 * - a Slack interaction carrying more than one action is refused whole (400, nothing stored);
 * - one sender over its rate limit is refused (429 with Retry-After, nothing stored) on Slack,
 *   which delivers the refused event again, and stored with its processing deferred on SMS, whose
 *   provider does not retry, and on Telegram, where a refused update would hold back the chat's
 *   later ones and slow the bot's whole delivery; other senders pass meanwhile.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobId } from '../../src/jobs/queues.js';
import { createLogger } from '../../src/logger.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { inboundSms, slackButtonPress, slackDirectMessage, startProviders, webhooksTo, type GatewayWebhooks, type Providers } from '../support/providers.js';

const LIMIT = 3;
const lines: string[] = [];
let providers: Providers;
let gateway: TestGateway;
let webhooks: GatewayWebhooks;

beforeAll(async () => {
  providers = await startProviders();
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  gateway = await startTestGateway({ ...providers.env, WEBHOOK_SENDER_MAX: String(LIMIT), WEBHOOK_SENDER_WINDOW_SECONDS: '60' }, { logger: createLogger('debug', sink) });
  webhooks = webhooksTo(gateway.url);
});
afterAll(async () => {
  await gateway?.close();
  await providers?.close();
});

/** What a refused webhook must leave unchanged: stored messages, identities, inbound jobs. */
async function stored() {
  const counts = await gateway.queues.inbound.getJobCounts('waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized');
  return {
    messages: await gateway.db.message.count({ where: { direction: 'in' } }),
    identities: await gateway.db.contactIdentity.count(),
    jobs: Object.values(counts).reduce((a, b) => a + b, 0),
  };
}

let updateId = 9_000;
const telegramText = (chat: unknown, text = 'hello', from: unknown = 4242) => ({
  update_id: ++updateId,
  message: { message_id: updateId, date: Math.floor(Date.now() / 1000), chat: { id: chat, type: 'private' }, from: { id: from, is_bot: false, first_name: 'A' }, text },
});

const slackPayload = (payload: unknown) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
const press = (user: string, actions: number, extra: Record<string, unknown> = {}) =>
  slackPayload({
    type: 'block_actions',
    user: { id: user },
    trigger_id: `9.9.${++updateId}`,
    container: { type: 'message', message_ts: '1746100000.000200', channel_id: 'D0000001' },
    actions: Array.from({ length: actions }, (_, i) => ({ type: 'button', action_id: 'choice:en', value: 'en', text: { type: 'plain_text', text: 'English' }, action_ts: `1746100099.${updateId}${i}` })),
    ...extra,
  });

describe('empty or malformed addresses are refused at parse', () => {
  const cases: { name: string; post: () => Promise<Response>; secret?: string }[] = [
    { name: 'SMS without a From', post: () => webhooks.sms({ ...inboundSms('', 'hi') }) },
    { name: 'SMS with a blank From', post: () => webhooks.sms(inboundSms('   ', 'hi')) },
    { name: 'SMS with a From that is no number', post: () => webhooks.sms(inboundSms('abc-street-7', 'hi')), secret: 'abc-street-7' },
    { name: 'SMS with a From without country code', post: () => webhooks.sms(inboundSms('0712345678', 'hi')), secret: '0712345678' },
    { name: 'Telegram message without a chat', post: () => webhooks.telegram({ update_id: ++updateId, message: { message_id: 1, date: 1, text: 'hi' } }) },
    { name: 'Telegram chat id as a string', post: () => webhooks.telegram(telegramText('5550001')), secret: '5550001' },
    { name: 'Telegram chat id with a fraction', post: () => webhooks.telegram(telegramText(5550002.5)), secret: '5550002.5' },
    { name: 'Telegram chat id 0', post: () => webhooks.telegram(telegramText(0)) },
    { name: 'Telegram sender id empty', post: () => webhooks.telegram(telegramText(5550003, 'hi', '')) },
    {
      name: 'Telegram button press without a sender id',
      post: () => webhooks.telegram({ update_id: ++updateId, callback_query: { id: 'cq1', from: { is_bot: false }, data: 'en', message: { chat: { id: 5550004 } } } }),
    },
    { name: 'Slack message with an empty user', post: () => webhooks.slackEvent(slackDirectMessage(`EvE${++updateId}`, '', 'hi')) },
    { name: 'Slack message with a blank user', post: () => webhooks.slackEvent(slackDirectMessage(`EvE${++updateId}`, '   ', 'hi')) },
    { name: 'Slack message with a malformed user', post: () => webhooks.slackEvent(slackDirectMessage(`EvE${++updateId}`, 'u-lower/42', 'hi')), secret: 'u-lower/42' },
    {
      name: 'Slack message with an empty channel',
      post: () =>
        webhooks.slackEvent(JSON.stringify({ type: 'event_callback', event_id: `EvE${++updateId}`, event: { type: 'message', channel: '', channel_type: 'im', user: 'U0000099', text: 'hi', ts: '1.1' } })),
    },
    { name: 'Slack press with an empty user', post: () => webhooks.slackInteraction(slackButtonPress('', { value: 'en', text: 'English' })) },
    { name: 'Slack press in an empty channel', post: () => webhooks.slackInteraction(press('U0000098', 1, { container: { type: 'message', message_ts: '1.2', channel_id: ' ' } })) },
    {
      name: 'console message from a blank name',
      post: () => fetch(`${gateway.url}/webhooks/console`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-console-token': gateway.console!.token }, body: JSON.stringify({ id: `c${++updateId}`, address: '  ', text: 'hi' }) }),
    },
  ];

  for (const { name, post, secret } of cases) {
    it(`${name}: 400, logged without the value, nothing stored or queued`, async () => {
      const before = await stored();
      const logged = lines.length;
      const response = await post();
      expect(response.status).toBe(400);
      await waitForIdle(gateway);
      expect(await stored()).toEqual(before);
      const newLines = lines.slice(logged).join('\n');
      if (!name.startsWith('console')) expect(newLines).toContain('webhook rejected: malformed payload');
      if (secret) expect(newLines).not.toContain(secret);
    });
  }

  it('a well-formed message from each channel still passes', async () => {
    expect((await webhooks.sms(inboundSms('+254711600001', 'hi'))).status).toBe(200);
    expect((await webhooks.telegram(telegramText(5551001))).status).toBe(200);
    expect((await webhooks.slackEvent(slackDirectMessage(`EvOk${++updateId}`, 'U0000101', 'hi'))).status).toBe(200);
    await waitForIdle(gateway);
    expect(await gateway.db.message.count({ where: { direction: 'in', channel: { in: ['sms', 'telegram', 'slack'] } } })).toBeGreaterThanOrEqual(3);
  });
});

describe('one Slack interaction, one action', () => {
  it('a signed interaction carrying 1,000 actions is refused whole: 400, a log line, nothing stored', async () => {
    const before = await stored();
    const logged = lines.length;
    const response = await webhooks.slackInteraction(press('U0000200', 1000));
    expect(response.status).toBe(400);
    await waitForIdle(gateway);
    expect(await stored()).toEqual(before);
    expect(lines.slice(logged).join('\n')).toContain('carries 1000 actions; a press carries 1');
    // A human press (one action) is taken.
    expect((await webhooks.slackInteraction(press('U0000200', 1))).status).toBe(200);
    await waitForIdle(gateway);
    expect((await stored()).messages).toBe(before.messages + 1);
  });
});

describe('rate limit per sender', () => {
  it('Telegram: over the limit the update is stored and answered 200 (a refusal would slow every chat), its processing deferred; another chat passes', async () => {
    const updates = Array.from({ length: LIMIT + 1 }, () => telegramText(7770001, 'flood'));
    const statuses: number[] = [];
    for (const update of updates) statuses.push((await webhooks.telegram(update)).status);
    expect(statuses).toEqual(updates.map(() => 200));
    expect((await webhooks.telegram(telegramText(7770002, 'calm'))).status).toBe(200);
    await waitForIdle(gateway);
    const last = await gateway.db.message.findFirstOrThrow({ where: { channel: 'telegram', providerId: String(updates[LIMIT]!.update_id) } });
    expect(last.status).toBe('received');
    const job = await gateway.queues.inbound.getJob(jobId('in', last.id));
    expect(await job?.isDelayed()).toBe(true);
    for (const update of updates.slice(0, LIMIT)) {
      expect((await gateway.db.message.findFirstOrThrow({ where: { channel: 'telegram', providerId: String(update.update_id) } })).status).not.toBe('received');
    }
    const logged = lines.filter((l) => l.includes('webhook deferred: a sender is over its rate limit'));
    expect(logged.length).toBeGreaterThanOrEqual(1);
    const hash = gateway.personalData.hash('telegram', '7770001');
    expect(lines.join('\n')).not.toContain(hash);
    expect(logged.join('\n')).not.toContain('7770001');
  });

  it('Slack: the flooding user gets 429 (Slack delivers a refused event again), another user passes', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++) statuses.push((await webhooks.slackEvent(slackDirectMessage(`EvF${++updateId}`, 'U0000300', 'flood'))).status);
    expect(statuses).toEqual([...Array(LIMIT).fill(200), 429]);
    expect((await webhooks.slackEvent(slackDirectMessage(`EvG${++updateId}`, 'U0000301', 'calm'))).status).toBe(200);
  });

  it('SMS: over the limit the message is still stored and answered 200 (Twilio does not retry a 429), its processing deferred', async () => {
    const from = '+254711700001';
    const sent = Array.from({ length: LIMIT + 1 }, (_, i) => inboundSms(from, `message ${i}`));
    const statuses: number[] = [];
    for (const params of sent) statuses.push((await webhooks.sms(params)).status);
    expect(statuses).toEqual(sent.map(() => 200));
    expect((await webhooks.sms(inboundSms('+254711700002', 'hi'))).status).toBe(200);
    await waitForIdle(gateway);
    const last = await gateway.db.message.findFirstOrThrow({ where: { channel: 'sms', providerId: sent[LIMIT]!.MessageSid } });
    expect(last.status).toBe('received');
    const job = await gateway.queues.inbound.getJob(jobId('in', last.id));
    expect(await job?.isDelayed()).toBe(true);
    expect(job!.opts.delay).toBeGreaterThan(0);
    for (const params of sent.slice(0, LIMIT)) {
      expect((await gateway.db.message.findFirstOrThrow({ where: { channel: 'sms', providerId: params.MessageSid } })).status).not.toBe('received');
    }
    expect(lines.some((l) => l.includes('webhook deferred: a sender is over its rate limit'))).toBe(true);
    expect(lines.join('\n')).not.toContain('254711700001');
  });
});
