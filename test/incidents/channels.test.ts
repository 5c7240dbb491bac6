/**
 * Responders on the real channels, through the real SDKs against local fakes of the providers:
 * Telegram inline buttons, Slack buttons, SMS numbered lists and text commands; a responder who
 * opted out on one channel is reached on another; a level whose responders are all unreachable
 * escalates at once and the failure is recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/accounts/index.js';
import { createToken } from '../../src/admin/tokens.js';
import { telegramUpdates } from '../fakes/telegram-api.js';
import { eventually } from '../support/gateway.js';
import { inboundSms, slackButtonPress, startProviders, webhooksTo, type GatewayWebhooks, type Providers } from '../support/providers.js';
import { auditOf, fileReport, seedRoster, startIncidentGateway, steps, type IncidentGateway } from './support.js';

const AMINA_SMS = '+15550100001';
const AMINA_TELEGRAM = 100000001;
const JOSEPH_SMS = '+15550100002';
const PETER_SLACK = 'U0DEMO0005';

let gateway: IncidentGateway;
let providers: Providers;
let webhooks: GatewayWebhooks;

const ROSTER = {
  committees: [
    { id: 'kanzi-peace', name: 'Kanzi Peace Committee', level: 'local', area: 'kanzi' },
    { id: 'north-liaison', name: 'North Liaison', level: 'regional', area: 'north' },
    { id: 'national-desk', name: 'National Desk', level: 'national', area: 'lakeland' },
  ],
  responders: [
    {
      id: 'amina-wekesa',
      name: 'Amina Wekesa',
      language: 'en',
      preferredChannel: 'telegram',
      identities: [
        { channel: 'sms', address: AMINA_SMS },
        { channel: 'telegram', address: String(AMINA_TELEGRAM) },
      ],
      committees: ['kanzi-peace'],
    },
    { id: 'joseph-kariuki', name: 'Joseph Kariuki', language: 'en', identities: [{ channel: 'sms', address: JOSEPH_SMS }], committees: ['kanzi-peace'] },
    { id: 'peter-otieno', name: 'Peter Otieno', language: 'en', identities: [{ channel: 'slack', address: PETER_SLACK }], committees: ['north-liaison'] },
    { id: 'samuel-ndege', name: 'Samuel Ndege', language: 'en', identities: [{ channel: 'console', address: 'samuel' }], committees: ['national-desk'] },
  ],
};

beforeAll(async () => {
  providers = await startProviders();
  gateway = await startIncidentGateway({ env: providers.env });
  webhooks = webhooksTo(gateway.url);
  await seedRoster(gateway, ROSTER);
});

afterAll(async () => {
  await gateway?.close();
  await providers?.close();
});

/** Telegram messages to a chat containing `text`. */
const telegramTo = (chatId: number, text: string) => providers.telegram.calls('sendMessage').filter((c) => String(c.payload.chat_id) === String(chatId) && String(c.payload.text).includes(text));
const smsTo = (to: string, text: string) => providers.sms.messages().filter((m) => m.form.To === to && (m.form.Body ?? '').includes(text));
const slackTo = (user: string, text: string) => providers.slack.posts().filter((p) => p.channel === user && String(p.text ?? '').includes(text));

