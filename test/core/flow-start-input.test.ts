/**
 * POST /flow-starts with an empty area id is a 400 naming the field (it passed validation as
 * "an area was given", then reached the start with no contacts at all: a 500). Found by the fuzz
 * harness (test/fuzz/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/admin/tokens.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
let token: string;
beforeAll(async () => {
  gateway = await startTestGateway({ GATEWAY_ROLE: 'web' });
  token = (await createToken(gateway.db, { name: 'admin', role: 'admin' })).token;
});
afterAll(async () => {
  await gateway?.close();
});

const start = (body: unknown) =>
  gateway.app!.inject({ method: 'POST', url: '/api/v1/flow-starts', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });

describe('a flow start with an empty target', () => {
  it('is a 400 naming the area, or the contact id', async () => {
    const area = await start({ flowId: 'welcome', key: 'k1', areaId: '' });
    expect(area.statusCode).toBe(400);
    expect(area.json()).toMatchObject({ code: 'invalid_request', issues: [{ path: 'areaId' }] });
    const contact = await start({ flowId: 'welcome', key: 'k2', contactIds: [''] });
    expect(contact.statusCode).toBe(400);
    expect(contact.json()).toMatchObject({ issues: [{ path: 'contactIds.0' }] });
  });

  it('still starts for an existing area', async () => {
    expect((await start({ flowId: 'welcome', key: 'k3', areaId: 'north' })).statusCode).toBe(202);
  });
});
