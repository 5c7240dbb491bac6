import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackAdapter, DEFAULT_RATE, parseMessageRef } from '../../bots/slack/index.js';
import type { ChannelAdapter, SendContext } from '../../src/channels/adapter.js';
import {
  ProviderNetworkError,
  ProviderRateLimitError,
  ProviderRejectedError,
  ProviderUnavailableError,
  RecipientStoppedError,
} from '../../src/errors.js';
import type { OutboundMessage } from '../../src/messages.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';

const USER = 'U0000042';
const context = (extra: Partial<SendContext> = {}): SendContext => ({ messageId: 'msg-1', queuedAt: new Date(), ...extra });

let api: FakeSlackApi;
let adapter: ChannelAdapter;
let logLines: string[];

beforeEach(async () => {
  api = await startFakeSlackApi();
  logLines = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  adapter = createSlackAdapter(
    { botToken: 'xoxb-test-token', signingSecret: 'secret', apiUrl: api.url, requestTimeoutMs: 500 },
    pino({ level: 'debug' }, sink),
  );
});

afterEach(async () => {
  await api.close();
});

async function sendError(message: OutboundMessage = { type: 'text', text: 'hello' }): Promise<unknown> {
  return adapter.send(USER, message, context()).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('Slack send: mapping onto chat.postMessage', () => {
  it('posts a text to the address with the bot token, mrkdwn-escaped, and returns channel:ts', async () => {
    const result = await adapter.send(USER, { type: 'text', text: 'Road <closed> & guarded' }, context());
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]).toMatchObject({ method: 'chat.postMessage', token: 'xoxb-test-token' });
    const [post] = api.posts();
    expect(post).toMatchObject({ channel: USER, text: 'Road &lt;closed&gt; &amp; guarded' });
    expect(post).not.toHaveProperty('blocks');
    expect(post).not.toHaveProperty('thread_ts');
    const ref = parseMessageRef(result.providerId);
    expect(ref?.channel).toBe('D0000042');
    expect(ref?.ts).toMatch(/^\d+\.\d{6}$/);
    expect(result.status).toBe('delivered');
  });

  it('turns a choice into one button per choice with action_id choice:<id> and value = the id', async () => {
    const message: OutboundMessage = {
      type: 'choice',
      text: 'Incident #12 in *Kibera*: acknowledge?',
      multiple: false,
      choices: [
        { id: 'ack', label: 'Acknowledge' },
        { id: 'escalate', label: 'Escalate' },
        { id: 'false-alarm', label: 'False alarm' },
      ],
    };
    await adapter.send(USER, message, context());
    const [post] = api.posts();
    expect(post?.text).toBe('Incident #12 in *Kibera*: acknowledge?');
    expect(post?.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: 'Incident #12 in *Kibera*: acknowledge?' } },
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: 'choice:ack', value: 'ack', text: { type: 'plain_text', text: 'Acknowledge', emoji: true } },
          { type: 'button', action_id: 'choice:escalate', value: 'escalate', text: { type: 'plain_text', text: 'Escalate', emoji: true } },
          { type: 'button', action_id: 'choice:false-alarm', value: 'false-alarm', text: { type: 'plain_text', text: 'False alarm', emoji: true } },
        ],
      },
    ]);
  });

  it('keeps within Block Kit limits: 25 buttons per actions block, labels cut to 75 characters, sections of 3000', async () => {
    const choices = Array.from({ length: 30 }, (_, i) => ({ id: `c${i}`, label: i === 0 ? 'x'.repeat(100) : `Option ${i}` }));
    await adapter.send(USER, { type: 'choice', text: 'word '.repeat(1000).trim(), choices, multiple: true }, context());
    const blocks = api.posts()[0]?.blocks as { type: string; elements?: { text: { text: string } }[]; text?: { text: string } }[];
    const sections = blocks.filter((block) => block.type === 'section');
    const actions = blocks.filter((block) => block.type === 'actions');
    expect(sections.length).toBe(2);
    expect(sections.every((block) => block.text!.text.length <= 3000)).toBe(true);
    expect(sections.map((block) => block.text!.text).join('')).toBe('word '.repeat(1000).trim());
    expect(actions.map((block) => block.elements!.length)).toEqual([25, 5]);
    expect(Array.from(actions[0]!.elements![0]!.text.text)).toHaveLength(75);
  });

  it('posts into the thread SendContext.threadId names, given as a ts or as an earlier providerId', async () => {
    const first = await adapter.send(USER, { type: 'text', text: 'Incident #12 opened' }, context());
    const { ts } = parseMessageRef(first.providerId)!;
    await adapter.send(USER, { type: 'text', text: 'Escalated to level 2' }, context({ messageId: 'msg-2', threadId: first.providerId }));
    await adapter.send(USER, { type: 'text', text: 'Acknowledged' }, context({ messageId: 'msg-3', threadId: ts }));
    const posts = api.posts();
    expect(posts[1]?.thread_ts).toBe(ts);
    expect(posts[2]?.thread_ts).toBe(ts);
  });

  it('writes a location as text with its coordinates', async () => {
    await adapter.send(USER, { type: 'location', text: 'Meeting point', latitude: -1.3133, longitude: 36.7876 }, context());
    await adapter.send(USER, { type: 'location', latitude: 9.03, longitude: 38.74 }, context());
    expect(api.posts().map((post) => post.text)).toEqual(['Meeting point\n-1.3133, 36.7876', '9.03, 38.74']);
  });

  it('shows a picture as an image block and anything else as a link', async () => {
    await adapter.send(USER, { type: 'media', url: 'https://cdn.example.org/map.png', caption: 'Safe routes' }, context());
    await adapter.send(USER, { type: 'media', url: 'https://cdn.example.org/notice.pdf', caption: 'Notice' }, context());
    const [picture, document] = api.posts();
    expect(picture?.text).toBe('Safe routes');
    expect(picture?.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: 'Safe routes' } },
      { type: 'image', image_url: 'https://cdn.example.org/map.png', alt_text: 'Safe routes' },
    ]);
    expect(document?.text).toBe('Notice\n<https://cdn.example.org/notice.pdf>');
    expect(document).not.toHaveProperty('blocks');
  });

  it('paces at about one message per second per address by default', () => {
    expect(adapter.rate).toEqual(DEFAULT_RATE);
    expect(adapter.rate.perAddressGapMs).toBe(1000);
  });
});

