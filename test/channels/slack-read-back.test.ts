/**
 * The Slack adapter reads back what it posted (findSent), for sends whose answer never came:
 * our messages with the same text since the claim, in the direct message of a user, in a channel
 * or in a thread; never another author's message, an older one or a different text.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../bots/slack/index.js';
import type { ChannelAdapter } from '../../src/channels/adapter.js';
import { ProviderUnavailableError } from '../../src/errors.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';

const USER = 'U0000042';
const CHANNEL = 'C0000777';

let api: FakeSlackApi;
let adapter: ChannelAdapter;

beforeEach(async () => {
  api = await startFakeSlackApi();
  adapter = createSlackAdapter({ botToken: 'xoxb-test-token', signingSecret: 'secret', apiUrl: api.url, requestTimeoutMs: 500 }, pino({ level: 'silent' }));
});

afterEach(async () => {
  await api.close();
});

const since = (msAgo = 0) => new Date(Date.now() - msAgo);

describe('Slack read-back of an interrupted send', () => {
  it('finds our direct message to a user by its text, with the providerId send returned', async () => {
    const claim = since();
    const sent = await adapter.send(USER, { type: 'text', text: 'Road <closed> & guarded' }, { messageId: 'm1', queuedAt: claim });
    await adapter.send(USER, { type: 'text', text: 'something else' }, { messageId: 'm2', queuedAt: claim });
    const found = await adapter.findSent!(USER, { type: 'text', text: 'Road <closed> & guarded' }, { messageId: 'm1', since: claim });
    expect(found).toEqual([{ providerId: sent.providerId, status: 'delivered' }]);
    const methods = api.requests.map((call) => call.method);
    expect(methods).toContain('conversations.open');
    expect(methods).toContain('conversations.history');
    expect(methods).toContain('auth.test');
  });

  it('finds nothing when the text never reached Slack, or was posted by someone else', async () => {
    const claim = since();
    // Someone else in the conversation wrote the very same words.
    api.respondWith((call) =>
      call.method === 'conversations.history'
        ? { body: { ok: true, has_more: false, messages: [{ type: 'message', ts: `${Date.now() / 1000}`, text: 'Are you safe?', user: 'U0000042' }] } }
        : undefined,
    );
    const found = await adapter.findSent!(USER, { type: 'text', text: 'Are you safe?' }, { messageId: 'm1', since: claim });
    expect(found).toEqual([]);
  });

  it('ignores our messages from before the claim', async () => {
    await adapter.send(CHANNEL, { type: 'text', text: 'repeat' }, { messageId: 'm0', queuedAt: since() });
    // A claim well after the first post: only the second one can be the interrupted send.
    const later = new Date(Date.now() + 5_000);
    const found = await adapter.findSent!(CHANNEL, { type: 'text', text: 'repeat' }, { messageId: 'm1', since: later });
    expect(found).toEqual([]);
  });

  it('reads a thread with conversations.replies, where the history does not show replies', async () => {
    const root = await adapter.send(CHANNEL, { type: 'text', text: 'Incident R-ABC123' }, { messageId: 'root', queuedAt: since() });
    const claim = since();
    const reply = await adapter.send(CHANNEL, { type: 'text', text: 'acknowledged' }, { messageId: 'm1', queuedAt: claim, threadId: root.providerId });
    const found = await adapter.findSent!(CHANNEL, { type: 'text', text: 'acknowledged' }, { messageId: 'm1', since: claim, threadId: root.providerId });
    expect(found.map((f) => f.providerId)).toEqual([reply.providerId]);
    expect(api.requests.some((call) => call.method === 'conversations.replies' && call.params.ts === root.providerId.split(':')[1])).toBe(true);
    // Outside the thread the reply is not listed.
    expect(await adapter.findSent!(CHANNEL, { type: 'text', text: 'acknowledged' }, { messageId: 'm1', since: claim })).toEqual([]);
  });

  it('finds a choice by the text its buttons were posted with', async () => {
    const claim = since();
    const message = { type: 'choice' as const, text: 'Which area?', choices: [{ id: 'north', label: 'North' }], multiple: false };
    const sent = await adapter.send(USER, message, { messageId: 'm1', queuedAt: claim });
    expect((await adapter.findSent!(USER, message, { messageId: 'm1', since: claim })).map((f) => f.providerId)).toEqual([sent.providerId]);
  });

  it('throws a provider error when Slack cannot answer, so the send stays for a person', async () => {
    api.respondWith((call) => (call.method === 'conversations.history' ? { status: 503 } : undefined));
    await expect(adapter.findSent!(USER, { type: 'text', text: 'hello' }, { messageId: 'm1', since: since() })).rejects.toBeInstanceOf(ProviderUnavailableError);
  });
});
