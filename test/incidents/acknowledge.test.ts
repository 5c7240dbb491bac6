/**
 * Acknowledgement and resolution from a channel (the console channel: text commands, buttons,
 * numbered answers), with scaled delays on real delayed jobs: an acknowledgement at each level
 * stops the ladder, late and duplicate acknowledgements are answered clearly, unknown codes and
 * people off the roster change nothing, the reporter hears acknowledged and resolved in their
 * language and never who handled it, an anonymous reporter is never told or identified.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { escalateTimerId } from '../../src/incidents/ladder-timers.js';
import { eventually } from '../support/gateway.js';
import { auditOf, fileReport, notificationAbout, Person, seedRoster, sleep, startIncidentGateway, steps, useIncidentGateway, type IncidentGateway } from './support.js';
import { waitForIdle } from '../support/idle.js';
import { createToken } from '../../src/admin/tokens.js';

let gateway: IncidentGateway;
// critical: 10 min -> 3 s, 10 min -> 3 s, 20 min -> 6 s; acknowledgement timeout 30 min -> 9 s.
const SCALE = 0.005;
const LEVEL_DELAY = 10 * 60_000 * SCALE;

useIncidentGateway((started) => (gateway = started), { delayScale: SCALE });

async function press(address: string, choiceId: string): Promise<void> {
  const response = await fetch(`${gateway.url}/webhooks/console`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-console-token': gateway.console!.token },
    body: JSON.stringify({ id: randomUUID(), address, choiceId }),
  });
  expect(response.status).toBe(200);
}

/** Waits for a responder's notification about `code`. */
async function notified(person: Person, code: string, timeoutMs = 15_000): Promise<string> {
  return person.next(notificationAbout(code), timeoutMs);
}

async function outboundCount(contactId: string): Promise<number> {
  return gateway.db.message.count({ where: { contactId, direction: 'out' } });
}

describe('acknowledging stops the ladder at every level', () => {
  it('stops at level 1 (local), 2 (regional) and 3 (national)', async () => {
    // Three incidents in Kanzi: the local, regional and national responder each acknowledge one.
    const cases = [];
    for (const level of [0, 1, 2] as const) {
      const responder = new Person(gateway, ['kanzi-1', 'north-1', 'nat-1'][level]!);
      cases.push({ responder, level, incident: await fileReport(gateway, { severity: 'critical', areaId: 'kanzi' }) });
    }
    await Promise.all(
      cases.map(async ({ responder, incident, level }) => {
        // Wait for this responder's notification (levels below come first).
        await eventually(async () => (await steps(gateway.db, incident.id)).some((s) => s.level === level), 20_000, `level ${level}`);
        await notified(responder, incident.caseCode);
        expect(await responder.ask(`ACK ${incident.caseCode}`)).toMatch(new RegExp(`You acknowledged ${incident.caseCode}`));
        const row = await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
        expect(row.status).toBe('acknowledged');
        expect(row.acknowledgedBy).toBe(`responder:${responder.address}`);
        // Wait past the next level's delay: nobody else is told.
        await sleep(LEVEL_DELAY * 2 + 500);
        const seen = await steps(gateway.db, incident.id);
        expect(seen.map((s) => s.level)).toEqual([0, 1, 2].slice(0, level + 1));
        const escalation = await gateway.db.escalation.findUniqueOrThrow({ where: { incidentId: incident.id } });
        expect(escalation.timerKind).toBe('ack_timeout');
        // The timer of the step that was next is gone from Redis (after the last level: the repeat round).
        const next = level < 2 ? escalateTimerId(incident.id, level + 1, 0) : escalateTimerId(incident.id, 0, 1);
        expect(await gateway.queues.timers.getJobState(next)).toBe('unknown');
      }),
    );
  }, 60_000);
});

