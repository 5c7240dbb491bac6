/**
 * The command line's incident actions other than ack and resolve (`incidents note`, `verify`,
 * `reassign`, `ask`, `link`), on a program built as src/cli.ts builds it, against a running test
 * gateway's database and queues. Each is judged by what it does: what responders and reporters
 * receive on their channel, what the incident and its escalation became, what the audit trail
 * keeps; a refused action changes nothing and ends the command with exit code 1.
 */
import { describe, expect, it } from 'vitest';
import { waitForIdle } from '../support/idle.js';
import { auditOf, fileReport, notificationAbout, Person, runIncidentCli, useIncidentGateway, type IncidentGateway } from './support.js';

let gateway: IncidentGateway;

/** Runs one command; its printed lines and the exit code it set (0 when it set none). */
async function cli(...args: string[]): Promise<{ lines: string[]; exitCode: number }> {
  const { lines, exitCode } = await runIncidentCli(gateway, ...args);
  return { lines, exitCode };
}

useIncidentGateway((started) => (gateway = started));

describe('incidents note', () => {
  it('adds the note to the timeline, sealed in the audit trail, and refuses an empty one', async () => {
    const incident = await fileReport(gateway, { description: 'Shots heard near the well' });
    expect(await cli('incidents', 'note', incident.caseCode, 'Road', 'blocked', 'at', 'the', 'bridge')).toEqual({ lines: [`Note added to ${incident.caseCode}.`], exitCode: 0 });
    const notes = await auditOf(gateway.db, incident.id, 'incident.note');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.actor).toMatch(/^cli:/);
    expect(notes[0]!.detail.channel).toBe('cli');
    // Stored sealed, read back in the timeline by staff.
    expect(JSON.stringify(notes[0]!.detail)).not.toContain('bridge');
    const shown = (await cli('incidents', 'show', incident.caseCode)).lines;
    expect(shown.find((l) => l.includes('incident.note'))).toContain('Road blocked at the bridge');

    expect(await cli('incidents', 'note', incident.caseCode)).toEqual({ lines: [`Write the note after the code: NOTE ${incident.caseCode} <text>.`], exitCode: 1 });
    expect(await auditOf(gateway.db, incident.id, 'incident.note')).toHaveLength(1);
  });
});

describe('incidents verify', () => {
  it('marks the incident false with a note, and refuses a word that is no verification', async () => {
    const incident = await fileReport(gateway);
    expect(await cli('incidents', 'verify', incident.caseCode, 'false', 'the', 'photo', 'is', 'from', '2019')).toEqual({ lines: [`${incident.caseCode} is marked false.`], exitCode: 0 });
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).verification).toBe('false');
    const [verified] = await auditOf(gateway.db, incident.id, 'incident.verified');
    expect(verified!.detail).toMatchObject({ from: 'pending', to: 'false', channel: 'cli' });

    expect(await cli('incidents', 'verify', incident.caseCode, 'perhaps')).toEqual({ lines: ['Send VERIFY <case code> true|false|unverified <note>.'], exitCode: 1 });
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).verification).toBe('false');

    expect((await cli('incidents', 'verify', incident.caseCode, 'true')).lines).toEqual([`${incident.caseCode} is marked verified.`]);
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } })).verification).toBe('verified');
  });
});

describe('incidents reassign', () => {
  it('hands an acknowledged incident to another committee, whose members are told at once, and it is open again', async () => {
    const incident = await fileReport(gateway, { areaId: 'kanzi' });
    await new Person(gateway, 'kanzi-1').next(notificationAbout(incident.caseCode));
    expect((await cli('incidents', 'ack', incident.caseCode)).exitCode).toBe(0);

    expect(await cli('incidents', 'reassign', incident.caseCode, 'oroma-peace')).toEqual({ lines: [`${incident.caseCode} was handed over to Oroma Peace Committee.`], exitCode: 0 });
    const handed = await new Person(gateway, 'oroma-1').next(notificationAbout(incident.caseCode));
    expect(handed).toContain('Handed over to your committee.');
    const row = await gateway.db.incident.findUniqueOrThrow({ where: { id: incident.id } });
    expect(row).toMatchObject({ status: 'open', acknowledgedBy: null });
    expect((await gateway.db.escalation.findUniqueOrThrow({ where: { incidentId: incident.id } })).assignedCommitteeId).toBe('oroma-peace');
  });

  it('refuses an unknown committee and, for a report about security forces, a security liaison, who is never told', async () => {
    const incident = await fileReport(gateway, { areaId: 'kanzi' });
    expect(await cli('incidents', 'reassign', incident.caseCode, 'no-such-committee')).toEqual({ lines: ['There is no committee "no-such-committee". Nothing was changed.'], exitCode: 1 });
    expect(await cli('incidents', 'reassign', incident.caseCode)).toEqual({ lines: ['Send REASSIGN <case code> <committee id>.'], exitCode: 1 });

    const abuse = await fileReport(gateway, { areaId: 'kanzi', category: 'security_force_abuse' });
    expect(await cli('incidents', 'reassign', abuse.caseCode, 'north-liaison')).toEqual({
      lines: [`${abuse.caseCode} cannot go to North Liaison: reports of this kind are never routed there. Nothing was changed.`],
      exitCode: 1,
    });
    expect(await auditOf(gateway.db, abuse.id, 'incident.reassigned')).toEqual([]);
    await waitForIdle(gateway);
    expect(await new Person(gateway, 'north-1').all(abuse.caseCode)).toEqual([]);
  });
});

