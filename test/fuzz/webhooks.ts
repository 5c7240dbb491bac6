/**
 * Fuzz cases of every webhook: the provider's body shape filled with generated values and
 * signed as the provider signs it (most cases), so the parser and the ingest behind the
 * signature check run; plus unsigned, wrongly signed, stale and garbled requests. A case that
 * is a well-formed message names the dedupe key it must be stored under when answered 200.
 */
import fc from 'fast-check';
import twilio from 'twilio';
import { CONSOLE_TOKEN_HEADER } from '../../bots/console/index.js';
import { PUBLIC_URL, SLACK_SECRET, slackSignature, TELEGRAM_SECRET, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN } from '../support/providers.js';
import { anyJson } from './schema-arbitrary.js';

/** One HTTP request of a fuzz case, as Fastify's inject takes it. */
export interface FuzzRequest {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  payload: string;
}

/** A fuzz case: the request, and the inbound message it must leave stored when answered 200. */
export interface FuzzCase {
  request: FuzzRequest;
  storesKey?: string;
}

/** What signing a webhook needs that only the running gateway knows. */
export interface WebhookSecrets {
  consoleToken: string;
}

export interface WebhookEntry {
  path: string;
  cases(secrets: WebhookSecrets): fc.Arbitrary<FuzzCase>;
}

const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 80 }) },
  { weight: 2, arbitrary: fc.constantFrom('hi', 'STOP', 'START', 'HELP', 'report', '1', '2', 'yes', 'R-7K3M9P', 'ACK R-7K3M9P', 'DELETE ME', 'JOIN security', 'قف', 'ARRÊT') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1500, maxLength: 1700 }) },
);
const id = fc.stringMatching(/^[A-Za-z0-9]{6,34}$/);
const phone = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 9999 }).map((n) => `+1555030${String(n).padStart(4, '0')}`) }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) });
const slackUser = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 9999 }).map((n) => `U8${String(n).padStart(6, '0')}`) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });
const garbage = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), anyJson.map((v) => JSON.stringify(v) ?? ''), fc.constantFrom('', '{', '[]', 'null', '%', 'payload=%7B', 'a=b&a=c'));

/** How a request is spoiled: sent as the provider would, or without, with a wrong or stale signature, or with a body changed after signing. */
type Spoil = 'none' | 'unsigned' | 'wrong' | 'stale' | 'altered';
const spoil: fc.Arbitrary<Spoil> = fc.oneof({ weight: 16, arbitrary: fc.constant<Spoil>('none') }, { weight: 1, arbitrary: fc.constantFrom<Spoil>('unsigned', 'wrong', 'stale', 'altered') });

function twilioCase(path: string, params: Record<string, string>, how: Spoil, storesKey?: string): FuzzCase {
  let payload = new URLSearchParams(params).toString();
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const signature = twilio.getExpectedTwilioSignature(how === 'wrong' || how === 'stale' ? 'not-the-token' : TWILIO_TOKEN, PUBLIC_URL + path, params);
  if (how !== 'unsigned') headers['x-twilio-signature'] = signature;
  if (how === 'altered') payload += '&Body=changed';
  return { request: { method: 'POST', url: path, headers, payload }, storesKey: how === 'none' ? storesKey : undefined };
}

const smsParams = fc.record({
  MessageSid: fc.oneof({ weight: 8, arbitrary: id.map((s) => `SM${s}`) }, { weight: 1, arbitrary: fc.constantFrom('', ' ', 'SM', 'SM\u0000x', 'SM\ud800') }),
  From: phone,
  Body: text,
  NumMedia: fc.constantFrom('0', '0', '0', '1', '2', 'x', '-1'),
  extra: fc.dictionary(fc.constantFrom('MediaUrl0', 'MediaContentType0', 'FromCountry', 'SmsStatus', 'ToCity', 'Latitude', 'Longitude', 'OptOutType'), fc.string({ maxLength: 60 }), { maxKeys: 3 }),
  leaveOut: fc.option(fc.constantFrom('MessageSid', 'From', 'Body', 'To'), { nil: undefined, freq: 8 }),
});

const statusParams = fc.record({
  MessageSid: fc.oneof(id.map((s) => `SM${s}`), fc.string({ maxLength: 10 })),
  MessageStatus: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'read', 'accepted', 'canceled') }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }),
  ErrorCode: fc.option(fc.oneof(fc.constantFrom('21610', '30003', '30007'), fc.string({ maxLength: 8 })), { nil: undefined }),
});

