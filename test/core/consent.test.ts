/**
 * Consent at the pipeline itself, seen through a whole gateway on the console channel: a stopped
 * contact's messages reach no flow (no session, no reply written, not only "not sent"; HELP alone is
 * answered, saying how to come back); a message
 * that merely begins with an opt-out word is an ordinary message; the local keywords and the
 * `*_KEYWORDS` variables decide what opts out, back in, and asks for help.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleUser } from '../support/console.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';

const STOPPED = 'You will get no more messages from us. Send START to come back.';
const HELP_STOPPED = 'You left this service and get no messages from us. To come back, send START.';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway?.close();
});

async function contactOf(address: string) {
  const identity = await gateway.db.contactIdentity.findUniqueOrThrow({
    where: { channel_addressHash: { channel: 'console', addressHash: gateway.personalData.hash('console', address) } },
  });
  return identity;
}

describe('a stopped contact', () => {
  it('reaches no flow: no session opens and no reply is written, let alone sent', async () => {
    const user = new ConsoleUser(gateway, 'stopped-reporter');
    await user.ask('hi');
    expect(await user.ask('STOP')).toBe(STOPPED);
    const identity = await contactOf('stopped-reporter');
    const outBefore = await gateway.db.message.count({ where: { contactId: identity.contactId, direction: 'out' } });
    await user.say('hi');
    await user.say('1');
    await waitForIdle(gateway);
    expect(await gateway.db.session.count({ where: { contactId: identity.contactId, status: 'active' } })).toBe(0);
    expect(await gateway.db.message.count({ where: { contactId: identity.contactId, direction: 'out' } })).toBe(outBefore);
    expect(await gateway.db.incident.count({ where: { reporterContactId: identity.contactId } })).toBe(0);
    expect(await user.unread()).toEqual([]);
    // Its messages are kept, not answered.
    expect(await gateway.db.message.count({ where: { contactId: identity.contactId, direction: 'in' } })).toBe(4);
  });

  it('asking for HELP while stopped gets the help answer (how to come back) and nothing else; START brings the flows back', async () => {
    const user = new ConsoleUser(gateway, 'stopped-helper');
    expect(await user.ask('stop')).toBe(STOPPED);
    await user.say('help');
    // HELP is always answered, a stopped contact included; the answer says how to come back.
    expect(await user.replies(1)).toEqual([HELP_STOPPED]);
    await waitForIdle(gateway);
    // Nothing else: no flow reply, and no conversation opened.
    expect(await user.unread()).toEqual([]);
    const identity = await contactOf('stopped-helper');
    expect(identity.stoppedAt).not.toBeNull();
    expect(await gateway.db.session.count({ where: { contactId: identity.contactId, status: 'active' } })).toBe(0);
    await user.say('start');
    // Back in, the menu follows at once (here the language choice: none was made yet).
    const [back, menu] = await user.replies(2);
    expect(back).toMatch(/^Welcome back/);
    expect(menu).toMatch(/1\. English/);
    expect(await user.ask('hi')).toMatch(/English/);
  });
});

describe('a message that merely begins with an opt-out word', () => {
  it.each(['STOP please', 'stopping by the market', 'Quit the road, it is blocked', 'end of the road'])('"%s" goes to the flows and stops nobody', async (text) => {
    const address = `not-stopping-${text.length}`;
    const user = new ConsoleUser(gateway, address);
    expect(await user.ask(text)).toMatch(/1\. English/);
    const identity = await contactOf(address);
    expect(identity.stoppedAt).toBeNull();
    expect(await gateway.db.session.count({ where: { contactId: identity.contactId, status: 'active' } })).toBe(1);
  });

  it('while an exact keyword, whatever its case and surrounding spaces, opts out', async () => {
    const user = new ConsoleUser(gateway, 'exact-stopper');
    expect(await user.ask('  sToP \n')).toBe(STOPPED);
    expect((await contactOf('exact-stopper')).stoppedAt).not.toBeNull();
  });
});

describe('opting out', () => {
  it.each([
    ['Stop.', 'stop-full-stop'],
    ['STOP!', 'stop-exclamation'],
    ['«stop»', 'stop-quoted'],
    // A keyword of two words, typed with two spaces between them.
    ['إلغاء  الاشتراك', 'ar-unsubscribe-two-spaces'],
  ])('"%s" opts out: the punctuation around a keyword and the spaces inside it do not matter', async (text, address) => {
    const user = new ConsoleUser(gateway, address);
    expect(await user.ask(text)).toBe(STOPPED);
    expect((await contactOf(address)).stoppedAt).not.toBeNull();
  });

  it('a keyword spelled out with spaces ("S T O P") is an ordinary message', async () => {
    const user = new ConsoleUser(gateway, 'spelled-apart');
    expect(await user.ask('S T O P')).toMatch(/1\. English/);
    expect((await contactOf('spelled-apart')).stoppedAt).toBeNull();
  });

  it("ends the sender's conversation only: another contact in the middle of a flow carries on", async () => {
    const staying = new ConsoleUser(gateway, 'mid-flow-stays');
    await staying.ask('hi');
    // At the language question of the welcome flow.
    const leaving = new ConsoleUser(gateway, 'mid-flow-leaves');
    await leaving.ask('hi');
    expect(await leaving.ask('STOP')).toBe(STOPPED);
    const stayer = await contactOf('mid-flow-stays');
    expect(await gateway.db.session.count({ where: { contactId: stayer.contactId, status: 'active' } })).toBe(1);
    // "1" still answers the language question (English), not a new conversation's first message.
    expect(await staying.ask('1')).toMatch(/^Tell us where you live/);
  });

  it('confirms once: STOP from a contact already stopped gets no second confirmation', async () => {
    const user = new ConsoleUser(gateway, 'stops-twice');
    expect(await user.ask('STOP')).toBe(STOPPED);
    await user.say('STOP');
    await waitForIdle(gateway);
    expect(await user.unread()).toEqual([]);
    const identity = await contactOf('stops-twice');
    expect(await gateway.db.message.count({ where: { contactId: identity.contactId, direction: 'out' } })).toBe(1);
  });
});

describe('the local consent keywords shipped by default', () => {
  it.each([
    ['ARRÊT', 'fr-stop-accent'],
    ['arret', 'fr-stop-plain'],
    ['قف', 'ar-stop'],
    ['توقف', 'ar-stop-2'],
  ])('%s opts out', async (word, address) => {
    const user = new ConsoleUser(gateway, address);
    await user.ask(word);
    expect((await contactOf(address)).stoppedAt).not.toBeNull();
  });

  it('DÉMARRER and ابدأ opt back in; AIDE and مساعدة ask for help', async () => {
    const fr = new ConsoleUser(gateway, 'fr-resumer');
    await fr.ask('ARRET');
    expect(await fr.ask('démarrer')).toMatch(/^Welcome back|^Bon retour/);
    expect((await contactOf('fr-resumer')).stoppedAt).toBeNull();
    const ar = new ConsoleUser(gateway, 'ar-resumer');
    await ar.ask('قف');
    await ar.ask('ابدأ');
    expect((await contactOf('ar-resumer')).stoppedAt).toBeNull();
    expect(await new ConsoleUser(gateway, 'fr-help').ask('aide')).toMatch(/SMS/);
    expect(await new ConsoleUser(gateway, 'ar-help').ask('مساعدة')).toMatch(/SMS/);
  });
});

describe('the *_KEYWORDS variables', () => {
  it('replace the lists: an extra word opts out, in and asks for help, and a word left out is ordinary', async () => {
    const own = await startTestGateway({ OPT_OUT_KEYWORDS: 'STOP,BASI', OPT_IN_KEYWORDS: 'START,ANZA', HELP_KEYWORDS: 'HELP,MSAADA' });
    try {
      const user = new ConsoleUser(own, 'swahili');
      expect(await user.ask('basi')).toBe(STOPPED);
      await user.say('Anza');
      // Back in, the person gets the menu (here the language choice: none was made yet).
      const [back, menu] = await user.replies(2);
      expect(back).toMatch(/^Welcome back/);
      expect(menu).toMatch(/1\. English/);
      await user.say('msaada');
      // The help, then the waiting question again.
      const [help, again] = await user.replies(2);
      expect(help).toMatch(/SMS is not encrypted/);
      expect(again).toBe(menu);
      // QUIT is not in the list any more: it goes to the flows.
      expect(await user.ask('QUIT')).toMatch(/1\. English/);
      const identity = await own.db.contactIdentity.findFirstOrThrow({ where: { channel: 'console' } });
      expect(identity.stoppedAt).toBeNull();
    } finally {
      await own.close();
    }
  });
});
