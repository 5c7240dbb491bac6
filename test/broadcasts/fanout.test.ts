/**
 * The fan-out of one broadcast, run as the broadcast worker runs it, on a gateway whose outbound
 * workers send what it writes: one message per recipient in their language (or none, counted
 * as skipped), page by page to the end; only a scheduled or sending broadcast is written; a
 * second runner writes nothing twice; a run that resumes re-adds the jobs of rows written before
 * and writes on from the cursor; urgent announcements go first in the send queue; each channel's
 * recipients are released in windows of what it sends in one; quiet hours hold a recipient back
 * until they end in the recipient's area. Observed in the inboxes, at the fake SMS API, in the
 * broadcast's progress columns, the message rows and the send jobs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { broadcastDedupeKey, runFanout, type FanoutDeps } from '../../src/broadcasts/fanout.js';
import { broadcastSettingsSchema, parseQuietHours } from '../../src/broadcasts/settings.js';
import { postgresTarget } from '../../src/db/client.js';
import { jobId } from '../../src/jobs/queues.js';
import { startTwilioApi, type FakeTwilioApi } from '../fakes/twilio-api.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { addContact, inbox, smsEnv, TestClock } from './support.js';

let gateway: TestGateway;
let sms: FakeTwilioApi;
const clock = new TestClock();

beforeAll(async () => {
  sms = await startTwilioApi();
  // 2 SMS per second: with 1 s release windows, two SMS recipients per window.
  gateway = await startTestGateway(smsEnv(sms.url, 2));
});
afterAll(async () => {
  await gateway?.close();
  await sms?.close();
});

/** The fan-out's parts, as the broadcasts capability gives them (settings: the defaults, then `settings`). */
function fanoutDeps(settings: Record<string, unknown> = {}, quietHours = ''): FanoutDeps {
  const provider = gateway.config.databaseProvider;
  return {
    db: gateway.db,
    queues: gateway.queues,
    personalData: gateway.personalData,
    translator: gateway.translator,
    adapters: gateway.adapters,
    logger: gateway.logger,
    settings: broadcastSettingsSchema.parse({ BROADCAST_PAGE_SIZE: 2, BROADCAST_RELEASE_WINDOW_S: 1, ...settings }),
    quietHours: parseQuietHours(quietHours),
    now: clock.now,
    dialect: { provider, schema: provider === 'postgres' ? postgresTarget(gateway.config.databaseUrl).schema : undefined },
  };
}

let topics = 0;
/** A topic of its own for one test: its subscribers are the audience. */
const newTopic = () => `fanout-${++topics}`;

/** A broadcast row as an approved, scheduled one stands (`status` and the rest overridable). */
async function broadcast(topic: string, fields: { texts?: Record<string, string>; status?: string; urgent?: boolean; fallback?: boolean; cursor?: string | null; startedAt?: Date | null } = {}): Promise<string> {
  const row = await gateway.db.broadcast.create({
    data: {
      title: 'Water',
      texts: JSON.stringify(fields.texts ?? { en: 'Water point repaired.', fr: "Point d'eau réparé." }),
      defaultLanguage: 'en',
      fallback: fields.fallback ?? false,
      urgent: fields.urgent ?? false,
      topic,
      status: fields.status ?? 'scheduled',
      createdBy: 'token-1',
      createdByName: 'Desk',
      createdByRole: 'broadcaster',
      approvedBy: 'token-2',
      approvedByName: 'Approver',
      approvedAt: new Date(),
      cursor: fields.cursor ?? null,
      startedAt: fields.startedAt ?? null,
    },
  });
  return row.id;
}

/** SMS recipients subscribed to `topic`, in `areaId`; their numbers. */
async function smsRecipients(topic: string, count: number, areaId = 'mbali'): Promise<{ address: string; contactId: string }[]> {
  const made = [];
  for (let i = 0; i < count; i++) {
    const address = `+25471${String(topics).padStart(3, '0')}${String(i).padStart(4, '0')}`;
    const ref = await addContact(gateway, { address, channel: 'sms', areaId, language: 'en', topics: [topic] });
    made.push({ address, contactId: ref.contactId });
  }
  return made;
}

