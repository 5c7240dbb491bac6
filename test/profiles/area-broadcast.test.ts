/**
 * Profiles end to end through the real SMS (twilio) and Telegram (grammY) adapters against the
 * fakes of their APIs: people register a home area the way they would (the registration after
 * the first language choice on SMS, PROFILE on Telegram), and a broadcast to area `kanzi`
 * reaches those whose profile says Kanzi, on both channels, and nobody else. Also the opt-out
 * words as people write them, HELP to a stopped contact and system replies in the contact's
 * language, over SMS.
 */
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type TestGateway } from '../support/gateway.js';
import { startTelegramApi, telegramUpdates, type FakeTelegramApi } from '../fakes/telegram-api.js';
import { startTwilioApi, type FakeTwilioApi } from '../fakes/twilio-api.js';
import { api, makeTokens, sendBroadcast, SMS_ACCOUNT, SMS_TOKEN, smsEnv, startBroadcastGateway, type Tokens } from '../broadcasts/support.js';

const TELEGRAM_TOKEN = '123456:TEST-token';
const TELEGRAM_SECRET = 'telegram-webhook-secret';
const PUBLIC_URL = 'https://gateway.example.org';

let gateway: TestGateway;
let telegram: FakeTelegramApi;
let sms: FakeTwilioApi;
let tokens: Tokens;

beforeAll(async () => {
  telegram = await startTelegramApi({ token: TELEGRAM_TOKEN });
  sms = await startTwilioApi({ accountSid: SMS_ACCOUNT, authToken: SMS_TOKEN });
  gateway = await startBroadcastGateway({}, {
    ...smsEnv(sms.url),
    TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
    TELEGRAM_API_ROOT: telegram.url,
  });
  tokens = await makeTokens(gateway);
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([telegram?.close(), sms?.close()]);
});

let smsCounter = 0;
/** Sends an SMS signed as Twilio signs it and returns the next text sent back to that number. */
async function textFrom(from: string, body: string, replies = 1): Promise<string[]> {
  const before = sms.messages().filter((m) => m.form.To === from).length;
  smsCounter += 1;
  const params = { MessageSid: `SM${String(smsCounter).padStart(32, '0')}`, AccountSid: SMS_ACCOUNT, From: from, To: '+15005550006', Body: body, NumMedia: '0' };
  const path = '/webhooks/twilio/sms';
  const signature = twilio.getExpectedTwilioSignature(SMS_TOKEN, `${PUBLIC_URL}${path}`, params);
  const response = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  });
  expect(response.status).toBe(200);
  if (replies === 0) return [];
  const sent = await eventually(() => {
    const to = sms.messages().filter((m) => m.form.To === from);
    return to.length >= before + replies ? to.slice(before) : null;
  }, 10_000, `${replies} SMS to ${from}`);
  return sent.map((m) => m.form.Body ?? '');
}

