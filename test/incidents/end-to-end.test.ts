/**
 * The whole path on real parts: a community member reports through the report flow on the
 * console channel, the local committee is told, a responder asks a question that is relayed to
 * the reporter and answered, acknowledges and resolves; the reporter hears each step under the
 * case code, and the case status the flow gives follows.
 */
import { describe, expect, it } from 'vitest';
import { Person, useIncidentGateway, type IncidentGateway } from './support.js';

let gateway: IncidentGateway;

useIncidentGateway((started) => (gateway = started));

describe('from a report in the flow to its resolution', () => {
  it('closes the loop', async () => {
    const reporter = new Person(gateway, 'flow-reporter');
    const kanzi1 = new Person(gateway, 'kanzi-1');
    await reporter.say('report');
    await reporter.next('What is happening?');
    for (const [answer, next] of [
      ['1', 'Where is it happening?'],
      ['Kanzi', 'When did it happen?'],
      ['today', 'how many people'],
      ['5', 'How serious is it?'],
      ['4', 'Describe what you see'],
      ['Men with machetes at the market', 'May we call you back'],
      ['1', 'Send this report now?'],
    ] as const) {
      await reporter.say(answer);
      await reporter.next(next);
    }
    await reporter.say('yes');
    const thanks = await reporter.next('Your case code is');
    const code = /R-[A-Z0-9]{6}/.exec(thanks)![0];
    await reporter.next(`Your report ${code} has been passed to the responders for your area.`);

    const notification = await kanzi1.next(code);
    expect(notification).toContain(`CRITICAL incident ${code}: violence in Kanzi.`);
    expect(notification).toContain('“Men with machetes at the market”');
    expect(notification).not.toContain('flow-reporter');

    expect(await kanzi1.ask(`ASK ${code} are people hurt?`)).toContain('Your question was sent');
    await reporter.next(`About your report ${code}, a responder asks: are people hurt?`);
    expect(await reporter.ask(`${code} two with cuts`)).toBe(`Thank you. Your answer about ${code} was passed on.`);
    expect(await kanzi1.next('answers:')).toBe(`The reporter of ${code} answers: two with cuts`);

    expect(await kanzi1.ask(`ACK ${code}`)).toContain(`You acknowledged ${code}`);
    await reporter.next(`A responder is now working on your report ${code}.`);
    expect(await reporter.ask(code)).toBe(`Case ${code} was received and a responder is working on it.`);

    expect(await kanzi1.ask(`RESOLVED ${code} the chief separated the groups`)).toContain(`${code} is resolved`);
    await reporter.next(`Your report ${code} has been resolved. Thank you for reporting.`);
    expect(await reporter.ask(code)).toBe(`Case ${code} is closed. Thank you for reporting.`);
    // Nothing the reporter got names a responder.
    expect((await reporter.all()).join('\n')).not.toMatch(/Kanzi One|Kanzi Two|chief/);
  }, 60_000);
});
