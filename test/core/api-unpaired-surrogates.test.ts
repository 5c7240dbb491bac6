/**
 * Text that is not valid Unicode (a lone UTF-16 surrogate, as JSON's `\ud800` escape can carry)
 * is refused at the API's door with a 400 naming the field, instead of reaching the database
 * (where it failed with a 500). Found by the fuzz harness (test/fuzz/).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/admin/tokens.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
let token: string;
beforeAll(async () => {
  gateway = await startTestGateway();
  token = (await createToken(gateway.db, { name: 'admin', role: 'admin' })).token;
});
afterAll(async () => {
  await gateway?.close();
});

const post = (path: string, raw: string) =>
  gateway.app!.inject({ method: 'POST', url: `/api/v1${path}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: raw });

describe('a lone surrogate in an API body', () => {
  it('is a 400 naming the field, for an area filter as for a stored text', async () => {
    const invite = await post('/users', '{"username":"amina","role":"analyst","areaId":"\\ud800"}');
    expect(invite.statusCode).toBe(400);
    expect(invite.json()).toMatchObject({ code: 'invalid_request', issues: [{ path: 'areaId' }] });
    const rumour = await post('/rumours', '{"text":"the bridge \\udc00 is closed"}');
    expect(rumour.statusCode).toBe(400);
    expect(rumour.json()).toMatchObject({ issues: [{ path: 'text' }] });
    expect(await gateway.db.user.count({ where: { username: 'amina' } })).toBe(0);
  });

  it('leaves well-formed text alone, surrogate pairs included', async () => {
    const rumour = await post('/rumours', '{"text":"the bridge \\ud83d\\ude00 is closed"}');
    expect(rumour.statusCode).toBe(201);
  });
});
