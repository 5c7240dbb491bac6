/**
 * e2e: a signed Twilio webhook in, the reply handed to the (fake) provider's Messages API out,
 * through a whole gateway in its own process, started from the build as `npm start` starts it
 * (scripts/bench/built-gateway.ts; BENCH_GATEWAY=tsx for the sources), on SQLite, or on PostgreSQL
 * with TEST_DATABASE_URL set by scripts/with-postgres.sh; Redis and PostgreSQL through their Unix
 * sockets, or loopback TCP with BENCH_TCP=1 (scripts/bench/transport.ts). Every message comes from a contact not
 * seen before, so each is a "hi" from a new number answered by the welcome question. Pacing is
 * set far above the offered rate (TWILIO_MESSAGES_PER_SECOND 100,000) so the provider is not the
 * limit.
 *
 * - Sustained rate: the offered rate is stepped up (open loop, BENCH_STEP_SECONDS per step); a
 *   step is sustained when the replies keep up (delivered rate >= 95% of offered) and p99 < 1 s.
 * - Latency p50/p99 at 150 messages/s (webhook sent -> reply received by the fake, ms).
 * - Nothing lost, nothing doubled: after each step every contact has exactly the replies a single
 *   probe contact got (asserted; the bench fails otherwise).
 * - CPU time per message, at each step: the gateway process's and the PostgreSQL server's (from
 *   /proc). Less noisy than the rates on a shared machine, so it tells two builds apart.
 * - Memory: the gateway process's RSS (from /proc), steady (median during the 150/s step) and over
 *   three back-to-back 150/s runs: growth from the first to the third of the median during each
 *   run (a leak lifts it), with the reading right after each run beside it (which mostly tells
 *   where the garbage collector was).
 * - Baseline, same run, same Redis and database engine: a bare BullMQ two-job pipeline (in queue,
 *   worker does a one-row transaction and adds to the out queue, out worker completes), offered
 *   BENCH_BASELINE_MESSAGES messages at once, with the gateway's worker concurrencies.
 */
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Agent, request } from 'undici';
import { createLogger } from '../../src/logger.js';
import { redisOptions } from '../../src/jobs/queues.js';
import { startEmbeddedRedis } from '../../src/redis/embedded.js';
import { startTwilioApi, type FakeTwilioApi } from '../../test/fakes/twilio-api.js';
import { profileArgs } from '../../test/support/profile.js';
import { TWILIO_SID, TWILIO_TOKEN, inboundSms, signedWebhook } from '../../test/support/providers.js';
import { gatewayFrom, startBuiltGateway } from './built-gateway.js';
import { smsGatewayEnv } from './sms-gateway-env.js';
import { benchTransport } from './transport.js';
import { postgresTarget, withSchema } from '../../src/db/client.js';

const STEPS = (process.env.BENCH_STEPS ?? '25,50,100,150,200,300,400,500').split(',').map(Number);
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 6);
const LATENCY_RATE = 150;
const MEMORY_RUNS = Math.max(3, Number(process.env.BENCH_MEMORY_RUNS ?? 3));
const BASELINE_MESSAGES = Number(process.env.BENCH_BASELINE_MESSAGES ?? 3000);
const GOALS = { sqlite: 300, postgres: 200 } as const;
const SMS_PATH = '/webhooks/twilio/sms';

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** RSS of a process in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

/**
 * CPU time used so far (user + system, ms) by the processes `pids` names, from /proc (Linux; clock
 * ticks of 10 ms). A process gone meanwhile counts nothing.
 */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // Fields after the command name, which is in parentheses and may hold spaces.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited
    }
  }
  return ticks * 10;
}

/** The processes whose command name is `name` (the PostgreSQL server's, say). */
function processesNamed(name: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Samples the RSS of `pid` every 250 ms until stopped. */
function sampleRss(pid: number): { stop: () => number[] } {
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(rssMb(pid)), 250);
  return { stop: () => (clearInterval(timer), samples) };
}

interface StepResult {
  offered: number;
  delivered_per_s: number;
  p50_ms: number;
  p99_ms: number;
  lost: number;
  doubled: number;
  sustained: boolean;
  /** CPU time per message offered (ms): the gateway's, and the PostgreSQL server's (all its processes). */
  gateway_cpu_ms_per_msg?: number;
  database_cpu_ms_per_msg?: number;
}

let contactCounter = 0;
function nextAddress(): string {
  contactCounter += 1;
  return `+1666${String(contactCounter).padStart(7, '0')}`;
}

