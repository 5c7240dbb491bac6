import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type TestGateway } from '../support/gateway.js';
import { addContact, api, inbox, makeTokens, sendBroadcast, startBroadcastGateway, type Tokens } from './support.js';

let gateway: TestGateway;
let tokens: Tokens;

beforeAll(async () => {
  gateway = await startBroadcastGateway();
  tokens = await makeTokens(gateway);
  // North region: kanzi, mbali, tessa. River region: oroma, lindu.
  await addContact(gateway, { address: 'north-region', areaId: 'north', language: 'en', topics: ['security'] });
  await addContact(gateway, { address: 'kanzi-en', areaId: 'kanzi', language: 'en', topics: ['security', 'civic'] });
  await addContact(gateway, { address: 'mbali-fr', areaId: 'mbali', language: 'fr', topics: ['security'] });
  await addContact(gateway, { address: 'tessa-civic', areaId: 'tessa', language: 'en', topics: ['civic'] });
  await addContact(gateway, { address: 'oroma-en', areaId: 'oroma', language: 'en', topics: ['security'] });
  await addContact(gateway, { address: 'nowhere', areaId: null, language: null, topics: ['security'] });
});

afterAll(async () => {
  await gateway?.close();
});

describe('targeting', () => {
  it('reaches an area and everything below it, only subscribers of the topic', async () => {
    const preview = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts/preview', {
      title: 'Road closure',
      texts: { en: 'The Kanzi bridge is closed until Friday.', fr: 'Le pont de Kanzi est fermé jusqu’à vendredi.' },
      audience: { areaId: 'north', topic: 'security' },
    });
    expect(preview.status).toBe(200);
    expect(preview.body.estimate.audience).toBe(3);
    expect(preview.body.estimate.byLanguage).toEqual({ en: 2, fr: 1 });
    expect(preview.body.estimate.byChannel).toEqual({ console: 3 });

    const id = await sendBroadcast(gateway, tokens, {
      title: 'Road closure',
      texts: { en: 'The Kanzi bridge is closed until Friday.', fr: 'Le pont de Kanzi est fermé jusqu’à vendredi.' },
      audience: { areaId: 'north', topic: 'security' },
    });
    await eventually(async () => (await api(gateway, tokens.analyst, 'GET', `/broadcasts/${id}/progress`)).body.done, 10_000, 'broadcast done');
    expect(await inbox(gateway, 'north-region')).toEqual(['The Kanzi bridge is closed until Friday.']);
    expect(await inbox(gateway, 'kanzi-en')).toEqual(['The Kanzi bridge is closed until Friday.']);
    expect(await inbox(gateway, 'mbali-fr')).toEqual(['Le pont de Kanzi est fermé jusqu’à vendredi.']);
    expect(await inbox(gateway, 'tessa-civic')).toEqual([]);
    expect(await inbox(gateway, 'oroma-en')).toEqual([]);
    expect(await inbox(gateway, 'nowhere')).toEqual([]);

    const progress = await api(gateway, tokens.analyst, 'GET', `/broadcasts/${id}/progress`);
    expect(progress.body).toMatchObject({ status: 'dispatched', written: 3, skipped: 0, byStatus: { delivered: 3 }, done: true });
    const recipients = await api(gateway, tokens.analyst, 'GET', `/broadcasts/${id}/recipients`);
    expect(recipients.body.items).toHaveLength(3);
    expect(recipients.body.items.every((r: { status: string; channel: string }) => r.status === 'delivered' && r.channel === 'console')).toBe(true);
    const rows = await gateway.db.message.findMany({ where: { broadcastId: id } });
    expect(rows.every((r) => r.kind === 'broadcast' && r.dedupeKey === `out:broadcast:${id}:${r.contactId}`)).toBe(true);
  });

  it('without an area reaches every subscriber of the topic, with or without an area', async () => {
    const preview = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts/preview', {
      title: 'Civic',
      texts: { en: 'Polling stations open at 7.' },
      audience: { topic: 'civic' },
    });
    expect(preview.body.estimate.audience).toBe(2);
    const everyone = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts/preview', { title: 'All', texts: { en: 'Hello', fr: 'Bonjour' } });
    expect(everyone.body.estimate.audience).toBe(6);
  });

  it('filters by language and by channel', async () => {
    const french = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts/preview', {
      title: 'FR',
      texts: { en: 'Hello', fr: 'Bonjour' },
      audience: { languages: ['fr'] },
    });
    expect(french.body.estimate.audience).toBe(1);
    // The contact without a language speaks the default language (en).
    const english = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts/preview', { title: 'EN', texts: { en: 'Hello' }, audience: { languages: ['en'] } });
    expect(english.body.estimate.audience).toBe(5);
    const sms = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts/preview', { title: 'x', texts: { en: 'Hello' }, audience: { channels: ['sms'] } });
    expect(sms.status).toBe(400);
    expect(sms.body.error).toMatch(/channel not running: sms/);
  });

  it('shows the approver the audience, the duration at the channel pace and the SMS segments', async () => {
    const created = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts', {
      title: 'Long',
      texts: { en: 'x'.repeat(200), fr: 'é'.repeat(100) },
      audience: { areaId: 'north', topic: 'security' },
    });
    expect(created.status).toBe(201);
    expect(created.body.approvalRequired).toBe(true);
    const estimate = await api(gateway, tokens.approver, 'GET', `/broadcasts/${created.body.broadcast.id}/estimate`);
    expect(estimate.body.estimate.sms.en).toMatchObject({ encoding: 'GSM-7', segments: 2, characters: 200 });
    expect(estimate.body.estimate.sms.fr).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(estimate.body.estimate.byChannelAndLanguage).toEqual({ console: { en: 2, fr: 1 } });
    // The console channel sends 50 per second: 3 recipients take one window.
    expect(estimate.body.estimate.durationMsByChannel).toEqual({ console: 1000 });
  });
});
