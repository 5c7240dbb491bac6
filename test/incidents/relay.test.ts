/**
 * Questions relayed to a reporter, on the console channel through the whole gateway: the prompt
 * says to answer under the case code; only an answer given that way is relayed (in English,
 * French and Arabic, written as people write it), whether the reporter is idle or in the middle
 * of the survey, which goes on untouched; anything else (a greeting, a survey answer, a bare code)
 * is not taken as the answer, and the reporter is reminded once how to answer. A second answer
 * under a closed question is not passed on, and the reporter is told.
 */
import { describe, expect, it } from 'vitest';
import { CASE_CODE_ALPHABET } from '../../src/flow/case-code.js';
import { waitForIdle } from '../support/idle.js';
import { auditOf, fileReport, notificationAbout, Person, useIncidentGateway, type IncidentGateway } from './support.js';

let gateway: IncidentGateway;

useIncidentGateway((started) => (gateway = started));

let serial = 0;
/** A fresh case code holding a digit (so that even the run-together form is a code). */
function codeWithDigit(): string {
  serial++;
  const pick = () => CASE_CODE_ALPHABET[Math.floor(Math.random() * CASE_CODE_ALPHABET.length)]!;
  return `R-${pick()}${pick()}${'23456789'[serial % 8]}${pick()}${pick()}${pick()}`;
}

const ARABIC_INDIC = '٠١٢٣٤٥٦٧٨٩';

/** A report by `reporter` in `language`, its notification read by kanzi-1, and kanzi-1's question put. */
async function asked(reporter: string, language: string, question = 'where exactly?') {
  const kanzi1 = new Person(gateway, 'kanzi-1');
  const incident = await fileReport(gateway, { reporter, language, caseCode: codeWithDigit() });
  await kanzi1.next(notificationAbout(incident.caseCode));
  expect(await kanzi1.ask(`ASK ${incident.caseCode} ${question}`, incident.caseCode)).toBe(
    `Your question was sent to the reporter of ${incident.caseCode}. Their answer will come here.`,
  );
  return { incident, kanzi1, person: new Person(gateway, reporter) };
}

const relayOf = (incidentId: string) => gateway.db.incidentRelay.findFirstOrThrow({ where: { incidentId }, orderBy: { askedAt: 'desc' } });

describe('the question, as the reporter reads it', () => {
  it('says to start the answer with the case code, in the reporter’s language', async () => {
    for (const language of ['en', 'fr', 'ar']) {
      const { incident, person } = await asked(`prompt-${language}`, language, 'how many?');
      const code = incident.caseCode;
      const question = await person.next('how many?');
      expect(question).toBe(gateway.translator.t(language, 'incidents:reporter.question', { code, question: 'how many?' }));
      // The instruction names the code twice more: how to start, and an example.
      expect(question.split(code)).toHaveLength(4);
    }
    const english = gateway.translator.t('en', 'incidents:reporter.question', { code: 'R-7K3M9P', question: 'how many?' });
    expect(english).toBe('About your report R-7K3M9P, a responder asks: how many? To answer, start your message with R-7K3M9P, for example: R-7K3M9P your answer');
    expect(english).not.toMatch(/reply to this message/i);
  });
});

