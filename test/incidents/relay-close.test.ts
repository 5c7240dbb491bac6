/**
 * Relayed questions that end without an answer, and the responder who asked hearing of it in
 * their language: a question that expires (after the policy file's `relay.expiresAfter`, on its
 * timer), one that cannot be put because the reporter opted out or was erased before it was
 * asked (refused at once), and one that can no longer be answered because the reporter opted out
 * or was erased after it was asked (found by the relay sweep). A question is closed once; an
 * answered one never is.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eraseContact } from '../../src/protection/index.js';
import { DEFAULT_POLICY_FILE } from '../../src/incidents/index.js';
import { waitForIdle } from '../support/idle.js';
import { auditOf, fileReport, notificationAbout, Person, useGatewayPerTest, useIncidentGateway, type IncidentGateway } from './support.js';

const relayOf = (gateway: IncidentGateway, incidentId: string) => gateway.db.incidentRelay.findFirstOrThrow({ where: { incidentId } });

describe('a question nobody answers', () => {
  const start = useGatewayPerTest();

  it('expires after the configured time, and the responder who asked is told once, in French', async () => {
    // The shipped policies with questions expiring after 2 s instead of 3 d.
    const shipped = readFileSync(DEFAULT_POLICY_FILE, 'utf8');
    expect(shipped).toMatch(/expiresAfter: 3d/);
    const dir = mkdtempSync(join(tmpdir(), 'relay-policies-'));
    const policyFile = join(dir, 'policies.yaml');
    writeFileSync(policyFile, shipped.replace('expiresAfter: 3d', 'expiresAfter: 2s'));
    // No sweep after start: the expiry timer alone must close it.
    const gateway = await start({ policyFile, relaySweepMs: 0 });

    const kanzi2 = new Person(gateway, 'kanzi-2');
    const incident = await fileReport(gateway, { reporter: 'quiet-reporter' });
    const code = incident.caseCode;
    await kanzi2.next(notificationAbout(code));
    expect(await kanzi2.ask(`QUESTION ${code} combien de blessés ?`, code)).toContain('Votre question a été transmise');
    const reporter = new Person(gateway, 'quiet-reporter');
    await reporter.next('combien de blessés ?');
    expect((await relayOf(gateway, incident.id)).closedAt).toBeNull();

    expect(await kanzi2.next('restée sans réponse')).toBe(
      `Votre question sur ${code} « combien de blessés ? » est restée sans réponse pendant 2 s et a été close. Pour la poser de nouveau, envoyez QUESTION ${code} <question>.`,
    );
    const relay = await relayOf(gateway, incident.id);
    expect(relay.closedReason).toBe('expired');
    expect(relay.answeredAt).toBeNull();
    expect((await auditOf(gateway.db, incident.id, 'incident.question_closed')).map((a) => a.detail)).toEqual([{ relayId: relay.id, reason: 'expired' }]);

    // A late answer is not relayed, and the reporter hears that it was not passed on.
    expect(await reporter.ask(`${code} twelve`)).toContain(`There is no open question about ${code}`);
    await waitForIdle(gateway);
    expect(await kanzi2.all('répond')).toEqual([]);
    expect(await kanzi2.all('restée sans réponse')).toHaveLength(1);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('a question that cannot reach the reporter', () => {
  let gateway: IncidentGateway;
  useIncidentGateway((started) => (gateway = started), { relaySweepMs: 100 });

  it('is refused at once when the reporter opted out or was erased before, in the responder’s language', async () => {
    const kanzi2 = new Person(gateway, 'kanzi-2');
    const stopped = await fileReport(gateway, { reporter: 'stopped-before' });
    await kanzi2.next(notificationAbout(stopped.caseCode));
    const reporter = new Person(gateway, 'stopped-before');
    await reporter.ask('STOP');
    expect(await kanzi2.ask(`QUESTION ${stopped.caseCode} qui était là ?`, stopped.caseCode)).toBe(
      `Impossible d'interroger la personne qui a signalé ${stopped.caseCode} : elle est anonyme, n'a pas accepté qu'on la recontacte ou n'est pas joignable.`,
    );

    const hr = new Person(gateway, 'hr-1');
    const erased = await fileReport(gateway, { reporter: 'erased-before', category: 'security_force_abuse' });
    await hr.next(erased.caseCode);
    await eraseContact(gateway.db, gateway.queues, erased.reporterContactId!, 'cli:test');
    expect(await hr.ask(`سؤال ${erased.caseCode} من كان هناك؟`, erased.caseCode)).toBe(
      gateway.translator.t('ar', 'incidents:reply.reporter_unreachable', { code: erased.caseCode }),
    );
    expect(await gateway.db.incidentRelay.count({ where: { incidentId: { in: [stopped.id, erased.id] } } })).toBe(0);
  });

  it('is closed when the reporter opts out after it was put, and the responder is told in English', async () => {
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const incident = await fileReport(gateway, { reporter: 'stops-after' });
    const code = incident.caseCode;
    await kanzi1.next(notificationAbout(code));
    await kanzi1.ask(`ASK ${code} which road?`, 'Your question was sent');
    const reporter = new Person(gateway, 'stops-after');
    await reporter.next('which road?');
    await reporter.say('stop');
    expect(await kanzi1.next('could not be put')).toBe(
      `Your question about ${code} “which road?” could not be put to the reporter: the message did not reach them, they opted out, or they were erased. It is closed.`,
    );
    const relay = await relayOf(gateway, incident.id);
    expect([relay.closedReason, relay.answeredAt]).toEqual(['undeliverable', null]);
    expect((await auditOf(gateway.db, incident.id, 'incident.question_closed')).map((a) => a.detail.reason)).toEqual(['undeliverable']);
  });

  it('is closed when the reporter is erased after it was put, and the responder is told in French', async () => {
    const kanzi2 = new Person(gateway, 'kanzi-2');
    const incident = await fileReport(gateway, { reporter: 'erased-after' });
    const code = incident.caseCode;
    await kanzi2.next(notificationAbout(code));
    await kanzi2.ask(`QUESTION ${code} quelle route ?`, 'Votre question a été transmise');
    await new Person(gateway, 'erased-after').next('quelle route ?');
    await eraseContact(gateway.db, gateway.queues, incident.reporterContactId!, 'cli:test');
    expect(await kanzi2.next("n'a pas atteint")).toBe(
      `Votre question sur ${code} « quelle route ? » n'a pas atteint la personne qui l'a signalé : le message ne lui est pas parvenu, elle s'est désinscrite ou elle a été effacée. La question est close.`,
    );
    expect((await relayOf(gateway, incident.id)).closedReason).toBe('undeliverable');
  });

  it('is never closed once answered, whatever the reporter does next', async () => {
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const reporter = new Person(gateway, 'answers-then-stops');
    const answered = await fileReport(gateway, { reporter: 'answers-then-stops' });
    const pending = await fileReport(gateway, { reporter: 'answers-then-stops' });
    await kanzi1.next(notificationAbout(answered.caseCode));
    await kanzi1.next(notificationAbout(pending.caseCode));
    await kanzi1.ask(`ASK ${answered.caseCode} how many cars?`, 'Your question was sent');
    await reporter.next('how many cars?');
    await reporter.ask(`${answered.caseCode} three`, 'was passed on');
    await kanzi1.next(`The reporter of ${answered.caseCode} answers: three`);
    await kanzi1.ask(`ASK ${pending.caseCode} what colour?`, 'Your question was sent');
    await reporter.next('what colour?');
    await reporter.say('STOP');
    // The sweep that closes the open question has looked at the answered one too.
    await kanzi1.next(`Your question about ${pending.caseCode} “what colour?” could not be put`);
    await waitForIdle(gateway);
    const relay = await relayOf(gateway, answered.id);
    expect([relay.closedAt, relay.closedReason]).toEqual([null, null]);
    expect(await auditOf(gateway.db, answered.id, 'incident.question_closed')).toEqual([]);
    expect(await kanzi1.all(`Your question about ${answered.caseCode}`)).toEqual([]);
  });
});
