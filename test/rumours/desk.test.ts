import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOrCreateContact } from '../../src/conversation/contacts.js';
import { applyEffect } from '../../src/conversation/effects.js';
import { startTwilioApi, type FakeTwilioApi } from '../fakes/twilio-api.js';
import { ConsoleUser } from '../support/console.js';
import { eventually, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { api, makeTokens, smsEnv, startBroadcastGateway, type Tokens } from '../broadcasts/support.js';

let gateway: TestGateway;
let tokens: Tokens;
let sms: FakeTwilioApi;

beforeAll(async () => {
  sms = await startTwilioApi();
  gateway = await startBroadcastGateway({}, smsEnv(sms.url));
  tokens = await makeTokens(gateway);
});

afterAll(async () => {
  await gateway?.close();
  await sms?.close();
});

/** What the rumour-check flow does: the record_rumour effect, then its work after commit. */
async function report(channel: string, address: string, language: string, text: string, areaId: string | null): Promise<string> {
  const { contactId } = await findOrCreateContact(gateway.db, gateway.personalData, channel, address);
  await gateway.db.contact.update({ where: { id: contactId }, data: { language, areaId } });
  const ctx = { tx: gateway.db, now: new Date(), contactId, channel, personalData: gateway.personalData, language, replies: [], seal: () => undefined, afterCommit: [] as (() => Promise<void>)[] };
  await applyEffect({ type: 'record_rumour', text, areaId }, ctx, gateway.effects);
  for (const task of ctx.afterCommit) await task();
  return contactId;
}

describe('the misinformation desk', () => {
  let waterId: string;

  it('groups reports by similarity and related areas', async () => {
    await report('console', 'asker-en', 'en', 'They say the water in Kanzi is poisoned', 'kanzi');
    await report('console', 'asker-fr', 'fr', 'Is it true the water at Kanzi was poisoned?', 'north');
    await report('sms', '+254700000301', 'ar', 'Is the water of Kanzi poisoned?', null);
    await report('console', 'asker-en', 'en', 'the water in kanzi is poisoned, right?', 'kanzi'); // the same person again
    await report('console', 'asker-other', 'en', 'Soldiers are coming to Mbali tonight', 'mbali');
    await report('console', 'asker-river', 'en', 'The water in Kanzi is poisoned', 'oroma'); // another region: another rumour

    const list = await api(gateway, tokens.analyst, 'GET', '/rumours');
    expect(list.status).toBe(200);
    const items = list.body.items as { id: string; text: string; reportCount: number; areaId: string }[];
    expect(items).toHaveLength(3);
    const water = items.find((r) => r.areaId === 'kanzi')!;
    expect(water).toMatchObject({ text: 'They say the water in Kanzi is poisoned', reportCount: 4 });
    expect(items.find((r) => r.areaId === 'oroma')!.reportCount).toBe(1);
    expect(items.find((r) => r.areaId === 'mbali')!.text).toBe('Soldiers are coming to Mbali tonight');
    waterId = water.id;

    // A report by staff joins the same rumour.
    const staff = await api(gateway, tokens.coordinator, 'POST', '/rumours', { text: 'Kanzi water supply poisoned', areaId: 'kanzi' });
    expect(staff.status).toBe(201);
    expect(staff.body.rumourId).toBe(waterId);
    const detail = await api(gateway, tokens.analyst, 'GET', `/rumours/${waterId}`);
    expect(detail.body.reports).toHaveLength(5);
    expect(await gateway.db.auditEntry.count({ where: { action: 'rumour.read', subjectId: waterId } })).toBe(1);
    // Area-scoped tokens see their area only.
    const north = await api(gateway, tokens.northApprover, 'GET', '/rumours');
    expect((north.body.items as { areaId: string }[]).map((r) => r.areaId).sort()).toEqual(['kanzi', 'mbali']);
  });

  it('publishes the verified answer to everyone who asked, once each, on their channel and in their language', async () => {
    const early = await api(gateway, tokens.coordinator, 'POST', `/rumours/${waterId}/publish`, {});
    expect(early.status).toBe(409);
    expect((await api(gateway, tokens.analyst, 'PATCH', `/rumours/${waterId}`, { status: 'bogus' })).status).toBe(400);
    expect((await api(gateway, tokens.analyst, 'PATCH', `/rumours/${waterId}`, { status: 'false', title: 'Kanzi water' })).body.status).toBe('false');
    const answers = await api(gateway, tokens.analyst, 'PUT', `/rumours/${waterId}/answers`, {
      en: 'False. The Kanzi water was tested on Monday and is safe to drink.',
      fr: 'Faux. L’eau de Kanzi a été analysée lundi et elle est potable.',
    });
    expect(answers.body.answers).toHaveProperty('fr');
    expect((await api(gateway, tokens.analyst, 'POST', `/rumours/${waterId}/publish`, {})).status).toBe(403);

    const published = await api(gateway, tokens.coordinator, 'POST', `/rumours/${waterId}/publish`, {});
    expect(published.status).toBe(200);
    expect(published.body.answered).toBe(3);
    const en = new ConsoleUser(gateway, 'asker-en');
    const fr = new ConsoleUser(gateway, 'asker-fr');
    expect(await en.replies(1)).toEqual(['About the rumour you asked us to check: False. The Kanzi water was tested on Monday and is safe to drink.']);
    expect(await fr.replies(1)).toEqual(['Au sujet de la rumeur que vous nous avez demandé de vérifier : Faux. L’eau de Kanzi a été analysée lundi et elle est potable.']);
    // The Arabic speaker asked by SMS: no Arabic answer, so the default language's, by SMS.
    await eventually(() => sms.messages().length === 1, 5_000, 'SMS answer');
    expect(sms.messages()[0]!.form.To).toBe('+254700000301');
    expect(sms.messages()[0]!.form.Body).toContain('False. The Kanzi water was tested on Monday');
    // Publishing again sends nothing more; the asker who asked twice got one answer.
    const again = await api(gateway, tokens.coordinator, 'POST', `/rumours/${waterId}/publish`, {});
    expect(again.body.answered).toBe(0);
    await waitForIdle(gateway);
    expect(await en.unread()).toEqual([]);
    expect(await fr.unread()).toEqual([]);
    expect(await gateway.db.message.count({ where: { causeId: waterId } })).toBe(3);
    const reports = await gateway.db.rumourReport.findMany({ where: { rumourId: waterId, contactId: { not: null } } });
    expect(reports.every((r) => r.answeredAt !== null)).toBe(true);
  });

  it('answers at once someone who asks after the answer was published', async () => {
    // Tessa is another locality of the North region: the same rumour.
    await report('console', 'asker-late', 'en', 'Water in Kanzi poisoned?', 'tessa');
    expect(await new ConsoleUser(gateway, 'asker-late').replies(1)).toEqual([
      'About the rumour you asked us to check: False. The Kanzi water was tested on Monday and is safe to drink.',
    ]);
  });

  it('can propose the answer as a broadcast to the area, which goes through approval', async () => {
    const published = await api(gateway, tokens.coordinator, 'POST', `/rumours/${waterId}/publish`, { broadcast: { areaId: 'north' } });
    expect(published.status).toBe(200);
    const broadcast = published.body.broadcast.broadcast;
    expect(broadcast).toMatchObject({ status: 'pending_approval', source: 'rumour', rumourId: waterId, fallback: true, audience: { areaId: 'north' } });
    expect(published.body.rumour.broadcastId).toBe(broadcast.id);
  });
});
