import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, revokeToken } from '../../src/admin/tokens.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';

const run = promisify(execFile);
let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway?.close();
});

function get(path: string, token?: string): Promise<Response> {
  return fetch(`${gateway.url}/api/v1${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

describe('admin API', () => {
  it('needs a known bearer token', async () => {
    expect((await get('/me')).status).toBe(401);
    expect((await get('/me', 'gw_not-a-token')).status).toBe(401);
  });

  it('tells a token its role and area, and limits routes by role', async () => {
    const coordinator = await createToken(gateway.db, { name: 'north desk', role: 'coordinator', areaId: 'north' });
    const responder = await createToken(gateway.db, { name: 'field phone', role: 'responder' });
    expect(await (await get('/me', coordinator.token)).json()).toEqual({ via: 'token', tokenId: coordinator.id, name: 'north desk', role: 'coordinator', areaId: 'north', actor: `token:${coordinator.id}`, responderId: null, may: expect.arrayContaining(['GET /dead-letter', 'POST /incidents/:code/ack']) });
    expect((await get('/dead-letter', coordinator.token)).status).toBe(200);
    const refused = await get('/dead-letter', responder.token);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toMatch(/coordinator/);
  });

  it('stores only a digest of the token, and refuses a revoked one', async () => {
    const created = await createToken(gateway.db, { name: 'temporary', role: 'analyst' });
    const rows = await gateway.db.$queryRawUnsafe<Record<string, unknown>[]>('SELECT * FROM "ApiToken"');
    expect(JSON.stringify(rows)).not.toContain(created.token);
    expect((await get('/me', created.token)).status).toBe(200);
    expect(await revokeToken(gateway.db, created.id)).toBe(true);
    expect(await revokeToken(gateway.db, created.id)).toBe(false);
    expect((await get('/me', created.token)).status).toBe(401);
  });

  it('refuses an unknown role or area when creating a token', async () => {
    await expect(createToken(gateway.db, { name: 'x', role: 'superuser' })).rejects.toThrow(/unknown role "superuser"; accepted: admin, coordinator/);
    await expect(createToken(gateway.db, { name: 'x', role: 'analyst', areaId: 'atlantis' })).rejects.toThrow(/unknown area "atlantis"/);
  });

  it('creates a working token from the command line', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'tokens', 'create', '--name', 'cli', '--role', 'analyst'], {
      env: { ...process.env, ...gateway.env.vars },
    });
    const token = /token:\s+(gw_\S+)/.exec(stdout)?.[1];
    expect(token).toBeDefined();
    expect(((await (await get('/me', token)).json()) as { role: string }).role).toBe('analyst');
  });

  it('shows a message’s delivery state but never its text', async () => {
    const admin = await createToken(gateway.db, { name: 'admin', role: 'admin' });
    const message = await gateway.db.message.create({ data: { dedupeKey: 'out:test:1', direction: 'out', channel: 'console', bodyEnc: gateway.personalData.encrypt('{"type":"text","text":"secret"}'), status: 'sent' } });
    const body = (await (await get(`/messages/${message.id}`, admin.token)).json()) as Record<string, unknown>;
    expect(body.status).toBe('sent');
    expect(body).not.toHaveProperty('bodyEnc');
    expect((await get('/messages/nope', admin.token)).status).toBe(404);
  });

  it('lists a job that failed for good, and discards it only for an admin', async () => {
    const admin = await createToken(gateway.db, { name: 'ops', role: 'admin' });
    const coordinator = await createToken(gateway.db, { name: 'desk', role: 'coordinator' });
    // An outbound job for a message that does not exist fails at once, for good.
    await gateway.queues.enqueueOutbound('console', 'no-such-message');
    const listed = await eventually(async () => {
      const items = ((await (await get('/dead-letter', admin.token)).json()) as { items: { queue: string; jobId: string; reason: string }[] }).items;
      return items.find((i) => i.reason.includes('no-such-message'));
    }, 10_000, 'the failed job in the dead-letter list');
    const path = `${gateway.url}/api/v1/dead-letter/${listed.queue}/${encodeURIComponent(listed.jobId)}`;
    expect((await fetch(path, { method: 'DELETE', headers: { authorization: `Bearer ${coordinator.token}` } })).status).toBe(403);
    expect((await fetch(path, { method: 'DELETE', headers: { authorization: `Bearer ${admin.token}` } })).status).toBe(200);
    expect((await fetch(path, { method: 'DELETE', headers: { authorization: `Bearer ${admin.token}` } })).status).toBe(404);
    const after = ((await (await get('/dead-letter', admin.token)).json()) as { items: { jobId: string }[] }).items;
    expect(after.some((i) => i.jobId === listed.jobId)).toBe(false);
  });
});