describe('notifications on each channel', () => {
  it('puts Acknowledge and Resolve buttons on Telegram and numbers them on SMS; a Telegram button acknowledges', async () => {
    const incident = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi' });
    const [onTelegram] = await eventually(() => telegramTo(AMINA_TELEGRAM, incident.caseCode).length > 0 && telegramTo(AMINA_TELEGRAM, incident.caseCode), 10_000, 'the Telegram notification');
    const keyboard = (onTelegram!.payload.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard;
    expect(keyboard.map((row) => [row[0]!.text, row[0]!.callback_data])).toEqual([
      ['Acknowledge', `ack:${incident.caseCode}`],
      ['Resolve', `resolve:${incident.caseCode}`],
    ]);
    // Amina prefers Telegram: her SMS identity gets nothing.
    expect(smsTo(AMINA_SMS, incident.caseCode)).toEqual([]);
    const [onSms] = await eventually(() => smsTo(JOSEPH_SMS, incident.caseCode).length > 0 && smsTo(JOSEPH_SMS, incident.caseCode), 10_000, 'the SMS notification');
    expect(onSms!.form.Body).toContain(`Reply ACK ${incident.caseCode} to take it`);
    expect(onSms!.form.Body).toMatch(/\n1\. Acknowledge\n2\. Resolve$/);

    expect((await webhooks.telegram(telegramUpdates.callback(AMINA_TELEGRAM, `ack:${incident.caseCode}`, { buttons: keyboard.map((r) => r[0]!) }))).status).toBe(200);
    await eventually(() => telegramTo(AMINA_TELEGRAM, `You acknowledged ${incident.caseCode}`).length === 1, 10_000, 'the acknowledgement reply');
    const row = await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(row.acknowledgedBy).toBe('responder:amina-wekesa');
    // Joseph hears it on SMS, and a late "1" from him is answered with who has it.
    await eventually(() => smsTo(JOSEPH_SMS, `${incident.caseCode} was acknowledged by Amina Wekesa`).length === 1, 10_000, 'the news to Joseph');
    expect((await webhooks.sms(inboundSms(JOSEPH_SMS, `ACK ${incident.caseCode}`))).status).toBe(200);
    await eventually(() => smsTo(JOSEPH_SMS, `${incident.caseCode} is already acknowledged by Amina Wekesa`).length === 1, 10_000, 'the late acknowledgement answer');
    expect((await webhooks.sms(inboundSms(JOSEPH_SMS, `RESOLVED ${incident.caseCode} elders calmed both sides`))).status).toBe(200);
    await eventually(async () => (await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).status === 'resolved', 10_000, 'resolved by SMS');
  });

  it('posts Slack buttons and takes a pressed button as an acknowledgement', async () => {
    const incident = await fileReport(gateway, { severity: 'critical', areaId: 'tessa' });
    const [post] = await eventually(() => slackTo(PETER_SLACK, incident.caseCode).length > 0 && slackTo(PETER_SLACK, incident.caseCode), 10_000, 'the Slack notification');
    const blocks = (typeof post!.blocks === 'string' ? JSON.parse(post!.blocks) : post!.blocks) as { type: string; elements?: { action_id: string; value: string }[] }[];
    const buttons = blocks.flatMap((b) => b.elements ?? []);
    expect(buttons.map((b) => b.value)).toEqual([`ack:${incident.caseCode}`, `resolve:${incident.caseCode}`]);
    expect((await webhooks.slackInteraction(slackButtonPress(PETER_SLACK, { value: `ack:${incident.caseCode}`, text: 'Acknowledge' }))).status).toBe(200);
    await eventually(async () => (await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).acknowledgedBy === 'responder:peter-otieno', 10_000, 'acknowledged from Slack');
    await eventually(() => slackTo(PETER_SLACK, `You acknowledged ${incident.caseCode}`).length === 1, 10_000, 'the Slack reply');
  });
});

describe('incident updates on Slack', () => {
  it('go in the thread of the first notification, each of them', async () => {
    // Slack answers each post with its ts; the updates must name the first one's as thread_ts.
    const issued: { text: string; ts: string; threadTs?: string }[] = [];
    providers.slack.respondWith((call) => {
      if (call.method !== 'chat.postMessage' || call.params.channel !== PETER_SLACK) return undefined;
      const ts = `1746200000.${String(issued.length + 1).padStart(6, '0')}`;
      issued.push({ text: String(call.params.text ?? ''), ts, threadTs: call.params.thread_ts as string | undefined });
      return { body: { ok: true, channel: `D${PETER_SLACK.slice(1)}`, ts, message: { type: 'message', text: call.params.text, ts } } };
    });
    try {
      const desk = await createToken(gateway.db, { name: 'Desk Officer', role: 'coordinator' });
      const incident = await fileReport(gateway, { severity: 'critical', areaId: 'tessa' });
      const root = await eventually(() => issued.find((p) => p.text.includes(incident.caseCode)), 10_000, 'the Slack notification');
      expect(root.threadTs).toBeUndefined();
      const call = (action: string) =>
        fetch(`${gateway.url}/api/v1/incidents/${incident.caseCode}/${action}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${desk.token}`, 'content-type': 'application/json' },
          body: '{}',
        });
      expect((await call('ack')).status).toBe(200);
      const acked = await eventually(() => issued.find((p) => p.text.includes(`${incident.caseCode} was acknowledged by Desk Officer`)), 10_000, 'the acknowledgement news');
      expect((await call('resolve')).status).toBe(200);
      const resolved = await eventually(() => issued.find((p) => p.text.includes(`${incident.caseCode} was resolved by Desk Officer`)), 10_000, 'the resolution news');
      expect([acked.threadTs, resolved.threadTs]).toEqual([root.ts, root.ts]);
    } finally {
      providers.slack.respondWith(undefined);
    }
  });
});

