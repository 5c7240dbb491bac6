import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type TestGateway } from '../support/gateway.js';
import { addContact, api, inbox, makeTokens, sendBroadcast, startBroadcastGateway, type Tokens } from './support.js';

let gateway: TestGateway;
let tokens: Tokens;

beforeAll(async () => {
  gateway = await startBroadcastGateway();
  tokens = await makeTokens(gateway);
  await addContact(gateway, { address: 'en1', areaId: 'mbali', language: 'en' });
  await addContact(gateway, { address: 'fr1', areaId: 'mbali', language: 'fr' });
  await addContact(gateway, { address: 'fr2', areaId: 'tessa', language: 'fr' });
  await addContact(gateway, { address: 'ar1', areaId: 'tessa', language: 'ar' });
  await addContact(gateway, { address: 'none', areaId: 'tessa', language: null });
});

afterAll(async () => {
  await gateway?.close();
});

describe('languages', () => {
  it('refuses an announcement missing a language of its audience, with the count affected', async () => {
    const refused = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts', {
      title: 'Water',
      texts: { en: 'Boil water before drinking.', ar: 'اغلِ الماء قبل شربه.' },
      audience: { areaId: 'north' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'missing_texts', affected: 2, missingLanguage: { fr: 2 } });
    expect(refused.body.error).toMatch(/2 recipients/);
    expect(await gateway.db.broadcast.count()).toBe(0);
  });

  it('refuses a default language without a text', async () => {
    const refused = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts', { title: 'x', texts: { fr: 'Bonjour' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/default language "en"/);
    // A stable code and the language, for the console to say it in its own words.
    expect(refused.body).toMatchObject({ code: 'no_fallback_text', language: 'en' });
  });

  it('accepts texts in French and Arabic only when the fallback language is one of them', async () => {
    const preview = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts/preview', { title: 'x', texts: { fr: 'Bonjour', ar: 'مرحبا' }, defaultLanguage: 'fr', fallback: true, audience: { areaId: 'tessa' } });
    expect(preview.status).toBe(200);
    expect(preview.body.estimate.audience).toBe(3);
  });

  it('names the topics an audience may use, per language', async () => {
    const topics = await api(gateway, tokens.analyst, 'GET', '/broadcasts/topics');
    expect(topics.status).toBe(200);
    expect(topics.body.items.map((t: { id: string }) => t.id)).toEqual(['security', 'civic', 'surveys', 'verified_facts']);
    for (const topic of topics.body.items) expect(Object.keys(topic.names).sort()).toEqual(['ar', 'en', 'fr']);
    const unknown = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts/preview', { title: 'x', texts: { en: 'Hi' }, audience: { topic: 'weather' } });
    expect(unknown.body).toMatchObject({ code: 'unknown_topic', topics: ['security', 'civic', 'surveys', 'verified_facts'] });
  });

  it('sends each recipient its language, and the fallback when the sender chose it', async () => {
    const id = await sendBroadcast(gateway, tokens, {
      title: 'Water',
      texts: { en: 'Boil water before drinking.', ar: 'اغلِ الماء قبل شربه.' },
      fallback: true,
      link: 'https://example.org/water',
      audience: { areaId: 'north' },
    });
    await eventually(async () => (await api(gateway, tokens.analyst, 'GET', `/broadcasts/${id}/progress`)).body.done, 10_000, 'done');
    expect(await inbox(gateway, 'en1')).toEqual(['Boil water before drinking.\nhttps://example.org/water']);
    expect(await inbox(gateway, 'fr1')).toEqual(['Boil water before drinking.\nhttps://example.org/water']);
    expect(await inbox(gateway, 'ar1')).toEqual(['اغلِ الماء قبل شربه.\nhttps://example.org/water']);
    expect(await inbox(gateway, 'none')).toEqual(['Boil water before drinking.\nhttps://example.org/water']);
    const progress = await api(gateway, tokens.analyst, 'GET', `/broadcasts/${id}/progress`);
    expect(progress.body).toMatchObject({ written: 5, skipped: 0, byStatus: { delivered: 5 } });
  });

  it('counts SMS segments of each language before sending (UCS-2 for Arabic)', async () => {
    const preview = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts/preview', {
      title: 'Water',
      texts: { en: 'Boil water before drinking.', ar: 'اغلِ الماء قبل شربه. '.repeat(4) },
      fallback: true,
      audience: { areaId: 'north' },
    });
    expect(preview.body.estimate.sms.en).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(preview.body.estimate.sms.ar).toMatchObject({ encoding: 'UCS-2', segments: 2 });
  });
});
