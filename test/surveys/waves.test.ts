/**
 * Survey waves through the real API and the real SMS channel (signed Twilio webhooks in, the
 * twilio SDK out to a local fake of its API):
 *
 * - starting a wave records as invited the contacts of the area and below, and each receives the
 *   survey's first question by SMS (a contact elsewhere receives nothing);
 * - the one reminder is a delayed timer due the configured hours after the opening; made due
 *   (promoted, as its time would come), it goes only to the invited who have not finished and
 *   are not in the survey right now;
 * - closing ends the wave: answers given later count for no wave;
 * - area scope: a scoped coordinator starts waves only in its area (403 elsewhere) and closes
 *   only its own; a wave that does not reach its area is answered 404 like an unknown one; a
 *   scoped reader's list holds only the waves that reach its area;
 * - bad input is answered 400 naming the field, and leaves nothing behind;
 * - GET /surveys lists invited, started, completed and response rate as they happened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { createToken } from '../../src/admin/tokens.js';
import { findOrCreateContact } from '../../src/conversation/contacts.js';
import type { TimerJob } from '../../src/jobs/queues.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { inboundSms, startProviders, webhooksTo, type GatewayWebhooks, type Providers } from '../support/providers.js';

let providers: Providers<'sms'>;
let gateway: TestGateway;
let webhooks: GatewayWebhooks;
const tokens: Record<string, string> = {};

/** People by SMS number: A, B, C in Kanzi and D in Mbali (North Region); E in Oroma (River Region). */
const A = '+15550300001';
const B = '+15550300002';
const C = '+15550300003';
const D = '+15550300004';
const E = '+15550300005';
const HOMES: [string, string][] = [
  [A, 'kanzi'],
  [B, 'kanzi'],
  [C, 'kanzi'],
  [D, 'mbali'],
  [E, 'oroma'],
];
const contactIds = new Map<string, string>();

beforeAll(async () => {
  providers = await startProviders(['sms']);
  gateway = await startTestGateway({ ...providers.env, SURVEY_REMINDER_HOURS: '48' });
  webhooks = webhooksTo(gateway.url);
  for (const [number, area] of HOMES) {
    const contact = await findOrCreateContact(gateway.db, gateway.personalData, 'sms', number, 'en');
    await gateway.db.contact.update({ where: { id: contact.contactId }, data: { areaId: area } });
    contactIds.set(number, contact.contactId);
  }
  const token = async (name: string, role: string, areaId?: string) => (tokens[name] = (await createToken(gateway.db, { name, role, ...(areaId ? { areaId } : {}) })).token);
  await token('coordinator', 'coordinator');
  await token('north', 'coordinator', 'north');
  await token('kanziCoordinator', 'coordinator', 'kanzi');
  await token('river', 'coordinator', 'river');
  await token('analyst', 'analyst');
  await token('kanziAnalyst', 'analyst', 'kanzi');
  await token('riverAnalyst', 'analyst', 'river');
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await providers?.close();
});