const chatId = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 2 ** 40 }) }, { weight: 1, arbitrary: fc.integer({ min: -(2 ** 40), max: 0 }) });
const telegramMessage = fc.record({
  message_id: fc.integer({ min: 1, max: 2 ** 31 }),
  date: fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }),
  chat: chatId.map((id) => ({ id, type: 'private' })),
  from: fc.record({ id: fc.integer({ min: 1, max: 2 ** 40 }), is_bot: fc.constant(false), first_name: fc.string({ maxLength: 20 }), language_code: fc.option(fc.constantFrom('en', 'fr', 'ar', 'sw', 'x'), { nil: undefined }) }),
  text: text,
});
const telegramUpdate = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.integer({ min: 1, max: 2 ** 31 }), telegramMessage).map(([update_id, message]) => ({ kind: 'text' as const, update: { update_id, message } })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 2 ** 31 }), telegramMessage, fc.double({ min: -90, max: 90, noNaN: true }), fc.double({ min: -180, max: 180, noNaN: true }))
      .map(([update_id, { text: _text, ...message }, latitude, longitude]) => ({ kind: 'location' as const, update: { update_id, message: { ...message, location: { latitude, longitude } } } })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 2 ** 31 }), telegramMessage, fc.string({ maxLength: 64 }), id)
      .map(([update_id, message, data, queryId]) => ({ kind: 'press' as const, update: { update_id, callback_query: { id: queryId, from: message.from, chat_instance: '1', data, message } } })),
  },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 2 ** 31 }), anyJson).map(([update_id, junk]) => ({ kind: 'other' as const, update: { update_id, message: junk } })) },
  { weight: 1, arbitrary: anyJson.map((junk) => ({ kind: 'other' as const, update: junk })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 ** 31 }).map((update_id) => ({ kind: 'other' as const, update: { update_id, edited_message: {}, my_chat_member: {} } })) },
);

function slackCase(path: string, payload: string, how: Spoil, storesKey?: string): FuzzCase {
  const now = Math.floor(Date.now() / 1000);
  const signed = slackSignature(how === 'wrong' ? 'not-the-secret' : SLACK_SECRET, payload, how === 'stale' ? now - 600 : now);
  const headers: Record<string, string> = { 'content-type': path.endsWith('interactions') ? 'application/x-www-form-urlencoded' : 'application/json' };
  if (how !== 'unsigned') Object.assign(headers, signed);
  return { request: { method: 'POST', url: path, headers, payload: how === 'altered' ? `${payload} ` : payload }, storesKey: how === 'none' ? storesKey : undefined };
}

const slackEvent = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(fc.oneof({ weight: 12, arbitrary: id }, { weight: 1, arbitrary: fc.constantFrom('\u0000', '\ud800') }), slackUser, text, fc.constantFrom('message', 'app_mention')).map(([eventId, user, words, type]) => ({
      key: /^U8\d{6}$/.test(user) && /^[A-Za-z0-9]+$/.test(eventId) ? `Ev${eventId}` : undefined,
      body: {
        type: 'event_callback',
        team_id: 'T0000001',
        event_id: `Ev${eventId}`,
        event_time: 1_746_000_000,
        event: type === 'message' ? { type, channel: 'D0000001', channel_type: 'im', user, text: words, ts: '1746000000.000100' } : { type, channel: 'C0000001', user, text: `<@UBOT0001> ${words}`, ts: '1746000000.000100' },
      } as unknown,
    })),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((challenge) => ({ key: undefined, body: { type: 'url_verification', challenge, token: 'x' } as unknown })) },
  { weight: 2, arbitrary: fc.tuple(id, anyJson).map(([eventId, event]) => ({ key: undefined, body: { type: 'event_callback', event_id: `Ev${eventId}`, event } as unknown })) },
  { weight: 1, arbitrary: anyJson.map((body) => ({ key: undefined, body })) },
);

const slackPress = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(slackUser, fc.string({ maxLength: 100 }), fc.string({ maxLength: 40 }), fc.integer({ min: 1, max: 2 ** 30 })).map(([user, value, label, n]) => ({
      type: 'block_actions',
      user: { id: user, username: 'someone' },
      trigger_id: `111.222.${n}`,
      container: { type: 'message', message_ts: '1746100000.000200', channel_id: 'D0000001' },
      actions: [{ type: 'button', action_id: `choice:${value}`, block_id: 'b1', value, text: { type: 'plain_text', text: label }, action_ts: `1746100050.${n}` }],
    })),
  },
  { weight: 1, arbitrary: anyJson.map((junk) => ({ type: 'block_actions', user: junk, actions: junk })) },
  { weight: 1, arbitrary: anyJson },
);

const consoleBody = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      { id: fc.oneof({ weight: 12, arbitrary: id }, { weight: 1, arbitrary: fc.constantFrom('x\u0000', '\udc00') }), address: fc.stringMatching(/^[a-z][a-z0-9-]{1,20}$/), text: text, language: fc.constantFrom('en', 'fr', 'ar') },
      { requiredKeys: ['id', 'address'] },
    ),
  },
  { weight: 1, arbitrary: fc.record({ id: id, address: fc.string({ minLength: 1, maxLength: 20 }), choiceId: fc.string({ maxLength: 70 }) }) },
  { weight: 1, arbitrary: fc.record({ id: id, address: fc.string({ minLength: 1, maxLength: 20 }), location: fc.record({ latitude: fc.double(), longitude: fc.double() }) }) },
  { weight: 1, arbitrary: anyJson },
);

