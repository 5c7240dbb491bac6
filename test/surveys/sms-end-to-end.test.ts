/**
 * End to end: six people answer the perception survey over SMS (signed Twilio webhooks, replies
 * through the real SDK to a local fake of the API); the results route then shows their answers
 * with cells under K (here 2) suppressed, and the one that would give a suppressed cell away.
 */
import twilio from 'twilio';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createToken } from '../../src/admin/tokens.js';
import { startTwilioApi, type FakeTwilioApi } from '../fakes/twilio-api.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';

const SID = `AC${'2'.repeat(32)}`;
const TOKEN = 'twilio-auth-token';
const PUBLIC_URL = 'https://gateway.example.org';

let gateway: TestGateway;
let sms: FakeTwilioApi;
let counter = 0;

beforeAll(async () => {
  sms = await startTwilioApi({ accountSid: SID, authToken: TOKEN });
  gateway = await startTestGateway({
    PUBLIC_URL,
    TWILIO_ACCOUNT_SID: SID,
    TWILIO_AUTH_TOKEN: TOKEN,
    TWILIO_FROM: '+15550009999',
    TWILIO_API_BASE: sms.url,
    TWILIO_MESSAGES_PER_SECOND: '100',
    SURVEY_MIN_CELL: '2',
  });
});

afterAll(async () => {
  await gateway?.close();
  await sms?.close();
});

async function text(from: string, body: string): Promise<void> {
  counter += 1;
  const params = { MessageSid: `SM${String(counter).padStart(32, '0')}`, AccountSid: SID, From: from, To: '+15550009999', Body: body, NumMedia: '0' };
  const signature = twilio.getExpectedTwilioSignature(TOKEN, `${PUBLIC_URL}/webhooks/twilio/sms`, params);
  const before = sms.messages().filter((m) => m.form.To === from).length;
  const response = await fetch(`${gateway.url}/webhooks/twilio/sms`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  });
  expect(response.status).toBe(200);
  await eventually(() => sms.messages().filter((m) => m.form.To === from).length > before, 15_000, `a reply to ${body}`);
}

/** The whole survey by SMS; `police` is the option number (1 protectors, 2 neither, 3 threat). */
async function answerSurvey(from: string, police: string): Promise<void> {
  for (const body of ['survey', 'yes', '1', '3', 'Kanzi', '1', '2', '1', '2', police, '1', '1', '2']) await text(from, body);
}

it('shows the answers given over SMS, with small cells suppressed', async () => {
  const people = ['1', '1', '1', '2', '2', '3'].map((police, i) => ({ from: `+1555000100${i}`, police }));
  await Promise.all(people.map((p) => answerSurvey(p.from, p.police)));
  await eventually(async () => (await gateway.db.surveyResponse.count({ where: { complete: true } })) === 6, 15_000, 'six complete responses');
  const last = sms.messages().filter((m) => m.form.To === people[0]!.from).at(-1)!;
  expect(last.form.Body).toBe(gateway.translator.t('en', 'survey:thanks'));

  const token = (await createToken(gateway.db, { name: 'analyst', role: 'analyst' })).token;
  const response = await fetch(`${gateway.url}/api/v1/surveys/perception/results?wave=baseline`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { questions: { id: string; respondents: number; answers: { id: string; overall: { count: number | null; share: number | null; suppressed?: string } }[] }[] };
  const police = body.questions.find((q) => q.id === 'police_seen_as')!;
  expect(police.respondents).toBe(6);
  const cell = (id: string) => police.answers.find((a) => a.id === id)!.overall;
  expect(cell('protectors')).toMatchObject({ count: 3, share: 0.5 });
  expect(cell('threat')).toMatchObject({ count: null, share: null, suppressed: 'small' });
  expect(cell('neither')).toMatchObject({ count: null, suppressed: 'complementary' });
  expect(cell('dont_know')).toMatchObject({ count: 0 });
  const market = body.questions.find((q) => q.id === 'safe_market')!;
  expect(market.answers.find((a) => a.id === 'fairly_safe')!.overall.count).toBe(6);

  const quality = (await (await fetch(`${gateway.url}/api/v1/surveys/perception/quality?wave=baseline`, { headers: { authorization: `Bearer ${token}` } })).json()) as { channels: { channel: string; started: number }[] };
  expect(quality.channels).toEqual([{ channel: 'sms', started: 6, completed: 6 }]);
}, 120_000);
