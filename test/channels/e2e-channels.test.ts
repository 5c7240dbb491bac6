/**
 * Each channel end to end through a whole gateway: a webhook signed the way the provider signs
 * it, the flow's reply sent through the real SDK to a local fake of the provider's API, and the
 * delivery status applied. Also the provider behaviours the outbound worker must honour.
 */
import { createToken } from '../../src/admin/tokens.js';
import { findOrCreateContact } from '../../src/conversation/contacts.js';
import { enqueueAll, writeOutbox } from '../../src/outbound/outbox.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { telegramErrors, telegramUpdates } from '../fakes/telegram-api.js';
import { twilioError } from '../fakes/twilio-api.js';
import {
  inboundSms,
  PUBLIC_URL,
  slackButtonPress,
  slackDirectMessage,
  startProviders,
  TWILIO_SID,
  webhooksTo,
  type GatewayWebhooks,
  type Providers,
} from '../support/providers.js';
import { parseChoicePayload } from '../../src/messages.js';

/** The time between two presses of one button by an impatient person (the input, not a wait for an event). */
const DOUBLE_PRESS_MS = 150;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Keyboard = { inline_keyboard: { text: string; callback_data: string }[][] };

let gateway: TestGateway;
let providers: Providers;
let webhooks: GatewayWebhooks;

beforeAll(async () => {
  providers = await startProviders();
  gateway = await startTestGateway(providers.env);
  webhooks = webhooksTo(gateway.url);
});

afterAll(async () => {
  await gateway?.close();
  await providers?.close();
});

/** The stored identity of an address (found by its keyed hash, as the gateway does). */
function identityOf(channel: string, address: string) {
  const addressHash = gateway.personalData.hash(channel, address);
  return gateway.db.contactIdentity.findUnique({ where: { channel_addressHash: { channel, addressHash } } });
}

