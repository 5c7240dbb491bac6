/** What the three core flows leave in the database, reached through the console channel. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleUser } from '../support/console.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway?.close();
});

/** A contact who chose English and declined the registration offered after it: idle at the menu. */
async function english(name: string): Promise<ConsoleUser> {
  const user = new ConsoleUser(gateway, name);
  await user.ask('hi');
  expect(await user.ask('1')).toMatch(/^Tell us where you live/);
  await user.say('no');
  const [later, menu] = await user.replies(2);
  expect(later).toMatch(/^No problem\. Send PROFILE/);
  expect(menu).toMatch(/^Hello! What would you like to do\?/);
  return user;
}

describe('flow effects', () => {
  it('an anonymous report becomes an incident linked to nobody; its code tells anyone the status', async () => {
    const reporter = await english('reporter-anon');
    await reporter.say('report');
    await reporter.replies(2);
    for (const answer of ['1', 'kanzi', 'yesterday', '40', 'high', 'Armed men burned two houses near the market']) await reporter.ask(answer);
    // Anonymous: the report's summary, then the confirmation question.
    await reporter.say('2');
    const [, confirm] = await reporter.replies(2);
    expect(confirm).toMatch(/^Send this report now\?/);
    await reporter.say('yes');
    const [thanks] = await reporter.replies(1);
    const code = /R-[A-Z2-9]{6}/.exec(thanks!)?.[0];
    expect(code).toBeDefined();
    const incident = await eventually(() => gateway.db.incident.findUnique({ where: { caseCode: code! } }));
    expect(incident).toMatchObject({ category: 'violence', severity: 'high', areaId: 'kanzi', affected: 40, anonymous: true, reporterContactId: null, reporterChannel: null });
    expect(incident.descriptionEnc).not.toContain('Armed men');
    expect(gateway.personalData.decrypt(incident.descriptionEnc)).toBe('Armed men burned two houses near the market');

    const other = await english('someone-else');
    expect(await other.ask(code!)).toBe(`Case ${code} was received and is waiting for a responder.`);
    expect(await other.ask('R-AAAAAA')).toBe('We found no case R-AAAAAA. Check the code and try again.');
  });

  it('survey answers are stored per question with area and demographics, without the contact', async () => {
    const user = await english('survey-person');
    await user.ask('survey');
    for (const answer of ['yes', '1', '3', 'Tessa', '1', '2', '4', '3', '3', '1', '1']) await user.ask(answer);
    await user.say('2');
    await user.replies(1);
    const answers = await eventually(async () => {
      const rows = await gateway.db.surveyAnswer.findMany();
      return rows.length > 0 ? rows : undefined;
    });
    expect(Object.fromEntries(answers.map((a) => [a.question, a.answer]))).toEqual({
      safe_home: 'very_safe',
      safe_market: 'fairly_safe',
      safe_water_point: 'not_safe',
      safe_travelling: 'not_very_safe',
      police_seen_as: 'threat',
      army_seen_as: 'protectors',
      would_report_abuse: 'yes',
      trust_local_committee: 'somewhat',
    });
    expect(new Set(answers.map((a) => a.responseId)).size).toBe(1);
    expect(answers.every((a) => a.areaId === 'tessa' && a.wave === 'baseline' && a.gender !== null && a.ageBand !== null)).toBe(true);
    const columns = Object.keys(answers[0]!);
    expect(columns).not.toContain('contactId');
  });

  it('a rumour check is stored encrypted with its area and channel', async () => {
    const user = await english('rumour-person');
    await user.ask('rumour');
    await user.ask('People say the water at the Kanzi well was poisoned');
    await user.say('1');
    await user.replies(2);
    const report = await eventually(() => gateway.db.rumourReport.findFirst({ where: { channel: 'console' } }));
    expect(report.areaId).toBe('kanzi');
    expect(report.textEnc).not.toContain('poisoned');
    expect(gateway.personalData.decrypt(report.textEnc)).toContain('poisoned');
  });
});
