import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSlackAdapter } from '../../bots/slack/index.js';
import type { ChannelAdapter, InboundEvent } from '../../src/channels/adapter.js';
import { FAKE_BOT, startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';

let api: FakeSlackApi;
let adapter: ChannelAdapter;
let received: InboundEvent[];

beforeEach(async () => {
  api = await startFakeSlackApi();
  received = [];
  adapter = createSlackAdapter(
    { botToken: 'xoxb-socket-bot', appToken: 'xapp-socket-app', mode: 'socket', apiUrl: api.url },
    pino({ level: 'silent' }),
  );
  await adapter.start!(async (events) => {
    received.push(...events);
  });
  await api.socketConnected();
});

afterEach(async () => {
  await adapter.stop!();
  await api.close();
});

const directMessage = {
  type: 'event_callback',
  team_id: FAKE_BOT.teamId,
  api_app_id: 'A0000001',
  event_id: 'Ev0SOCKET',
  event_time: 1746100000,
  event: { type: 'message', channel: 'D0000001', channel_type: 'im', user: 'U0000042', text: 'Is the bridge open?', ts: '1746100000.000100' },
};

describe('Slack socket mode (against the fake Socket Mode server)', () => {
  it('checks the bot token and opens the connection with the app token', () => {
    expect(api.requests.find((call) => call.method === 'auth.test')?.token).toBe('xoxb-socket-bot');
    expect(api.requests.find((call) => call.method === 'apps.connections.open')?.token).toBe('xapp-socket-app');
  });

  it('parses a pushed direct message like the events route, and acknowledges it', async () => {
    const ack = await api.pushEnvelope({ type: 'events_api', payload: directMessage });
    expect(ack.envelope_id).toBeTruthy();
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]).toMatchObject({ providerId: 'Ev0SOCKET', address: 'U0000042', message: { type: 'text', text: 'Is the bridge open?' } });
  });

  it("drops the bot's own message", async () => {
    const own = { ...directMessage, event_id: 'Ev0OWN', event: { ...directMessage.event, user: FAKE_BOT.userId, bot_id: FAKE_BOT.botId } };
    await api.pushEnvelope({ type: 'events_api', payload: own });
    await api.pushEnvelope({ type: 'events_api', payload: { ...directMessage, event_id: 'Ev0AFTER' } });
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]?.providerId).toBe('Ev0AFTER');
  });

  it('turns a pushed button press into a choice, acknowledged after the sink stored it', async () => {
    const press = {
      type: 'block_actions',
      team: { id: FAKE_BOT.teamId },
      user: { id: 'U0000042' },
      api_app_id: 'A0000001',
      trigger_id: '111.222.333',
      container: { type: 'message', message_ts: '1746100000.000200', channel_id: 'D0000001' },
      channel: { id: 'D0000001' },
      actions: [{ type: 'button', action_id: 'choice:yes', value: 'yes', text: { type: 'plain_text', text: 'Yes' }, action_ts: '1746100050.000001' }],
    };
    await api.pushEnvelope({ type: 'interactive', payload: press });
    expect(received).toEqual([
      {
        providerId: '1746100000.000200:1746100050.000001',
        address: 'U0000042',
        message: { type: 'choice', choiceId: 'yes', text: 'Yes' },
        sentAt: new Date(1746100050000),
      },
    ]);
  });

  it('closes the connection on stop', async () => {
    expect(api.socketOpen()).toBe(true);
    await adapter.stop!();
    await expect.poll(() => api.socketOpen()).toBe(false);
  });

  it('refuses to start when Slack refuses the bot token', async () => {
    const other = createSlackAdapter(
      { botToken: 'xoxb-revoked', appToken: 'xapp-socket-app', mode: 'socket', apiUrl: api.url },
      pino({ level: 'silent' }),
    );
    api.failNext('invalid_auth');
    await expect(other.start!(async () => {})).rejects.toThrow(/invalid_auth/);
    await other.stop!();
  });
});
