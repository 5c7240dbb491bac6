/**
 * Relayed questions and the responder tools on the real channels, through the real SDKs against
 * local fakes of the providers: the question reaches an SMS or Telegram reporter saying to answer
 * under the case code (SMS has no "reply to this message"); the answer typed that way on SMS or
 * Telegram reaches the responder on their own channel, in their language; a question the
 * provider refuses to deliver (SMS 21610, Telegram bot blocked) is reported back to the responder.
 * HELP, LIST and a case code from a responder on SMS and Telegram give the responder's texts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramErrors, telegramUpdates } from '../fakes/telegram-api.js';
import { twilioError } from '../fakes/twilio-api.js';
import { eventually } from '../support/gateway.js';
import { inboundSms, startProviders, webhooksTo, type GatewayWebhooks, type Providers } from '../support/providers.js';
import { fileReport, seedRoster, startIncidentGateway, type IncidentGateway } from './support.js';

const AMINA_TELEGRAM = 100000011;
const JOSEPH_SMS = '+15550100012';

let gateway: IncidentGateway;
let providers: Providers<'sms' | 'telegram'>;
let webhooks: GatewayWebhooks;

const ROSTER = {
  committees: [{ id: 'kanzi-peace', name: 'Kanzi Peace Committee', level: 'local', area: 'kanzi' }],
  responders: [
    { id: 'amina-wekesa', name: 'Amina Wekesa', language: 'en', identities: [{ channel: 'telegram', address: String(AMINA_TELEGRAM) }], committees: ['kanzi-peace'] },
    { id: 'joseph-kariuki', name: 'Joseph Kariuki', language: 'fr', identities: [{ channel: 'sms', address: JOSEPH_SMS }], committees: ['kanzi-peace'] },
  ],
};

beforeAll(async () => {
  providers = await startProviders(['sms', 'telegram']);
  gateway = await startIncidentGateway({ env: providers.env, relaySweepMs: 100 });
  webhooks = webhooksTo(gateway.url);
  await seedRoster(gateway, ROSTER);
});

afterAll(async () => {
  await gateway?.close();
  await providers?.close();
});

const telegramTo = (chatId: number, text: string) =>
  providers.telegram.calls('sendMessage').filter((c) => String(c.payload.chat_id) === String(chatId) && String(c.payload.text).includes(text)).map((c) => String(c.payload.text));
const smsTo = (to: string, text: string) => providers.sms.messages().filter((m) => m.form.To === to && (m.form.Body ?? '').includes(text)).map((m) => m.form.Body!);
const oneTelegram = (chatId: number, text: string) => eventually(() => telegramTo(chatId, text)[0], 10_000, `a Telegram message with "${text}"`);
const oneSms = (to: string, text: string) => eventually(() => smsTo(to, text)[0], 10_000, `an SMS with "${text}"`);

/** Files a report whose reporter is on `channel` at `address`, and waits until Amina is told. */
async function reportFrom(channel: 'sms' | 'telegram', address: string, language: string) {
  const incident = await fileReport(gateway, { channel, reporter: address, language, severity: 'critical', areaId: 'kanzi' });
  await oneTelegram(AMINA_TELEGRAM, incident.caseCode);
  return incident;
}

describe('a question to a reporter on SMS', () => {
  it('says to answer under the case code, and the answer typed that way reaches the responder on Telegram', async () => {
    const reporter = '+15550200001';
    const incident = await reportFrom('sms', reporter, 'en');
    const code = incident.caseCode;
    expect((await webhooks.telegram(telegramUpdates.text(AMINA_TELEGRAM, `ASK ${code} how many cars?`))).status).toBe(200);
    const question = await oneSms(reporter, 'how many cars?');
    expect(question).toBe(`About your report ${code}, a responder asks: how many cars? To answer, start your message with ${code}, for example: ${code} your answer`);

    // A plain reply is not the answer: it starts a conversation with the flows...
    const before = providers.sms.messages().filter((m) => m.form.To === reporter).length;
    expect((await webhooks.sms(inboundSms(reporter, 'three'))).status).toBe(200);
    await eventually(() => providers.sms.messages().filter((m) => m.form.To === reporter).length > before, 10_000, 'the flows answering');
    expect(smsTo(reporter, 'was passed on')).toEqual([]);
    expect(await oneSms(reporter, 'it was not passed on')).toContain(`send it again starting with ${code}`);
    // ...the one under the code is the answer, even in that conversation.
    expect((await webhooks.sms(inboundSms(reporter, `${code.toLowerCase()}: three cars, no plates`))).status).toBe(200);
    expect(await oneSms(reporter, 'was passed on')).toBe(`Thank you. Your answer about ${code} was passed on. Carry on with the conversation where you left it.`);
    expect(await oneTelegram(AMINA_TELEGRAM, 'answers:')).toBe(`The reporter of ${code} answers: three cars, no plates`);
    expect(telegramTo(AMINA_TELEGRAM, 'answers: three')).toHaveLength(1);
  });

  it('that the provider refuses (the number opted out at the carrier) is reported to the responder', async () => {
    const reporter = '+15550200002';
    const incident = await reportFrom('sms', reporter, 'en');
    const code = incident.caseCode;
    providers.sms.respondWith((request) => (request.form.To === reporter ? twilioError(400, 21610, 'Attempt to send to unsubscribed recipient') : undefined));
    try {
      expect((await webhooks.telegram(telegramUpdates.text(AMINA_TELEGRAM, `ASK ${code} which road?`))).status).toBe(200);
      expect(await oneTelegram(AMINA_TELEGRAM, 'could not be put')).toBe(
        `Your question about ${code} “which road?” could not be put to the reporter: the message did not reach them, they opted out, or they were erased. It is closed.`,
      );
      const relay = await gateway.db.incidentRelay.findFirstOrThrow({ where: { incidentId: incident.id } });
      expect(relay.closedReason).toBe('undeliverable');
    } finally {
      providers.sms.respondWith(undefined);
    }
  });
});

