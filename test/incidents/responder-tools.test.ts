/**
 * A responder's own tools in the chat, on the console channel through the whole gateway: HELP
 * lists the responder commands in the responder's language (community members keep the
 * community help); LIST (LISTE, الحوادث) shows the open incidents of their committees with code,
 * severity, state and time waiting, most severe first; a case code gives the responder's view of
 * an incident on their rosters (audited), and the reporter-facing status to anyone else.
 */
import { describe, expect, it } from 'vitest';
import { LIST_MAX } from '../../src/incidents/responder-views.js';
import { countSegments } from '../../src/segments.js';
import { auditOf, fileReport, notificationAbout, Person, useGatewayPerTest, useIncidentGateway, type IncidentGateway } from './support.js';

describe('HELP from a responder', () => {
  let gateway: IncidentGateway;
  useIncidentGateway((started) => (gateway = started));

  it('lists the responder commands in the responder’s language, whatever help word they use', async () => {
    const english = await new Person(gateway, 'kanzi-1').ask('HELP');
    expect(english.split('\n')[0]).toBe('Responder commands:');
    for (const command of ['LIST', '<case code>', 'ACK <code>', 'RESOLVED <code> <note>', 'NOTE <code>', 'ASK <code> <question>', 'VERIFY <code>', 'REASSIGN <code>', 'LINK <code>', 'STOP']) {
      expect(english).toContain(command);
    }
    expect(await new Person(gateway, 'kanzi-2').ask('aide')).toBe(gateway.translator.t('fr', 'incidents:responder.help'));
    expect(await new Person(gateway, 'kanzi-2').ask('Help?')).toContain('Commandes des intervenants :');
    expect(await new Person(gateway, 'hr-1').ask('مساعدة')).toBe(gateway.translator.t('ar', 'incidents:responder.help'));
    expect(gateway.translator.t('ar', 'incidents:responder.help')).toContain('الحوادث');
  });

  it('costs at most 3 SMS segments, plain GSM-7 in English and French', () => {
    for (const language of ['en', 'fr']) {
      expect(countSegments(gateway.translator.t(language, 'incidents:responder.help'))).toMatchObject({ encoding: 'GSM-7', segments: 3 });
    }
  });

  it('leaves the community help to everyone else, and the way back to a responder who opted out', async () => {
    expect(await new Person(gateway, 'a-neighbour').ask('HELP')).toBe(gateway.translator.t('en', 'system:consent.help'));
    const north = new Person(gateway, 'north-1');
    await north.ask('STOP');
    expect(await north.ask('HELP')).toBe(gateway.translator.t('en', 'system:consent.help_stopped'));
  });
});

describe('LIST', () => {
  const start = useGatewayPerTest();
  const waiting = String.raw`\d+(\.\d)? (s|min)`;

  it('shows the open incidents told to the responder’s committees, most severe first, with state and time waiting', async () => {
    const gateway = await start();
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const critical = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi' });
    const low = await fileReport(gateway, { severity: 'low', areaId: 'kanzi', category: 'displacement' });
    const high = await fileReport(gateway, { severity: 'high', areaId: 'kanzi', category: 'hate_speech' });
    const resolved = await fileReport(gateway, { severity: 'medium', areaId: 'kanzi' });
    const duplicate = await fileReport(gateway, { severity: 'high', areaId: 'kanzi', category: 'hate_speech' });
    const elsewhere = await fileReport(gateway, { severity: 'critical', areaId: 'oroma' });
    for (const incident of [critical, low, high, resolved, duplicate]) await kanzi1.next(notificationAbout(incident.caseCode));
    await kanzi1.ask(`ACK ${high.caseCode}`, 'You acknowledged');
    await kanzi1.ask(`RESOLVED ${resolved.caseCode} calm again`, 'is resolved');
    await kanzi1.ask(`LINK ${duplicate.caseCode} ${high.caseCode}`, 'is now linked');

    const list = (await kanzi1.ask('LIST')).split('\n');
    expect(list).toHaveLength(5);
    expect(list[0]).toBe('Open incidents of your committees: 3');
    expect(list[1]).toMatch(new RegExp(`^${critical.caseCode} CRITICAL violence, Kanzi: not acknowledged, waiting ${waiting}$`));
    expect(list[2]).toMatch(new RegExp(`^${high.caseCode} HIGH hate speech, Kanzi: acknowledged by Kanzi One, open ${waiting}$`));
    expect(list[3]).toMatch(new RegExp(`^${low.caseCode} Low displacement, Kanzi: not acknowledged, waiting ${waiting}$`));
    expect(list[4]).toBe('Send a case code for details.');
    expect(list.join('\n')).not.toContain(elsewhere.caseCode);

    // The same list for the other member of the committee, in French, however the word is typed.
    const french = (await new Person(gateway, 'kanzi-2').ask(' liste. ')).split('\n');
    expect(french[0]).toBe('Dossiers ouverts de vos comités : 3');
    expect(french[1]).toMatch(new RegExp(`^${critical.caseCode} CRITIQUE violence, Kanzi : non pris en charge, en attente depuis ${waiting}$`));
    expect(french.slice(1, 4).map((line) => line.split(' ')[0])).toEqual([critical.caseCode, high.caseCode, low.caseCode]);

    // Another committee sees its own; a committee not told yet (the next level up) sees none.
    const oroma = (await new Person(gateway, 'oroma-1').ask('List')).split('\n');
    expect(oroma.slice(0, 2).map((line) => line.split(':')[0])).toEqual(['Open incidents of your committees', `${elsewhere.caseCode} CRITICAL violence, Oroma`]);
    expect(await new Person(gateway, 'north-1').ask('LIST')).toBe('No open incidents for your committees.');
  });

  it('is in Arabic for an Arabic-speaking desk, and stays a flow word for community members', async () => {
    const gateway = await start();
    const abuse = await fileReport(gateway, { severity: 'high', areaId: 'kanzi', category: 'security_force_abuse' });
    const hr = new Person(gateway, 'hr-1');
    await hr.next(abuse.caseCode);
    const arabic = (await hr.ask('الحوادث')).split('\n');
    expect(arabic[0]).toBe(gateway.translator.t('ar', 'incidents:responder.list_header', { count: 1 }));
    expect(arabic[1]).toContain(abuse.caseCode);
    expect(arabic[1]).toContain(gateway.translator.t('ar', 'incidents:category.security_force_abuse'));
    expect(arabic[1]).toContain('ينتظر منذ');
    // The area by its Arabic name (the gazetteer's alias), not Kanzi.
    expect(arabic[1]).toMatch(/\u2068?كانزي/);
    expect(arabic[1]).not.toContain('Kanzi');

    // "list" from someone who is not a responder is an ordinary message for the flows.
    const neighbour = new Person(gateway, 'list-neighbour');
    await neighbour.say('list');
    const reply = await neighbour.next(/./);
    expect(reply).not.toContain('Open incidents');
    expect(reply).not.toContain('Only registered responders');
  });

  it(`shows at most ${LIST_MAX} and counts the rest`, async () => {
    const gateway = await start();
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const filed = [];
    for (let i = 0; i < LIST_MAX + 2; i++) filed.push(await fileReport(gateway, { severity: 'critical', areaId: 'kanzi', category: i % 2 ? 'violence' : 'hate_speech' }));
    for (const incident of filed) await kanzi1.next(notificationAbout(incident.caseCode));
    const list = (await kanzi1.ask('LIST')).split('\n');
    expect(list[0]).toBe(`Open incidents of your committees: ${LIST_MAX + 2}`);
    expect(list).toHaveLength(LIST_MAX + 3);
    expect(list.at(-2)).toBe('And 2 more.');
    // Equal severity: the longest waiting first.
    expect(list.slice(1, LIST_MAX + 1).map((line) => line.split(' ')[0])).toEqual(filed.slice(0, LIST_MAX).map((i) => i.caseCode));
  });
});