/** Replies received per address since `from` (index into the fake's request list). */
function repliesByAddress(api: FakeTwilioApi, from: number): Map<string, number[]> {
  const byAddress = new Map<string, number[]>();
  for (const r of api.requests.slice(from)) {
    if (!r.path.endsWith('/Messages.json') || r.answeredStatus !== undefined && r.answeredStatus >= 300) continue;
    const to = r.form.To ?? '';
    const list = byAddress.get(to) ?? [];
    list.push(r.receivedAt);
    byAddress.set(to, list);
  }
  return byAddress;
}

async function post(agent: Agent, url: string, from: string): Promise<number> {
  const webhook = signedWebhook.twilio(SMS_PATH, inboundSms(from, 'hi'));
  const response = await request(`${url}${SMS_PATH}`, {
    method: 'POST',
    headers: webhook.headers as Record<string, string>,
    body: webhook.rawBody,
    dispatcher: agent,
  });
  await response.body.dump();
  return response.statusCode;
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

/**
 * Offers `rate` messages/s for `seconds`, each from a new contact, then waits (up to 60 s) for
 * every contact to get `expected` replies. Throws when a webhook is refused.
 */
async function offer(api: FakeTwilioApi, agent: Agent, url: string, rate: number, seconds: number, expected: number): Promise<StepResult> {
  const mark = api.requests.length;
  const total = Math.round(rate * seconds);
  const sentAt = new Map<string, number>();
  const posts: Promise<void>[] = [];
  const started = Date.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const address = nextAddress();
    sentAt.set(address, Date.now());
    posts.push(
      post(agent, url, address).then((status) => {
        if (status !== 200) throw new Error(`webhook answered ${status}`);
      }),
    );
  }
  await Promise.all(posts);
  const complete = () => {
    const replies = repliesByAddress(api, mark);
    let count = 0;
    for (const address of sentAt.keys()) if ((replies.get(address)?.length ?? 0) >= expected) count += 1;
    return count === total;
  };
  await waitFor(complete, 60_000);
  // A doubled reply would come right after the first: give it a moment to show.
  await new Promise((r) => setTimeout(r, 500));
  const replies = repliesByAddress(api, mark);
  const latencies: number[] = [];
  let lost = 0;
  let doubled = 0;
  let last = started;
  for (const [address, at] of sentAt) {
    const got = replies.get(address) ?? [];
    if (got.length < expected) lost += 1;
    if (got.length > expected) doubled += 1;
    if (got.length > 0) {
      latencies.push(got[0]! - at);
      last = Math.max(last, got[0]!);
    }
  }
  latencies.sort((a, b) => a - b);
  const deliveredPerSecond = (total * 1000) / Math.max(1, last - started);
  const p99 = percentile(latencies, 99);
  return {
    offered: rate,
    delivered_per_s: Math.round(deliveredPerSecond),
    p50_ms: Math.round(percentile(latencies, 50)),
    p99_ms: Math.round(p99),
    lost,
    doubled,
    sustained: lost === 0 && doubled === 0 && deliveredPerSecond >= 0.95 * rate && p99 < 1000,
  };
}

