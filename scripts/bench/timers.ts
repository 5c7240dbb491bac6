/**
 * timers: escalation timers with 10,000 open incidents waiting on one. A whole gateway (SQLite,
 * or PostgreSQL when TEST_DATABASE_URL is set) with its own Redis; the incidents and their
 * escalation state are written to the database, and the capability's start re-creates every
 * timer in Redis (the restart path). BENCH_DUE of them come due within BENCH_WINDOW_S seconds,
 * the rest hours later, as in real life. Measured: how late each due timer fires (job start) and
 * how late its notification is committed, Redis memory with the 10,000 timers, peak RSS.
 * Baseline, same run, same Redis: bare BullMQ delayed jobs of the same count, data and delays,
 * with a no-op worker of the same concurrency (4).
 * The gateway and the baseline each run in a child process (this file, with BENCH_TIMERS_ROLE),
 * so that their peak RSS (VmHWM) is their own and not the set-up's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/gateway.js';
import { openDatabase, withSchema } from '../../src/db/client.js';
import { mintCaseCode } from '../../src/flow/case-code.js';
import { startGateway } from '../../src/gateway.js';
import { escalateTimerId } from '../../src/incidents/ladder-timers.js';
import { incidentsCapability } from '../../src/incidents/index.js';
import { parseRoster } from '../../src/incidents/roster-model.js';
import { applyRoster } from '../../src/incidents/rosters.js';
import { createLogger } from '../../src/logger.js';
import { createPersonalData, parseKey } from '../../src/personal-data.js';
import { jobId, redisOptions } from '../../src/jobs/queues.js';
import { startEmbeddedRedis } from '../../src/redis/embedded.js';
import { readAreas, seedAreas } from '../../src/areas/gazetteer.js';

const TIMERS = Number(process.env.BENCH_TIMERS ?? 10_000);
const DUE = Number(process.env.BENCH_DUE ?? 1_000);
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 40);
/** Time left for scheduling before the first timer is due. */
const LEAD_S = Number(process.env.BENCH_LEAD_S ?? 25);
const KEY = 'b'.repeat(64);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Peak resident set of a process (Linux VmHWM), in bytes. */
function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

const self = fileURLToPath(import.meta.url);

/** Runs this file in a child with a role; resolves with the child once it printed `ready`. */
async function child(role: string, vars: Record<string, string>): Promise<{ process: ChildProcess; output: () => string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', self], { env: { ...process.env, ...vars, BENCH_TIMERS_ROLE: role }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await new Promise<void>((resolvePromise, reject) => {
    const check = setInterval(() => {
      if (output.includes('ready')) {
        clearInterval(check);
        resolvePromise();
      }
    }, 20);
    proc.on('exit', (code) => {
      clearInterval(check);
      reject(new Error(`${role} child exited (${code}):\n${output}`));
    });
  });
  return { process: proc, output: () => output };
}

async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
}

