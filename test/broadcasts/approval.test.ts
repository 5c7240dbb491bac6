import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type TestGateway } from '../support/gateway.js';
import { addContact, api, inbox, makeTokens, startBroadcastGateway, type Tokens } from './support.js';
import { waitForIdle } from '../support/idle.js';

let gateway: TestGateway;
let tokens: Tokens;
const body = { title: 'Curfew lifted', texts: { en: 'The curfew in Kanzi is lifted.' }, audience: { areaId: 'kanzi' } };

beforeAll(async () => {
  gateway = await startBroadcastGateway({ settings: { BROADCAST_APPROVAL_EXEMPT: 'coordinator:2' } });
  tokens = await makeTokens(gateway);
  await addContact(gateway, { address: 'a1', areaId: 'kanzi', language: 'en' });
  await addContact(gateway, { address: 'a2', areaId: 'kanzi', language: 'en' });
  await addContact(gateway, { address: 'a3', areaId: 'kanzi', language: 'en' });
  await addContact(gateway, { address: 'river', areaId: 'oroma', language: 'en' });
});

afterAll(async () => {
  await gateway?.close();
});

describe('approval', () => {
  it('needs a second person: nothing goes out before, the creator cannot approve, an approver can', async () => {
    const created = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ approvalRequired: true, broadcast: { status: 'pending_approval' }, estimate: { audience: 3 } });
    const id = created.body.broadcast.id;

    // Scheduling before approval keeps the time; nothing is sent.
    expect((await api(gateway, tokens.broadcaster, 'POST', `/broadcasts/${id}/schedule`, {})).status).toBe(200);
    // A broadcaster may not approve at all; a coordinator who created it may not approve its own.
    expect((await api(gateway, tokens.broadcaster, 'POST', `/broadcasts/${id}/approve`)).status).toBe(403);
    const own = await api(gateway, tokens.coordinator, 'POST', '/broadcasts', { ...body, audience: { areaId: 'north' } });
    expect(own.body.approvalRequired).toBe(true); // 3 recipients > the coordinator's exemption of 2
    const ownApproval = await api(gateway, tokens.coordinator, 'POST', `/broadcasts/${own.body.broadcast.id}/approve`);
    expect(ownApproval.status).toBe(403);
    expect(ownApproval.body.error).toMatch(/creator .* cannot approve/);
    await waitForIdle(gateway);
    expect(await inbox(gateway, 'a1')).toEqual([]);
    expect(await gateway.db.message.count({ where: { broadcastId: id } })).toBe(0);

    const estimate = await api(gateway, tokens.approver, 'GET', `/broadcasts/${id}/estimate`);
    expect(estimate.body.estimate).toMatchObject({ audience: 3, byChannel: { console: 3 }, byLanguage: { en: 3 } });
    const approved = await api(gateway, tokens.approver, 'POST', `/broadcasts/${id}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body.broadcast).toMatchObject({ status: 'scheduled', approvedBy: { name: 'approver' } });
    for (const address of ['a1', 'a2', 'a3']) await eventually(async () => (await inbox(gateway, address)).length === 1, 10_000, `delivery to ${address} after approval`);
    expect(await inbox(gateway, 'a1')).toEqual(['The curfew in Kanzi is lifted.']);
    expect(await inbox(gateway, 'river')).toEqual([]);
    const audit = await gateway.db.auditEntry.findMany({ where: { subjectId: id }, orderBy: { at: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['broadcast.create', 'broadcast.schedule', 'broadcast.approve']);
  });

  it('lets a role send small audiences without a second approval when configured', async () => {
    const small = await api(gateway, tokens.coordinator, 'POST', '/broadcasts', { ...body, audience: { areaId: 'oroma' } });
    expect(small.status).toBe(201);
    expect(small.body).toMatchObject({ approvalRequired: false, broadcast: { status: 'approved' } });
    expect((await api(gateway, tokens.coordinator, 'POST', `/broadcasts/${small.body.broadcast.id}/schedule`, {})).status).toBe(200);
    await eventually(async () => (await inbox(gateway, 'river')).length === 1, 10_000, 'exempt delivery');
  });

  it('refuses an empty audience before approval, a schedule in the past, and an unapproved schedule never sends', async () => {
    const empty = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts', { ...body, audience: { areaId: 'lindu' } });
    expect(empty.status).toBe(422);
    expect(empty.body.error).toMatch(/audience is empty/);
    expect(await gateway.db.broadcast.count({ where: { areaId: 'lindu' } })).toBe(0);

    const created = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts', body);
    const id = created.body.broadcast.id;
    await api(gateway, tokens.approver, 'POST', `/broadcasts/${id}/approve`);
    const past = await api(gateway, tokens.broadcaster, 'POST', `/broadcasts/${id}/schedule`, { at: new Date(Date.now() - 60_000).toISOString() });
    expect(past.status).toBe(400);
    expect(past.body.error).toMatch(/in the past/);
    expect((await gateway.db.broadcast.findUniqueOrThrow({ where: { id } })).status).toBe('approved');
  });

  it('sends a scheduled broadcast at its time, not before', async () => {
    const created = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts', { ...body, title: 'later', texts: { en: 'Later news.' } });
    const id = created.body.broadcast.id;
    await api(gateway, tokens.approver, 'POST', `/broadcasts/${id}/approve`);
    const at = new Date(Date.now() + 1500);
    expect((await api(gateway, tokens.broadcaster, 'POST', `/broadcasts/${id}/schedule`, { at: at.toISOString() })).status).toBe(200);
    await waitForIdle(gateway);
    expect((await inbox(gateway, 'a2')).filter((t) => t === 'Later news.')).toHaveLength(0);
    await eventually(async () => (await inbox(gateway, 'a2')).includes('Later news.'), 10_000, 'scheduled delivery');
    const row = await gateway.db.broadcast.findUniqueOrThrow({ where: { id } });
    expect(row.startedAt!.getTime()).toBeGreaterThanOrEqual(at.getTime() - 50);
  });

  it('keeps area-scoped tokens to their area', async () => {
    const outside = await api(gateway, tokens.northBroadcaster, 'POST', '/broadcasts', { ...body, audience: { areaId: 'oroma' } });
    expect(outside.status).toBe(403);
    const everywhere = await api(gateway, tokens.northBroadcaster, 'POST', '/broadcasts', { ...body, audience: { areaId: null } });
    expect(everywhere.status).toBe(403);
    const inside = await api(gateway, tokens.northBroadcaster, 'POST', '/broadcasts', body);
    expect(inside.status).toBe(201);
    const riverOne = await api(gateway, tokens.coordinator, 'POST', '/broadcasts', { ...body, audience: { areaId: 'oroma' } });
    // The north approver does not see a river broadcast at all.
    expect((await api(gateway, tokens.northApprover, 'POST', `/broadcasts/${riverOne.body.broadcast.id}/approve`)).status).toBe(404);
    const list = await api(gateway, tokens.northApprover, 'GET', '/broadcasts');
    expect(list.body.items.map((b: { id: string }) => b.id)).toContain(inside.body.broadcast.id);
    expect(list.body.items.map((b: { id: string }) => b.id)).not.toContain(riverOne.body.broadcast.id);
    expect(list.body.items.every((b: { audience: { areaId: string } }) => ['kanzi', 'north', 'mbali', 'tessa'].includes(b.audience.areaId))).toBe(true);
    expect((await api(gateway, tokens.northApprover, 'POST', `/broadcasts/${inside.body.broadcast.id}/approve`)).status).toBe(200);
  });
});
