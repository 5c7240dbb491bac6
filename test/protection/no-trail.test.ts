/**
 * No plaintext trail, and erasure: after each shipped flow (report anonymous and not, rumour,
 * survey) no marker typed in the conversation is readable in the raw SQLite file, its log, any
 * table, or Redis; an anonymous report leaves no message linked to the person; an erasure leaves
 * no identifier of the person anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/admin/tokens.js';
import { ConsoleUser } from '../support/console.js';
import { waitForIdle } from '../support/idle.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { found, redisText, sqliteFiles, tableText } from './scan.js';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway?.close();
});

const marker = (name: string) => `zq${name}${Math.random().toString(36).slice(2, 10)}`;

/** Says each line once the gateway is idle again; returns every reply, in order. */
async function talk(user: ConsoleUser, lines: string[]): Promise<string[]> {
  const seen: string[] = [];
  for (const line of lines) {
    await user.say(line);
    await waitForIdle(gateway);
    seen.push(...(await user.unread()));
  }
  return seen;
}

async function english(name: string): Promise<ConsoleUser> {
  const user = new ConsoleUser(gateway, name);
  await talk(user, ['hi', '1']);
  return user;
}

async function report(user: ConsoleUser, description: string, contact: '1' | '2'): Promise<string> {
  const replies = await talk(user, ['report', '1', 'kanzi', 'yesterday', '40', 'high', description, contact, 'yes']);
  const code = /R-[A-Z2-9]{6}/.exec(replies.join('\n'));
  if (!code) throw new Error(`no case code in the replies: ${replies.join(' | ')}`);
  return code[0];
}

async function settled(): Promise<void> {
  await eventually(async () => (await gateway.db.message.count({ where: { status: { in: ['received', 'queued', 'sending'] } } })) === 0, 20_000, 'all messages handled');
  await gateway.db.$queryRawUnsafe('SELECT 1');
}