describe('Slack send: failures by class', () => {
  it('makes a 429 a ProviderRateLimitError carrying Retry-After in ms, after a single call', async () => {
    api.rateLimitNext(7);
    const error = await sendError();
    expect(error).toBeInstanceOf(ProviderRateLimitError);
    expect((error as ProviderRateLimitError).retryAfterMs).toBe(7000);
    expect(api.requests).toHaveLength(1);
  });

  it('makes channel_not_found and the other "no longer reachable" errors a RecipientStoppedError', async () => {
    for (const code of ['channel_not_found', 'is_archived', 'user_not_found']) {
      api.failNext(code);
      const error = await sendError();
      expect(error).toBeInstanceOf(RecipientStoppedError);
      expect((error as RecipientStoppedError).code).toBe(code);
    }
  });

  it('makes a refused token a ProviderRejectedError and logs it as an error', async () => {
    api.failNext('invalid_auth');
    const error = await sendError();
    expect(error).toBeInstanceOf(ProviderRejectedError);
    expect(error).not.toBeInstanceOf(RecipientStoppedError);
    const line = logLines.map((text) => JSON.parse(text) as { level: number; code?: string }).find((entry) => entry.code === 'invalid_auth');
    expect(line?.level).toBe(50);
  });

  it('makes other refusals (not_in_channel, invalid_blocks) a ProviderRejectedError', async () => {
    for (const code of ['not_in_channel', 'invalid_blocks']) {
      api.failNext(code);
      expect(await sendError()).toBeInstanceOf(ProviderRejectedError);
    }
  });

  it("makes a 5xx or Slack's internal_error a ProviderUnavailableError, after a single call", async () => {
    api.next({ status: 500 });
    expect(await sendError()).toBeInstanceOf(ProviderUnavailableError);
    expect(api.requests).toHaveLength(1);
    api.next({ status: 503 });
    expect(await sendError()).toBeInstanceOf(ProviderUnavailableError);
    api.failNext('internal_error');
    expect(await sendError()).toBeInstanceOf(ProviderUnavailableError);
  });

  it('makes a dropped connection, a timeout and a closed API a ProviderNetworkError', async () => {
    api.next({ drop: true });
    expect(await sendError()).toBeInstanceOf(ProviderNetworkError);
    api.next({ delayMs: 1000 });
    expect(await sendError()).toBeInstanceOf(ProviderNetworkError);
    await api.close();
    expect(await sendError()).toBeInstanceOf(ProviderNetworkError);
  });

  it('never logs the address or the message text', async () => {
    api.failNext('channel_not_found');
    await sendError({ type: 'text', text: 'secret report text' });
    await adapter.send(USER, { type: 'text', text: 'secret report text' }, context());
    expect(logLines.length).toBeGreaterThan(0);
    const all = logLines.join('\n');
    expect(all).not.toContain(USER);
    expect(all).not.toContain('secret report text');
  });
});