describe('answers under the case code', () => {
  const cases: { language: string; typed: (code: string) => string; answer: string }[] = [
    { language: 'en', typed: (c) => `${c} about twenty`, answer: 'about twenty' },
    { language: 'en', typed: (c) => `${c.toLowerCase()}: two badly hurt`, answer: 'two badly hurt' },
    { language: 'en', typed: (c) => `  (${c})  near the market.`, answer: 'near the market.' },
    { language: 'en', typed: (c) => `${c.replace('-', '')}, nobody saw it`, answer: 'nobody saw it' },
    { language: 'fr', typed: (c) => `${c.toLowerCase()} : près du puits`, answer: 'près du puits' },
    { language: 'fr', typed: (c) => `« ${c.replace('-', ' ')} » - une vingtaine`, answer: 'une vingtaine' },
    { language: 'ar', typed: (c) => `\u200f${c.replace(/\d/g, (d) => ARABIC_INDIC[Number(d)]!)}: عند البئر`, answer: 'عند البئر' },
    { language: 'ar', typed: (c) => `${c} حوالي ٢٠ شخصاً`, answer: 'حوالي ٢٠ شخصاً' },
  ];
  for (const [index, { language, typed, answer }] of cases.entries()) {
    it(`relays "${typed('R-7K3M9P')}" (${language}) to the responder who asked`, async () => {
      const { incident, kanzi1, person } = await asked(`answer-${index}`, language);
      const code = incident.caseCode;
      await person.next('where exactly?');
      expect(await person.ask(typed(code))).toBe(gateway.translator.t(language, 'incidents:reporter.answer_thanks', { code }));
      expect(await kanzi1.next(`The reporter of ${code} answers:`)).toBe(`The reporter of ${code} answers: ${answer}`);
      const relay = await relayOf(incident.id);
      expect(gateway.personalData.decrypt(relay.answerEnc!)).toBe(answer);
      const [audited] = await auditOf(gateway.db, incident.id, 'incident.answer');
      // The answer is personal data: encrypted in the audit detail, never in clear.
      expect(JSON.stringify(audited!.detail)).not.toContain(answer);
      expect(gateway.personalData.decrypt(audited!.detail.noteEnc as string)).toBe(answer);
    });
  }

  it('takes neither a message without the code nor a bare code as the answer, and tells of a closed question', async () => {
    const { incident, kanzi1, person } = await asked('not-an-answer', 'en');
    const code = incident.caseCode;
    await person.next('where exactly?');
    // An idle reporter's greeting goes to the flows; the reporter is reminded once how to answer.
    await person.say('hi');
    expect(await person.next('it was not passed on')).toBe(
      `If this was your answer to the question about ${code}, it was not passed on: send it again starting with ${code}, for example: ${code} your answer`,
    );
    await person.say('about twenty');
    await waitForIdle(gateway);
    expect(await person.all('it was not passed on')).toHaveLength(1);
    // A bare code asks for the status; the reporter is reminded of the question and how to answer.
    expect(await person.ask(code)).toBe(`Case ${code} was received and is waiting for a responder.`);
    expect(await person.next('is waiting for your answer')).toBe(
      `A responder's question about ${code} is waiting for your answer: where exactly? To answer, start your message with ${code}.`,
    );
    // Anyone else holding the code hears the status only.
    const stranger = new Person(gateway, 'holds-the-code');
    expect(await stranger.ask(code)).toBe(`Case ${code} was received and is waiting for a responder.`);
    // Another case's code: not this question's answer (the reporter was never asked about it).
    const other = await fileReport(gateway, { reporter: 'someone-else', caseCode: codeWithDigit() });
    await person.say(`${other.caseCode} about twenty`);
    await waitForIdle(gateway);
    expect((await relayOf(incident.id)).answeredAt).toBeNull();
    expect(await kanzi1.all(`The reporter of ${code} answers`)).toEqual([]);
    expect(await auditOf(gateway.db, incident.id, 'incident.answer')).toEqual([]);

    await person.ask(`${code} twenty`, 'was passed on');
    await kanzi1.next(`The reporter of ${code} answers: twenty`);
    // Once answered, the question is closed: a second answer is not passed on, and the reporter hears so.
    expect(await person.ask(`${code} and a child`)).toBe(
      `There is no open question about ${code}, so your message was not passed on. To see the status of your report, send ${code} alone.`,
    );
    await waitForIdle(gateway);
    expect(await kanzi1.all(`The reporter of ${code} answers: and a child`)).toEqual([]);
    expect(await stranger.all('waiting for your answer')).toEqual([]);
    // Answered, the question is no longer recalled with the status.
    await person.ask(code, 'Case');
    await waitForIdle(gateway);
    expect(await person.all('waiting for your answer')).toHaveLength(1);
  });
});

describe('a reporter in the middle of the survey', () => {
  it('gets the question, the survey keeps its answers, and the answer under the code is relayed', async () => {
    const person = new Person(gateway, 'surveyed-reporter');
    const kanzi1 = new Person(gateway, 'kanzi-1');
    const incident = await fileReport(gateway, { reporter: 'surveyed-reporter', caseCode: codeWithDigit() });
    const code = incident.caseCode;
    await kanzi1.next(notificationAbout(code));
    await person.next(`Your report ${code} has been passed`);
    // (Questions with choices are read with next: ask skips numbered lists.)
    await person.say('survey');
    await person.next('Do you agree to take part?');

    await kanzi1.ask(`ASK ${code} did the police come?`, 'Your question was sent');
    expect(await person.next('did the police come?')).toContain(`start your message with ${code}`);
    // The survey's own answers stay the survey's.
    await person.say('yes');
    await person.next('What is your gender?');
    expect((await relayOf(incident.id)).answeredAt).toBeNull();

    // The answer under the code goes to the responder, not to the survey...
    expect(await person.ask(`${code}: no, nobody came`)).toBe(
      `Thank you. Your answer about ${code} was passed on. Carry on with the conversation where you left it.`,
    );
    expect(await kanzi1.next(`The reporter of ${code} answers:`)).toBe(`The reporter of ${code} answers: no, nobody came`);
    // ...and the survey goes on from the question it was at.
    await person.say('1');
    await person.next('How old are you?');
    const session = await gateway.db.session.findFirstOrThrow({ where: { contactId: incident.reporterContactId!, status: 'active' } });
    expect(session.flowId).toBe('survey');
  });
});
