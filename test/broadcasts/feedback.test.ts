import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleUser } from '../support/console.js';
import { eventually, type TestGateway } from '../support/gateway.js';
import { addContact, api, makeTokens, sendBroadcast, startBroadcastGateway, type Tokens } from './support.js';
import { waitForIdle } from '../support/idle.js';

let gateway: TestGateway;
let tokens: Tokens;

beforeAll(async () => {
  gateway = await startBroadcastGateway();
  tokens = await makeTokens(gateway);
});

afterAll(async () => {
  await gateway?.close();
});

async function announce(feedback: 'rating' | 'free', area: string): Promise<string> {
  const id = await sendBroadcast(gateway, tokens, { title: 'Vaccination', texts: { en: 'Vaccination day on Monday.', fr: 'Journée de vaccination lundi.' }, feedback, audience: { areaId: area } });
  await eventually(async () => (await api(gateway, tokens.analyst, 'GET', `/broadcasts/${id}/progress`)).body.done, 10_000, 'done');
  return id;
}

describe('feedback', () => {
  it('asks "was this useful?" and records 1/2 and the localised yes/no against the broadcast, once per person', async () => {
    await addContact(gateway, { address: 'rater-en', areaId: 'kanzi', language: 'en' });
    await addContact(gateway, { address: 'rater-fr', areaId: 'kanzi', language: 'fr' });
    const en = new ConsoleUser(gateway, 'rater-en');
    const fr = new ConsoleUser(gateway, 'rater-fr');
    const id = await announce('rating', 'kanzi');
    expect((await en.replies(1))[0]).toMatch(/^Vaccination day on Monday\.\n\nWas this useful\?/);
    expect((await fr.replies(1))[0]).toMatch(/Ce message vous a-t-il été utile/);
    expect(await en.ask('1')).toBe('Thank you for your feedback.');
    expect(await fr.ask('non')).toBe('Merci pour votre avis.');
    const feedback = await gateway.db.broadcastFeedback.findMany({ where: { broadcastId: id }, orderBy: { createdAt: 'asc' } });
    expect(feedback.map((f) => f.answer)).toEqual(['yes', 'no']);
    // A second "1" is not feedback any more: it goes on to the flows.
    await en.say('1');
    await waitForIdle(gateway);
    expect(await gateway.db.broadcastFeedback.count({ where: { broadcastId: id } })).toBe(2);
    // A rating announcement does not take free text.
    await new ConsoleUser(gateway, 'rater-fr').say('merci beaucoup');
    await waitForIdle(gateway);
    expect(await gateway.db.broadcastFeedback.count({ where: { broadcastId: id } })).toBe(2);
    const progress = await api(gateway, tokens.analyst, 'GET', `/broadcasts/${id}/progress`);
    expect(progress.body.feedback).toEqual({ yes: 1, no: 1 });
  });

  it('takes no rating once something else was sent to the contact after the announcement', async () => {
    // An answer to what came later (here the HELP reply; in the field a responder's question)
    // is not feedback on an announcement that came before it.
    await addContact(gateway, { address: 'helped', areaId: 'mbali', language: 'en' });
    const helped = new ConsoleUser(gateway, 'helped');
    const id = await announce('rating', 'mbali');
    await helped.replies(1);
    await waitForIdle(gateway);
    expect(await helped.ask('HELP')).not.toBe('Thank you for your feedback.');
    await waitForIdle(gateway);
    await helped.say('2');
    await waitForIdle(gateway);
    expect(await helped.unread()).not.toContain('Thank you for your feedback.');
    expect(await gateway.db.broadcastFeedback.count({ where: { broadcastId: id } })).toBe(0);
  });

  it('reads Eastern Arabic and Persian digits as the ratings 1 and 2, not as a menu choice', async () => {
    await addContact(gateway, { address: 'rater-arabic-digit', areaId: 'tessa', language: 'en' });
    await addContact(gateway, { address: 'rater-persian-digit', areaId: 'tessa', language: 'en' });
    const arabic = new ConsoleUser(gateway, 'rater-arabic-digit');
    const persian = new ConsoleUser(gateway, 'rater-persian-digit');
    const id = await announce('rating', 'tessa');
    await arabic.replies(1);
    await persian.replies(1);
    expect(await arabic.ask('٢')).toBe('Thank you for your feedback.');
    expect(await persian.ask('۱')).toBe('Thank you for your feedback.');
    const feedback = await gateway.db.broadcastFeedback.findMany({ where: { broadcastId: id }, orderBy: { createdAt: 'asc' } });
    expect(feedback.map((f) => f.answer)).toEqual(['no', 'yes']);
    expect(await gateway.db.session.count({ where: { status: 'active', flowId: 'survey' } })).toBe(0);
  });

  it('records one free reply (encrypted) when the broadcast asks for it, but not during a conversation', async () => {
    const writer = await addContact(gateway, { address: 'writer', areaId: 'oroma', language: 'en' });
    await addContact(gateway, { address: 'busy', areaId: 'oroma', language: 'en' });
    const busy = await gateway.db.contact.findFirstOrThrow({ where: { identities: { some: { addressHash: gateway.personalData.hash('console', 'busy') } } } });
    const id = await announce('free', 'oroma');
    await gateway.db.session.create({
      data: { contactId: busy.id, channel: 'console', identityId: 'x', flowId: 'survey', state: '{}', expiresAt: new Date(Date.now() + 3600_000) },
    });
    const user = new ConsoleUser(gateway, 'writer');
    await user.replies(1);
    expect(await user.ask('The clinic in Oroma has no vaccines left')).toBe('Thank you for your feedback.');
    // The announcement has reached the busy contact too, and stands recorded as sent: only the
    // conversation keeps its "2" from being taken as a rating.
    const busyUser = new ConsoleUser(gateway, 'busy');
    await busyUser.replies(1);
    await waitForIdle(gateway);
    await busyUser.say('2');
    await waitForIdle(gateway);
    const rows = await gateway.db.broadcastFeedback.findMany({ where: { broadcastId: id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ answer: 'text', contactId: writer.contactId });
    expect(rows[0]!.textEnc).not.toContain('clinic');
    const listed = await api(gateway, tokens.analyst, 'GET', `/broadcasts/${id}/feedback`);
    expect(listed.body.items).toMatchObject([{ answer: 'text', text: 'The clinic in Oroma has no vaccines left' }]);
    expect(await gateway.db.auditEntry.count({ where: { action: 'broadcast.feedback.read', subjectId: id } })).toBe(1);
  });
});
