/**
 * scaleout: two web processes and 1, 2, then 3 worker processes (GATEWAY_ROLE web / worker, each
 * its own OS process) on one PostgreSQL and one Redis, driven through both web processes with
 * signed Twilio webhooks, replies counted at the fake provider's Messages API. Run it on
 * PostgreSQL (SQLite is one file for one host):
 *
 *   scripts/with-postgres.sh npm run bench -- scaleout
 *
 * Each run offers, as fast as BENCH_CLIENTS clients in flight allow:
 * - BENCH_SCALEOUT_MESSAGES "hi" from new contacts, alternating between the two web processes;
 *   BENCH_DUPLICATE_SHARE of them delivered a second time to the other web process at once (a
 *   provider's retry landing elsewhere);
 * - BENCH_SEQUENCE_CONTACTS contacts sending BENCH_SEQUENCE_LENGTH messages each, one after the
 *   other (the next once the previous webhook got its 200), alternating web processes.
 *
 * Asserted (the bench fails otherwise): nothing lost (every new contact gets the replies a probe
 * contact got, every inbound message is processed), nothing doubled (one stored message per
 * provider id, every outbound message handed to the provider once), and per-contact order (the
 * replies of each sequence contact reach the provider in the order of the messages they answer).
 * Throughput: messages offered / (first webhook -> last reply at the provider).
 *
 * Then pacing: two web and three worker processes with TWILIO_MESSAGES_PER_SECOND=BENCH_PACE.
 * The most replies the provider received in one calendar second must not exceed the pace
 * (asserted). Also reported: the most in any sliding one-second window. The pacer spaces
 * departures (by Redis's clock, 5% wider than the limit); what the provider sees also carries
 * the jitter between departure and arrival, which a loaded machine makes large enough to
 * squeeze one more arrival into a sliding window now and then.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { openDatabase, withSchema } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { slotInterval } from '../../src/outbound/pacer.js';
import { startEmbeddedRedis } from '../../src/redis/embedded.js';
import { startTwilioApi, type FakeTwilioApi, type RecordedTwilioRequest } from '../../test/fakes/twilio-api.js';
import { startChildGateway, type ChildGateway } from '../../test/support/child-gateway.js';
import { TWILIO_SID, TWILIO_TOKEN, inboundSms, signedWebhook } from '../../test/support/providers.js';
import { smsGatewayEnv } from './sms-gateway-env.js';
import { benchTransport } from './transport.js';

/** Worker processes of each run (BENCH_WORKERS=none: only the pacing run). */
const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,2,3').split(',').map(Number).filter((n) => n > 0);
const MESSAGES = Number(process.env.BENCH_SCALEOUT_MESSAGES ?? 600);
const DUPLICATE_SHARE = Number(process.env.BENCH_DUPLICATE_SHARE ?? 0.1);
const SEQUENCE_CONTACTS = Number(process.env.BENCH_SEQUENCE_CONTACTS ?? 20);
const SEQUENCE_LENGTH = Number(process.env.BENCH_SEQUENCE_LENGTH ?? 5);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 48);
const PACE = Number(process.env.BENCH_PACE ?? 4);
const PACED_MESSAGES = Number(process.env.BENCH_PACED_MESSAGES ?? 120);
const SMS_PATH = '/webhooks/twilio/sms';
/** What a sequence contact writes: "hi" (the welcome question), then HELP (the help reply) each time. */
const SEQUENCE_TEXTS = ['hi', 'help'];

let contactCounter = 0;
function nextAddress(): string {
  contactCounter += 1;
  return `+1777${String(contactCounter).padStart(7, '0')}`;
}

async function post(agent: Agent, url: string, params: Record<string, string>): Promise<number> {
  const webhook = signedWebhook.twilio(SMS_PATH, params);
  const response = await request(`${url}${SMS_PATH}`, { method: 'POST', headers: webhook.headers as Record<string, string>, body: webhook.rawBody, dispatcher: agent });
  await response.body.dump();
  return response.statusCode;
}

