import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOrCreateContact } from '../../src/conversation/contacts.js';
import { startTwilioApi, type FakeTwilioApi } from '../fakes/twilio-api.js';
import { ConsoleUser } from '../support/console.js';
import { eventually, type TestGateway } from '../support/gateway.js';
import { addContact, api, inbox, makeTokens, sendBroadcast, smsEnv, startBroadcastGateway, TestClock, type Tokens } from './support.js';

let gateway: TestGateway;
let tokens: Tokens;
let sms: FakeTwilioApi;
const clock = new TestClock();

beforeAll(async () => {
  sms = await startTwilioApi();
  gateway = await startBroadcastGateway({ now: clock.now, settings: { BROADCAST_QUIET_HOURS: '21:00-07:00' } }, smsEnv(sms.url));
  tokens = await makeTokens(gateway);
});

afterAll(async () => {
  await gateway?.close();
  await sms?.close();
});

const done = async (id: string) => eventually(async () => (await api(gateway, tokens.analyst, 'GET', `/broadcasts/${id}/progress`)).body.done, 10_000, 'broadcast done');

describe('opt-out', () => {
  it('never sends a broadcast to an identity that said STOP, and uses another channel the contact has not stopped', async () => {
    clock.set(new Date('2026-03-10T09:00:00Z')); // noon in the seeded areas
    const stopper = new ConsoleUser(gateway, 'stopper');
    await addContact(gateway, { address: 'stopper', areaId: 'oroma', language: 'en', topics: ['security'] });
    await addContact(gateway, { address: 'stays', areaId: 'oroma', language: 'en', topics: ['security'] });
    // A contact reachable by SMS and on the console; it stops the console only.
    const both = await addContact(gateway, { address: 'both-console', areaId: 'oroma', language: 'en', topics: ['security'] });
    const smsIdentity = await gateway.db.contactIdentity.create({
      data: { contactId: both.contactId, channel: 'sms', addressHash: gateway.personalData.hash('sms', '+254700000111'), addressEnc: gateway.personalData.encrypt('+254700000111') },
    });
    expect(await stopper.ask('STOP')).toMatch(/no more messages/);
    await new ConsoleUser(gateway, 'both-console').ask('STOP');

    const id = await sendBroadcast(gateway, tokens, { title: 'Alert', texts: { en: 'Stay away from the market today.' }, audience: { areaId: 'river', topic: 'security' } });
    await done(id);
    expect(await inbox(gateway, 'stays')).toEqual(['Stay away from the market today.']);
    expect((await inbox(gateway, 'stopper')).filter((t) => t.includes('market'))).toEqual([]);
    expect((await inbox(gateway, 'both-console')).filter((t) => t.includes('market'))).toEqual([]);
    await eventually(() => sms.messages().length === 1, 5_000, 'SMS to the contact who stopped only the console');
    expect(sms.messages()[0]!.form).toMatchObject({ To: '+254700000111', Body: 'Stay away from the market today.' });
    const rows = await gateway.db.message.findMany({ where: { broadcastId: id } });
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.contactId === both.contactId)?.identityId).toBe(smsIdentity.id);
  });

  it('does not send a held message to someone who stopped while it waited for quiet hours to end', async () => {
    clock.set(new Date('2026-03-10T03:59:58.500Z')); // 06:59:58.5 in Lindu (Africa/Nairobi)
    const late = new ConsoleUser(gateway, 'late-stopper');
    await addContact(gateway, { address: 'late-stopper', areaId: 'lindu', language: 'en' });
    const id = await sendBroadcast(gateway, tokens, { title: 'Notice', texts: { en: 'Clinic open on Saturday.' }, audience: { areaId: 'lindu' } });
    await eventually(async () => (await gateway.db.message.count({ where: { broadcastId: id } })) === 1, 5_000, 'row written');
    expect(await late.ask('STOP')).toMatch(/no more messages/);
    await eventually(async () => (await gateway.db.message.findFirst({ where: { broadcastId: id } }))?.status === 'failed', 10_000, 'held message failed');
    const row = await gateway.db.message.findFirstOrThrow({ where: { broadcastId: id } });
    expect(row.errorCode).toBe('stopped');
    expect((await inbox(gateway, 'late-stopper')).filter((t) => t.includes('Clinic'))).toEqual([]);
    const recipients = await api(gateway, tokens.analyst, 'GET', `/broadcasts/${id}/recipients?status=failed`);
    expect(recipients.body.items).toMatchObject([{ status: 'failed', errorCode: 'stopped', errorMessage: 'the contact opted out on this channel' }]);
  });

  it('leaves a topic with LEAVE <topic> and joins with JOIN <topic>, in any language', async () => {
    clock.set(new Date('2026-03-10T09:00:00Z'));
    const user = new ConsoleUser(gateway, 'joiner');
    const { contactId } = await findOrCreateContact(gateway.db, gateway.personalData, 'console', 'joiner');
    expect(await user.ask('join security')).toMatch(/subscribed to security alerts\. Send LEAVE SECURITY to stop/);
    expect(await gateway.db.subscription.findMany({ where: { contactId } })).toMatchObject([{ topic: 'security', channel: 'console' }]);
    expect(await user.ask('REJOINDRE faits')).toMatch(/subscribed to verified facts/);
    expect(await user.ask('JOIN')).toMatch(/Send JOIN or LEAVE followed by a topic: SECURITY \(security alerts\)/);
    expect(await user.ask('انضم أمن')).toMatch(/subscribed to security alerts/);
    await gateway.db.contact.update({ where: { id: contactId }, data: { language: 'fr', areaId: 'lindu' } });
    expect(await user.ask('quitter sécurité')).toBe('Vous ne recevrez plus les alertes de sécurité. Envoyez REJOINDRE SECURITE pour vous réabonner.');
    expect((await gateway.db.subscription.findMany({ where: { contactId } })).map((s) => s.topic)).toEqual(['verified_facts']);
    const preview = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts/preview', { title: 'x', texts: { en: 'x', fr: 'x' }, audience: { areaId: 'lindu', topic: 'security' } });
    expect(preview.status).toBe(422); // nobody left in Lindu on that topic
  });
});