async function telegramSay(chat: number, update: unknown, replies = 1): Promise<string[]> {
  const before = telegram.calls('sendMessage').filter((c) => String(c.payload.chat_id) === String(chat)).length;
  const response = await fetch(`${gateway.url}/webhooks/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET },
    body: JSON.stringify(update),
  });
  expect(response.status).toBe(200);
  const sent = await eventually(() => {
    const to = telegram.calls('sendMessage').filter((c) => String(c.payload.chat_id) === String(chat));
    return to.length >= before + replies ? to.slice(before) : null;
  }, 10_000, `${replies} Telegram messages to ${chat}`);
  return sent.map((c) => String(c.payload.text));
}

describe('a broadcast to an area reaches the contacts whose profile says that area', () => {
  it('on SMS and on Telegram, and not a contact of another area nor one without a profile', async () => {
    // SMS: a new contact chooses English, then registers Kanzi as home area, without demographics.
    expect((await textFrom('+254700000101', 'hi'))[0]).toMatch(/Choose your language/);
    expect((await textFrom('+254700000101', '1'))[0]).toMatch(/^Tell us where you live/);
    expect((await textFrom('+254700000101', '1'))[0]).toMatch(/^Where do you live\?/);
    expect((await textFrom('+254700000101', 'Kanzi'))[0]).toMatch(/gender and age band/);
    const done = await textFrom('+254700000101', '2', 2);
    expect(done[0]).toMatch(/your profile is saved/);
    // SMS: another registers Mbali; a third skips the registration.
    await textFrom('+254700000102', 'hi');
    await textFrom('+254700000102', '1');
    await textFrom('+254700000102', '1');
    await textFrom('+254700000102', 'Mbali');
    await textFrom('+254700000102', '2', 2);
    await textFrom('+254700000103', 'hi');
    await textFrom('+254700000103', '1');
    expect((await textFrom('+254700000103', '2', 2))[0]).toMatch(/^No problem/);
    // Telegram: PROFILE, change the home area to Kanzi.
    const shown = await telegramSay(5001, telegramUpdates.text(5001, 'profile', { languageCode: 'en' }), 3);
    expect(shown).toContain('Home area: not given\nLanguage: English\nGender: not given\nAge: not given');
    await telegramSay(5001, telegramUpdates.callback(5001, 'area'));
    expect((await telegramSay(5001, telegramUpdates.text(5001, 'kanzi')))[0]).toMatch(/^Saved/);

    const id = await sendBroadcast(gateway, tokens, { title: 'Water point', texts: { en: 'The Kanzi water point reopens on Monday.' }, audience: { areaId: 'kanzi' } });
    await eventually(async () => (await api(gateway, tokens.analyst, 'GET', `/broadcasts/${id}/progress`)).body.done, 15_000, 'broadcast done');
    const text = 'The Kanzi water point reopens on Monday.';
    await eventually(() => sms.messages().some((m) => m.form.To === '+254700000101' && m.form.Body === text), 10_000, 'SMS broadcast');
    await eventually(() => telegram.calls('sendMessage').some((c) => String(c.payload.chat_id) === '5001' && c.payload.text === text), 10_000, 'Telegram broadcast');
    expect(sms.messages().filter((m) => m.form.Body === text).map((m) => m.form.To)).toEqual(['+254700000101']);
    const rows = await gateway.db.message.findMany({ where: { broadcastId: id } });
    expect(rows.map((r) => r.channel).sort()).toEqual(['sms', 'telegram']);
  });

  it('keeps gender and age band encrypted at rest and shows them only to the person', async () => {
    await textFrom('+254700000104', 'hi');
    await textFrom('+254700000104', '1');
    await textFrom('+254700000104', '1');
    await textFrom('+254700000104', 'Tessa');
    await textFrom('+254700000104', '1');
    await textFrom('+254700000104', 'female');
    await textFrom('+254700000104', '3', 2);
    const contacts = await gateway.db.$queryRawUnsafe<Record<string, unknown>[]>('SELECT * FROM "Contact"');
    const raw = JSON.stringify(contacts);
    expect(raw).not.toContain('female');
    expect(raw).not.toContain('30_44');
    const shown = await textFrom('+254700000104', 'PROFILE', 3);
    // The three replies arrive in the order the flow wrote them: intro, the profile, the question.
    expect(shown[1]).toBe('Home area: Tessa\nLanguage: English\nGender: Woman\nAge: 30 to 44');
  });
});

describe('opt-out, help and system replies over SMS', () => {
  it('takes "Stop." from a new number as an opt-out, and REVOKE and " optout! " too', async () => {
    expect(await textFrom('+254700000201', 'Stop.')).toEqual(['You will get no more messages from us. Send START to come back.']);
    expect(await textFrom('+254700000202', 'REVOKE')).toEqual(['You will get no more messages from us. Send START to come back.']);
    expect(await textFrom('+254700000203', ' optout! ')).toEqual(['You will get no more messages from us. Send START to come back.']);
    for (const from of ['+254700000201', '+254700000202', '+254700000203']) {
      const identity = await gateway.db.contactIdentity.findUniqueOrThrow({ where: { channel_addressHash: { channel: 'sms', addressHash: gateway.personalData.hash('sms', from) } } });
      expect(identity.stoppedAt).toBeInstanceOf(Date);
    }
  });

  it('does not take a message that merely begins with STOP as an opt-out', async () => {
    expect((await textFrom('+254700000204', 'stop the fighting in Kanzi'))[0]).toMatch(/Choose your language/);
    const identity = await gateway.db.contactIdentity.findUniqueOrThrow({ where: { channel_addressHash: { channel: 'sms', addressHash: gateway.personalData.hash('sms', '+254700000204') } } });
    expect(identity.stoppedAt).toBeNull();
  });

  it('answers HELP to a stopped contact, says how to come back, and sends nothing else', async () => {
    await textFrom('+254700000205', 'STOP');
    expect(await textFrom('+254700000205', 'help')).toEqual(['You left this service and get no messages from us. To come back, send START.']);
    await textFrom('+254700000205', 'hi', 0);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(sms.messages().filter((m) => m.form.To === '+254700000205')).toHaveLength(2);
  });

  it('answers AIDE, STOP and START in French to a French contact, and HELP in Arabic to an Arabic one', async () => {
    await textFrom('+254700000206', 'hi');
    await textFrom('+254700000206', '2', 1);
    // The help, then the question waiting (the registration offer) again.
    const [help, again] = await textFrom('+254700000206', 'AIDE', 2);
    expect(help).toMatch(/^Ce service permet/);
    expect(again).toMatch(/^Dites-nous où vous habitez/);
    expect(await textFrom('+254700000206', 'arrêt')).toEqual(['Vous ne recevrez plus nos messages. Envoyez DÉMARRER ou START pour revenir.']);
    expect((await textFrom('+254700000206', 'START'))[0]).toMatch(/^Bon retour/);
    await textFrom('+254700000207', 'hi');
    await textFrom('+254700000207', '3', 1);
    expect((await textFrom('+254700000207', 'HELP'))[0]).toMatch(/^تتيح لك هذه الخدمة/);
  });
});
