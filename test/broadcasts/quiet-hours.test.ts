import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietDelayMs } from '../../src/broadcasts/quiet-hours.js';
import { parseQuietHours } from '../../src/broadcasts/settings.js';
import { eventually, type TestGateway } from '../support/gateway.js';
import { addContact, api, broadcastCli, TestClock, inbox, makeTokens, sendBroadcast, startBroadcastGateway, type Tokens } from './support.js';

// 03:59:55 UTC is 06:59:55 in Kanzi (Africa/Nairobi, UTC+3): 5 s before quiet hours
// (21:00-07:00) end there, and 12:59 in the East region (Asia/Tokyo), outside them.
const START = new Date('2026-03-10T03:59:55.000Z');
const QUIET_LEFT_MS = 5_000;

describe('quiet hours arithmetic', () => {
  const hours = parseQuietHours('21:00-07:00');
  it('waits until the end of the window, across midnight, in the area time zone', () => {
    expect(quietDelayMs(hours, 'Africa/Nairobi', new Date('2026-03-10T03:59:58.500Z'))).toBe(1500);
    expect(quietDelayMs(hours, 'Africa/Nairobi', new Date('2026-03-09T18:00:00Z'))).toBe(10 * 3600_000); // 21:00 local
    expect(quietDelayMs(hours, 'Africa/Nairobi', new Date('2026-03-10T04:00:00Z'))).toBe(0); // 07:00 local
    expect(quietDelayMs(hours, 'Asia/Tokyo', new Date('2026-03-10T03:59:58.500Z'))).toBe(0);
    expect(quietDelayMs(parseQuietHours('01:00-05:00'), 'UTC', new Date('2026-03-10T04:30:00Z'))).toBe(30 * 60_000);
    expect(quietDelayMs(null, 'UTC', new Date())).toBe(0);
  });
});

describe('quiet hours in a broadcast', () => {
  let gateway: TestGateway;
  let tokens: Tokens;
  const clock = new TestClock();

  beforeAll(async () => {
    gateway = await startBroadcastGateway({ now: clock.now, settings: { BROADCAST_QUIET_HOURS: '21:00-07:00' } });
    tokens = await makeTokens(gateway);
    await gateway.db.area.create({ data: { id: 'east', name: 'East Region', level: 'region', parentId: 'lakeland', timezone: 'Asia/Tokyo' } });
    await addContact(gateway, { address: 'kanzi', areaId: 'kanzi', language: 'en' });
    await addContact(gateway, { address: 'east', areaId: 'east', language: 'en' });
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('holds a non-urgent message until quiet hours end in the recipient area, and sends the others at once', async () => {
    clock.set(START);
    const quietEnds = Date.now() + QUIET_LEFT_MS; // on the wall clock
    const preview = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts/preview', { title: 'Market', texts: { en: 'Market day moved to Thursday.' } });
    expect(preview.body.estimate.inQuietHoursNow).toBe(1);
    // Kanzi's quiet hours end at 07:00 there (04:00 UTC).
    expect(preview.body.estimate.quietUntil).toBe('2026-03-10T04:00:00.000Z');
    await sendBroadcast(gateway, tokens, { title: 'Market', texts: { en: 'Market day moved to Thursday.' } });
    // East gets it at once: while Kanzi's quiet hours still last, and Kanzi has nothing yet.
    await eventually(async () => (await inbox(gateway, 'east')).length === 1, QUIET_LEFT_MS, 'east delivery within the quiet hours left');
    expect(await inbox(gateway, 'kanzi')).toEqual([]);
    // Kanzi gets it once its quiet hours are over, not before.
    await eventually(async () => (await inbox(gateway, 'kanzi')).length === 1, QUIET_LEFT_MS + 15_000, 'kanzi delivery after quiet hours');
    expect(Date.now()).toBeGreaterThanOrEqual(quietEnds);
  });

  it('answers "send now" with who is held by quiet hours, and until when', async () => {
    clock.set(START);
    const created = await api(gateway, tokens.broadcaster, 'POST', '/broadcasts', { title: 'Clinic', texts: { en: 'The clinic opens at nine.' } });
    const id = created.body.broadcast.id as string;
    expect((await api(gateway, tokens.approver, 'POST', `/broadcasts/${id}/approve`)).status).toBe(200);
    const now = await api(gateway, tokens.broadcaster, 'POST', `/broadcasts/${id}/schedule`, {});
    expect(now.status).toBe(200);
    expect(now.body.start).toMatchObject({ audience: 2, held: 1, heldUntil: '2026-03-10T04:00:00.000Z' });
    expect(Date.parse(now.body.start.at)).toBeGreaterThanOrEqual(START.getTime());
    expect(now.body.status).toBe('scheduled');
  });

  it('tells in the API and the CLI until when quiet hours hold what is left, not "dispatched" alone', async () => {
    clock.set(new Date('2026-03-10T00:00:00Z')); // 03:00 in Kanzi: four hours of quiet left
    const id = await sendBroadcast(gateway, tokens, { title: 'Water', texts: { en: 'Water trucks come on Friday.' }, audience: { areaId: 'kanzi' } });
    const progress = await eventually(async () => {
      const answer = await api(gateway, tokens.analyst, 'GET', `/broadcasts/${id}/progress`);
      return answer.body.status === 'dispatched' && answer.body.heldUntil ? answer.body : null;
    }, 10_000, 'fanned out and held');
    // Released four hours from now (on the wall clock the queue runs by).
    const held = Date.parse(progress.heldUntil);
    expect(Math.abs(held - (Date.now() + 4 * 3600_000))).toBeLessThan(60_000);
    const show = await broadcastCli(gateway, 'broadcasts', 'show', id);
    expect(show).toContain(`status:    dispatched, held by quiet hours until ${new Date(held).toISOString()}`);
    const list = await broadcastCli(gateway, 'broadcasts', 'list');
    expect(list.find((line) => line.startsWith(id))?.endsWith(`Water  (held until ${new Date(held).toISOString()})`)).toBe(true);
    // Nothing held once it is cancelled; an urgent one is never held.
    await broadcastCli(gateway, 'broadcasts', 'cancel', id, '--as', 'duty officer');
    expect((await api(gateway, tokens.analyst, 'GET', `/broadcasts/${id}/progress`)).body.heldUntil).toBeNull();
  });

  it('sends an urgent alert at once, quiet hours or not', async () => {
    clock.set(new Date('2026-03-10T00:00:00Z')); // 03:00 in Kanzi
    const before = (await inbox(gateway, 'kanzi')).length;
    const id = await sendBroadcast(gateway, tokens, { title: 'Alert', texts: { en: 'Flooding on the river road: move to high ground.' }, urgent: true });
    // Within seconds, where quiet hours would hold it four hours.
    await eventually(async () => (await inbox(gateway, 'kanzi')).length === before + 1, 10_000, 'urgent delivery');
    expect(await gateway.db.broadcast.findUniqueOrThrow({ where: { id } })).toMatchObject({ urgent: true, status: 'dispatched' });
    expect((await api(gateway, tokens.analyst, 'GET', `/broadcasts/${id}/progress`)).body.heldUntil).toBeNull();
  });
});
