import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createSlackAdapter, SLACK_EVENTS_PATH, SLACK_INTERACTIONS_PATH } from '../../bots/slack/index.js';
import { verifySlackSignature } from '../../bots/slack/signature.js';
import type { WebhookRequest, WebhookRoute } from '../../src/channels/adapter.js';
import { MalformedPayloadError } from '../../src/errors.js';
import { signedWebhook, slackSignature } from '../support/providers.js';

const SECRET = 'slack-signing-secret-for-tests';
const NOW_MS = Date.UTC(2025, 4, 1, 12, 0, 0);
const NOW_S = NOW_MS / 1000;

const adapter = createSlackAdapter(
  { botToken: 'xoxb-test', signingSecret: SECRET, apiUrl: 'http://127.0.0.1:9/api/', now: () => NOW_MS },
  pino({ level: 'silent' }),
);

function route(path: string): WebhookRoute {
  const found = adapter.webhooks.find((candidate) => candidate.path === path);
  if (!found) throw new Error(`no route ${path}`);
  return found;
}
const events = route(SLACK_EVENTS_PATH);
const interactions = route(SLACK_INTERACTIONS_PATH);

function request(path: string, rawBody: string, headers: Record<string, string | undefined>): WebhookRequest {
  return { path, publicUrl: `https://gateway.example${path}`, rawBody, headers };
}

function signed(path: string, rawBody: string, timestamp = NOW_S, extra: Record<string, string> = {}): WebhookRequest {
  return signedWebhook.slack(path, rawBody, { secret: SECRET, timestampSeconds: timestamp, headers: extra });
}

function eventCallback(event: Record<string, unknown>, eventId = 'Ev0001'): string {
  return JSON.stringify({ type: 'event_callback', team_id: 'T0000001', event_id: eventId, event_time: NOW_S, event });
}

function interactionBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

const directMessage = { type: 'message', channel: 'D0000001', channel_type: 'im', user: 'U0000042', text: 'Shots near the market &amp; the school &lt;now&gt;', ts: '1746100000.000100' };

const buttonPress = {
  type: 'block_actions',
  user: { id: 'U0000042', username: 'responder' },
  trigger_id: '111.222.333',
  container: { type: 'message', message_ts: '1746100000.000200', channel_id: 'D0000001' },
  actions: [
    { type: 'button', action_id: 'choice:ack', block_id: 'b1', value: 'ack', text: { type: 'plain_text', text: 'Acknowledge' }, action_ts: '1746100050.123456' },
  ],
};

describe('Slack webhook signatures', () => {
  const cases: [string, string][] = [
    [SLACK_EVENTS_PATH, eventCallback(directMessage)],
    [SLACK_INTERACTIONS_PATH, interactionBody(buttonPress)],
  ];

  for (const [path, body] of cases) {
    const target = route(path);

    it(`accepts a request signed with the signing secret on ${path}`, () => {
      expect(target.verify(signed(path, body))).toBe(true);
    });

    it(`rejects a forged signature on ${path}`, () => {
      const forged = slackSignature('another-secret', body, NOW_S);
      expect(target.verify(request(path, body, forged))).toBe(false);
    });

    it(`rejects a body changed after signing on ${path}`, () => {
      const headers = slackSignature(SECRET, body, NOW_S);
      expect(target.verify(request(path, `${body} `, headers))).toBe(false);
    });

    it(`rejects a missing signature or timestamp on ${path}`, () => {
      const headers = slackSignature(SECRET, body, NOW_S);
      expect(target.verify(request(path, body, { 'x-slack-request-timestamp': headers['x-slack-request-timestamp'] }))).toBe(false);
      expect(target.verify(request(path, body, { 'x-slack-signature': headers['x-slack-signature'] }))).toBe(false);
      expect(target.verify(request(path, body, {}))).toBe(false);
    });

    it(`rejects a timestamp more than five minutes off on ${path}, either way`, () => {
      expect(target.verify(signed(path, body, NOW_S - 301))).toBe(false);
      expect(target.verify(signed(path, body, NOW_S + 301))).toBe(false);
      expect(target.verify(signed(path, body, NOW_S - 299))).toBe(true);
    });
  }

  it('rejects a signature of another scheme version', () => {
    const body = eventCallback(directMessage);
    const headers = slackSignature(SECRET, body, NOW_S);
    const v1 = { ...headers, 'x-slack-signature': headers['x-slack-signature'].replace(/^v0=/, 'v1=') };
    expect(events.verify(request(SLACK_EVENTS_PATH, body, v1))).toBe(false);
  });
});