describe('incidents ask', () => {
  it("relays the question to the reporter under the case code; the reporter's answer is thanked and shown in the timeline", async () => {
    const reporter = new Person(gateway, 'cli-asked-reporter');
    const incident = await fileReport(gateway, { reporter: 'cli-asked-reporter' });
    await reporter.next(`Your report ${incident.caseCode} has been passed`);
    expect(await cli('incidents', 'ask', incident.caseCode, 'How', 'many', 'houses', 'burned?')).toEqual({
      lines: [`Your question was sent to the reporter of ${incident.caseCode}. Their answer will come here.`],
      exitCode: 0,
    });
    const question = await reporter.next('a responder asks');
    expect(question).toBe(`About your report ${incident.caseCode}, a responder asks: How many houses burned? To answer, start your message with ${incident.caseCode}, for example: ${incident.caseCode} your answer`);
    expect(question).not.toMatch(/cli:|operator/);

    expect(await reporter.ask(`${incident.caseCode} Three houses`)).toBe(`Thank you. Your answer about ${incident.caseCode} was passed on.`);
    const shown = (await cli('incidents', 'show', incident.caseCode)).lines;
    expect(shown.find((l) => l.includes('incident.answer'))).toContain('Three houses');
  });

  it('refuses to ask an anonymous reporter, sending nothing, and refuses an empty question', async () => {
    const incident = await fileReport(gateway, { reporter: null });
    // Messages to anyone but the responders (the anonymous reporter's contact included).
    const toNonResponders = async () => {
      const responders = await gateway.db.responder.findMany({ select: { contactId: true } });
      return gateway.db.message.count({ where: { direction: 'out', contactId: { notIn: responders.map((r) => r.contactId) } } });
    };
    await waitForIdle(gateway);
    const before = await toNonResponders();
    expect(await cli('incidents', 'ask', incident.caseCode, 'Who', 'are', 'you?')).toEqual({
      lines: [`The reporter of ${incident.caseCode} cannot be asked: they are anonymous, did not agree to be contacted, or cannot be reached.`],
      exitCode: 1,
    });
    expect(await cli('incidents', 'ask', incident.caseCode)).toEqual({ lines: [`Write the question after the code: ASK ${incident.caseCode} <question>.`], exitCode: 1 });
    await waitForIdle(gateway);
    expect(await gateway.db.incidentRelay.count({ where: { incidentId: incident.id } })).toBe(0);
    expect(await toNonResponders()).toBe(before);
  });
});

describe('incidents link', () => {
  it('links a duplicate to the primary: its escalation stops and its reporter hears when the primary is acknowledged', async () => {
    const primary = await fileReport(gateway, { areaId: 'oroma' });
    const reporter = new Person(gateway, 'cli-duplicate-reporter');
    const duplicate = await fileReport(gateway, { areaId: 'oroma', reporter: 'cli-duplicate-reporter' });
    await reporter.next(`Your report ${duplicate.caseCode} has been passed`);
    expect(await cli('incidents', 'link', duplicate.caseCode, primary.caseCode)).toEqual({ lines: [`${duplicate.caseCode} is now linked to ${primary.caseCode} as the same event.`], exitCode: 0 });
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: duplicate.id } })).duplicateOfId).toBe(primary.id);
    expect(await gateway.db.escalation.findUniqueOrThrow({ where: { incidentId: duplicate.id } })).toMatchObject({ timerKind: null, timerAt: null });

    // Acting on the duplicate is redirected; acting on the primary reaches the duplicate's reporter.
    expect(await cli('incidents', 'ack', duplicate.caseCode)).toEqual({ lines: [`${duplicate.caseCode} is linked to ${primary.caseCode}: act on ${primary.caseCode} instead.`], exitCode: 1 });
    expect((await cli('incidents', 'ack', primary.caseCode)).exitCode).toBe(0);
    expect(await reporter.next(duplicate.caseCode)).toBe(`A responder is now working on your report ${duplicate.caseCode}.`);
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: duplicate.id } })).status).toBe('acknowledged');
  });

  it('refuses linking a report to itself, twice, or to what is not a case code', async () => {
    const primary = await fileReport(gateway, { areaId: 'oroma' });
    const other = await fileReport(gateway, { areaId: 'oroma' });
    expect(await cli('incidents', 'link', primary.caseCode, primary.caseCode)).toEqual({ lines: [`${primary.caseCode} cannot be linked to itself.`], exitCode: 1 });
    expect((await cli('incidents', 'link', other.caseCode, primary.caseCode)).exitCode).toBe(0);
    expect(await cli('incidents', 'link', other.caseCode, primary.caseCode)).toEqual({ lines: [`${other.caseCode} is already linked to ${primary.caseCode}.`], exitCode: 1 });
    expect(await cli('incidents', 'link', primary.caseCode, 'tomorrow')).toEqual({ lines: ['"tomorrow" is not a case code. Case codes look like R-7K3M9P. Nothing was changed.'], exitCode: 1 });
    expect((await gateway.db.incident.findUniqueOrThrow({ where: { id: primary.id } })).duplicateOfId).toBeNull();
  });
});
