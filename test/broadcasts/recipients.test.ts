/**
 * One message per recipient, even when the fan-out meets messages of its page that exist
 * already (a runner that lost its lock mid-page, then a restart, leaves such rows): it keeps
 * those, writes the rest, finishes the broadcast, and each person hears it once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { broadcastDedupeKey } from '../../src/broadcasts/fanout.js';
import { eventually, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { addContact, api, inbox, makeTokens, startBroadcastGateway, type Tokens } from './support.js';

const TEXT = 'The road to Mbali is open again.';

let gateway: TestGateway;
let tokens: Tokens;
beforeAll(async () => {
  gateway = await startBroadcastGateway();
  tokens = await makeTokens(gateway);
});
afterAll(async () => {
  await gateway?.close();
});

describe('a fan-out that finds some of its messages written already', () => {
  it('sends every recipient the announcement once, the row found included, and finishes', async () => {
    const people = ['mbali-a', 'mbali-b', 'mbali-c', 'mbali-d'];
    const refs = [];
    for (const address of people) refs.push(await addContact(gateway, { address, areaId: 'mbali', language: 'en' }));
    const created = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts', { title: 'Road', texts: { en: TEXT }, audience: { areaId: 'mbali' } });
    expect(created.status).toBe(201);
    const id = created.body.broadcast.id as string;
    expect((await api(gateway, tokens.approver, 'POST', `/broadcasts/${id}/approve`)).status).toBe(200);

    // What an earlier runner left for the second and third recipients.
    for (const ref of refs.slice(1, 3)) {
      await gateway.db.message.create({
        data: {
          dedupeKey: broadcastDedupeKey(id, ref.contactId),
          direction: 'out',
          channel: 'console',
          contactId: ref.contactId,
          identityId: ref.identityId,
          bodyEnc: gateway.personalData.encrypt(JSON.stringify({ type: 'text', text: TEXT })),
          status: 'queued',
          kind: 'broadcast',
          causeId: id,
          broadcastId: id,
        },
      });
    }

    expect((await api(gateway, tokens.broadcaster, 'POST', `/broadcasts/${id}/schedule`, {})).status).toBe(200);
    await eventually(async () => (await gateway.db.broadcast.findUniqueOrThrow({ where: { id } })).status === 'dispatched', 10_000, 'the fan-out to finish');
    await waitForIdle(gateway);
    for (const address of people) expect(await inbox(gateway, address)).toEqual([TEXT]);
    const progress = await api(gateway, tokens.analyst, 'GET', `/broadcasts/${id}/progress`);
    expect(progress.body.byStatus).toEqual({ delivered: 4 });
    expect(progress.body.written).toBe(4);
  });
});
