/** Logs are JSON lines that carry ids, never addresses or message texts. */
import { Writable } from 'node:stream';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { startTwilioApi, twilioError, type FakeTwilioApi } from '../fakes/twilio-api.js';

const SID = `AC${'3'.repeat(32)}`;
const TOKEN = 'log-test-token';
const PUBLIC_URL = 'https://gateway.example.org';
const lines: string[] = [];
let gateway: TestGateway;
let sms: FakeTwilioApi;

beforeAll(async () => {
  sms = await startTwilioApi();
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  gateway = await startTestGateway(
    { PUBLIC_URL, TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_FROM: '+15550009999', TWILIO_API_BASE: sms.url },
    { logger: createLogger('trace', sink) },
  );
});
afterAll(async () => {
  await gateway?.close();
  await sms?.close();
});

function post(path: string, params: Record<string, string>, token = TOKEN) {
  return fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(token, `${PUBLIC_URL}${path}`, params) },
    body: new URLSearchParams(params).toString(),
  });
}

describe('logs', () => {
  it('record a conversation, a failed send and a forged webhook without the number or the words', async () => {
    const from = '+15550123987';
    const secret = 'soldiers at the Kanzi school';
    await post('/webhooks/twilio/sms', { MessageSid: `SM${'a'.repeat(32)}`, From: from, To: '+15550009999', Body: 'hi', AccountSid: SID });
    await eventually(() => sms.messages()[0]);
    sms.nextResponse(twilioError(400, 21211, `The 'To' number ${from} is not a valid phone number`));
    await post('/webhooks/twilio/sms', { MessageSid: `SM${'b'.repeat(32)}`, From: from, To: '+15550009999', Body: secret, AccountSid: SID });
    await eventually(() => gateway.db.message.findFirst({ where: { status: 'failed' } }));
    await post('/webhooks/twilio/sms', { MessageSid: `SM${'c'.repeat(32)}`, From: from, To: '+15550009999', Body: secret, AccountSid: SID }, 'forged');
    await eventually(() => lines.some((l) => l.includes('webhook rejected')));

    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const all = lines.join('\n');
    expect(all).not.toContain('5550123987');
    expect(all).not.toContain('Kanzi school');
    expect(all).toContain('"channel":"sms"');
  });
});