/** The admin API as a client calls it: a JSON body, a bearer token or a session's cookie and CSRF token. */
async function api(method: string, path: string, options: { body?: unknown; cookie?: string; csrf?: string; bearer?: string }) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.cookie) headers.cookie = options.cookie;
  if (options.csrf) headers['x-csrf-token'] = options.csrf;
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  const response = await fetch(`${gateway.url}/api/v1${path}`, { method, headers, body: JSON.stringify(options.body ?? {}) });
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  return { status: response.status, body: (await response.json()) as Record<string, any>, cookie };
}

/** A console user invited, set up and logged in: their session. */
async function consoleSession(username: string, role: string, responderId?: string): Promise<{ cookie: string; csrf: string }> {
  const admin = await createToken(gateway.db, { name: 'Setup', role: 'admin' });
  const invited = await api('POST', '/users', { bearer: admin.token, body: { username, role, ...(responderId ? { responderId } : {}) } });
  expect(invited.status).toBe(201);
  const password = `a long passphrase for ${username}`;
  const accepted = await api('POST', '/auth/links/accept', { body: { token: new URL(invited.body.link).hash.slice(1), password } });
  expect(accepted.status).toBe(200);
  const login = await api('POST', '/auth/login', { body: { username, password, code: totpCode(accepted.body.totp.secret, new Date()) } });
  expect(login.status).toBe(200);
  return { cookie: login.cookie!, csrf: login.body.csrfToken as string };
}

describe('staff linked to a roster responder', () => {
  it('act in the console as that responder: named by their roster name to the others, and not told of their own action', async () => {
    // Joseph Kariuki's console account is "nadia", a coordinator.
    const session = await consoleSession('nadia', 'coordinator', 'joseph-kariuki');

    const incident = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi' });
    await eventually(() => telegramTo(AMINA_TELEGRAM, incident.caseCode).length > 0 && smsTo(JOSEPH_SMS, incident.caseCode).length > 0, 10_000, 'the notifications');
    expect((await api('POST', `/incidents/${incident.caseCode}/ack`, session)).status).toBe(200);
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).acknowledgedBy).toBe('responder:joseph-kariuki');
    await eventually(() => telegramTo(AMINA_TELEGRAM, `${incident.caseCode} was acknowledged by Joseph Kariuki`).length === 1, 10_000, 'the news to Amina');
    expect((await api('POST', `/incidents/${incident.caseCode}/resolve`, session)).status).toBe(200);
    await eventually(() => telegramTo(AMINA_TELEGRAM, `${incident.caseCode} was resolved by Joseph Kariuki`).length === 1, 10_000, 'the resolution news to Amina');
    // Nothing of his own actions was written to Joseph (the news is written with the action), and
    // the login name reached nobody.
    const written = await gateway.db.message.findMany({ where: { dedupeKey: { contains: `incident:${incident.id}:` } }, select: { dedupeKey: true } });
    expect(written.map((m) => m.dedupeKey).filter((key) => key.includes('joseph-kariuki') && /:(acked|resolved)/.test(key))).toEqual([]);
    expect(written.map((m) => m.dedupeKey).filter((key) => key.includes('amina-wekesa') && /:(acked|resolved)/.test(key))).toHaveLength(2);
    expect(telegramTo(AMINA_TELEGRAM, 'nadia')).toEqual([]);
  });

  it('name a staff user of no roster by their role, never by their login name', async () => {
    const session = await consoleSession('salma', 'coordinator');
    const incident = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi' });
    await eventually(() => telegramTo(AMINA_TELEGRAM, incident.caseCode).length > 0 && smsTo(JOSEPH_SMS, incident.caseCode).length > 0, 10_000, 'the notifications');
    expect((await api('POST', `/incidents/${incident.caseCode}/ack`, session)).status).toBe(200);
    await eventually(() => telegramTo(AMINA_TELEGRAM, `${incident.caseCode} was acknowledged by a coordinator.`).length === 1, 10_000, 'the news to Amina');
    await eventually(() => smsTo(JOSEPH_SMS, `${incident.caseCode} was acknowledged by a coordinator.`).length === 1, 10_000, 'the news to Joseph');
    expect([...telegramTo(AMINA_TELEGRAM, 'salma'), ...smsTo(JOSEPH_SMS, 'salma')]).toEqual([]);
    // The staff see who it was.
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).acknowledgedBy).toMatch(/^user:/);
  });
});