async function api(token: string, method: 'GET' | 'POST', path: string, body?: unknown) {
  const response = await fetch(`${gateway.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

/** The SMS bodies the fake Twilio API received for `number`, in order. */
const sent = (number: string) => providers.sms.messages().filter((m) => m.form.To === number).map((m) => m.form.Body!);

/** Texts the gateway as `from` and waits for its reply. */
async function text(from: string, body: string): Promise<void> {
  const before = sent(from).length;
  expect((await webhooks.sms(inboundSms(from, body))).status).toBe(200);
  await eventually(() => sent(from).length > before, 15_000, `a reply to "${body}" from ${from}`);
}

/** Consent, gender, age band (the area is known from the profile), then `answers` of the eight questions. */
async function answer(from: string, answers: string[]): Promise<void> {
  for (const body of ['yes', '1', '3', ...answers]) await text(from, body);
}
const ALL_EIGHT = ['1', '2', '1', '2', '1', '1', '1', '2'];

const delayed = async (match: (job: Job<TimerJob>) => boolean) => (await gateway.queues.timers.getDelayed()).filter(match);
const consent = () => gateway.translator.t('en', 'survey:consent');
const surveyWaves = async (token: string) => (await api(token, 'GET', '/surveys')).body.items.find((s: { id: string }) => s.id === 'perception').waves as Record<string, any>[];

describe('survey waves', () => {
  it('answers bad input 400 naming the field, and stores nothing', async () => {
    const fields = async (body: unknown, path = '/surveys/perception/waves') => {
      const { status, body: answer } = await api(tokens.coordinator!, 'POST', path, body);
      expect(status).toBe(400);
      return (answer.issues as { path: string }[]).map((i) => i.path).sort();
    };
    expect(await fields({})).toEqual(['areaId', 'wave']);
    expect(await fields({ wave: 'six months', areaId: 'north' })).toEqual(['wave']);
    expect(await fields({ wave: 'w1', areaId: 'atlantis' })).toEqual(['areaId']);
    expect(await fields({ wave: 'w1', areaId: 'north', closesAt: 'next week' })).toEqual(['closesAt']);
    expect(await fields({ wave: 'w1', areaId: 'north', reminderHours: -1 })).toEqual(['reminderHours']);
    const at = new Date(Date.now() + 3_600_000);
    expect(await fields({ wave: 'w1', areaId: 'north', at: at.toISOString(), closesAt: new Date(at.getTime() - 1000).toISOString() })).toEqual(['closesAt']);
    expect(await fields({ wave: 'w1', areaId: 'north', at: '2020-01-01T00:00:00Z' })).toEqual(['at']);
    expect(await fields({ at: 'noon' }, '/surveys/perception/waves/w1/close')).toEqual(['at']);
    expect((await api(tokens.coordinator!, 'POST', '/surveys/no_such_survey/waves', { wave: 'w1', areaId: 'north' })).status).toBe(404);
    expect(await gateway.db.surveyWave.count()).toBe(0);
    expect(await gateway.db.surveyInvitation.count()).toBe(0);
    expect(await delayed((job) => job.data.kind === 'flow-start' || job.data.kind === 'survey-reminder')).toEqual([]);
  });

  it('documents the wave bodies in the OpenAPI document', async () => {
    const document = (await (await fetch(`${gateway.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, any>> };
    const start = document.paths['/surveys/{surveyId}/waves']!.post.requestBody.content['application/json'].schema;
    expect(Object.keys(start.properties).sort()).toEqual(['areaId', 'at', 'closesAt', 'reminderHours', 'wave']);
    expect(start.required.sort()).toEqual(['areaId', 'wave']);
    const close = document.paths['/surveys/{surveyId}/waves/{wave}/close']!.post.requestBody.content['application/json'].schema;
    expect(Object.keys(close.properties)).toEqual(['at']);
    const results = document.paths['/surveys/{surveyId}/results']!.get.parameters.map((p: { name: string }) => p.name);
    expect(results).toEqual(['surveyId', 'wave', 'compare', 'area', 'by', 'lang']);
  });

  it('starts a wave only inside the coordinator’s area, and not for an analyst', async () => {
    expect((await api(tokens.river!, 'POST', '/surveys/perception/waves', { wave: 'w1', areaId: 'north' })).status).toBe(403);
    expect((await api(tokens.analyst!, 'POST', '/surveys/perception/waves', { wave: 'w1', areaId: 'north' })).status).toBe(403);
    expect(await gateway.db.surveyWave.count()).toBe(0);
  });

  it('invites everyone in the area and below, each by SMS, and records how many', async () => {
    const { status, body } = await api(tokens.north!, 'POST', '/surveys/perception/waves', { wave: 'w1', areaId: 'north' });
    expect(status).toBe(201);
    expect(body).toMatchObject({ wave: 'w1', areaId: 'north', invited: 4, reminded: 0, closesAt: null });
    const invited = await gateway.db.surveyInvitation.findMany({ where: { waveId: body.id } });
    expect(invited.map((i) => i.contactId).sort()).toEqual([A, B, C, D].map((n) => contactIds.get(n)).sort());
    for (const number of [A, B, C, D]) await eventually(() => sent(number).length === 1, 15_000, `the invitation to ${number}`);
    await waitForIdle(gateway);
    for (const number of [A, B, C, D]) expect(sent(number)[0]).toContain(consent());
    expect(sent(E)).toEqual([]);
    // The one reminder waits for its time: 48 hours after the opening.
    const [reminder, ...more] = await delayed((job) => job.data.kind === 'survey-reminder' && job.data.waveId === body.id);
    expect(more).toEqual([]);
    expect(Math.abs(reminder!.timestamp + reminder!.delay - (Date.parse(body.opensAt) + 48 * 3_600_000))).toBeLessThan(60_000);
    expect((await api(tokens.north!, 'POST', '/surveys/perception/waves', { wave: 'w1', areaId: 'north' })).status).toBe(409);
  }, 60_000);

  it('reminds once, only those who have not finished and are not answering now', async () => {
    await answer(A, ALL_EIGHT);
    expect(sent(A).at(-1)).toBe(gateway.translator.t('en', 'survey:thanks'));
    // B answers two questions and leaves the survey (MENU): B has not finished and is not in it.
    await answer(B, ['1', '2']);
    await text(B, 'MENU');
    await waitForIdle(gateway);
    expect(await gateway.db.session.count({ where: { contactId: contactIds.get(B), status: 'active', flowId: 'survey' } })).toBe(0);
    // C and D have not answered the first question: they are in the survey right now.
    const counts = new Map([A, B, C, D, E].map((n) => [n, sent(n).length]));
    const wave = await gateway.db.surveyWave.findUniqueOrThrow({ where: { surveyId_wave: { surveyId: 'perception', wave: 'w1' } } });
    expect(wave.remindedAt).toBeNull();

    const [reminder] = await delayed((job) => job.data.kind === 'survey-reminder' && job.data.waveId === wave.id);
    await reminder!.promote();
    const reminded = await eventually(() => gateway.db.surveyWave.findFirst({ where: { id: wave.id, remindedAt: { not: null } } }), 15_000, 'the reminder');
    expect(reminded.reminded).toBe(1);
    await eventually(() => sent(B).length === counts.get(B)! + 1, 15_000, 'the reminder to B');
    await waitForIdle(gateway);
    expect(sent(B).at(-1)).toContain(consent());
    for (const number of [A, C, D, E]) expect(sent(number)).toHaveLength(counts.get(number)!);
    expect(await delayed((job) => job.data.kind === 'survey-reminder')).toEqual([]);
  }, 180_000);

  it('closes a wave: later answers count for no wave', async () => {
    expect((await api(tokens.river!, 'POST', '/surveys/perception/waves/w1/close')).status).toBe(404);
    expect((await api(tokens.river!, 'POST', '/surveys/perception/waves/nope/close')).status).toBe(404);
    expect((await api(tokens.kanziCoordinator!, 'POST', '/surveys/perception/waves/w1/close')).status).toBe(403);
    expect((await gateway.db.surveyWave.findFirstOrThrow({ where: { wave: 'w1' } })).closesAt).toBeNull();

    const { status, body } = await api(tokens.north!, 'POST', '/surveys/perception/waves/w1/close');
    expect(status).toBe(200);
    expect(Math.abs(Date.parse(body.closesAt) - Date.now())).toBeLessThan(60_000);
    // A closed wave stays closed: closing again (even "at" a later time, which would reopen it) is refused.
    const again = await api(tokens.north!, 'POST', '/surveys/perception/waves/w1/close', { at: new Date(Date.now() + 3_600_000).toISOString() });
    expect(again.status).toBe(409);
    expect((await gateway.db.surveyWave.findFirstOrThrow({ where: { wave: 'w1' } })).closesAt!.toISOString()).toBe(body.closesAt);
    // D, invited and still at the first question, answers everything after the close.
    await answer(D, ALL_EIGHT);
    expect(sent(D).at(-1)).toBe(gateway.translator.t('en', 'survey:thanks'));
    expect(await gateway.db.surveyResponse.count({ where: { wave: null, complete: true } })).toBe(1);
    expect(await gateway.db.surveyAnswer.count({ where: { wave: null } })).toBe(8);
    expect(await gateway.db.surveyInvitation.count({ where: { waveId: body.id, finished: true } })).toBe(1);
  }, 120_000);

  it('lists invited, started, completed and response rate as they happened, within the reader’s area', async () => {
    // A completed; B left without an answer recorded (a response is recorded at its end or on the
    // session's timeout); D answered after the close.
    const [w1, ...others] = await surveyWaves(tokens.analyst!);
    expect(others).toEqual([]);
    expect(w1).toMatchObject({ wave: 'w1', areaId: 'north', invited: 4, started: 1, completed: 1, responseRate: 0.25, reminded: 1, open: false });
    // Kanzi lies within the wave's area: its reader sees Kanzi's responses, not the invited of the whole wave.
    expect(await surveyWaves(tokens.kanziAnalyst!)).toEqual([expect.objectContaining({ wave: 'w1', invited: null, started: 1, completed: 1, responseRate: null })]);
    expect(await surveyWaves(tokens.riverAnalyst!)).toEqual([]);
  });

  it('lets a scoped coordinator run a wave of its own area', async () => {
    const { status, body } = await api(tokens.river!, 'POST', '/surveys/perception/waves', { wave: 'river_1', areaId: 'oroma', reminderHours: 0 });
    expect(status).toBe(201);
    expect(body.invited).toBe(1);
    await eventually(() => sent(E).length === 1, 15_000, 'the invitation to E');
    expect(sent(E)[0]).toContain(consent());
    expect(await delayed((job) => job.data.kind === 'survey-reminder')).toEqual([]);
    expect((await surveyWaves(tokens.riverAnalyst!)).map((w) => [w.wave, w.invited])).toEqual([['river_1', 1]]);
    expect((await surveyWaves(tokens.kanziAnalyst!)).map((w) => w.wave)).toEqual(['w1']);
    expect((await api(tokens.river!, 'POST', '/surveys/perception/waves/river_1/close')).status).toBe(200);
  }, 60_000);
});