const rowsOf = (broadcastId: string) => gateway.db.message.findMany({ where: { broadcastId }, orderBy: { createdAt: 'asc' } });
const sendJob = (messageId: string, channel = 'console') => gateway.queues.outbound(channel).getJob(jobId('out', messageId));
const smsTo = (address: string) => sms.messages().filter((m) => m.form.To === address);

describe('a fan-out', () => {
  it('writes one message per recipient in their language, skips those without a text, pages to the end, and finishes', async () => {
    const topic = newTopic();
    const people = { a: 'en', b: 'fr', c: 'sw', d: 'en', e: 'fr' } as const;
    const contacts: Record<string, string> = {};
    for (const [name, language] of Object.entries(people)) contacts[name] = (await addContact(gateway, { address: `${topic}-${name}`, language, topics: [topic] })).contactId;
    const id = await broadcast(topic);
    const started = Date.now();

    expect(await runFanout(fanoutDeps(), id)).toBe(4);
    const row = await gateway.db.broadcast.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ status: 'dispatched', written: 4, skipped: 1 });
    expect(JSON.parse(row.channelCounts)).toEqual({ console: 4 });
    expect(row.startedAt!.getTime()).toBeGreaterThanOrEqual(started - 1000);
    expect(row.dispatchedAt!.getTime()).toBeGreaterThanOrEqual(row.startedAt!.getTime());
    expect(row.cursor).toBe(Object.values(contacts).sort().at(-1));

    const rows = await rowsOf(id);
    expect(rows.map((r) => r.dedupeKey).sort()).toEqual(['a', 'b', 'd', 'e'].map((n) => broadcastDedupeKey(id, contacts[n]!)).sort());
    for (const message of rows) {
      expect(message).toMatchObject({ direction: 'out', kind: 'broadcast', causeId: id, channel: 'console' });
      // Released at once, second in line to replies (normal priority).
      const job = await sendJob(message.id);
      expect(job!.opts.priority).toBe(10);
      expect(job!.opts.delay ?? 0).toBe(0);
    }
    await waitForIdle(gateway);
    // One send job per message, each naming its message.
    const jobs = await gateway.queues.outbound('console').getJobs(['completed', 'failed', 'waiting', 'delayed', 'prioritized', 'active']);
    expect(jobs.filter((job) => !job.data.messageId)).toEqual([]);
    expect(await inbox(gateway, `${topic}-a`)).toEqual(['Water point repaired.']);
    expect(await inbox(gateway, `${topic}-b`)).toEqual(["Point d'eau réparé."]);
    expect(await inbox(gateway, `${topic}-c`)).toEqual([]);
    expect(await inbox(gateway, `${topic}-d`)).toEqual(['Water point repaired.']);
    expect(await inbox(gateway, `${topic}-e`)).toEqual(["Point d'eau réparé."]);

    // Run again (a repeated job): it is finished, nothing more is written.
    expect(await runFanout(fanoutDeps(), id)).toBe(0);
    expect(await rowsOf(id)).toHaveLength(4);
  });

  it('sends an urgent announcement first in the queue, and the default language to those without a text when it falls back', async () => {
    const topic = newTopic();
    await addContact(gateway, { address: `${topic}-sw`, language: 'sw', topics: [topic] });
    await addContact(gateway, { address: `${topic}-fr`, language: 'fr', topics: [topic] });
    const id = await broadcast(topic, { urgent: true, fallback: true });
    expect(await runFanout(fanoutDeps(), id)).toBe(2);
    for (const message of await rowsOf(id)) expect((await sendJob(message.id))!.opts.priority).toBe(1);
    await waitForIdle(gateway);
    expect(await inbox(gateway, `${topic}-sw`)).toEqual(['Water point repaired.']);
    expect(await inbox(gateway, `${topic}-fr`)).toEqual(["Point d'eau réparé."]);
    expect((await gateway.db.broadcast.findUniqueOrThrow({ where: { id } })).skipped).toBe(0);
  });

  it('writes nothing for a broadcast that is not scheduled or sending, or does not exist', async () => {
    const topic = newTopic();
    await addContact(gateway, { address: `${topic}-a`, language: 'en', topics: [topic] });
    for (const status of ['pending_approval', 'approved', 'cancelled', 'dispatched']) {
      const id = await broadcast(topic, { status });
      expect(await runFanout(fanoutDeps(), id)).toBe(0);
      expect(await rowsOf(id)).toEqual([]);
      expect((await gateway.db.broadcast.findUniqueOrThrow({ where: { id } })).status).toBe(status);
    }
    expect(await runFanout(fanoutDeps(), 'no-such-broadcast')).toBe(0);
    await waitForIdle(gateway);
    expect(await inbox(gateway, `${topic}-a`)).toEqual([]);
  });

  it('run twice at once, writes each message once', async () => {
    const topic = newTopic();
    for (const name of ['a', 'b', 'c', 'd', 'e']) await addContact(gateway, { address: `${topic}-${name}`, language: 'en', topics: [topic] });
    // Scheduled: one runner starts it, the other finds it started.
    const scheduled = await broadcast(topic);
    // Already sending (two sweeps resuming it): the runners meet at the cursor.
    const sending = await broadcast(topic, { status: 'sending', startedAt: new Date() });
    for (const id of [scheduled, sending]) {
      const written = await Promise.all([runFanout(fanoutDeps(), id), runFanout(fanoutDeps(), id)]);
      expect(written[0]! + written[1]!).toBe(5);
      expect(await rowsOf(id)).toHaveLength(5);
      expect(await gateway.db.broadcast.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'dispatched', written: 5 });
    }
    await waitForIdle(gateway);
    for (const name of ['a', 'b', 'c', 'd', 'e']) expect(await inbox(gateway, `${topic}-${name}`)).toHaveLength(2);
  });

  it('resumed after a crash, re-adds the jobs of the rows it wrote and writes on from its cursor', async () => {
    const topic = newTopic();
    const refs: { name: string; contactId: string; identityId: string }[] = [];
    for (const name of ['a', 'b', 'c']) refs.push({ name, ...(await addContact(gateway, { address: `${topic}-${name}`, language: 'en', topics: [topic] })) });
    refs.sort((x, y) => x.contactId.localeCompare(y.contactId));
    const first = refs[0]!;
    // The first page was written (its row queued) and the process died before adding its job.
    const id = await broadcast(topic, { status: 'sending', cursor: first.contactId, startedAt: new Date() });
    await gateway.db.broadcast.update({ where: { id }, data: { written: 1, channelCounts: JSON.stringify({ console: 1 }) } });
    await gateway.db.message.create({
      data: {
        dedupeKey: broadcastDedupeKey(id, first.contactId),
        direction: 'out',
        channel: 'console',
        contactId: first.contactId,
        identityId: first.identityId,
        bodyEnc: gateway.personalData.encrypt(JSON.stringify({ type: 'text', text: 'Water point repaired.' })),
        status: 'queued',
        kind: 'broadcast',
        causeId: id,
        broadcastId: id,
      },
    });
    expect(await runFanout(fanoutDeps(), id)).toBe(2);
    expect(await gateway.db.broadcast.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'dispatched', written: 3, channelCounts: JSON.stringify({ console: 3 }) });
    await waitForIdle(gateway);
    for (const ref of refs) expect(await inbox(gateway, `${topic}-${ref.name}`)).toEqual(['Water point repaired.']);
  });
});