/** Due times: DUE of them spread over the window after `start`, the others 1 h to 24 h later. */
function dueTimes(start: number): number[] {
  return Array.from({ length: TIMERS }, (_, i) =>
    i < DUE ? start + Math.floor((i / DUE) * WINDOW_S * 1000) : start + 3_600_000 + Math.floor(((i - DUE) / (TIMERS - DUE)) * 23 * 3_600_000),
  );
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The baseline child: bare BullMQ delayed jobs and a no-op worker; prints its lateness. */
async function baselineChild(): Promise<void> {
  const redisUrl = process.env.BENCH_REDIS_URL!;
  const connection = redisOptions(redisUrl);
  const queue = new Queue('timers', { connection, prefix: 'bench-base' });
  const late: number[] = [];
  const worker = new Worker(
    'timers',
    async (job) => {
      late.push(Date.now() - Number(job.data.due));
    },
    { connection, prefix: 'bench-base', concurrency: 4 },
  );
  const due = dueTimes(Date.now() + LEAD_S * 1000);
  const started = Date.now();
  for (let i = 0; i < TIMERS; i += 500) {
    await queue.addBulk(
      due.slice(i, i + 500).map((at) => {
        const id = randomUUID();
        return { name: 'incident-escalate', data: { kind: 'incident-escalate', incidentId: id, level: 1, round: 0, due: at }, opts: { jobId: jobId('escalate', id, 1, 0), delay: at - Date.now() } };
      }),
    );
  }
  const scheduleSeconds = (Date.now() - started) / 1000;
  process.stdout.write(`ready\n`);
  while (late.length < DUE && Date.now() < due[DUE - 1]! + 60_000) await sleep(100);
  await worker.close();
  await queue.close();
  late.sort((a, b) => a - b);
  process.stdout.write(`result ${JSON.stringify({ fired: late.length, p50: percentile(late, 50), p99: percentile(late, 99), scheduleSeconds, peak: peakRss(process.pid) })}\n`);
}

async function baseline(redisUrl: string, redis: Redis) {
  const before = await usedMemory(redis);
  const { process: proc, output } = await child('baseline', { BENCH_REDIS_URL: redisUrl });
  const memory = (await usedMemory(redis)) - before;
  await new Promise((r) => proc.once('exit', r));
  const line = /result (.+)/.exec(output())?.[1];
  if (!line) throw new Error(`the baseline child printed no result:\n${output()}`);
  const result = JSON.parse(line) as { fired: number; p50: number; p99: number; scheduleSeconds: number; peak: number };
  const queue = new Queue('timers', { connection: redisOptions(redisUrl), prefix: 'bench-base' });
  await queue.obliterate({ force: true });
  await queue.close();
  return { ...result, memory };
}

/** The gateway child: a whole gateway with the incidents capability, until SIGTERM. */
async function gatewayChild(): Promise<void> {
  const config = loadConfig(JSON.parse(process.env.BENCH_GATEWAY_ENV!) as Record<string, string>);
  const started = Date.now();
  const gateway = await startGateway(config, { http: false, logger: createLogger('silent'), capabilities: [incidentsCapability({ catchUpMs: 0 })] });
  process.stdout.write(`ready ${(Date.now() - started) / 1000}\n`);
  process.on('SIGTERM', () => void gateway.stop().then(() => process.exit(0)));
}

async function gatewayRun(redisUrl: string, redis: Redis, dir: string) {
  const pgUrl = process.env.TEST_DATABASE_URL;
  const databaseUrl = pgUrl ? withSchema(pgUrl, `bench_timers_${Date.now()}`) : `file:${join(dir, 'bench.db')}`;
  const personalData = createPersonalData(parseKey(KEY));
  const database = await openDatabase(databaseUrl);
  const db = database.db;
  await seedAreas(db, readAreas(resolve(import.meta.dirname, '..', '..', 'prisma', 'seed', 'areas.yaml')));
  await applyRoster(
    db,
    personalData,
    parseRoster({
      committees: [
        { id: 'kanzi-peace', name: 'Kanzi', level: 'local', area: 'kanzi' },
        { id: 'north-liaison', name: 'North', level: 'regional', area: 'north' },
        { id: 'national-desk', name: 'National', level: 'national', area: 'lakeland' },
      ],
      responders: [
        { id: 'local-1', name: 'Local', identities: [{ channel: 'console', address: 'local-1' }], committees: ['kanzi-peace'] },
        { id: 'regional-1', name: 'Regional', identities: [{ channel: 'console', address: 'regional-1' }], committees: ['north-liaison'] },
        { id: 'national-1', name: 'National', identities: [{ channel: 'console', address: 'national-1' }], committees: ['national-desk'] },
      ],
    }),
    'cli:bench',
  );
  // 10,000 open critical incidents, each told its local committee and waiting on the timer of
  // its regional level (as a gateway restarting with that backlog finds them).
  const due = dueTimes(Date.now() + LEAD_S * 1000);
  const description = personalData.encrypt('benchmark report');
  const ids: string[] = due.map(() => randomUUID());
  const categories = ['violence', 'hate_speech', 'displacement', 'armed_group_movement', 'other'];
  for (let i = 0; i < TIMERS; i += 1000) {
    await db.incident.createMany({
      data: ids.slice(i, i + 1000).map((id, j) => ({ id, caseCode: mintCaseCode(), category: categories[(i + j) % categories.length]!, severity: 'critical', areaId: 'kanzi', descriptionEnc: description, anonymous: true })),
    });
    await db.escalation.createMany({
      data: ids.slice(i, i + 1000).map((incidentId, j) => ({ incidentId, policyId: 'critical', level: 1, round: 0, notifiedLevel: 0, timerKind: 'escalate', timerAt: new Date(due[i + j]!) })),
    });
  }
  await database.close();

  const before = await usedMemory(redis);
  const vars = {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: 'bench-gw',
    DATA_ENCRYPTION_KEY: KEY,
    LOG_LEVEL: 'silent',
  };
  const { process: proc, output } = await child('gateway', { BENCH_GATEWAY_ENV: JSON.stringify(vars) });
  const scheduleSeconds = Number(/ready (\S+)/.exec(output())?.[1] ?? 0);
  const memory = (await usedMemory(redis)) - before;
  const observer = await openDatabase(databaseUrl);
  const timers = new Queue('timers', { connection: redisOptions(redisUrl), prefix: 'bench-gw' });
  try {
    const pending = await timers.getDelayedCount();
    const lastDue = due[DUE - 1]!;
    while (Date.now() < lastDue + 90_000) {
      if ((await observer.db.incidentNotification.count({ where: { level: 1 } })) >= DUE) break;
      await sleep(200);
    }
    await sleep(500);
    const peak = peakRss(proc.pid!);
    const notified = await observer.db.incidentNotification.findMany({ where: { level: 1 }, select: { incidentId: true, createdAt: true } });
    const dueById = new Map(ids.map((id, i) => [id, due[i]!]));
    const committed = notified.map((n) => n.createdAt.getTime() - dueById.get(n.incidentId)!).sort((a, b) => a - b);
    const fired: number[] = [];
    for (const id of ids.slice(0, DUE)) {
      const job = await timers.getJob(escalateTimerId(id, 1, 0));
      if (job?.processedOn) fired.push(job.processedOn - dueById.get(id)!);
    }
    fired.sort((a, b) => a - b);
    return {
      database: observer.provider,
      pending,
      fired: fired.length,
      committedCount: committed.length,
      fireP50: percentile(fired, 50),
      fireP99: percentile(fired, 99),
      p50: percentile(committed, 50),
      p99: percentile(committed, 99),
      memory,
      peak,
      scheduleSeconds,
    };
  } finally {
    await stopChild(proc);
    await timers.obliterate({ force: true });
    await timers.close();
    await observer.close();
    if (pgUrl) {
      const pg = (await import('pg')).default;
      const { postgresTarget } = await import('../../src/db/client.js');
      const target = postgresTarget(databaseUrl);
      const client = new pg.Client({ connectionString: target.connectionString });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${target.schema}" CASCADE`);
      await client.end();
    }
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-timers-'));
  const logger = createLogger('silent');
  const embedded = await startEmbeddedRedis({ bin: process.env.REDIS_SERVER_BIN ?? 'redis-server', dataDir: join(dir, 'redis'), logger });
  const redis = new Redis(redisOptions(embedded.url));
  try {
    const base = await baseline(embedded.url, redis);
    const gw = await gatewayRun(embedded.url, redis, dir);
    return {
      timers: TIMERS,
      due_in_window: DUE,
      window_s: WINDOW_S,
      database: gw.database,
      pending_at_start: gw.pending,
      fired: gw.fired,
      notified: gw.committedCount,
      // How late the timer's job started, and how late its notification was committed.
      fire_p50_ms: gw.fireP50,
      fire_p99_ms: gw.fireP99,
      p50_ms: gw.p50,
      p99_ms: gw.p99,
      baseline_fired: base.fired,
      baseline_p50_ms: base.p50,
      baseline_p99_ms: base.p99,
      ratio: base.p99 > 0 ? Math.round((gw.p99 / base.p99) * 10) / 10 : null,
      fire_ratio: base.p99 > 0 ? Math.round((gw.fireP99 / base.p99) * 10) / 10 : null,
      redis_used_memory_mb: mb(gw.memory),
      baseline_redis_used_memory_mb: mb(base.memory),
      peak_rss_mb: mb(gw.peak),
      baseline_peak_rss_mb: mb(base.peak),
      schedule_s: gw.scheduleSeconds,
      baseline_schedule_s: base.scheduleSeconds,
    };
  } finally {
    redis.disconnect();
    await embedded.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env.BENCH_TIMERS_ROLE === 'baseline') {
  await baselineChild();
  process.exit(0);
}
if (process.env.BENCH_TIMERS_ROLE === 'gateway') await gatewayChild();
