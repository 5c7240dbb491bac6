/**
 * The providers' side of a test: the local fakes of their HTTP APIs (test/fakes/), the gateway
 * variables that point each channel at its fake, and webhooks signed the way each provider signs
 * them (see REFERENCE.md, "Webhook security"):
 *
 * - Twilio: `X-Twilio-Signature` = base64(HMAC-SHA1(auth token, public URL + every POST parameter
 *   name and value, sorted by name)), computed by the twilio package's own helper;
 * - Telegram: the secret token given to setWebhook, in `X-Telegram-Bot-Api-Secret-Token`;
 * - Slack: `X-Slack-Signature` = `v0=` + hex(HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`))
 *   with the timestamp (seconds) in `X-Slack-Request-Timestamp`.
 *
 * ```ts
 * const providers = await startProviders();              // or startProviders(['telegram'])
 * const gateway = await startTestGateway(providers.env);
 * const webhooks = webhooksTo(gateway.url);
 * await webhooks.sms(inboundSms('+15550100001', 'hi'));          // signed as Twilio signs it
 * await providers.close();
 * ```
 */
import { createHmac } from 'node:crypto';
import twilio from 'twilio';
import type { WebhookRequest } from '../../src/channels/adapter.js';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slack-api.js';
import { startTelegramApi, type FakeTelegramApi } from '../fakes/telegram-api.js';
import { startTwilioApi, type FakeTwilioApi } from '../fakes/twilio-api.js';

/** What the provider calls: the gateway behind a proxy. Twilio signatures are computed over it. */
export const PUBLIC_URL = 'https://gateway.example.org';
export const TELEGRAM_TOKEN = '123456:TEST-token';
export const TELEGRAM_SECRET = 'telegram-webhook-secret';
export const TWILIO_SID = `AC${'1'.repeat(32)}`;
export const TWILIO_TOKEN = 'twilio-auth-token';
/** The gateway's own number: the sender of its SMS, the recipient of people's. */
export const TWILIO_FROM = '+15550009999';
export const SLACK_SECRET = 'slack-signing-secret';

/** Where each provider is told to post (the gateway's public webhook paths). */
const TELEGRAM_PATH = '/webhooks/telegram';
const SMS_PATH = '/webhooks/twilio/sms';
const SMS_STATUS_PATH = '/webhooks/twilio/status';
const SLACK_EVENTS_PATH = '/webhooks/slack/events';
const SLACK_INTERACTIONS_PATH = '/webhooks/slack/interactions';

interface Fakes {
  telegram: FakeTelegramApi;
  sms: FakeTwilioApi;
  slack: FakeSlackApi;
}

/** A provider by the name of its fake. */
export type Provider = keyof Fakes;

/** The fakes asked for, and the gateway variables that enable their channels against them. */
export type Providers<P extends Provider = Provider> = Pick<Fakes, P> & {
  /** PUBLIC_URL and each channel's credentials and API address (SMS paced at 50 per second). */
  env: Record<string, string>;
  /** Stops every fake. */
  close(): Promise<void>;
};

const ALL: Provider[] = ['telegram', 'sms', 'slack'];

/** Starts the fakes of `providers` (default: all three) with this module's credentials. */
export async function startProviders<P extends Provider = Provider>(providers: P[] = ALL as P[]): Promise<Providers<P>> {
  const fakes: Partial<Fakes> = {};
  const env: Record<string, string> = { PUBLIC_URL };
  try {
    if (providers.includes('telegram' as P)) {
      const telegram = (fakes.telegram = await startTelegramApi({ token: TELEGRAM_TOKEN }));
      Object.assign(env, { TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN, TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET, TELEGRAM_API_ROOT: telegram.url });
    }
    if (providers.includes('sms' as P)) {
      const sms = (fakes.sms = await startTwilioApi({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN }));
      Object.assign(env, { TWILIO_ACCOUNT_SID: TWILIO_SID, TWILIO_AUTH_TOKEN: TWILIO_TOKEN, TWILIO_FROM, TWILIO_API_BASE: sms.url, TWILIO_MESSAGES_PER_SECOND: '50' });
    }
    if (providers.includes('slack' as P)) {
      const slack = (fakes.slack = await startFakeSlackApi());
      Object.assign(env, { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: SLACK_SECRET, SLACK_API_URL: slack.url.replace(/\/$/, '') });
    }
  } catch (error) {
    await closeAll(fakes);
    throw error;
  }
  return { ...(fakes as Pick<Fakes, P>), env, close: () => closeAll(fakes) };
}

async function closeAll(fakes: Partial<Fakes>): Promise<void> {
  await Promise.all([fakes.telegram?.close(), fakes.sms?.close(), fakes.slack?.close()]);
}

/** The Slack signature headers of `rawBody` at `timestampSeconds` (default: now). */
export function slackSignature(
  signingSecret: string,
  rawBody: string,
  timestampSeconds = Math.floor(Date.now() / 1000),
): { 'x-slack-signature': string; 'x-slack-request-timestamp': string } {
  const hex = createHmac('sha256', signingSecret).update(`v0:${timestampSeconds}:${rawBody}`).digest('hex');
  return { 'x-slack-signature': `v0=${hex}`, 'x-slack-request-timestamp': String(timestampSeconds) };
}

/**
 * Webhook requests as each provider sends them, signed with this module's credentials unless
 * told otherwise; `publicUrl` is PUBLIC_URL + path. Give them to an adapter's route, or post them
 * with `postWebhook`.
 */