describe('a fan-out that meets rows written already', () => {
  it('keeps the row it finds, writes the others, and each recipient hears it once', async () => {
    const topic = newTopic();
    const refs: { name: string; contactId: string; identityId: string }[] = [];
    for (const name of ['a', 'b', 'c']) refs.push({ name, ...(await addContact(gateway, { address: `${topic}-${name}`, language: 'en', topics: [topic] })) });
    const id = await broadcast(topic);
    // What a runner that lost its lock left for the second recipient (its job never added).
    const left = await gateway.db.message.create({
      data: {
        dedupeKey: broadcastDedupeKey(id, refs[1]!.contactId),
        direction: 'out',
        channel: 'console',
        contactId: refs[1]!.contactId,
        identityId: refs[1]!.identityId,
        bodyEnc: gateway.personalData.encrypt(JSON.stringify({ type: 'text', text: 'Water point repaired.' })),
        status: 'queued',
        kind: 'broadcast',
        causeId: id,
        broadcastId: id,
      },
    });
    await runFanout(fanoutDeps({ BROADCAST_PAGE_SIZE: 10 }), id);
    expect(await gateway.db.broadcast.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'dispatched', written: 3 });
    const rows = await rowsOf(id);
    expect(rows).toHaveLength(3);
    expect(rows.filter((r) => r.contactId === refs[1]!.contactId).map((r) => r.id)).toEqual([left.id]);
    await waitForIdle(gateway);
    for (const ref of refs) expect(await inbox(gateway, `${topic}-${ref.name}`)).toEqual(['Water point repaired.']);
    expect((await gateway.db.message.findUniqueOrThrow({ where: { id: left.id } })).status).not.toBe('queued');
  });
});