describe('Telegram end to end', () => {
  it('answers a signed update with an inline keyboard through grammY, then follows a button press', async () => {
    expect((await webhooks.telegram(telegramUpdates.text(1001, 'hi', { languageCode: 'en' }))).status).toBe(200);
    // The language known from Telegram, the registration of a home area is offered first, once.
    const offer = await providers.telegram.waitFor('sendMessage', 1);
    expect(offer.payload.text).toMatch(/^Tell us where you live/);
    expect((await webhooks.telegram(telegramUpdates.callback(1001, 'no'))).status).toBe(200);
    const menu = await providers.telegram.waitFor('sendMessage', 3);
    expect(String(menu.payload.chat_id)).toBe('1001');
    expect(menu.payload.text).toBe('Hello! What would you like to do?');
    const keyboard = (menu.payload.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard;
    expect(keyboard.map((row) => parseChoicePayload(row[0]!.callback_data).choiceId)).toEqual(['report', 'survey', 'rumour', 'case', 'language']);
    // Every button carries the tag of its question's sending, within Telegram's 64 bytes.
    for (const row of keyboard) expect(row[0]!.callback_data).toMatch(/^[0-9a-z]{1,12}~[a-z]+$/);
    const stored = await eventually(() => gateway.db.message.findFirst({ where: { channel: 'telegram', direction: 'out', status: 'sent' } }));
    expect(stored.providerId).toMatch(/^\d+$/);

    expect((await webhooks.telegram(telegramUpdates.callback(1001, 'rumour'))).status).toBe(200);
    const next = await providers.telegram.waitFor('sendMessage', 4);
    expect(String(next.payload.chat_id)).toBe('1001');
    expect(String(next.payload.text)).toMatch(/rumour/i);
    expect(providers.telegram.calls('answerCallbackQuery').length).toBeGreaterThanOrEqual(1);
  });

  it('takes a button pressed twice 150 ms apart as one answer to its own question, and acknowledges both presses', async () => {
    const chat = 1077;
    const sentTo = () => providers.telegram.calls('sendMessage').filter((call) => String(call.payload.chat_id) === String(chat));
    const keyboardOf = (index: number) => (sentTo()[index]!.payload.reply_markup as Keyboard).inline_keyboard.map((row) => row[0]!);
    expect((await webhooks.telegram(telegramUpdates.text(chat, 'report', { languageCode: 'en' }))).status).toBe(200);
    await eventually(() => (sentTo().length >= 2 ? true : undefined));
    const violence = keyboardOf(1).find((button) => parseChoicePayload(button.callback_data).choiceId === 'violence')!;
    await webhooks.telegram(telegramUpdates.callback(chat, violence.callback_data, { buttons: keyboardOf(1) }));
    await eventually(() => (sentTo().length >= 3 ? true : undefined));
    expect(sentTo()[2]!.payload.text).toMatch(/^Where is it happening/);
    const places = keyboardOf(2);
    const kanzi = places.find((button) => button.text === 'Kanzi')!;
    expect(parseChoicePayload(kanzi.callback_data)).toEqual({ choiceId: 'kanzi', ref: expect.stringMatching(/^[0-9a-z]+$/) });
    const answeredBefore = providers.telegram.calls('answerCallbackQuery').length;

    expect((await webhooks.telegram(telegramUpdates.callback(chat, kanzi.callback_data, { buttons: places, queryId: 'press-1' }))).status).toBe(200);
    await pause(DOUBLE_PRESS_MS);
    expect((await webhooks.telegram(telegramUpdates.callback(chat, kanzi.callback_data, { buttons: places, queryId: 'press-2' }))).status).toBe(200);
    await eventually(() => (providers.telegram.calls('answerCallbackQuery').length >= answeredBefore + 2 ? true : undefined));
    const answered = providers.telegram.calls('answerCallbackQuery').map((call) => call.payload.callback_query_id);
    expect(answered).toEqual(expect.arrayContaining(['press-1', 'press-2']));

    // Both presses are processed once the second one is stored as handled; then "yesterday" answers "when".
    await eventually(() => (sentTo().length >= 4 ? true : undefined));
    expect(sentTo()[3]!.payload.text).toMatch(/^When did it happen/);
    await webhooks.telegram(telegramUpdates.text(chat, 'yesterday'));
    await eventually(() => (sentTo().length >= 5 ? true : undefined));
    expect(sentTo().map((call) => String(call.payload.text).split(/[.?]/)[0])).toEqual([
      'Report an incident',
      'What is happening',
      'Where is it happening',
      'When did it happen',
      'About how many people are affected',
    ]);
    const identity = await identityOf('telegram', String(chat));
    const session = await gateway.db.session.findFirst({ where: { contactId: identity!.contactId, status: 'active' } });
    const results = (JSON.parse(gateway.personalData.decrypt(session!.state)) as { results: Record<string, string> }).results;
    expect(results.where).toBe('kanzi');
    expect(results.when).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('rejects a forged secret with 401 and stores nothing', async () => {
    const before = await gateway.db.message.count();
    expect((await webhooks.telegram(telegramUpdates.text(1002, 'hi'), { secret: 'forged' })).status).toBe(401);
    expect((await webhooks.telegram(telegramUpdates.text(1002, 'hi'), { secret: '' })).status).toBe(401);
    expect(await gateway.db.message.count()).toBe(before);
  });

  it('answers 400 to a malformed update and 200 to an update type it does not handle', async () => {
    expect((await webhooks.telegram({ no: 'update_id' })).status).toBe(400);
    expect((await webhooks.telegram({ update_id: 77, edited_message: { message_id: 1 } })).status).toBe(200);
  });

  it('waits retry_after on 429 and then sends once', async () => {
    const calls = providers.telegram.calls('sendMessage').length;
    providers.telegram.next(telegramErrors.tooManyRequests(1), 'sendMessage');
    await webhooks.telegram(telegramUpdates.text(1003, 'hi', { languageCode: 'en' }));
    const refused = await providers.telegram.waitFor('sendMessage', calls + 1);
    const accepted = await providers.telegram.waitFor('sendMessage', calls + 2, 15_000);
    expect(accepted.at - refused.at).toBeGreaterThanOrEqual(950);
    await waitForIdle(gateway);
    expect(providers.telegram.calls('sendMessage').filter((c) => String(c.payload.chat_id) === '1003')).toHaveLength(2);
  });

  it('marks a contact who blocked the bot (403) as stopped and sends nothing more', async () => {
    providers.telegram.next(telegramErrors.blocked(), 'sendMessage');
    await webhooks.telegram(telegramUpdates.text(1004, 'hi', { languageCode: 'en' }));
    const failed = await eventually(() => gateway.db.message.findFirst({ where: { channel: 'telegram', status: 'failed', errorCode: '403' } }));
    const identity = await gateway.db.contactIdentity.findUniqueOrThrow({ where: { id: failed.identityId! } });
    expect(identity.stoppedAt).not.toBeNull();
    const before = providers.telegram.calls('sendMessage').length;
    await webhooks.telegram(telegramUpdates.text(1004, 'menu', { languageCode: 'en' }));
    await waitForIdle(gateway);
    expect(providers.telegram.calls('sendMessage')).toHaveLength(before);
  });
});

describe('SMS end to end', () => {
  it('answers a signed SMS with a numbered list through twilio, stores segments, and applies the status callback', async () => {
    expect((await webhooks.sms(inboundSms('+15550100001', 'hi'))).status).toBe(200);
    const sent = await eventually(() => providers.sms.messages()[0]);
    expect(sent.form.To).toBe('+15550100001');
    expect(sent.form.From).toBe('+15550009999');
    expect(sent.form.StatusCallback).toBe(`${PUBLIC_URL}/webhooks/twilio/status`);
    expect(sent.form.Body).toContain('1. English\n2. Français\n3. العربية');
    const stored = await eventually(() => gateway.db.message.findFirst({ where: { channel: 'sms', direction: 'out', providerId: sent.sid } }));
    expect(stored.encoding).toBe('UCS-2');
    expect(stored.segments).toBeGreaterThanOrEqual(2);

    const callback = { MessageSid: sent.sid!, MessageStatus: 'delivered', AccountSid: TWILIO_SID, To: '+15550100001' };
    expect((await webhooks.smsStatus(callback)).status).toBe(200);
    expect((await gateway.db.message.findUniqueOrThrow({ where: { id: stored.id } })).status).toBe('delivered');
    // A late "sent" does not move a delivered message back.
    await webhooks.smsStatus({ ...callback, MessageStatus: 'sent' });
    expect((await gateway.db.message.findUniqueOrThrow({ where: { id: stored.id } })).status).toBe('delivered');

    // The language chosen, a new contact is offered the registration of a home area, as a numbered list.
    await webhooks.sms(inboundSms('+15550100001', '1'));
    const offer = await eventually(() => providers.sms.messages()[1]);
    expect(offer.form.Body).toMatch(/^Tell us where you live to get the announcements for your area\.[^]*\n1\. Yes\n2\. No$/);
  });

  it('sends Arabic texts without directional isolates, which feature phones show as boxes', async () => {
    const from = '+15550100077';
    const toThem = () => providers.sms.messages().filter((m) => m.form.To === from);
    expect((await webhooks.sms(inboundSms(from, 'بلاغ'))).status).toBe(200);
    await eventually(() => toThem().find((m) => String(m.form.Body).startsWith('ماذا يحدث')));
    expect((await webhooks.sms(inboundSms(from, '١'))).status).toBe(200);
    const places = await eventually(() => toThem().find((m) => String(m.form.Body).includes('كانزي')));
    expect(String(places.form.Body)).toContain('\n1. كانزي\n');
    for (const message of toThem()) expect(String(message.form.Body)).not.toMatch(/[\u2066-\u2069]/);
  });

  it('rejects a forged signature and a signature for another URL with 401', async () => {
    const before = await gateway.db.message.count();
    expect((await webhooks.sms(inboundSms('+15550100002', 'hi'), { authToken: 'wrong-token' })).status).toBe(401);
    const response = await webhooks.sms(inboundSms('+15550100002', 'hi'), { signedUrl: 'https://other.example.org/webhooks/twilio/sms' });
    expect(response.status).toBe(401);
    expect(await gateway.db.message.count()).toBe(before);
  });

  it('lets STOP win over a running flow and sends nothing afterwards', async () => {
    await webhooks.sms(inboundSms('+15550100003', 'hi'));
    await eventually(() => providers.sms.messages().find((m) => m.form.To === '+15550100003'));
    await webhooks.sms(inboundSms('+15550100003', 'Stop'));
    const confirmation = await eventually(() => providers.sms.messages().filter((m) => m.form.To === '+15550100003')[1]);
    expect(confirmation.form.Body).toBe('You will get no more messages from us. Send START to come back.');
    await webhooks.sms(inboundSms('+15550100003', 'hi'));
    await waitForIdle(gateway);
    expect(providers.sms.messages().filter((m) => m.form.To === '+15550100003')).toHaveLength(2);
  });

  it('marks the contact stopped on error 21610 and never sends to it again', async () => {
    providers.sms.nextResponse(twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'));
    await webhooks.sms(inboundSms('+15550100004', 'hi'));
    const failed = await eventually(() => gateway.db.message.findFirst({ where: { channel: 'sms', errorCode: '21610' } }));
    expect(failed.status).toBe('failed');
    const identity = await gateway.db.contactIdentity.findUniqueOrThrow({ where: { id: failed.identityId! } });
    expect(identity.stoppedAt).not.toBeNull();
  });

  it('puts a send the provider rejected in the dead-letter list, and a person can retry it', async () => {
    providers.sms.nextResponse(twilioError(400, 21211, "The 'To' number is not a valid phone number"));
    await webhooks.sms(inboundSms('+15550100006', 'hi'));
    const identity = await eventually(() => identityOf('sms', '+15550100006'));
    const failed = await eventually(() => gateway.db.message.findFirst({ where: { identityId: identity.id, direction: 'out', status: 'failed' } }));
    expect(failed.errorCode).toBe('21211');
    const admin = await createToken(gateway.db, { name: 'ops', role: 'admin' });
    const auth = { authorization: `Bearer ${admin.token}` };
    const { items } = (await (await fetch(`${gateway.url}/api/v1/dead-letter`, { headers: auth })).json()) as { items: { queue: string; jobId: string; data: { messageId: string }; reason: string }[] };
    const letter = items.find((i) => i.data.messageId === failed.id);
    expect(letter).toMatchObject({ queue: 'outbound-sms' });
    expect(letter!.reason).toMatch(/rejected/);
    const retried = await fetch(`${gateway.url}/api/v1/dead-letter/${letter!.queue}/${letter!.jobId}/retry`, { method: 'POST', headers: auth });
    expect(retried.status).toBe(200);
    const sent = await eventually(() => gateway.db.message.findFirst({ where: { id: failed.id, status: 'sent' } }));
    expect(sent.providerId).toMatch(/^SM/);
  });

  it('keeps a message queued through a provider outage and sends it once when it returns', async () => {
    const before = providers.sms.messages().length;
    providers.sms.nextResponse(twilioError(500, 20500, 'down'), twilioError(503, 20503, 'down'), twilioError(502, 20500, 'down'));
    await webhooks.sms(inboundSms('+15550100005', 'hi'));
    const identity = await eventually(() => identityOf('sms', '+15550100005'));
    const delivered = await eventually(() => gateway.db.message.findFirst({ where: { identityId: identity.id, direction: 'out', status: 'sent' } }), 15_000);
    expect(delivered.providerId).toMatch(/^SM/);
    const attempts = providers.sms.requests.slice(before).filter((r) => r.form?.To === '+15550100005');
    expect(attempts.map((r) => r.answeredStatus)).toEqual([500, 503, 502, 201]);
  });
});

describe('Slack end to end', () => {
  it('answers a signed DM with Block Kit buttons through the Web API, then follows a button press', async () => {
    expect((await webhooks.slackEvent(slackDirectMessage('Ev0001', 'U0000042', 'hi'))).status).toBe(200);
    const first = await eventually(() => providers.slack.posts()[0]);
    expect(first.channel).toBe('U0000042');
    expect(JSON.stringify(first.blocks)).toContain('"action_id":"choice:en"');
    expect(JSON.stringify(first.blocks)).toMatch(/"value":"[0-9a-z]{1,12}~en"/);

    expect((await webhooks.slackInteraction(slackButtonPress('U0000042', { value: 'en', text: 'English' }))).status).toBe(200);
    // The language chosen, a new contact is offered the registration of a home area.
    const offer = await eventually(() => providers.slack.posts()[1]);
    expect(offer.text).toMatch(/^Tell us where you live to get the announcements for your area\./);
  });

  it('takes a button pressed twice 150 ms apart as one answer to its own question', async () => {
    const user = 'U0000077';
    const postsTo = () => providers.slack.posts().filter((post) => post.channel === user);
    type Button = { action_id: string; value: string; text: { text: string } };
    const buttonsOf = (post: Record<string, unknown>) =>
      (post.blocks as { type: string; elements?: Button[] }[]).filter((block) => block.type === 'actions').flatMap((block) => block.elements ?? []);
    const press = (button: Button) => webhooks.slackInteraction(slackButtonPress(user, { action_id: button.action_id, value: button.value, text: button.text.text }));
    const postStarting = (start: string) => eventually(() => postsTo().find((post) => String(post.text).startsWith(start)));

    expect((await webhooks.slackEvent(slackDirectMessage('Ev0077', user, 'report'))).status).toBe(200);
    const category = await postStarting('What is happening');
    await press(buttonsOf(category).find((button) => parseChoicePayload(button.value).choiceId === 'violence')!);
    const where = await postStarting('Where is it happening');
    const kanzi = buttonsOf(where).find((button) => button.text.text === 'Kanzi')!;
    expect(parseChoicePayload(kanzi.value)).toEqual({ choiceId: 'kanzi', ref: expect.stringMatching(/^[0-9a-z]+$/) });

    expect((await press(kanzi)).status).toBe(200);
    await pause(DOUBLE_PRESS_MS);
    expect((await press(kanzi)).status).toBe(200);
    await postStarting('When did it happen');
    expect((await webhooks.slackEvent(slackDirectMessage('Ev0078', user, 'yesterday'))).status).toBe(200);
    await postStarting('About how many people');
    expect(postsTo().map((post) => String(post.text).split(/[.?]/)[0])).toEqual([
      'Report an incident',
      'What is happening',
      'Where is it happening',
      'When did it happen',
      'About how many people are affected',
    ]);
    const identity = await identityOf('slack', user);
    const session = await gateway.db.session.findFirst({ where: { contactId: identity!.contactId, status: 'active' } });
    const results = (JSON.parse(gateway.personalData.decrypt(session!.state)) as { results: Record<string, string> }).results;
    expect(results).toMatchObject({ category: 'violence', where: 'kanzi' });
    expect(results.when).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('posts a message that continues another one into its thread', async () => {
    const target = { ...(await findOrCreateContact(gateway.db, gateway.personalData, 'slack', 'U0000099')), channel: 'slack' };
    const [root] = await writeOutbox(gateway.db, gateway, target, 'thread-test:root', [{ message: { type: 'text', text: 'Incident R-AAAAAA' }, kind: 'notification' }]);
    await enqueueAll(gateway.queues, [root!]);
    const first = await eventually(() => providers.slack.posts().find((p) => p.channel === 'U0000099'));
    expect(first.thread_ts).toBeUndefined();
    const sent = await eventually(() => gateway.db.message.findFirst({ where: { id: root!.id, status: { in: ['sent', 'delivered'] } } }));
    const update = await writeOutbox(gateway.db, gateway, target, 'thread-test:update', [{ message: { type: 'text', text: 'R-AAAAAA acknowledged' }, kind: 'notification', threadOf: root!.id }]);
    await enqueueAll(gateway.queues, update);
    const second = await eventually(() => providers.slack.posts().filter((p) => p.channel === 'U0000099')[1]);
    expect(second.thread_ts).toBe(sent.providerId!.split(':').at(-1));
  });

  it('answers the url_verification challenge', async () => {
    const response = await webhooks.slackEvent(JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 't' }));
    expect(await response.json()).toEqual({ challenge: 'c-123' });
  });

  it('drops Slack retries of an event already received', async () => {
    const body = slackDirectMessage('Ev0002', 'U0000043', 'hi');
    expect((await webhooks.slackEvent(body)).status).toBe(200);
    expect((await webhooks.slackEvent(body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } })).status).toBe(200);
    await eventually(() => providers.slack.posts().find((p) => p.channel === 'U0000043'));
    await waitForIdle(gateway);
    expect(await gateway.db.message.count({ where: { channel: 'slack', direction: 'in', providerId: 'Ev0002' } })).toBe(1);
    expect(providers.slack.posts().filter((p) => p.channel === 'U0000043')).toHaveLength(1);
  });

  it('rejects a forged signature and a stale timestamp with 401', async () => {
    const body = slackDirectMessage('Ev0003', 'U0000044', 'hi');
    expect((await webhooks.slackEvent(body, { secret: 'forged-secret' })).status).toBe(401);
    expect((await webhooks.slackEvent(body, { timestampSeconds: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    expect(await gateway.db.message.count({ where: { channel: 'slack', direction: 'in', providerId: 'Ev0003' } })).toBe(0);
  });
});