describe('a question to a reporter on Telegram', () => {
  it('is answered under the code in Arabic, and the French-speaking responder gets the answer by SMS', async () => {
    const reporter = 200000001;
    const incident = await reportFrom('telegram', String(reporter), 'ar');
    const code = incident.caseCode;
    expect((await webhooks.sms(inboundSms(JOSEPH_SMS, `QUESTION ${code} combien de blessés ?`))).status).toBe(200);
    await oneSms(JOSEPH_SMS, 'Votre question a été transmise');
    const question = await oneTelegram(reporter, 'combien de blessés ?');
    expect(question).toBe(gateway.translator.t('ar', 'incidents:reporter.question', { code, question: 'combien de blessés ?' }));
    // As an Arabic keyboard sends it: a right-to-left mark, Arabic-Indic digits in the code.
    const typed = `\u200f${code.replace(/\d/g, (d) => '٠١٢٣٤٥٦٧٨٩'[Number(d)]!)} خمسة جرحى`;
    expect((await webhooks.telegram(telegramUpdates.text(reporter, typed))).status).toBe(200);
    expect(await oneSms(JOSEPH_SMS, 'répond')).toBe(`La personne qui a signalé ${code} répond : خمسة جرحى`);
    expect(await oneTelegram(reporter, gateway.translator.t('ar', 'incidents:reporter.answer_thanks', { code }))).toBeTruthy();
  });

  it('that cannot be delivered (the reporter blocked the bot) is reported to the responder in French', async () => {
    const reporter = 200000002;
    const incident = await reportFrom('telegram', String(reporter), 'en');
    const code = incident.caseCode;
    providers.telegram.respondWith('sendMessage', (request) => (String(request.payload.chat_id) === String(reporter) ? telegramErrors.blocked() : undefined));
    try {
      expect((await webhooks.sms(inboundSms(JOSEPH_SMS, `QUESTION ${code} quelle route ?`))).status).toBe(200);
      expect(await oneSms(JOSEPH_SMS, "n'a pas atteint")).toBe(
        // By SMS the guillemets take their GSM-7 form (src/sms-punctuation.ts).
        `Votre question sur ${code} "quelle route ?" n'a pas atteint la personne qui l'a signalé : le message ne lui est pas parvenu, elle s'est désinscrite ou elle a été effacée. La question est close.`,
      );
    } finally {
      providers.telegram.respondWith('sendMessage', undefined);
    }
  });
});

describe('responder tools on SMS and Telegram', () => {
  it('answers HELP, LIST and a case code with the responder texts', async () => {
    const incident = await reportFrom('sms', '+15550200009', 'en');
    const code = incident.caseCode;

    expect((await webhooks.sms(inboundSms(JOSEPH_SMS, 'AIDE'))).status).toBe(200);
    expect(await oneSms(JOSEPH_SMS, 'Commandes des intervenants')).toBe(gateway.translator.t('fr', 'incidents:responder.help'));
    expect((await webhooks.telegram(telegramUpdates.text(AMINA_TELEGRAM, '/help'))).status).toBe(200);
    expect(await oneTelegram(AMINA_TELEGRAM, 'Responder commands:')).toBe(gateway.translator.t('en', 'incidents:responder.help'));

    expect((await webhooks.sms(inboundSms(JOSEPH_SMS, 'liste'))).status).toBe(200);
    const french = await oneSms(JOSEPH_SMS, 'Dossiers ouverts de vos comités');
    expect(french).toContain(`${code} CRITIQUE violence, Kanzi : non pris en charge, en attente depuis`);
    expect((await webhooks.telegram(telegramUpdates.text(AMINA_TELEGRAM, '/list'))).status).toBe(200);
    expect(await oneTelegram(AMINA_TELEGRAM, 'Open incidents of your committees')).toContain(`${code} CRITICAL violence, Kanzi: not acknowledged, waiting`);

    expect((await webhooks.telegram(telegramUpdates.text(AMINA_TELEGRAM, code.toLowerCase()))).status).toBe(200);
    const view = await oneTelegram(AMINA_TELEGRAM, `CRITICAL incident ${code}: violence in Kanzi.\nNot acknowledged yet`);
    expect(view).toContain('Verification: not checked yet.');
    expect((await webhooks.sms(inboundSms(JOSEPH_SMS, code))).status).toBe(200);
    expect(await oneSms(JOSEPH_SMS, `Pas encore pris en charge`)).toContain(code);
  });
});