describe('release times', () => {
  it('resumed long after its start, releases at once the windows that have passed and keeps the release time of the rows written', async () => {
    const topic = newTopic();
    const people = await smsRecipients(topic, 4);
    const contacts = [...people].sort((x, y) => x.contactId.localeCompare(y.contactId));
    const first = contacts[0]!;
    const identity = await gateway.db.contactIdentity.findFirstOrThrow({ where: { contactId: first.contactId, channel: 'sms' } });
    // Started 10 s ago; the first page written, its row released 3 s from now, its job lost.
    const id = await broadcast(topic, { status: 'sending', cursor: first.contactId, startedAt: new Date(Date.now() - 10_000) });
    await gateway.db.broadcast.update({ where: { id }, data: { written: 1, channelCounts: JSON.stringify({ sms: 1 }) } });
    const body = gateway.personalData.encrypt(JSON.stringify({ type: 'text', text: 'Water point repaired.' }));
    const written = await gateway.db.message.create({
      data: { dedupeKey: broadcastDedupeKey(id, first.contactId), direction: 'out', channel: 'sms', contactId: first.contactId, identityId: identity.id, bodyEnc: body, status: 'queued', kind: 'broadcast', causeId: id, broadcastId: id, createdAt: new Date(Date.now() + 3000) },
    });
    // A queued row of another broadcast, cancelled: not this run's to send.
    const other = await broadcast(topic, { status: 'cancelled' });
    const foreign = await gateway.db.message.create({
      data: { dedupeKey: broadcastDedupeKey(other, first.contactId), direction: 'out', channel: 'sms', contactId: first.contactId, identityId: identity.id, bodyEnc: body, status: 'queued', kind: 'broadcast', causeId: other, broadcastId: other },
    });

    expect(await runFanout(fanoutDeps(), id)).toBe(3);
    // The run does not wait for that release.
    expect((await gateway.db.message.findUniqueOrThrow({ where: { id: written.id } })).status).toBe('queued');
    const resent = await sendJob(written.id, 'sms');
    expect(resent!.opts.delay).toBeGreaterThan(1500);
    expect(resent!.opts.delay).toBeLessThanOrEqual(3000);
    // Windows 1 and 2 (1 s and 2 s after the start) passed long ago.
    for (const row of (await rowsOf(id)).filter((r) => r.id !== written.id)) expect((await sendJob(row.id, 'sms'))!.opts.delay ?? 0).toBe(0);
    expect(await sendJob(foreign.id, 'sms')).toBeUndefined();
    await eventually(() => people.every((p) => smsTo(p.address).length === 1), 15_000, 'every SMS sent');
    expect((await gateway.db.message.findUniqueOrThrow({ where: { id: foreign.id } })).status).toBe('queued');
    // As the cancel leaves it (the gateway's idle signal counts queued rows).
    await gateway.db.message.update({ where: { id: foreign.id }, data: { status: 'cancelled' } });
  });

  it('releases a channel recipients in windows of what it sends in one', async () => {
    const topic = newTopic();
    const people = await smsRecipients(topic, 5);
    const id = await broadcast(topic);
    expect(await runFanout(fanoutDeps(), id)).toBe(5);
    const rows = await rowsOf(id);
    // 2 per 1 s window: released at 0, 0, 1, 1, 2 s after the start.
    const startedAt = (await gateway.db.broadcast.findUniqueOrThrow({ where: { id } })).startedAt!.getTime();
    const offsets = rows.map((r) => r.createdAt.getTime() - startedAt);
    const windows = offsets.map((ms) => Math.round(ms / 1000));
    expect(windows).toEqual([0, 0, 1, 1, 2]);
    const delays = await Promise.all(rows.map(async (r) => (await sendJob(r.id, 'sms'))!.opts.delay ?? 0));
    expect(delays.slice(0, 2)).toEqual([0, 0]);
    for (const delay of delays.slice(2, 4)) expect(Math.round(delay / 1000)).toBe(1);
    expect(Math.round(delays[4]! / 1000)).toBe(2);
    expect(JSON.parse((await gateway.db.broadcast.findUniqueOrThrow({ where: { id } })).channelCounts)).toEqual({ sms: 5 });
    await eventually(() => people.every((p) => smsTo(p.address).length === 1), 15_000, 'every SMS sent');
  });

  it('holds a recipient in quiet hours until they end in their area, and an urgent announcement not at all', async () => {
    const deps = fanoutDeps({ BROADCAST_DEFAULT_TIMEZONE: 'Asia/Tokyo', BROADCAST_RELEASE_WINDOW_S: 600 }, '21:00-07:00');
    const topic = newTopic();
    const kanzi = (await addContact(gateway, { address: `${topic}-kanzi`, areaId: 'kanzi', language: 'en', topics: [topic] })).contactId;
    const nowhere = (await addContact(gateway, { address: `${topic}-nowhere`, areaId: null, language: 'en', topics: [topic] })).contactId;
    const id = await broadcast(topic);
    const urgent = await broadcast(topic, { urgent: true });
    // 06:59:57 in Kanzi (Africa/Nairobi, UTC+3), 3 s before quiet hours end; 12:59 in Tokyo.
    clock.set(new Date('2026-03-10T03:59:57Z'));
    try {
      // When, on the real clock, quiet hours end in Kanzi.
      const end = Date.parse('2026-03-10T04:00:00Z') - (clock.now().getTime() - Date.now());
      const before = Date.now();
      await runFanout(deps, id);
      const rows = await rowsOf(id);
      const held = rows.find((r) => r.contactId === kanzi)!;
      const free = rows.find((r) => r.contactId === nowhere)!;
      expect(Math.abs(held.createdAt.getTime() - end)).toBeLessThan(500);
      expect((await sendJob(held.id))!.opts.delay).toBeGreaterThan(1500);
      expect((await sendJob(held.id))!.opts.delay).toBeLessThanOrEqual(3000);
      expect(free.createdAt.getTime() - before).toBeLessThan(1000);
      expect((await sendJob(free.id))!.opts.delay ?? 0).toBe(0);

      const urgentBefore = Date.now();
      await runFanout(deps, urgent);
      for (const row of await rowsOf(urgent)) {
        expect(row.createdAt.getTime() - urgentBefore).toBeLessThan(1000);
        expect((await sendJob(row.id))!.opts.delay ?? 0).toBe(0);
      }
      await waitForIdle(gateway);
      expect(await inbox(gateway, `${topic}-kanzi`)).toHaveLength(2);
    } finally {
      clock.set(new Date());
    }
  });
});