/** Posts until accepted (a provider retries a 5xx); throws on a 4xx. */
async function deliver(agent: Agent, url: string, params: Record<string, string>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const status = await post(agent, url, params);
    if (status === 200) return;
    if (status < 500 || attempt > 20) throw new Error(`webhook answered ${status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return check();
}

const accepted = (api: FakeTwilioApi, from = 0): RecordedTwilioRequest[] =>
  api.requests.slice(from).filter((r) => r.path.endsWith('/Messages.json') && r.method === 'POST' && r.answeredStatus === 201);

/** Runs `tasks` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

interface Processes {
  webs: ChildGateway[];
  workers: ChildGateway[];
  stop(): Promise<void>;
}

/** Two web processes, then `workers` worker processes, on the database and Redis of `base`. */
async function startProcesses(base: Record<string, string>, dir: string, workers: number): Promise<Processes> {
  const started: ChildGateway[] = [];
  const stop = async () => void (await Promise.all(started.map((p) => p.stop())));
  try {
    const webs: ChildGateway[] = [];
    const workerProcesses: ChildGateway[] = [];
    for (let i = 0; i < 2; i++) {
      const web = await startChildGateway({ ...base, GATEWAY_ROLE: 'web', DATA_DIR: join(dir, `web-${i}`) }, { workers: false, readyTimeoutMs: 180_000 });
      started.push(web);
      webs.push(web);
    }
    for (let i = 0; i < workers; i++) {
      const worker = await startChildGateway({ ...base, GATEWAY_ROLE: 'worker', DATA_DIR: join(dir, `worker-${i}`) }, { http: false, readyTimeoutMs: 180_000 });
      started.push(worker);
      workerProcesses.push(worker);
    }
    return { webs, workers: workerProcesses, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface RunResult {
  workers: number;
  messages: number;
  duplicates_posted: number;
  seconds: number;
  messages_per_s: number;
  replies: number;
  replies_per_s: number;
  lost: number;
  doubled: number;
  order_violations: number;
}

/** One run: load through both web processes, then every check against the provider and the database. */
async function runOnce(api: FakeTwilioApi, agent: Agent, base: Record<string, string>, dir: string, workers: number, databaseUrl: string): Promise<RunResult> {
  const processes = await startProcesses(base, join(dir, `run-${workers}`), workers);
  const database = await openDatabase(databaseUrl);
  const db = database.db;
  try {
    const [web1, web2] = processes.webs as [ChildGateway, ChildGateway];
    // A probe contact tells how many replies a new contact's "hi" gets.
    const probe = nextAddress();
    const mark = api.requests.length;
    await deliver(agent, web1.url, inboundSms(probe, 'hi'));
    await waitFor(() => accepted(api, mark).some((r) => r.form.To === probe), 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    const expected = accepted(api, mark).filter((r) => r.form.To === probe).length;
    if (expected === 0) throw new Error('the probe contact got no reply');

    const from = api.requests.length;
    const fresh = Array.from({ length: MESSAGES }, (_, i) => ({ i, address: nextAddress() }));
    const sequences = Array.from({ length: SEQUENCE_CONTACTS }, () => ({ address: nextAddress(), sids: [] as string[] }));
    let duplicates = 0;
    const started = Date.now();
    const load = pool(fresh, CLIENTS, async ({ i, address }) => {
      const sms = inboundSms(address, 'hi');
      const [first, second] = i % 2 === 0 ? [web1, web2] : [web2, web1];
      if (i % Math.round(1 / DUPLICATE_SHARE) === 0) {
        duplicates += 1;
        await Promise.all([deliver(agent, first.url, sms), deliver(agent, second.url, sms)]);
      } else await deliver(agent, first.url, sms);
    });
    const ordered = Promise.all(
      sequences.map(async (contact) => {
        for (let k = 0; k < SEQUENCE_LENGTH; k++) {
          const sms = inboundSms(contact.address, SEQUENCE_TEXTS[Math.min(k, SEQUENCE_TEXTS.length - 1)]!);
          contact.sids.push(sms.MessageSid!);
          await deliver(agent, (k % 2 === 0 ? web1 : web2).url, sms);
        }
      }),
    );
    await Promise.all([load, ordered]);
    const offered = MESSAGES + SEQUENCE_CONTACTS * SEQUENCE_LENGTH;

    const freshDone = () => {
      const counts = new Map<string, number>();
      for (const r of accepted(api, from)) counts.set(r.form.To!, (counts.get(r.form.To!) ?? 0) + 1);
      return fresh.every((f) => (counts.get(f.address) ?? 0) >= expected);
    };
    const settled = async () =>
      freshDone() &&
      (await db.message.count({ where: { OR: [{ direction: 'in', status: 'received' }, { direction: 'out', status: { in: ['queued', 'sending'] } }] } })) === 0;
    if (!(await waitFor(settled, 300_000))) console.error('  (not settled after 5 minutes; counting what arrived)');
    // A doubled reply would come right after the first: give it a moment to show.
    await new Promise((r) => setTimeout(r, 1000));
    const replies = accepted(api, from);
    const last = Math.max(...replies.map((r) => r.receivedAt));
    const seconds = (last - started) / 1000;

    // Lost and doubled, at the provider: every new contact got exactly the probe's replies.
    const perAddress = new Map<string, number>();
    for (const r of replies) perAddress.set(r.form.To!, (perAddress.get(r.form.To!) ?? 0) + 1);
    let lost = fresh.filter((f) => (perAddress.get(f.address) ?? 0) < expected).length;
    let doubled = fresh.filter((f) => (perAddress.get(f.address) ?? 0) > expected).length;
    // ... and in the database: one stored message per provider id, all processed; each outbound
    // message handed over once (as many accepted sends as outbound rows, each sid recorded once).
    const inbound = await db.message.count({ where: { direction: 'in' } });
    const unprocessed = await db.message.count({ where: { direction: 'in', status: { not: 'processed' } } });
    const outbound = await db.message.findMany({ where: { direction: 'out' }, select: { id: true, providerId: true, status: true, causeId: true } });
    const sentRows = outbound.filter((m) => m.providerId !== null);
    const allAccepted = accepted(api, mark);
    if (inbound !== offered + 1) doubled += Math.max(0, inbound - offered - 1);
    lost += unprocessed + Math.max(0, offered + 1 - inbound);
    if (allAccepted.length !== sentRows.length) doubled += Math.max(0, allAccepted.length - sentRows.length);
    lost += outbound.length - sentRows.length;
    if (new Set(sentRows.map((m) => m.providerId)).size !== sentRows.length) doubled += 1;

    // Per-contact order: each sequence contact's replies reached the provider in the order of
    // the inbound messages they answer.
    const inboundByDbId = new Map(
      (await db.message.findMany({ where: { direction: 'in', providerId: { in: sequences.flatMap((s) => s.sids) } }, select: { id: true, providerId: true } })).map((m) => [m.id, m.providerId!]),
    );
    const causeBySid = new Map(sentRows.map((m) => [m.providerId!, m.causeId]));
    let orderViolations = 0;
    for (const contact of sequences) {
      const ranks = replies
        .filter((r) => r.form.To === contact.address)
        .sort((a, b) => a.receivedAt - b.receivedAt)
        .map((r) => contact.sids.indexOf(inboundByDbId.get(causeBySid.get(r.sid!) ?? '') ?? ''));
      const violated = ranks.some((rank) => rank < 0) || ranks.some((rank, j) => j > 0 && rank < ranks[j - 1]!);
      if (violated) {
        orderViolations += 1;
        console.error(`  out of order: replies answer messages ${ranks.join(', ')} (in the order the provider got them)`);
      }
      if (new Set(ranks).size !== SEQUENCE_LENGTH) lost += 1; // a message of theirs left unanswered
    }
    return {
      workers,
      messages: offered,
      duplicates_posted: duplicates,
      seconds: Number(seconds.toFixed(1)),
      messages_per_s: Math.round(offered / seconds),
      replies: replies.length,
      replies_per_s: Math.round(replies.length / seconds),
      lost,
      doubled,
      order_violations: orderViolations,
    };
  } finally {
    await database.close();
    await processes.stop();
  }
}

/** Most replies received in any window of `windowMs` (sliding) and in any calendar second. */
function busiest(times: number[], windowMs = 1000): { sliding: number; calendar: number } {
  const sorted = [...times].sort((a, b) => a - b);
  let sliding = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start += 1;
    sliding = Math.max(sliding, end - start + 1);
  }
  const perSecond = new Map<number, number>();
  for (const t of sorted) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
  return { sliding, calendar: Math.max(0, ...perSecond.values()) };
}

async function pacingRun(api: FakeTwilioApi, agent: Agent, base: Record<string, string>, dir: string): Promise<Record<string, unknown>> {
  const processes = await startProcesses({ ...base, TWILIO_MESSAGES_PER_SECOND: String(PACE) }, join(dir, 'paced'), 3);
  try {
    const [web1, web2] = processes.webs as [ChildGateway, ChildGateway];
    const from = api.requests.length;
    const addresses = Array.from({ length: PACED_MESSAGES }, () => nextAddress());
    await pool(addresses, CLIENTS, async (address) => deliver(agent, (Number(address.slice(-1)) % 2 === 0 ? web1 : web2).url, inboundSms(address, 'hi')));
    await waitFor(() => new Set(accepted(api, from).map((r) => r.form.To)).size >= PACED_MESSAGES, (PACED_MESSAGES / PACE) * 4000 + 60_000);
    const times = accepted(api, from).map((r) => r.receivedAt);
    const { sliding, calendar } = busiest(times);
    const span = (Math.max(...times) - Math.min(...times)) / 1000;
    return {
      pace_per_s: PACE,
      paced_replies: times.length,
      paced_mean_per_s: Number((times.length / span).toFixed(2)),
      busiest_sliding_second: sliding,
      busiest_calendar_second: calendar,
      // Whether the pace was what limited the sends (else the machine was, and the check is weak).
      pace_reached: times.length / span >= (0.9 * 1000) / slotInterval({ max: PACE, durationMs: 1000 }),
      pacing_held: calendar <= PACE,
    };
  } finally {
    await processes.stop();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  if (!process.env.TEST_DATABASE_URL) {
    console.error('scaleout runs on PostgreSQL: scripts/with-postgres.sh npm run bench -- scaleout');
    return { skipped: 'needs PostgreSQL (TEST_DATABASE_URL)' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-scaleout-'));
  const redis = await startEmbeddedRedis({ bin: 'redis-server', dataDir: join(dir, 'redis'), logger: createLogger('silent') });
  const transport = benchTransport(redis);
  const pgUrl = transport.databaseUrl!;
  const api = await startTwilioApi({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN });
  const agent = new Agent({ connections: 64, pipelining: 1 });
  const schemas: string[] = [];
  const env = (name: string): Record<string, string> => {
    schemas.push(`scaleout_${name}_${process.pid}`);
    return {
      ...smsGatewayEnv(transport.redisUrl, api.url),
      QUEUE_PREFIX: `so-${name}-${process.pid}`,
      DATABASE_URL: withSchema(pgUrl, schemas.at(-1)!),
    };
  };
  try {
    const runs: RunResult[] = [];
    for (const workers of WORKER_COUNTS) {
      const base = env(`w${workers}`);
      const result = await runOnce(api, agent, base, dir, workers, base.DATABASE_URL!);
      console.error(`2 web + ${workers} worker(s): ${JSON.stringify(result)}`);
      if (result.lost > 0 || result.doubled > 0 || result.order_violations > 0) {
        throw new Error(`with ${workers} worker(s): lost ${result.lost}, doubled ${result.doubled}, out of order ${result.order_violations}`);
      }
      runs.push(result);
    }
    const pacing = await pacingRun(api, agent, env('paced'), dir);
    console.error(`pacing, 2 web + 3 workers at ${PACE}/s: ${JSON.stringify(pacing)}`);
    if (!pacing.pacing_held) throw new Error(`the provider got ${String(pacing.busiest_calendar_second)} messages in one second at a pace of ${PACE}/s`);
    console.error('\n| processes | messages | seconds | messages/s | replies/s | lost | doubled | out of order |\n| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of runs) console.error(`| 2 web + ${r.workers} worker | ${r.messages} | ${r.seconds} | ${r.messages_per_s} | ${r.replies_per_s} | ${r.lost} | ${r.doubled} | ${r.order_violations} |`);
    return { database: 'postgres', via: transport.via, runs, pacing };
  } finally {
    await agent.close();
    await api.close();
    await redis.stop();
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
    rmSync(dir, { recursive: true, force: true });
  }
}