describe('answers to acknowledgements', () => {
  it('answers a duplicate or late acknowledgement with who acknowledged, and changes nothing', async () => {
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const kanzi2 = new Person(gateway, 'kanzi-2');
    const incident = await fileReport(gateway, { severity: 'high' });
    await notified(kanzi1, incident.caseCode);
    await notified(kanzi2, incident.caseCode);
    expect(await kanzi1.ask(`ack ${incident.caseCode.toLowerCase()}`)).toContain(`You acknowledged ${incident.caseCode}`);
    // The other member hears who took it, then a late acknowledgement names them (in French).
    await kanzi2.next(`${incident.caseCode} a été pris en charge par Kanzi One`);
    expect(await kanzi2.ask(`RECU ${incident.caseCode}`)).toBe(`${incident.caseCode} est déjà pris en charge par Kanzi One. Rien n'a été modifié.`);
    expect(await kanzi1.ask(`ACK ${incident.caseCode}`)).toBe(`You already acknowledged ${incident.caseCode}.`);
    const acknowledged = await auditOf(gateway.db, incident.id, 'incident.acknowledged');
    expect(acknowledged).toHaveLength(1);
    expect(await kanzi1.ask(`RESOLVED ${incident.caseCode} calm again`)).toContain(`${incident.caseCode} is resolved`);
    expect(await kanzi2.ask(`RECU ${incident.caseCode}`, 'déjà')).toBe(`${incident.caseCode} est déjà résolu (par Kanzi One). Rien n'a été modifié.`);
  });

  it('answers an unknown code or something that is not a code, and changes nothing', async () => {
    const kanzi1 = new Person(gateway, 'kanzi-1');
    // Entries by kanzi-1 only: the earlier tests' incidents keep climbing the ladder meanwhile.
    const byKanzi1 = () => gateway.db.auditEntry.count({ where: { actor: 'responder:kanzi-1' } });
    const before = await byKanzi1();
    expect(await kanzi1.ask('ACK R-ZZZZZZ')).toBe('There is no case R-ZZZZZZ. Check the code. Nothing was changed.');
    expect(await kanzi1.ask('ACK 12345')).toBe('"12345" is not a case code. Case codes look like R-7K3M9P. Nothing was changed.');
    expect(await kanzi1.ask('RESOLVED')).toBe('Send RESOLVED <case code> <note>.');
    expect(await byKanzi1()).toBe(before);
  });

  it('refuses an acknowledgement from a responder who is not on the incident rosters', async () => {
    const oroma = new Person(gateway, 'oroma-1');
    const incident = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi' });
    expect(await oroma.ask(`ACK ${incident.caseCode}`)).toBe(`You are not on the roster for ${incident.caseCode}, so you cannot act on it. Nothing was changed.`);
    expect(await oroma.ask(`RESOLVED ${incident.caseCode} done`)).toContain('You are not on the roster');
    const row = await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(row.status).toBe('open');
    expect(row.acknowledgedBy).toBeNull();
    const refused = await auditOf(gateway.db, incident.id, 'incident.refused');
    expect(refused.map((r) => r.actor)).toEqual(['responder:oroma-1', 'responder:oroma-1']);
    // Somebody who is not a responder at all learns nothing about the code.
    const stranger = new Person(gateway, 'stranger');
    expect(await stranger.ask(`ACK ${incident.caseCode}`)).toBe('Only registered responders can use this command.');
    expect(await stranger.ask('ACK R-ZZZZZZ')).toBe('Only registered responders can use this command.');
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).status).toBe('open');
  });

  it('acknowledges and resolves with the notification buttons and with numbered answers', async () => {
    // "1" answers the last notification: the earlier tests' incidents, still climbing the ladder
    // every few seconds, are resolved first (through the API) so that none notifies north-1 meanwhile.
    const admin = await createToken(gateway.db, { name: 'ladder-stopper', role: 'admin' });
    for (const open of await gateway.db.incident.findMany({ where: { status: { in: ['open', 'acknowledged'] } } })) {
      const answer = await fetch(`${gateway.url}/api/v1/incidents/${open.caseCode}/resolve`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ note: 'closed before the numbered answers' }) });
      expect(answer.status).toBe(200);
    }
    await waitForIdle(gateway);
    const north = new Person(gateway, 'north-1');
    const one = await fileReport(gateway, { severity: 'critical', areaId: 'tessa' });
    await notified(north, one.caseCode);
    await press('north-1', `ack:${one.caseCode}`);
    await north.next(`You acknowledged ${one.caseCode}`);
    await press('north-1', `resolve:${one.caseCode}`);
    await north.next(`${one.caseCode} is resolved`);
    // On SMS the buttons are numbered: "1" answers the last notification.
    const two = await fileReport(gateway, { severity: 'critical', areaId: 'tessa' });
    await notified(north, two.caseCode);
    expect(await north.ask('1')).toContain(`You acknowledged ${two.caseCode}`);
    expect(await north.ask('2')).toContain(`${two.caseCode} is resolved`);
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: two.id } })).status).toBe('resolved');
    // Eastern Arabic and Persian digits are the same numbers.
    const three = await fileReport(gateway, { severity: 'critical', areaId: 'tessa' });
    await notified(north, three.caseCode);
    expect(await north.ask('١')).toContain(`You acknowledged ${three.caseCode}`);
    expect(await north.ask('۲')).toContain(`${three.caseCode} is resolved`);
  });
});