describe('unreachable responders', () => {
  it('reaches a responder who opted out on one channel on another', async () => {
    expect((await webhooks.telegram(telegramUpdates.text(AMINA_TELEGRAM, 'STOP'))).status).toBe(200);
    await eventually(async () => {
      const identity = await gateway.db.contactIdentity.findUnique({ where: { channel_addressHash: { channel: 'telegram', addressHash: gateway.personalData.hash('telegram', String(AMINA_TELEGRAM)) } } });
      return identity?.stoppedAt !== null && identity !== null;
    }, 10_000, 'the Telegram opt-out');
    const before = providers.telegram.calls('sendMessage').length;
    const incident = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi' });
    await eventually(() => smsTo(AMINA_SMS, incident.caseCode).length === 1, 10_000, 'the notification by SMS');
    const notification = await gateway.db.incidentNotification.findFirstOrThrow({ where: { incidentId: incident.id, responderId: 'amina-wekesa' } });
    expect(notification.channel).toBe('sms');
    // Only the opt-out confirmation went to Telegram since.
    expect(providers.telegram.calls('sendMessage').slice(before).filter((c) => String(c.payload.text).includes(incident.caseCode))).toEqual([]);
  });

  it('escalates at once, and records it, when every responder of a level is unreachable', async () => {
    expect((await webhooks.sms(inboundSms(AMINA_SMS, 'STOP'))).status).toBe(200);
    expect((await webhooks.sms(inboundSms(JOSEPH_SMS, 'STOP'))).status).toBe(200);
    await eventually(async () => (await gateway.db.contactIdentity.count({ where: { channel: 'sms', stoppedAt: { not: null } } })) === 2, 10_000, 'both SMS opt-outs');
    const started = Date.now();
    const incident = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi' });
    // Without the shortcut the regional level would wait 10 minutes (delays are not scaled here).
    await eventually(async () => (await steps(gateway.db, incident.id)).length === 2, 10_000, 'the regional level');
    expect(Date.now() - started).toBeLessThan(10_000);
    const seen = await steps(gateway.db, incident.id);
    expect(seen.map((s) => [s.level, s.committees, s.reached])).toEqual([
      [0, ['kanzi-peace'], []],
      [1, ['north-liaison'], ['peter-otieno']],
    ]);
    const unreachable = await auditOf(gateway.db, incident.id, 'incident.level_unreachable');
    expect(unreachable).toHaveLength(1);
    expect(unreachable[0]!.detail).toMatchObject({ level: 0, round: 0, committees: ['kanzi-peace'], responders: 2 });
    const notifications = await gateway.db.incidentNotification.findMany({ where: { incidentId: incident.id, level: 0 } });
    expect(notifications.map((n) => [n.responderId, n.channel])).toEqual(
      expect.arrayContaining([
        ['amina-wekesa', null],
        ['joseph-kariuki', null],
      ]),
    );
  });
});