describe('no plaintext trail', () => {
  it('leaves no marker readable after an anonymous report, a named report, a rumour and a survey', async () => {
    const markers = { anonymous: marker('anon'), named: marker('named'), rumour: marker('rumour'), survey: marker('survey') };
    const anonymous = await english('trail-anon');
    const anonymousCode = await report(anonymous, `Armed men near the well ${markers.anonymous}`, '2');
    const named = await english('trail-named');
    await report(named, `Soldiers beat a trader ${markers.named}`, '1');
    const rumour = await english('trail-rumour');
    await talk(rumour, ['rumour', `They say the bridge is mined ${markers.rumour}`, 'kanzi']);
    const surveyed = await english('trail-survey');
    const survey = await talk(surveyed, ['survey', 'yes', '1', '3', 'Tessa', '1', '2', '4', '3', '3', '1', '1', '2']);
    expect(survey.at(-1)).toMatch(/Thank you for your answers/);
    await settled();

    const all = Object.values(markers);
    expect(found(sqliteFiles(gateway), all)).toEqual([]);
    expect(found(await tableText(gateway), all)).toEqual([]);
    expect(found(await redisText(gateway), all)).toEqual([]);

    // Ended sessions are gone; the anonymous reporter's conversation no longer names them.
    const anonContact = await gateway.db.contactIdentity.findUniqueOrThrow({
      where: { channel_addressHash: { channel: 'console', addressHash: gateway.personalData.hash('console', 'trail-anon') } },
    });
    expect(await gateway.db.session.count({ where: { contactId: anonContact.contactId, status: { not: 'active' } } })).toBe(0);
    const stillLinked = await gateway.db.message.findMany({ where: { contactId: anonContact.contactId, direction: 'in' } });
    const texts = stillLinked.map((m) => gateway.personalData.decrypt(m.bodyEnc));
    expect(texts.join(' ')).not.toContain(markers.anonymous);
    expect(texts).not.toContain('{"type":"choice","choiceId":"anonymous"}');
    expect(await gateway.db.incident.findUniqueOrThrow({ where: { caseCode: anonymousCode } })).toMatchObject({ reporterContactId: null });
    const surveyIdentity = await gateway.db.contactIdentity.findUniqueOrThrow({
      where: { channel_addressHash: { channel: 'console', addressHash: gateway.personalData.hash('console', 'trail-survey') } },
    });
    const surveyTexts = (await gateway.db.message.findMany({ where: { contactId: surveyIdentity.contactId, direction: 'in' } })).map((m) => gateway.personalData.decrypt(m.bodyEnc));
    expect(surveyTexts.join(' ')).not.toMatch(/threat|Tessa/i);
  }, 240_000);

  it('erases a reporter by case code through the API: no identifier of theirs remains; the incident stays', async () => {
    const address = marker('addr');
    const description = marker('desc');
    const user = await english(address);
    const code = await report(user, `A checkpoint took phones ${description}`, '1');
    await settled();
    const identity = await gateway.db.contactIdentity.findUniqueOrThrow({
      where: { channel_addressHash: { channel: 'console', addressHash: gateway.personalData.hash('console', address) } },
    });
    const messageIds = (await gateway.db.message.findMany({ where: { contactId: identity.contactId }, select: { id: true } })).map((m) => m.id);
    const identifiers = [identity.contactId, identity.id, identity.addressHash, identity.addressEnc, address, ...messageIds];
    // A question a responder relayed to them, with their answer, and a survey wave's invitation:
    // rows that name the person by contact id (made here as the relay and the waves make them).
    const incidentId = (await gateway.db.incident.findUniqueOrThrow({ where: { caseCode: code } })).id;
    const answerEnc = gateway.personalData.encrypt(marker('answer'));
    await gateway.db.incidentRelay.create({
      data: { incidentId, reporterContactId: identity.contactId, askedBy: 'responder:amina', questionEnc: gateway.personalData.encrypt('How many?'), answerEnc, answeredAt: new Date(), expiresAt: new Date(Date.now() + 86_400_000) },
    });
    const wave = await gateway.db.surveyWave.create({ data: { surveyId: 'perception', wave: 'erasure-check', flowId: 'survey', invited: 1, opensAt: new Date(), createdBy: 'token:test' } });
    await gateway.db.surveyInvitation.create({ data: { waveId: wave.id, contactId: identity.contactId } });
    identifiers.push(answerEnc);

    const analyst = await createToken(gateway.db, { name: 'analyst', role: 'analyst' });
    const coordinator = await createToken(gateway.db, { name: 'dpo desk', role: 'coordinator' });
    const erase = (token: string, target: string) => fetch(`${gateway.url}/api/v1/contacts/${encodeURIComponent(target)}/erase`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect((await erase(analyst.token, code)).status).toBe(403);
    const answer = await erase(coordinator.token, code);
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { removed: Record<string, number> }).removed).toMatchObject({ identities: 1, incidentsKept: 1, relayedQuestions: 1, surveyInvitations: 1 });
    expect((await gateway.db.surveyWave.findUniqueOrThrow({ where: { id: wave.id } })).invited).toBe(1);
    expect((await erase(coordinator.token, code)).status).toBe(404);

    expect(found(sqliteFiles(gateway), identifiers)).toEqual([]);
    expect(found(await tableText(gateway), identifiers)).toEqual([]);
    expect(found(await redisText(gateway), identifiers)).toEqual([]);
    const incident = await gateway.db.incident.findUniqueOrThrow({ where: { caseCode: code } });
    expect(incident.reporterContactId).toBeNull();
    const audit = await gateway.db.auditEntry.findFirstOrThrow({ where: { action: 'contact.erased' } });
    expect(audit.actor).toContain('dpo desk');
  }, 240_000);

  it('erases a person who asks with a keyword in their language, after a confirmation', async () => {
    const address = marker('self');
    const user = new ConsoleUser(gateway, address);
    await user.ask('hi');
    await user.ask('2'); // français
    expect(await user.ask('supprimer')).toMatch(/effacions/);
    expect(await user.ask('non')).toBe("Rien n'a été effacé.");
    expect(await user.ask('SUPPRIMER')).toMatch(/effacions/);
    expect(await user.ask('oui')).toMatch(/effacées/);
    const hash = gateway.personalData.hash('console', address);
    await eventually(async () => (await gateway.db.contactIdentity.count({ where: { addressHash: hash } })) === 0, 10_000, 'identity erased');
    expect(await gateway.db.auditEntry.count({ where: { action: 'contact.erased', actor: 'self' } })).toBe(1);
  }, 240_000);
});