/** The bare two-job pipeline: messages per second from first add to last out-job done. */
async function baseline(redisUrl: string, databaseUrl: string | undefined, dir: string, concurrency: number): Promise<number> {
  const connection = redisOptions(redisUrl);
  let insert: (id: string) => Promise<void>;
  let close: () => Promise<void>;
  if (databaseUrl) {
    const pg = (await import('pg')).default;
    const pool = new pg.Pool({ connectionString: postgresTarget(databaseUrl).connectionString, max: 10 });
    await pool.query('DROP TABLE IF EXISTS bench_baseline; CREATE TABLE bench_baseline (id text PRIMARY KEY, at timestamptz NOT NULL)');
    insert = async (id) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO bench_baseline (id, at) VALUES ($1, now())', [id]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    };
    close = async () => {
      await pool.query('DROP TABLE IF EXISTS bench_baseline');
      await pool.end();
    };
  } else {
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dir, 'baseline.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE bench_baseline (id TEXT PRIMARY KEY, at INTEGER NOT NULL)');
    const statement = db.prepare('INSERT INTO bench_baseline (id, at) VALUES (?, ?)');
    const tx = db.transaction((id: string) => statement.run(id, Date.now()));
    insert = async (id) => void tx(id);
    close = async () => void db.close();
  }
  const inbound = new Queue('in', { connection, prefix: 'bench-e2e-base' });
  const outbound = new Queue('out', { connection, prefix: 'bench-e2e-base' });
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  const inWorker = new Worker<{ id: string }>(
    'in',
    async (job) => {
      await insert(job.data.id);
      await outbound.add('out', job.data, { jobId: `out-${job.data.id}` });
    },
    { connection, prefix: 'bench-e2e-base', concurrency },
  );
  const outWorker = new Worker('out', async () => undefined, { connection, prefix: 'bench-e2e-base', concurrency: 50 });
  outWorker.on('completed', () => {
    if (++done === BASELINE_MESSAGES) finish();
  });
  const started = performance.now();
  await inbound.addBulk(Array.from({ length: BASELINE_MESSAGES }, (_, i) => ({ name: 'in', data: { id: `m${i}` }, opts: { jobId: `in-m${i}` } })));
  await finished;
  const perSecond = BASELINE_MESSAGES / ((performance.now() - started) / 1000);
  await Promise.all([inWorker.close(), outWorker.close()]);
  await inbound.obliterate({ force: true });
  await outbound.obliterate({ force: true });
  await Promise.all([inbound.close(), outbound.close()]);
  await close();
  return perSecond;
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-e2e-'));
  const logger = createLogger('silent');
  const redis = await startEmbeddedRedis({ bin: 'redis-server', dataDir: join(dir, 'redis'), logger });
  const api = await startTwilioApi({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN });
  const transport = benchTransport(redis);
  const databaseUrl = transport.databaseUrl ? withSchema(transport.databaseUrl, `bench_e2e_${process.pid}`) : undefined;
  const provider = databaseUrl ? 'postgres' : 'sqlite';
  const agent = new Agent({ connections: 64, pipelining: 1 });
  const { redisUrl } = transport;
  try {
    const baselinePerSecond = await baseline(redisUrl, transport.databaseUrl, dir, provider === 'postgres' ? 4 : 1);
    console.error(`baseline: ${Math.round(baselinePerSecond)} messages/s`);
    const started = Date.now();
    const gateway = await startBuiltGateway(
      {
        ...smsGatewayEnv(redisUrl, api.url),
        DATA_DIR: join(dir, 'gateway'),
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      },
      { readyTimeoutMs: 120_000, execArgv: profileArgs() },
    );
    const startupMs = Date.now() - started;
    const pid = gateway.process.pid!;
    try {
      // One probe contact tells how many replies a new contact's "hi" gets.
      const probe = nextAddress();
      const mark = api.requests.length;
      if ((await post(agent, gateway.url, probe)) !== 200) throw new Error('probe webhook refused');
      await waitFor(() => (repliesByAddress(api, mark).get(probe)?.length ?? 0) > 0, 30_000);
      await new Promise((r) => setTimeout(r, 1000));
      const expected = repliesByAddress(api, mark).get(probe)?.length ?? 0;
      if (expected === 0) throw new Error('the probe contact got no reply');

      const steps: StepResult[] = [];
      let steadyRss: number[] = [];
      for (const rate of STEPS) {
        const rss = sampleRss(pid);
        const server = provider === 'postgres' ? processesNamed('postgres') : [];
        const cpuBefore = [cpuMs([pid]), cpuMs(server)];
        const step = await offer(api, agent, gateway.url, rate, STEP_SECONDS, expected);
        const offered = rate * STEP_SECONDS;
        step.gateway_cpu_ms_per_msg = Number(((cpuMs([pid]) - cpuBefore[0]!) / offered).toFixed(2));
        // Server processes started during the step (the pool's new connections) count from zero.
        const serverAfter = provider === 'postgres' ? [...new Set([...server, ...processesNamed('postgres')])] : [];
        if (serverAfter.length > 0) step.database_cpu_ms_per_msg = Number(((cpuMs(serverAfter) - cpuBefore[1]!) / offered).toFixed(2));
        const samples = rss.stop();
        if (rate === LATENCY_RATE) steadyRss = samples;
        steps.push(step);
        console.error(`offered ${rate}/s: ${JSON.stringify(step)} rss ${Math.round(Math.max(...samples))} MB`);
        if (step.lost > 0 || step.doubled > 0) throw new Error(`messages lost (${step.lost}) or doubled (${step.doubled}) at ${rate}/s`);
        if (!step.sustained && rate > LATENCY_RATE) break;
      }
      // Back-to-back runs at 150/s (three, or BENCH_MEMORY_RUNS): the median RSS during each (what
      // growth is counted on: a leak lifts it run after run, where one reading right after a run
      // mostly tells where the collector was), and one reading right after each.
      const after: number[] = [];
      const during: number[] = [];
      for (let i = 0; i < MEMORY_RUNS; i++) {
        const rss = sampleRss(pid);
        const step = await offer(api, agent, gateway.url, LATENCY_RATE, STEP_SECONDS, expected);
        const samples = rss.stop().sort((a, b) => a - b);
        if (step.lost > 0 || step.doubled > 0) throw new Error(`messages lost (${step.lost}) or doubled (${step.doubled}) in memory run ${i + 1}`);
        during.push(percentile(samples, 50));
        after.push(rssMb(pid));
      }
      const sustained = Math.max(0, ...steps.filter((s) => s.sustained).map((s) => s.offered));
      const maxDelivered = Math.max(...steps.map((s) => s.delivered_per_s));
      const at150 = steps.find((s) => s.offered === LATENCY_RATE);
      steadyRss.sort((a, b) => a - b);
      const steady = percentile(steadyRss, 50);
      const growth = (during[2]! - during[0]!) / during[0]!; // the goal's three runs
      const growthAfter = (after[2]! - after[0]!) / after[0]!;
      const messages = steps.reduce((n, s) => n + Math.round(s.offered * STEP_SECONDS), 0) + MEMORY_RUNS * LATENCY_RATE * STEP_SECONDS;
      const table = [
        ['sustained rate (msg/s)', sustained, `>= ${GOALS[provider]}`, (sustained / GOALS[provider]).toFixed(2)],
        ['highest delivered rate (msg/s)', maxDelivered, '-', '-'],
        ['ratio to bare BullMQ pipeline (highest delivered / baseline)', (maxDelivered / baselinePerSecond).toFixed(3), '-', '-'],
        ['p50 at 150/s (ms)', at150?.p50_ms ?? '-', '-', '-'],
        ['gateway CPU per message at 150/s (ms)', at150?.gateway_cpu_ms_per_msg ?? '-', '-', '-'],
        ...(provider === 'postgres' ? [['PostgreSQL CPU per message at 150/s (ms)', at150?.database_cpu_ms_per_msg ?? '-', '-', '-']] : []),
        ['p99 at 150/s (ms)', at150?.p99_ms ?? '-', '< 250', at150 ? (at150.p99_ms / 250).toFixed(2) : '-'],
        ['steady RSS at 150/s (MB)', Math.round(steady), '< 300', (steady / 300).toFixed(2)],
        ['RSS growth, 3 runs, median during each (%)', (growth * 100).toFixed(1), '< 10', (growth * 100 / 10).toFixed(2)],
        ['RSS growth, 3 runs, reading after each (%)', (growthAfter * 100).toFixed(1), '-', '-'],
        ['lost / doubled', '0 / 0', '0 / 0', 'ok'],
      ];
      console.error(`\ne2e on ${provider}, gateway from the ${gatewayFrom()}, Redis and database through ${transport.via}: ${messages} messages, baseline ${Math.round(baselinePerSecond)} msg/s\n`);
      console.error('| figure | measured | goal | measured/goal |\n| --- | --- | --- | --- |');
      for (const row of table) console.error(`| ${row.join(' | ')} |`);
      return {
        database: provider,
        via: transport.via,
        gateway_from: gatewayFrom(),
        messages,
        replies_per_message: expected,
        steps,
        sustained_per_s: sustained,
        baseline: 'bare BullMQ in -> one-row transaction -> out, same Redis and engine',
        baseline_per_s: Math.round(baselinePerSecond),
        max_delivered_per_s: maxDelivered,
        ratio: Number((maxDelivered / baselinePerSecond).toFixed(3)),
        p50_ms_at_150: at150?.p50_ms,
        p99_ms_at_150: at150?.p99_ms,
        steady_rss_mb: Math.round(steady),
        rss_during_runs_mb: during.map(Math.round),
        rss_after_runs_mb: after.map(Math.round),
        rss_growth_pct: Number((growth * 100).toFixed(1)),
        rss_growth_after_pct: Number((growthAfter * 100).toFixed(1)),
        startup_ms: startupMs,
        lost: 0,
        doubled: 0,
      };
    } finally {
      await gateway.stop();
    }
  } finally {
    await agent.close();
    await api.close();
    await redis.stop();
    if (databaseUrl) {
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "bench_e2e_${process.pid}" CASCADE`);
      await client.end();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