describe('verifySlackSignature', () => {
  const body = eventCallback(directMessage);
  const at = (timestampHeader: string, secret = SECRET, signedSeconds = NOW_S) => ({
    ...request(SLACK_EVENTS_PATH, body, slackSignature(secret, body, signedSeconds)),
    headers: { ...slackSignature(secret, body, signedSeconds), 'x-slack-request-timestamp': timestampHeader },
  });

  it('accepts a request exactly five minutes old, not one second more', () => {
    expect(verifySlackSignature(signed(SLACK_EVENTS_PATH, body, NOW_S - 300), SECRET, NOW_MS)).toBe(true);
    expect(verifySlackSignature(signed(SLACK_EVENTS_PATH, body, NOW_S + 300), SECRET, NOW_MS)).toBe(true);
    expect(verifySlackSignature(signed(SLACK_EVENTS_PATH, body, NOW_S - 301), SECRET, NOW_MS)).toBe(false);
  });

  it.each([`+${NOW_S}`, `${NOW_S}.0`, ` ${NOW_S}`, `${NOW_S}s`, '0x68136A40'])('refuses the timestamp header "%s" (whole seconds in digits only), even with a matching signature', (header) => {
    expect(verifySlackSignature(at(header), SECRET, NOW_MS)).toBe(false);
  });

  it('refuses everything when no signing secret is configured, a request signed with the empty secret included', () => {
    expect(verifySlackSignature(at(String(NOW_S), ''), '', NOW_MS)).toBe(false);
  });
});

