import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTelegramAdapter } from '../../bots/telegram/index.js';
import type { ChannelAdapter, InboundEvent } from '../../src/channels/adapter.js';
import { startTelegramApi, telegramUpdates, type FakeTelegramApi } from '../fakes/telegram-api.js';

const TOKEN = '123:abc';
const CHAT = 5150;

let fake: FakeTelegramApi;
let adapter: ChannelAdapter;

beforeEach(async () => {
  fake = await startTelegramApi({ token: TOKEN });
  adapter = createTelegramAdapter({ botToken: TOKEN, mode: 'polling', apiRoot: fake.url, pollingTimeoutSeconds: 5 }, pino({ level: 'silent' }));
});

afterEach(async () => {
  await adapter.stop?.();
  await fake.close();
});

/** A sink that records what it gets and lets a test wait for the n-th batch. */
function recordingSink(fail: (call: number) => boolean = () => false) {
  const batches: InboundEvent[][] = [];
  let calls = 0;
  const waiting: Array<{ n: number; resolve: () => void }> = [];
  return {
    batches,
    get calls() {
      return calls;
    },
    sink: async (events: InboundEvent[]) => {
      calls += 1;
      for (const w of waiting.filter((w) => w.n === calls)) w.resolve();
      if (fail(calls)) throw new Error('queue down');
      batches.push(events);
    },
    called: (n: number) =>
      new Promise<void>((resolve) => {
        if (calls >= n) resolve();
        else waiting.push({ n, resolve });
      }),
  };
}

describe('telegram long polling', () => {
  it('removes any webhook, then delivers an update from getUpdates to the sink through the same parsing', async () => {
    const recorder = recordingSink();
    await adapter.start?.(recorder.sink);
    expect(fake.calls('deleteWebhook')).toHaveLength(1);
    fake.pushUpdate(telegramUpdates.text(CHAT, '/start report', { updateId: 41, languageCode: 'am' }));
    await recorder.called(1);
    expect(recorder.batches).toEqual([
      [
        expect.objectContaining({
          providerId: '41',
          address: String(CHAT),
          message: { type: 'text', text: 'report' },
          languageHint: 'am',
        }),
      ],
    ]);
    expect(fake.calls('getUpdates')[0]?.payload).toMatchObject({ allowed_updates: ['message', 'callback_query'], timeout: 5 });
  });

  it('answers a button press received by polling', async () => {
    const recorder = recordingSink();
    await adapter.start?.(recorder.sink);
    fake.pushUpdate(telegramUpdates.callback(CHAT, 'ack:17', { queryId: 'q-poll' }));
    await recorder.called(1);
    expect(recorder.batches[0]?.[0]?.message).toMatchObject({ type: 'choice', choiceId: 'ack:17' });
    const answer = await fake.waitFor('answerCallbackQuery');
    expect(answer.payload.callback_query_id).toBe('q-poll');
  });

  it('offers the same update again when the sink fails, instead of dropping it', async () => {
    const recorder = recordingSink((call) => call === 1);
    await adapter.start?.(recorder.sink);
    fake.pushUpdate(telegramUpdates.text(CHAT, 'help', { updateId: 90 }));
    await recorder.called(2);
    expect(recorder.batches).toHaveLength(1);
    expect(recorder.batches[0]?.[0]?.providerId).toBe('90');
  });

  it('skips update types it does not handle without calling the sink, and confirms them', async () => {
    const recorder = recordingSink();
    await adapter.start?.(recorder.sink);
    fake.pushUpdate({ update_id: 60, edited_message: telegramUpdates.text(CHAT, 'x').message });
    fake.pushUpdate(telegramUpdates.text(CHAT, 'after', { updateId: 61 }));
    await recorder.called(1);
    expect(recorder.calls).toBe(1);
    expect(recorder.batches[0]?.[0]?.providerId).toBe('61');
  });

  it('stops: confirms the last update with the next offset and polls no more', async () => {
    const recorder = recordingSink();
    await adapter.start?.(recorder.sink);
    fake.pushUpdate(telegramUpdates.text(CHAT, 'one', { updateId: 70 }));
    await recorder.called(1);
    await adapter.stop?.();
    const polls = fake.calls('getUpdates');
    expect(polls[polls.length - 1]?.payload).toMatchObject({ offset: 71 });
    expect(fake.pendingUpdates).toHaveLength(0);
    const count = polls.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fake.calls('getUpdates')).toHaveLength(count);
  });

  it('rejects start when Telegram refuses the token', async () => {
    const wrong = createTelegramAdapter({ botToken: '1:wrong', mode: 'polling', apiRoot: fake.url }, pino({ level: 'silent' }));
    await expect(wrong.start?.(async () => {})).rejects.toThrow(/401/);
  });

  it('does nothing on start in webhook mode', async () => {
    const webhook = createTelegramAdapter({ botToken: TOKEN, webhookSecret: 's', apiRoot: fake.url }, pino({ level: 'silent' }));
    await webhook.start?.(async () => {});
    await webhook.stop?.();
    expect(fake.requests).toHaveLength(0);
  });
});
