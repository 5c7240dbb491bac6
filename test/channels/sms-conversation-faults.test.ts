/**
 * Conversation faults found by trying the gateway over SMS as a community member would (issue 11),
 * each through the real Twilio adapter: a signed webhook in, the reply sent through the SDK to the
 * local fake of Twilio's API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { countSegments } from '../../src/segments.js';
import { inboundSms, startProviders, webhooksTo, type GatewayWebhooks, type Providers } from '../support/providers.js';

let gateway: TestGateway;
let providers: Providers<'sms'>;
let webhooks: GatewayWebhooks;

beforeAll(async () => {
  providers = await startProviders(['sms']);
  gateway = await startTestGateway(providers.env);
  webhooks = webhooksTo(gateway.url);
});

afterAll(async () => {
  await gateway?.close();
  await providers?.close();
});

/** A person texting the gateway: each `say` returns the SMS bodies sent back to them since. */
function person(from: string) {
  let seen = 0;
  return async (text: string): Promise<string[]> => {
    expect((await webhooks.sms(inboundSms(from, text))).status).toBe(200);
    await waitForIdle(gateway);
    const all = providers.sms.messages().filter((m) => m.form.To === from).map((m) => String(m.form.Body));
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh;
  };
}

function contactOf(address: string) {
  return gateway.db.contactIdentity.findUniqueOrThrow({
    where: { channel_addressHash: { channel: 'sms', addressHash: gateway.personalData.hash('sms', address) } },
  });
}

describe('the leave word', () => {
  it('MENU at the French report description leaves: the menu is shown and nothing is reported', async () => {
    const say = person('+15550110001');
    await say('Bonjour');
    await say('2'); // no registration now
    await say('signaler');
    for (const answer of ['1', 'kanzi', 'hier', '10', '2']) await say(answer);
    const left = await say('  Menu !');
    expect(left.join('\n')).toMatch(/^Bonjour ! Que voulez-vous faire \?/);
    const { contactId } = await contactOf('+15550110001');
    expect(await gateway.db.incident.count({ where: { reporterContactId: contactId } })).toBe(0);
    // The next answer picks from the menu.
    expect((await say('1')).join('\n')).toMatch(/^Signaler un incident/);
  });

  it('قائمة at the Arabic rumour question leaves and is not recorded as a rumour', async () => {
    const say = person('+15550110002');
    await say('شائعة');
    const left = await say('قائمة');
    // The welcome flow follows: its first step for this new contact is the registration offer.
    expect(left.join('\n')).toMatch(/^أخبرنا أين تسكن/);
    expect(await gateway.db.rumourReport.count()).toBe(0);
  });
});

describe('HELP in the middle of a conversation', () => {
  it('AIDE during the French report sends the help, then asks the waiting question again; the answer goes on', async () => {
    const say = person('+15550110003');
    await say('Bonjour');
    await say('2');
    await say('signaler');
    await say('1');
    const help = await say('AIDE');
    expect(help).toHaveLength(2);
    expect(help[0]).toMatch(/^Ce service permet de signaler/);
    expect(help[1]).toMatch(/^Où cela se passe-t-il \?/);
    expect((await say('kanzi')).join('\n')).toMatch(/^Quand cela s'est-il passé/);
  });
});

describe('the French report by SMS', () => {
  it('summarises the description, the number of people and the day as French write it, and costs GSM-7 segments', async () => {
    const from = '+15550110004';
    const say = person(from);
    await say('Bonjour');
    await say('2');
    await say('signaler');
    for (const answer of ['2', 'kanzi', '25/12', 'environ 40', '3']) await say(answer);
    await say("Une trentaine d'hommes armés traversent le village depuis la route du nord et demandent les chefs");
    const summary = (await say('2'))[0]!;
    expect(summary).toMatch(/^Votre signalement : Mouvement de groupes armés, à Kanzi, quand : 25\/12\/\d{4}, personnes touchées : 40, gravité : Élevée\. "Une trentaine d'hommes armés traversent le village depuis\.\.\."/);
    const done = await say('oui');
    expect(done.at(-1)).toBe("Pour votre sécurité, supprimez cette conversation SMS de votre téléphone. Gardez votre code de dossier à l'abri des regards.");
    // The report is anonymous: the only incident of this file, found without its reporter.
    const incident = await gateway.db.incident.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    // The stored day stays ISO.
    expect(incident.occurredAt).toMatch(/^\d{4}-12-25/);
    // What Twilio received, and bills: the summary and the safety text are GSM-7.
    expect(countSegments(summary)).toMatchObject({ encoding: 'GSM-7', segments: 2 });
    expect(countSegments(done.at(-1)!)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });
});

describe('stopping and coming back in French', () => {
  it('the STOP reply names the French opt-in word; after DEMARRER the menu is shown and the next 2 picks its item 2', async () => {
    const say = person('+15550110005');
    await say('Bonjour');
    await say('2');
    expect(await say('STOP')).toEqual(['Vous ne recevrez plus nos messages. Envoyez DÉMARRER ou START pour revenir.']);
    const back = await say('Demarrer');
    expect(back[0]).toMatch(/^Bon retour\./);
    expect(back[1]).toMatch(/^Bonjour ! Que voulez-vous faire \?\n1\. /);
    // Item 2 of the menu is the survey.
    expect((await say('2')).join('\n')).toMatch(/^Court sondage/);
  });
});

describe('the French profile', () => {
  it('says the home area is "non indiquée" (zone is feminine) and offers options as full as the English ones', async () => {
    const say = person('+15550110007');
    // A French greeting sets French, and the registration is offered once the language is known.
    expect((await say('Bonjour')).join('\n')).toMatch(/^Dites-nous où vous habitez/);
    expect((await say('2')).join('\n')).toMatch(/Bonjour ! Que voulez-vous faire \?/);
    const shown = (await say('PROFIL')).join('\n');
    // As SMS sends it: ç and â are outside GSM-7 and take their base letter (src/sms-letters.ts).
    expect(shown).toContain("Zone d'habitation : non indiquée\nLangue : Francais");
    expect(shown).toContain('1. Ma zone\n2. Genre et age\n3. Effacer mon profil\n4. Le garder');
    expect(await say('rien')).toEqual(["Votre profil n'a pas changé."]);
  });
});