/** Every webhook route, by path. */
export const WEBHOOKS: WebhookEntry[] = [
  {
    path: '/webhooks/twilio/sms',
    cases: () =>
      fc.oneof(
        { weight: 12, arbitrary: fc.tuple(smsParams, spoil).map(([p, how]) => {
          const params: Record<string, string> = { MessageSid: p.MessageSid, AccountSid: TWILIO_SID, From: p.From, To: TWILIO_FROM, Body: p.Body, NumMedia: p.NumMedia, ...p.extra };
          if (p.leaveOut) delete params[p.leaveOut];
          const wellFormed = p.MessageSid.startsWith('SM') && p.MessageSid.length > 2 && p.leaveOut === undefined && p.NumMedia === '0' && /^\+1555030\d{4}$/.test(p.From) && Object.keys(p.extra).length === 0;
          return twilioCase('/webhooks/twilio/sms', params, how, wellFormed ? `in:sms:${p.MessageSid}` : undefined);
        }) },
        { weight: 1, arbitrary: garbage.map((payload) => ({ request: { method: 'POST' as const, url: '/webhooks/twilio/sms', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'AAAA' }, payload } })) },
      ),
  },
  {
    path: '/webhooks/twilio/status',
    cases: () =>
      fc.oneof(
        { weight: 12, arbitrary: fc.tuple(statusParams, spoil).map(([p, how]) => {
          const params: Record<string, string> = { MessageSid: p.MessageSid, AccountSid: TWILIO_SID, MessageStatus: p.MessageStatus, To: '+15550300001', From: TWILIO_FROM };
          if (p.ErrorCode !== undefined) params.ErrorCode = p.ErrorCode;
          return twilioCase('/webhooks/twilio/status', params, how);
        }) },
        { weight: 1, arbitrary: garbage.map((payload) => ({ request: { method: 'POST' as const, url: '/webhooks/twilio/status', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload } })) },
      ),
  },
  {
    path: '/webhooks/telegram',
    cases: () =>
      fc.oneof(
        { weight: 12, arbitrary: fc.tuple(telegramUpdate, spoil).map(([{ kind, update }, how]) => {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (how !== 'unsigned') headers['x-telegram-bot-api-secret-token'] = how === 'none' || how === 'altered' ? TELEGRAM_SECRET : 'wrong-secret';
          const u = update as { update_id: number };
          const storesKey = how === 'none' && (kind === 'text' || kind === 'location') ? `in:telegram:${u.update_id}` : undefined;
          return { request: { method: 'POST' as const, url: '/webhooks/telegram', headers, payload: JSON.stringify(update) ?? 'null' }, storesKey };
        }) },
        { weight: 1, arbitrary: garbage.map((payload) => ({ request: { method: 'POST' as const, url: '/webhooks/telegram', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET }, payload } })) },
      ),
  },
  {
    path: '/webhooks/slack/events',
    cases: () =>
      fc.oneof(
        { weight: 12, arbitrary: fc.tuple(slackEvent, spoil).map(([{ key, body }, how]) => slackCase('/webhooks/slack/events', JSON.stringify(body) ?? 'null', how, key ? `in:slack:${key}` : undefined)) },
        { weight: 1, arbitrary: fc.tuple(garbage, spoil).map(([payload, how]) => slackCase('/webhooks/slack/events', payload, how)) },
      ),
  },
  {
    path: '/webhooks/slack/interactions',
    cases: () =>
      fc.oneof(
        { weight: 12, arbitrary: fc.tuple(slackPress, spoil).map(([payload, how]) => slackCase('/webhooks/slack/interactions', new URLSearchParams({ payload: JSON.stringify(payload) ?? 'null' }).toString(), how)) },
        { weight: 1, arbitrary: fc.tuple(garbage, spoil).map(([payload, how]) => slackCase('/webhooks/slack/interactions', payload, how)) },
      ),
  },
  {
    path: '/webhooks/console',
    cases: (secrets) =>
      fc.tuple(consoleBody, spoil).map(([body, how]) => {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (how !== 'unsigned') headers[CONSOLE_TOKEN_HEADER] = how === 'wrong' || how === 'stale' ? 'not-the-token' : secrets.consoleToken;
        const b = (typeof body === 'object' && body !== null ? body : {}) as { id?: unknown; address?: unknown; text?: unknown };
        const wellFormed = how === 'none' && typeof b.id === 'string' && /^[A-Za-z0-9]+$/.test(b.id) && typeof b.address === 'string' && /^[a-z]/.test(b.address) && 'language' in b;
        return { request: { method: 'POST' as const, url: '/webhooks/console', headers, payload: (JSON.stringify(body) ?? 'null') + (how === 'altered' ? 'x' : '') }, storesKey: wellFormed ? `in:console:${b.id}` : undefined };
      }),
  },
];