describe('Slack events', () => {
  it('answers url_verification with its challenge', async () => {
    const body = JSON.stringify({ type: 'url_verification', token: 'legacy', challenge: 'c-3po-challenge' });
    expect(events.verify(signed(SLACK_EVENTS_PATH, body))).toBe(true);
    const result = await events.parse(signed(SLACK_EVENTS_PATH, body));
    expect(result.events ?? []).toEqual([]);
    expect(result.reply?.contentType).toBe('application/json');
    expect(JSON.parse(result.reply!.body)).toEqual({ challenge: 'c-3po-challenge' });
  });

  it('turns a direct message into a text from the sender, with entities decoded and providerId = event_id', async () => {
    const result = await events.parse(signed(SLACK_EVENTS_PATH, eventCallback(directMessage, 'Ev0DM01')));
    expect(result.events).toEqual([
      {
        providerId: 'Ev0DM01',
        address: 'U0000042',
        message: { type: 'text', text: 'Shots near the market & the school <now>' },
        sentAt: new Date(1746100000000),
      },
    ]);
  });

  it('gives a retried delivery (same event_id, X-Slack-Retry-Num) the same providerId', async () => {
    const body = eventCallback(directMessage, 'Ev0RETRY');
    const first = await events.parse(signed(SLACK_EVENTS_PATH, body));
    const retry = signed(SLACK_EVENTS_PATH, body, NOW_S + 60, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    expect(events.verify(retry)).toBe(true);
    const second = await events.parse(retry);
    expect(second.events?.[0]?.providerId).toBe('Ev0RETRY');
    expect(second.events?.[0]?.providerId).toBe(first.events?.[0]?.providerId);
  });

  it("ignores the bot's own messages, edits and other subtypes", async () => {
    const own = { ...directMessage, bot_id: 'BBOT0001', user: 'UBOT0001' };
    const botMessage = { type: 'message', subtype: 'bot_message', channel_type: 'im', bot_id: 'BBOT0001', text: 'hello', ts: '1.2' };
    const edited = { type: 'message', subtype: 'message_changed', channel_type: 'im', message: { user: 'U0000042', text: 'x' }, ts: '1.3' };
    const joined = { ...directMessage, subtype: 'channel_join' };
    for (const event of [own, botMessage, edited, joined]) {
      const result = await events.parse(signed(SLACK_EVENTS_PATH, eventCallback(event)));
      expect(result.events ?? []).toEqual([]);
    }
  });

  it('ignores channel messages (only mentions of the app count there)', async () => {
    const inChannel = { ...directMessage, channel: 'C0000001', channel_type: 'channel' };
    const result = await events.parse(signed(SLACK_EVENTS_PATH, eventCallback(inChannel)));
    expect(result.events ?? []).toEqual([]);
  });

  it('turns a mention of the app in a channel into a text without the mention', async () => {
    const mention = { type: 'app_mention', channel: 'C0000001', user: 'U0000077', text: '<@UBOT0001> ack incident 12', ts: '1746100001.000300' };
    const result = await events.parse(signed(SLACK_EVENTS_PATH, eventCallback(mention, 'Ev0MENTION')));
    expect(result.events).toEqual([
      { providerId: 'Ev0MENTION', address: 'U0000077', message: { type: 'text', text: 'ack incident 12' }, sentAt: new Date(1746100001000) },
    ]);
  });

  it('turns a shared file in a direct message into media', async () => {
    const share = {
      ...directMessage,
      subtype: 'file_share',
      text: 'photo of the roadblock',
      files: [{ id: 'F1', mimetype: 'image/jpeg', url_private: 'https://files.slack.test/F1/roadblock.jpg' }],
    };
    const result = await events.parse(signed(SLACK_EVENTS_PATH, eventCallback(share)));
    expect(result.events?.[0]?.message).toEqual({
      type: 'media',
      url: 'https://files.slack.test/F1/roadblock.jpg',
      mimeType: 'image/jpeg',
      caption: 'photo of the roadblock',
    });
  });

  it('gives an empty result for event types the gateway does not handle', async () => {
    const reaction = { type: 'reaction_added', user: 'U0000042', reaction: 'thumbsup', item: { type: 'message', channel: 'C1', ts: '1.1' } };
    expect((await events.parse(signed(SLACK_EVENTS_PATH, eventCallback(reaction)))).events ?? []).toEqual([]);
    const rateLimited = JSON.stringify({ type: 'app_rate_limited', team_id: 'T1', minute_rate_limited: 1, api_app_id: 'A1' });
    expect(await events.parse(signed(SLACK_EVENTS_PATH, rateLimited))).toEqual({});
  });

  it('throws MalformedPayloadError for a body that is not a Slack event', async () => {
    for (const body of ['not json', '[]', JSON.stringify({ no: 'type' }), JSON.stringify({ type: 'event_callback', event: directMessage }), JSON.stringify({ type: 'url_verification' })]) {
      await expect(async () => events.parse(signed(SLACK_EVENTS_PATH, body))).rejects.toBeInstanceOf(MalformedPayloadError);
    }
  });
});

describe('Slack interactions', () => {
  it('turns a pressed choice button into a choice from the presser', async () => {
    const result = await interactions.parse(signed(SLACK_INTERACTIONS_PATH, interactionBody(buttonPress)));
    expect(result.events).toEqual([
      {
        providerId: '1746100000.000200:1746100050.123456',
        address: 'U0000042',
        message: { type: 'choice', choiceId: 'ack', text: 'Acknowledge' },
        sentAt: new Date(1746100050123),
      },
    ]);
  });

  it('gives each press of the same button its own providerId', async () => {
    const again = { ...buttonPress, actions: [{ ...buttonPress.actions[0], action_ts: '1746100060.000001' }] };
    const first = await interactions.parse(signed(SLACK_INTERACTIONS_PATH, interactionBody(buttonPress)));
    const second = await interactions.parse(signed(SLACK_INTERACTIONS_PATH, interactionBody(again)));
    expect(second.events?.[0]?.providerId).not.toBe(first.events?.[0]?.providerId);
  });

  it('falls back to trigger_id when the button is not on a message', async () => {
    const { container: _container, ...withoutContainer } = buttonPress;
    const result = await interactions.parse(signed(SLACK_INTERACTIONS_PATH, interactionBody(withoutContainer)));
    expect(result.events?.[0]?.providerId).toBe('111.222.333:1746100050.123456');
  });

  it('ignores actions that are not choice buttons, and other interaction types', async () => {
    const other = { ...buttonPress, actions: [{ ...buttonPress.actions[0], action_id: 'open_dashboard' }] };
    expect((await interactions.parse(signed(SLACK_INTERACTIONS_PATH, interactionBody(other)))).events ?? []).toEqual([]);
    const submission = { type: 'view_submission', user: { id: 'U0000042' }, view: { id: 'V1' } };
    expect(await interactions.parse(signed(SLACK_INTERACTIONS_PATH, interactionBody(submission)))).toEqual({});
  });

  it('throws MalformedPayloadError for a malformed interaction', async () => {
    const bodies = [
      'nothing=here',
      'payload=%7Bnot-json',
      interactionBody({ user: { id: 'U1' } }),
      interactionBody({ type: 'block_actions', actions: buttonPress.actions }),
      interactionBody({ type: 'block_actions', user: { id: 'U1' }, actions: 'ack' }),
      interactionBody({ type: 'block_actions', user: { id: 'U1' }, actions: buttonPress.actions }),
    ];
    for (const body of bodies) {
      await expect(async () => interactions.parse(signed(SLACK_INTERACTIONS_PATH, body))).rejects.toBeInstanceOf(MalformedPayloadError);
    }
  });
});

describe('Slack adapter setup', () => {
  it('refuses http mode without a signing secret and socket mode without an app token', () => {
    const log = pino({ level: 'silent' });
    expect(() => createSlackAdapter({ botToken: 'xoxb-1' }, log)).toThrow(/signingSecret/);
    expect(() => createSlackAdapter({ botToken: 'xoxb-1', mode: 'socket' }, log)).toThrow(/appToken/);
  });

  it('serves no route in socket mode', () => {
    const socketAdapter = createSlackAdapter({ botToken: 'xoxb-1', appToken: 'xapp-1', mode: 'socket' }, pino({ level: 'silent' }));
    expect(socketAdapter.webhooks).toEqual([]);
  });
});
