/**
 * The whole path on real parts: console webhook -> ingest -> inbound queue -> pipeline and flow
 * engine -> outbound queue -> console adapter, against real Redis and the test database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleUser } from '../support/console.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';

let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway?.close();
});

async function post(body: unknown, token = gateway.console!.token): Promise<Response> {
  return fetch(`${gateway.url}/webhooks/console`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-console-token': token },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('the message pipeline through the console channel', () => {
  it('answers a first message with the language choice, then the menu in the chosen language', async () => {
    const user = new ConsoleUser(gateway, 'amina');
    const first = await user.ask('hi');
    expect(first).toMatch(/1\. English\n\s+2\. Français\n\s+3\. العربية/);
    const replies = await (async () => {
      await user.say('2');
      // The registration is offered once after the first language choice; "2" leaves it for later.
      expect((await user.replies(1))[0]).toMatch(/^Dites-nous où vous habitez/);
      await user.say('2');
      return user.replies(2);
    })();
    expect(replies.join('\n')).toMatch(/Signaler/);
    const contact = await gateway.db.contact.findFirstOrThrow({ where: { language: 'fr' } });
    expect(contact.status).toBe('active');
  });

  it('ingests a repeated provider message once and replies once', async () => {
    const user = new ConsoleUser(gateway, 'repeat-sender');
    const id = 'provider-message-1';
    expect(await user.say('hi', id)).toBe(200);
    expect(await user.say('hi', id)).toBe(200);
    await user.replies(1);
    await waitForIdle(gateway);
    const inbound = await gateway.db.message.findMany({ where: { channel: 'console', direction: 'in', providerId: id } });
    expect(inbound).toHaveLength(1);
    const message = inbound[0]!;
    const outbound = await gateway.db.message.count({ where: { causeId: message.id } });
    expect(outbound).toBe(1);
    expect(await user.unread()).toEqual([]);
  });

  it('keeps addresses and texts encrypted at rest', async () => {
    const user = new ConsoleUser(gateway, '+254700123456');
    await user.ask('hi there, the market in Kanzi is burning');
    const identities = await gateway.db.$queryRawUnsafe<Record<string, unknown>[]>('SELECT * FROM "ContactIdentity"');
    const messages = await gateway.db.$queryRawUnsafe<Record<string, unknown>[]>('SELECT * FROM "Message"');
    const raw = JSON.stringify([identities, messages]);
    expect(identities.length).toBeGreaterThan(0);
    expect(raw).not.toContain('254700123456');
    expect(raw).not.toContain('market in Kanzi');
    expect(raw).not.toContain('English');
  });

  it('lets STOP win over a running flow, sends nothing after it, and START resumes', async () => {
    const user = new ConsoleUser(gateway, 'stopper');
    await user.ask('hi');
    const stopped = await user.ask(' stop ');
    expect(stopped).toBe('You will get no more messages from us. Send START to come back.');
    await user.say('hi');
    await waitForIdle(gateway);
    expect(await user.unread()).toEqual([]);
    const identity = await eventually(() => gateway.db.contactIdentity.findFirst({ where: { stoppedAt: { not: null } } }));
    expect(identity.stoppedAt).toBeInstanceOf(Date);
    await user.say('START');
    // Back in, the menu follows at once (here the language choice: none was made yet).
    const [back, menu] = await user.replies(2);
    expect(back).toMatch(/^Welcome back/);
    expect(menu).toMatch(/1\. English/);
    expect(await user.ask('hi')).toMatch(/English/);
  });

  it('passes YES to the flow when the contact has not opted out (opt-in words only resume a stopped contact)', async () => {
    const user = new ConsoleUser(gateway, 'survey-taker');
    await user.ask('hi');
    await user.ask('1');
    await user.say('2');
    await user.replies(2);
    expect(await user.ask('2')).toMatch(/Do you agree to take part\?/);
    const next = await user.ask('yes');
    expect(next).not.toMatch(/Welcome back/);
    expect(next).toMatch(/1\. /);
  });

  it('answers HELP before any flow and warns that SMS is not encrypted', async () => {
    const user = new ConsoleUser(gateway, 'helper');
    expect(await user.ask('help')).toMatch(/SMS is not encrypted/);
  });

  it('refuses a forged token with 401 and a malformed body with 400, storing nothing', async () => {
    const before = await gateway.db.message.count();
    expect((await post({ id: 'x1', address: 'a', text: 'hi' }, 'forged')).status).toBe(401);
    expect((await post('{not json')).status).toBe(400);
    expect((await post({ address: 'a', text: 'no id' })).status).toBe(400);
    expect(await gateway.db.message.count()).toBe(before);
  });

  it('reports health and readiness', async () => {
    expect(await (await fetch(`${gateway.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${gateway.url}/readyz`)).json()).toEqual({ status: 'ready' });
  });
});
