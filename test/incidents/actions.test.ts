/**
 * What responders do besides acknowledging, from a channel: notes, verification, questions
 * relayed to the reporter and answers relayed back (under the case code only), reassignment to
 * another committee, and linking duplicate reports of one event.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/gateway.js';
import { auditOf, fileReport, notificationAbout, Person, sleep, steps, useIncidentGateway, type IncidentGateway } from './support.js';
import { waitForIdle } from '../support/idle.js';

let gateway: IncidentGateway;

useIncidentGateway((started) => (gateway = started));

const notification = notificationAbout;

describe('notes and verification', () => {
  it('adds a note and marks a report verified, unverified or false, in any of the languages', async () => {
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const kanzi2 = new Person(gateway, 'kanzi-2');
    const incident = await fileReport(gateway, { areaId: 'kanzi', category: 'hate_speech' });
    await kanzi1.next(notification(incident.caseCode));
    expect(await kanzi1.ask(`NOTE ${incident.caseCode} the chief is on his way`)).toBe(`Note added to ${incident.caseCode}.`);
    expect(await kanzi1.ask(`NOTE ${incident.caseCode}`)).toBe(`Write the note after the code: NOTE ${incident.caseCode} <text>.`);
    expect(await kanzi1.ask(`VERIFY ${incident.caseCode} maybe`)).toBe('Send VERIFY <case code> true|false|unverified <note>.');
    expect(await kanzi1.ask(`VERIFY ${incident.caseCode} true seen by two elders`)).toBe(`${incident.caseCode} is marked verified.`);
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).verification).toBe('verified');
    expect(await kanzi2.ask(`VERIFIER ${incident.caseCode} faux`, 'marqué')).toBe(`${incident.caseCode} est marqué faux.`);
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).verification).toBe('false');
    const verified = await auditOf(gateway.db, incident.id, 'incident.verified');
    expect(verified.map((v) => [v.actor, v.detail.from, v.detail.to])).toEqual([
      ['responder:kanzi-1', 'pending', 'verified'],
      ['responder:kanzi-2', 'verified', 'false'],
    ]);
    const notes = await auditOf(gateway.db, incident.id, 'incident.note');
    expect(notes).toHaveLength(1);
    expect(gateway.personalData.decrypt(notes[0]!.detail.noteEnc as string)).toBe('the chief is on his way');
  });
});

describe('questions relayed to the reporter', () => {
  it('relays a question under the case code and the answer back, naming nobody', async () => {
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const reporter = new Person(gateway, 'reporter-asked');
    const incident = await fileReport(gateway, { reporter: 'reporter-asked' });
    await kanzi1.next(notification(incident.caseCode));
    expect(await kanzi1.ask(`ASK ${incident.caseCode} how many people are hurt?`)).toBe(`Your question was sent to the reporter of ${incident.caseCode}. Their answer will come here.`);
    const question = await reporter.next('a responder asks');
    expect(question).toBe(`About your report ${incident.caseCode}, a responder asks: how many people are hurt? To answer, start your message with ${incident.caseCode}, for example: ${incident.caseCode} your answer`);
    // Sending the case code asks for the status; it does not answer the question.
    expect(await reporter.ask(incident.caseCode)).toBe(`Case ${incident.caseCode} was received and is waiting for a responder.`);
    await reporter.next('is waiting for your answer');
    expect((await gateway.db.incidentRelay.findFirstOrThrow({ where: { incidentId: incident.id } })).answeredAt).toBeNull();
    expect(await reporter.ask(`${incident.caseCode} about twenty, two badly`)).toBe(`Thank you. Your answer about ${incident.caseCode} was passed on.`);
    const answer = await kanzi1.next('answers:');
    expect(answer).toBe(`The reporter of ${incident.caseCode} answers: about twenty, two badly`);
    expect(answer).not.toContain('reporter-asked');
    const relay = await gateway.db.incidentRelay.findFirstOrThrow({ where: { incidentId: incident.id } });
    expect(relay.answeredAt).not.toBeNull();
    expect(gateway.personalData.decrypt(relay.answerEnc!)).toBe('about twenty, two badly');
    expect((await auditOf(gateway.db, incident.id, 'incident.answer'))[0]!.actor).toBe('reporter');
    // The relay is used up: another answer under the code is not passed on, and the reporter is told.
    expect(await reporter.ask(`${incident.caseCode} and a child`)).toBe(
      `There is no open question about ${incident.caseCode}, so your message was not passed on. To see the status of your report, send ${incident.caseCode} alone.`,
    );
    await waitForIdle(gateway);
    expect(await auditOf(gateway.db, incident.id, 'incident.answer')).toHaveLength(1);
  });

  it('does not take a message from a reporter in a conversation as the answer', async () => {
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const incident = await fileReport(gateway, { reporter: 'reporter-busy' });
    await kanzi1.next(notification(incident.caseCode));
    await kanzi1.ask(`ASK ${incident.caseCode} where exactly?`);
    const identity = await gateway.db.contactIdentity.findFirstOrThrow({ where: { contactId: incident.reporterContactId! } });
    await gateway.db.session.create({
      data: { contactId: incident.reporterContactId!, channel: 'console', identityId: identity.id, flowId: 'survey', state: '{}', expiresAt: new Date(Date.now() + 3_600_000) },
    });
    const reporter = new Person(gateway, 'reporter-busy');
    await reporter.say('2');
    await eventually(async () => (await gateway.db.message.count({ where: { contactId: incident.reporterContactId!, direction: 'in', status: 'processed' } })) === 1, 10_000, 'the message processed');
    const relay = await gateway.db.incidentRelay.findFirstOrThrow({ where: { incidentId: incident.id } });
    expect(relay.answeredAt).toBeNull();
  });

  it('refuses to ask a reporter who did not agree to be contacted', async () => {
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const incident = await fileReport(gateway, { reporter: 'reporter-no-callback', callbackAllowed: false });
    await kanzi1.next(notification(incident.caseCode));
    expect(await kanzi1.ask(`ASK ${incident.caseCode} who did it?`)).toContain('cannot be asked');
    expect(await gateway.db.incidentRelay.count({ where: { incidentId: incident.id } })).toBe(0);
  });
});

describe('reassignment', () => {
  it('hands an incident to another committee, which is told and may then act on it', async () => {
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const oroma = new Person(gateway, 'oroma-1');
    const incident = await fileReport(gateway, { areaId: 'kanzi' });
    await kanzi1.next(notification(incident.caseCode));
    expect(await kanzi1.ask(`REASSIGN ${incident.caseCode} atlantis-committee`)).toBe('There is no committee "atlantis-committee". Nothing was changed.');
    expect(await oroma.ask(`ACK ${incident.caseCode}`)).toContain('You are not on the roster');
    await kanzi1.ask(`ACK ${incident.caseCode}`);
    expect(await kanzi1.ask(`REASSIGN ${incident.caseCode} oroma-peace`)).toBe(`${incident.caseCode} was handed over to Oroma Peace Committee.`);
    const handed = await oroma.next(notification(incident.caseCode));
    expect(handed).toContain('Handed over to your committee.');
    const row = await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(row.status).toBe('open');
    expect(row.acknowledgedBy).toBeNull();
    const escalation = await gateway.db.escalation.findUniqueOrThrow({ where: { incidentId: incident.id } });
    expect(escalation.assignedCommitteeId).toBe('oroma-peace');
    const seen = await steps(gateway.db, incident.id);
    expect(seen.at(-1)).toMatchObject({ level: 0, round: 1, committees: ['oroma-peace'] });
    expect(await oroma.ask(`ACK ${incident.caseCode}`)).toContain(`You acknowledged ${incident.caseCode}`);
  });
});

describe('duplicate reports of one event', () => {
  it('suggests an earlier report of the same kind in the same area, links them on request, and closes both', async () => {
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const first = await fileReport(gateway, { areaId: 'tessa', category: 'displacement', reporter: 'dup-reporter-1' });
    const second = await fileReport(gateway, { areaId: 'tessa', category: 'displacement', reporter: 'dup-reporter-2' });
    const north = new Person(gateway, 'north-1');
    await north.next(notification(first.caseCode));
    const told = await north.next(notification(second.caseCode));
    expect(told).toContain(`May be the same event as ${first.caseCode}: send LINK ${second.caseCode} ${first.caseCode} to join them.`);
    // kanzi-1 may still be hearing news of the previous test's incident: wait for the answer itself.
    expect(await kanzi1.ask(`LINK ${second.caseCode} ${first.caseCode}`, 'You are not on the roster')).toContain(`You are not on the roster`);
    expect(await north.ask(`LINK ${second.caseCode} ${second.caseCode}`)).toBe(`${second.caseCode} cannot be linked to itself.`);
    expect(await north.ask(`LINK ${second.caseCode} ${first.caseCode}`)).toBe(`${second.caseCode} is now linked to ${first.caseCode} as the same event.`);
    const linked = await gateway.db.incident.findUniqueOrThrow({ where: { id: second.id } });
    expect(linked.duplicateOfId).toBe(first.id);
    expect((await gateway.db.escalation.findUniqueOrThrow({ where: { incidentId: second.id } })).timerKind).toBeNull();
    expect(await north.ask(`ACK ${second.caseCode}`)).toBe(`${second.caseCode} is linked to ${first.caseCode}: act on ${first.caseCode} instead.`);
    // Acknowledging and resolving the first closes the loop for both reporters.
    await north.ask(`ACK ${first.caseCode}`, 'You acknowledged');
    await north.ask(`RESOLVED ${first.caseCode} families sheltered at the school`, 'is resolved');
    const reporter1 = new Person(gateway, 'dup-reporter-1');
    const reporter2 = new Person(gateway, 'dup-reporter-2');
    await reporter1.next(`Your report ${first.caseCode} has been resolved`);
    await reporter2.next(`A responder is now working on your report ${second.caseCode}`);
    await reporter2.next(`Your report ${second.caseCode} has been resolved`);
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: second.id } })).status).toBe('resolved');
    const link = await gateway.db.incidentLink.findUniqueOrThrow({ where: { incidentId_candidateId: { incidentId: second.id, candidateId: first.id } } });
    expect(link).toMatchObject({ status: 'confirmed', decidedBy: 'responder:north-1' });
  });
});
