/** Flows started by staff or a schedule: survey waves for an area, and a contact who is busy. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/admin/tokens.js';
import { ConsoleUser } from '../support/console.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
let coordinator: string;
beforeAll(async () => {
  gateway = await startTestGateway();
  coordinator = (await createToken(gateway.db, { name: 'survey team', role: 'coordinator' })).token;
});
afterAll(async () => {
  await gateway?.close();
});

/**
 * A contact who chose English, declined the registration offered after the first language choice
 * (so no registration flow is left active: a staff start finds the contact idle, at the menu), and
 * whose area is then set by hand.
 */
async function englishIn(name: string, areaId: string): Promise<ConsoleUser> {
  const user = new ConsoleUser(gateway, name);
  await user.ask('hi');
  expect(await user.ask('1')).toMatch(/^Tell us where you live/);
  await user.say('no');
  const [later, menu] = await user.replies(2);
  expect(later).toMatch(/^No problem\. Send PROFILE/);
  expect(menu).toMatch(/^Hello! What would you like to do\?/);
  const identity = await eventually(() => gateway.db.contactIdentity.findFirst({ where: { channel: 'console', addressHash: gateway.personalData.hash('console', name) } }));
  await gateway.db.contact.update({ where: { id: identity.contactId }, data: { areaId } });
  return user;
}

function start(body: unknown, token = coordinator): Promise<Response> {
  return fetch(`${gateway.url}/api/v1/flow-starts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
}

describe('flows started by staff', () => {
  it('starts a survey wave for everyone in an area and below, once per key', async () => {
    const kanzi = await englishIn('wave-kanzi', 'kanzi');
    const mbali = await englishIn('wave-mbali', 'mbali');
    const oroma = await englishIn('wave-oroma', 'oroma');
    const body = { flowId: 'survey', key: 'perception-month-6', params: { wave: 'month_6' }, areaId: 'north' };
    const response = await start(body);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ scheduled: 2 });
    for (const user of [kanzi, mbali]) expect((await user.replies(1))[0]).toMatch(/^A short survey on safety/);
    await expect(oroma.replies(1, 800)).rejects.toThrow(/got 0/);

    for (const answer of ['yes', '2', '4', 'Kanzi', '1', '1', '1', '1', '1', '1', '1']) await kanzi.ask(answer);
    await kanzi.say('1');
    await kanzi.replies(1);
    const answers = await eventually(async () => {
      const rows = await gateway.db.surveyAnswer.findMany({ where: { wave: 'month_6' } });
      return rows.length > 0 ? rows : undefined;
    });
    expect(new Set(answers.map((a) => a.areaId))).toEqual(new Set(['kanzi']));

    expect((await start(body)).status).toBe(202);
    await expect(mbali.replies(1, 800)).rejects.toThrow(/got 0/);
  });

  it('waits while a contact is in the middle of a report, then starts', async () => {
    const user = await englishIn('busy-reporter', 'tessa');
    await user.say('report');
    await user.replies(2);
    for (const answer of ['1', 'tessa', 'today', '3', 'low']) await user.ask(answer);
    const identity = await gateway.db.contactIdentity.findFirstOrThrow({ where: { addressHash: gateway.personalData.hash('console', 'busy-reporter') } });
    expect((await start({ flowId: 'survey', key: 'follow-up', contactIds: [identity.contactId] })).status).toBe(202);
    await expect(user.replies(1, 800)).rejects.toThrow(/got 0/);
    expect(await user.ask('Cattle raid on the road to the market')).toMatch(/call you back/);
    // Anonymous: the report's summary, then the confirmation question.
    await user.say('2');
    const [, confirm] = await user.replies(2);
    expect(confirm).toMatch(/^Send this report now\?/);
    await user.say('yes');
    const replies = await user.replies(2, 15_000);
    expect(replies[0]).toMatch(/Your case code is R-/);
    expect(replies.at(-1)).toMatch(/^A short survey on safety/);
  });

  it('refuses an unknown flow, a past time, both or neither audience, and an area outside the token', async () => {
    expect((await start({ flowId: 'nope', key: 'k', areaId: 'north' })).status).toBe(400);
    expect((await start({ flowId: 'survey', key: 'k', areaId: 'north', at: '2020-01-01T00:00:00Z' })).status).toBe(400);
    expect((await start({ flowId: 'survey', key: 'k' })).status).toBe(400);
    const scoped = (await createToken(gateway.db, { name: 'river', role: 'coordinator', areaId: 'river' })).token;
    expect((await start({ flowId: 'survey', key: 'k', areaId: 'north' }, scoped)).status).toBe(403);
    expect((await start({ flowId: 'survey', key: 'k', areaId: 'oroma' }, scoped)).status).toBe(202);
    const analyst = (await createToken(gateway.db, { name: 'analyst', role: 'analyst' })).token;
    expect((await start({ flowId: 'survey', key: 'k', areaId: 'north' }, analyst)).status).toBe(403);
  });
});