export const signedWebhook = {
  /** A Telegram update; `secret: null` sends no secret header at all. */
  telegram(update: unknown, options: { secret?: string | null } = {}): WebhookRequest {
    const secret = options.secret === undefined ? TELEGRAM_SECRET : options.secret;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret !== null) headers['x-telegram-bot-api-secret-token'] = secret;
    return { path: TELEGRAM_PATH, publicUrl: PUBLIC_URL + TELEGRAM_PATH, headers, rawBody: typeof update === 'string' ? update : JSON.stringify(update) };
  },

  /**
   * A Twilio form post to `path`. `publicUrl`: the URL Twilio called (default PUBLIC_URL + path);
   * `signedUrl`: the URL the signature covers (default publicUrl); `signature: null` sends none.
   */
  twilio(
    path: string,
    params: Record<string, string>,
    options: { authToken?: string; publicUrl?: string; signedUrl?: string; signature?: string | null } = {},
  ): WebhookRequest {
    const publicUrl = options.publicUrl ?? PUBLIC_URL + path;
    const signature =
      options.signature === undefined ? twilio.getExpectedTwilioSignature(options.authToken ?? TWILIO_TOKEN, options.signedUrl ?? publicUrl, params) : options.signature;
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (signature !== null) headers['x-twilio-signature'] = signature;
    return { path, publicUrl, headers, rawBody: new URLSearchParams(params).toString() };
  },

  /** A Slack events (JSON) or interactions (form) body; `headers` are added after the signature. */
  slack(path: string, rawBody: string, options: { secret?: string; timestampSeconds?: number; headers?: Record<string, string> } = {}): WebhookRequest {
    const contentType = path.endsWith('interactions') ? 'application/x-www-form-urlencoded' : 'application/json';
    const headers = { 'content-type': contentType, ...slackSignature(options.secret ?? SLACK_SECRET, rawBody, options.timestampSeconds), ...options.headers };
    return { path, publicUrl: PUBLIC_URL + path, headers, rawBody };
  },
};

/** Posts a webhook request to the gateway at `gatewayUrl`, as the provider would. */
export function postWebhook(gatewayUrl: string, request: WebhookRequest): Promise<Response> {
  const headers = Object.fromEntries(Object.entries(request.headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return fetch(`${gatewayUrl}${request.path}`, { method: 'POST', headers, body: request.rawBody });
}

/** `signedWebhook`s posted to one gateway. */
export type GatewayWebhooks = ReturnType<typeof webhooksTo>;

/** Posts `signedWebhook`s to the gateway at `gatewayUrl`; each answers with the gateway's response. */
export function webhooksTo(gatewayUrl: string) {
  return {
    telegram: (update: unknown, options?: Parameters<typeof signedWebhook.telegram>[1]) => postWebhook(gatewayUrl, signedWebhook.telegram(update, options)),
    /** An incoming SMS (see `inboundSms`). */
    sms: (params: Record<string, string>, options?: Parameters<typeof signedWebhook.twilio>[2]) => postWebhook(gatewayUrl, signedWebhook.twilio(SMS_PATH, params, options)),
    /** A Twilio status callback. */
    smsStatus: (params: Record<string, string>, options?: Parameters<typeof signedWebhook.twilio>[2]) => postWebhook(gatewayUrl, signedWebhook.twilio(SMS_STATUS_PATH, params, options)),
    /** A Slack Events API body (see `slackDirectMessage`). */
    slackEvent: (rawBody: string, options?: Parameters<typeof signedWebhook.slack>[2]) => postWebhook(gatewayUrl, signedWebhook.slack(SLACK_EVENTS_PATH, rawBody, options)),
    /** A Slack interactions body (see `slackButtonPress`). */
    slackInteraction: (rawBody: string, options?: Parameters<typeof signedWebhook.slack>[2]) => postWebhook(gatewayUrl, signedWebhook.slack(SLACK_INTERACTIONS_PATH, rawBody, options)),
  };
}

let smsCounter = 0;
/** The parameters Twilio posts for an incoming SMS to the gateway's number; a fresh MessageSid each time. */
export function inboundSms(from: string, body: string): Record<string, string> {
  smsCounter += 1;
  return { MessageSid: `SM${String(smsCounter).padStart(32, '0')}`, AccountSid: TWILIO_SID, From: from, To: TWILIO_FROM, Body: body, NumMedia: '0' };
}

/** The events body of a direct message to the app. */
export function slackDirectMessage(eventId: string, user: string, text: string): string {
  return JSON.stringify({
    type: 'event_callback',
    team_id: 'T0000001',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'message', channel: 'D0000001', channel_type: 'im', user, text, ts: `${Date.now() / 1000}` },
  });
}

let pressCounter = 0;
/**
 * The interactions body of a press on a button (action_id `choice:<value>` unless given); each
 * press has its own action_ts, so two presses are two provider messages.
 */
export function slackButtonPress(user: string, button: { value: string; text: string; action_id?: string }): string {
  pressCounter += 1;
  const payload = {
    type: 'block_actions',
    user: { id: user, username: 'responder' },
    trigger_id: `111.222.${pressCounter}`,
    container: { type: 'message', message_ts: '1746100000.000200', channel_id: 'D0000001' },
    actions: [
      {
        type: 'button',
        action_id: button.action_id ?? `choice:${button.value}`,
        block_id: 'b1',
        value: button.value,
        text: { type: 'plain_text', text: button.text },
        action_ts: `1746100050.${pressCounter}`,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