describe('closing the loop with the reporter', () => {
  it('tells the reporter received, acknowledged and resolved, in their language, without naming anyone', async () => {
    const reporter = new Person(gateway, 'reporter-fr');
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const incident = await fileReport(gateway, { severity: 'medium', reporter: 'reporter-fr', language: 'fr' });
    expect(await reporter.next(incident.caseCode)).toBe(`Votre signalement ${incident.caseCode} a été transmis aux intervenants de votre zone.`);
    await notified(kanzi1, incident.caseCode);
    await kanzi1.ask(`ACK ${incident.caseCode}`);
    expect(await reporter.next(incident.caseCode)).toBe(`Un intervenant s'occupe maintenant de votre signalement ${incident.caseCode}.`);
    await kanzi1.ask(`RESOLVED ${incident.caseCode} the groups were separated by elders`);
    const resolved = await reporter.next(incident.caseCode);
    expect(resolved).toBe(`Votre signalement ${incident.caseCode} a été traité. Merci de l'avoir signalé.`);
    expect(resolved).not.toMatch(/Kanzi|elders/);
    const resolvedEntry = (await auditOf(gateway.db, incident.id, 'incident.resolved'))[0]!;
    expect(resolvedEntry.actor).toBe('responder:kanzi-1');
    // The note is kept encrypted in the audit trail.
    expect(JSON.stringify(resolvedEntry.detail)).not.toContain('elders');
    expect(typeof resolvedEntry.detail.noteEnc).toBe('string');
  });

  it('never tells or identifies an anonymous reporter', async () => {
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const incident = await fileReport(gateway, { severity: 'critical', reporter: null });
    const row = await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(row.reporterContactId).toBeNull();
    expect(row.reporterChannel).toBeNull();
    await notified(kanzi1, incident.caseCode);
    expect(await kanzi1.ask(`ASK ${incident.caseCode} how many people were hurt?`)).toContain('cannot be asked');
    await kanzi1.ask(`ACK ${incident.caseCode}`);
    await kanzi1.ask(`RESOLVED ${incident.caseCode}`);
    await waitForIdle(gateway);
    // Every message about the incident went to responders only.
    const messages = await gateway.db.message.findMany({ where: { causeId: incident.id } });
    const responderContacts = new Set((await gateway.db.responder.findMany()).map((r) => r.contactId));
    expect(messages.length).toBeGreaterThan(0);
    for (const message of messages) expect(responderContacts.has(message.contactId!)).toBe(true);
    expect(await auditOf(gateway.db, incident.id, 'incident.reporter_notified')).toEqual([]);
    expect(await gateway.db.incidentRelay.count({ where: { incidentId: incident.id } })).toBe(0);
  });

  it('does not send the reporter anything when nobody acts', async () => {
    const reporter = await fileReport(gateway, { severity: 'low', reporter: 'quiet-reporter' });
    await waitForIdle(gateway);
    expect(await outboundCount(reporter.reporterContactId!)).toBe(1); // "received" only
  });
});

describe('the acknowledgement timeout', () => {
  it('re-triggers an acknowledged incident that is not resolved in time, then climbs again', async () => {
    // Its own gateway: 10 min -> 1.2 s, acknowledgement timeout 30 min -> 3.6 s.
    const fast = await startIncidentGateway({ delayScale: 0.002 });
    try {
      await seedRoster(fast);
      const kanzi1 = new Person(fast, 'kanzi-1');
      const incident = await fileReport(fast, { severity: 'critical' });
      await kanzi1.next(incident.caseCode);
      expect(await kanzi1.ask(`ACK ${incident.caseCode}`)).toContain('opens again in 4 s');
      const acknowledgedAt = Date.now();
      const again = await kanzi1.next('open again', 15_000);
      expect(Date.now() - acknowledgedAt).toBeGreaterThanOrEqual(3600 - 300);
      expect(again).toContain('Acknowledged but not resolved in time: open again.');
      expect(again).toContain(incident.caseCode);
      const retriggered = await auditOf(fast.db, incident.id, 'incident.retriggered');
      expect(retriggered).toHaveLength(1);
      expect(retriggered[0]!.detail).toMatchObject({ reason: 'ack_timeout', acknowledgedBy: 'responder:kanzi-1', level: 0, round: 1 });
      const row = await fast.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
      expect(row.status).toBe('open');
      expect(row.acknowledgedBy).toBeNull();
      // Unacknowledged again, it climbs to the regional level of the new round.
      await eventually(async () => (await steps(fast.db, incident.id)).some((s) => s.level === 1 && s.round === 1), 10_000, 'level 2 of round 1');
      expect((await steps(fast.db, incident.id)).map((s) => [s.level, s.round])).toEqual([
        [0, 0],
        [0, 1],
        [1, 1],
      ]);
      // The reporter was told "acknowledged" once, not again after the re-trigger.
      expect((await auditOf(fast.db, incident.id, 'incident.reporter_notified')).map((r) => r.detail.what)).toEqual(['received', 'acknowledged']);
    } finally {
      await fast.close();
    }
  }, 60_000);
});
