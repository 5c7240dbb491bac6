/**
 * Text no database can hold, a lone UTF-16 surrogate (as JSON's `\ud800` escape can carry) or a
 * NUL character (PostgreSQL refuses it in text), is refused at the door with a 400 instead of
 * failing in the database with a 500: in API bodies, queries and paths (naming the field), and
 * in the fields of a webhook that are stored as plain text (provider ids). Found by the fuzz
 * harness (test/fuzz/): the surrogate on SQLite, the NUL on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/admin/tokens.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { inboundSms, signedWebhook, startProviders, type Providers } from '../support/providers.js';

let providers: Providers<'sms'>;
let gateway: TestGateway;
let token: string;
beforeAll(async () => {
  providers = await startProviders(['sms']);
  gateway = await startTestGateway({ ...providers.env, GATEWAY_ROLE: 'web' });
  token = (await createToken(gateway.db, { name: 'admin', role: 'admin' })).token;
});
afterAll(async () => {
  await gateway?.close();
  await providers?.close();
});

const post = (path: string, raw: string) =>
  gateway.app!.inject({ method: 'POST', url: `/api/v1${path}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: raw });

describe('ill-formed text in an API request', () => {
  it('is a 400 naming the field: a lone surrogate, in an area filter as in a stored text', async () => {
    const invite = await post('/users', '{"username":"amina","role":"analyst","areaId":"\\ud800"}');
    expect(invite.statusCode).toBe(400);
    expect(invite.json()).toMatchObject({ code: 'invalid_request', issues: [{ path: 'areaId' }] });
    const rumour = await post('/rumours', '{"text":"the bridge \\udc00 is closed"}');
    expect(rumour.statusCode).toBe(400);
    expect(rumour.json()).toMatchObject({ issues: [{ path: 'text' }] });
    expect(await gateway.db.user.count({ where: { username: 'amina' } })).toBe(0);
  });

  it('is a 400 for a NUL character in a body, a query or a path', async () => {
    const member = await post('/committees/north-committee/members', '{"responderId":"\\u0000x"}');
    expect(member.statusCode).toBe(400);
    expect(member.json()).toMatchObject({ issues: [{ path: 'responderId' }] });
    const listed = await gateway.app!.inject({ method: 'GET', url: '/api/v1/incidents?area=%00', headers: { authorization: `Bearer ${token}` } });
    expect(listed.statusCode).toBe(400);
    const erased = await post('/contacts/%00/erase', '{}');
    expect(erased.statusCode).toBe(400);
  });

  it('leaves well-formed text alone, surrogate pairs included', async () => {
    const rumour = await post('/rumours', '{"text":"the bridge \\ud83d\\ude00 is closed"}');
    expect(rumour.statusCode).toBe(201);
  });
});

describe('ill-formed text in a stored field of a webhook', () => {
  it('is a 400 and stores nothing, while a NUL inside the message text (encrypted) is kept', async () => {
    const webhook = signedWebhook.twilio('/webhooks/twilio/sms', { ...inboundSms('+15550600001', 'hi'), MessageSid: 'SM\u0000abc' });
    const refused = await gateway.app!.inject({ method: 'POST', url: webhook.path, headers: webhook.headers as Record<string, string>, payload: webhook.rawBody });
    expect(refused.statusCode).toBe(400);
    expect(await gateway.db.message.count({ where: { direction: 'in' } })).toBe(0);
    const text = signedWebhook.twilio('/webhooks/twilio/sms', inboundSms('+15550600002', 'road\u0000closed'));
    const kept = await gateway.app!.inject({ method: 'POST', url: text.path, headers: text.headers as Record<string, string>, payload: text.rawBody });
    expect(kept.statusCode).toBe(200);
  });
});