describe('a case code from a responder', () => {
  let gateway: IncidentGateway;
  useIncidentGateway((started) => (gateway = started));

  it('gives the responder’s view of an incident on their rosters, audited, and the status to anyone else', async () => {
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const incident = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi', reporter: 'viewed-reporter', description: 'Men with machetes near the school' });
    const code = incident.caseCode;
    await kanzi1.next(notificationAbout(code));

    const view = (await kanzi1.ask(code)).split('\n');
    expect(view[0]).toBe(`CRITICAL incident ${code}: violence in Kanzi.`);
    expect(view[1]).toMatch(/^Not acknowledged yet; waiting \d+ s\.$/);
    expect(view.slice(2)).toEqual([
      'People affected: 12.',
      'When: today.',
      '“Men with machetes near the school”',
      'Verification: not checked yet.',
      `Reply ACK ${code} to take it, RESOLVED ${code} <note> when it is handled.`,
    ]);
    const viewed = await auditOf(gateway.db, incident.id, 'incident.viewed');
    expect(viewed.map((v) => [v.actor, v.detail])).toEqual([['responder:kanzi-1', { via: 'chat', channel: 'console' }]]);

    // Typed loosely, it is still the code.
    expect(await kanzi1.ask(` ${code.toLowerCase().replace('-', ' ')} `)).toContain(`CRITICAL incident ${code}`);

    // Not on the rosters: the status any holder of the code gets.
    expect(await new Person(gateway, 'oroma-1').ask(code)).toBe(`Case ${code} was received and is waiting for a responder.`);
    expect(await auditOf(gateway.db, incident.id, 'incident.viewed')).toHaveLength(2);

    // Acknowledged, with a question waiting, seen by the French-speaking member.
    await kanzi1.ask(`ACK ${code}`, 'You acknowledged');
    await kanzi1.ask(`ASK ${code} how many?`, 'Your question was sent');
    const french = (await new Person(gateway, 'kanzi-2').ask(code)).split('\n');
    expect(french[0]).toBe(gateway.translator.t('fr', 'incidents:notify.headline', { severity: 'CRITIQUE', code, category: 'violence', area: 'Kanzi' }));
    expect(french).toContainEqual(expect.stringMatching(/^Pris en charge par Kanzi One ; ouvert depuis \d+ s\.$/));
    expect(french).toContain('Questions en attente de la réponse de la personne qui a signalé : 1.');
    // Taken already: only resolving is left to say.
    expect(french.at(-1)).toBe(`Envoyez RESOLU ${code} <note> une fois traité.`);
    expect(french.join('\n')).not.toContain('RECU');

    // Resolved: who resolved it, and no commands.
    await kanzi1.ask(`RESOLVED ${code} the chief came`, 'is resolved');
    const closed = await kanzi1.ask(code);
    expect(closed).toContain('Resolved by Kanzi One.');
    expect(closed).not.toContain('Reply ACK');
  });
});
