/**
 * broadcast: an announcement to 100,000 SMS subscribers, on SQLite and on PostgreSQL.
 *
 * Figures per database:
 *   - enqueue_ms: from "send now" to every recipient's Message row written and send job added
 *     (the whole fan-out: audience pages read, rows written with createMany, jobs added in bulk);
 *   - bare_ms: bare BullMQ addBulk of the same number of jobs (same shape: name, data, job id,
 *     priority; same chunk size), same run, same Redis; ratio = bare_ms / enqueue_ms (goal >= 0.5);
 *   - estimate_ms: the approver's estimate over the whole audience;
 *   - peak_rss_mb: peak RSS of the gateway process (seeding runs in another process);
 *   - delivered_per_s against the fake SMS API over a sample, and its ratio to the configured pace;
 *   - encrypt_per_row_ms: what encrypting each row's body separately would cost (the fan-out
 *     encrypts once per language instead).
 *
 * Layout: the parent starts Redis and the fake SMS API, then per database a seeding process and
 * a gateway process (`--seed` / `--gateway` modes of this file); PostgreSQL runs under
 * scripts/with-postgres.sh. The seeding process runs ANALYZE, as a database in use has planner
 * statistics. BENCH_RECIPIENTS, BENCH_SMS_RATE, BENCH_SAMPLE_S, BENCH_PAGE_SIZE change the sizes.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { withSchema } from '../../src/db/client.js';

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 100_000);
const SMS_RATE = Number(process.env.BENCH_SMS_RATE ?? 20);
const SAMPLE_S = Number(process.env.BENCH_SAMPLE_S ?? 15);
const PAGE_SIZE = Number(process.env.BENCH_PAGE_SIZE ?? 2000);
const KEY = 'b'.repeat(64);
const ACCOUNT = 'AC00000000000000000000000000000001';
const here = import.meta.filename;
const root = resolve(import.meta.dirname, '..', '..');

interface ChildFigures {
  enqueue_ms: number;
  bare_ms: number;
  estimate_ms: number;
  peak_rss_mb: number;
  encrypt_per_row_ms: number;
  written: number;
  seed_ms?: number;
}

// ---------------------------------------------------------------- seeding process
async function seed(databaseUrl: string): Promise<void> {
  const { openDatabase } = await import('../../src/db/client.js');
  const { createPersonalData, parseKey } = await import('../../src/personal-data.js');
  const { readAreas, seedAreas } = await import('../../src/areas/gazetteer.js');
  const database = await openDatabase(databaseUrl);
  const db = database.db;
  const personalData = createPersonalData(parseKey(KEY));
  if ((await db.area.count()) === 0) await seedAreas(db, readAreas(join(root, 'prisma', 'seed', 'areas.yaml')));
  const localities = ['kanzi', 'mbali', 'tessa', 'oroma', 'lindu'];
  const languages = ['en', 'fr', 'ar', null];
  const started = performance.now();
  const chunk = 5000;
  for (let offset = 0; offset < RECIPIENTS; offset += chunk) {
    const contacts = [];
    const identities = [];
    const subscriptions = [];
    for (let i = offset; i < Math.min(RECIPIENTS, offset + chunk); i++) {
      const id = randomUUID();
      const address = `+2547${String(i).padStart(8, '0')}`;
      contacts.push({ id, areaId: localities[i % localities.length]!, language: languages[i % languages.length] ?? null });
      identities.push({ contactId: id, channel: 'sms', addressHash: personalData.hash('sms', address), addressEnc: personalData.encrypt(address) });
      subscriptions.push({ contactId: id, topic: 'civic' });
    }
    await db.contact.createMany({ data: contacts });
    await db.contactIdentity.createMany({ data: identities });
    await db.subscription.createMany({ data: subscriptions });
  }
  // A database that has been running has its planner statistics; a freshly loaded one needs them.
  await db.$executeRawUnsafe('ANALYZE');
  process.stdout.write(`${JSON.stringify({ seed_ms: Math.round(performance.now() - started) })}\n`);
  await database.close();
}

// ---------------------------------------------------------------- gateway process
async function gatewayRun(databaseUrl: string, redisUrl: string, smsApi: string): Promise<void> {
  const { loadConfig } = await import('../../src/gateway.js');
  const { startGateway } = await import('../../src/gateway.js');
  const { broadcastsCapability } = await import('../../src/broadcasts/index.js');
  const { BroadcastService } = await import('../../src/broadcasts/service.js');
  const { broadcastSettingsSchema, parseQuietHours, resolveSettings } = await import('../../src/broadcasts/settings.js');
  const { createLogger } = await import('../../src/logger.js');
  const { jobId } = await import('../../src/jobs/queues.js');

  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-broadcast-'));
  const settings = { BROADCAST_QUIET_HOURS: '', BROADCAST_PAGE_SIZE: PAGE_SIZE, BROADCAST_SWEEP_MS: 3_600_000 };
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `bench${process.pid}`,
    DATA_ENCRYPTION_KEY: KEY,
    LOG_LEVEL: 'silent',
    CONSOLE_CHANNEL: 'false',
    TWILIO_ACCOUNT_SID: ACCOUNT,
    TWILIO_AUTH_TOKEN: 'bench-token',
    TWILIO_FROM: '+15005550006',
    TWILIO_API_BASE: smsApi,
    TWILIO_MESSAGES_PER_SECOND: String(SMS_RATE),
  });
  const gateway = await startGateway(config, { capabilities: [broadcastsCapability({ settings })], logger: createLogger('silent') });
  const service = new BroadcastService({ runtime: gateway, settings: resolveSettings(broadcastSettingsSchema.parse(config.env), settings), quietHours: parseQuietHours(''), now: () => new Date(), dialect: { provider: config.databaseProvider, schema: config.databaseProvider === 'postgres' ? 'bench' : undefined } });
  const creator = { tokenId: 'bench-creator', name: 'bench creator', role: 'broadcaster', areaId: null };
  const approver = { tokenId: 'bench-approver', name: 'bench approver', role: 'approver', areaId: null };

  // Baseline: bare addBulk of the same number of jobs, same shape, same chunks, same Redis.
  const bare = new Queue('bench-bare', { connection: gateway.queues.producerConnection(), prefix: gateway.queues.settings.prefix });
  const bareStarted = performance.now();
  for (let offset = 0; offset < RECIPIENTS; offset += PAGE_SIZE) {
    const jobs = [];
    for (let i = offset; i < Math.min(RECIPIENTS, offset + PAGE_SIZE); i++) {
      const id = randomUUID();
      jobs.push({ name: 'send', data: { messageId: id }, opts: { jobId: jobId('out', id), priority: 10 } });
    }
    await bare.addBulk(jobs);
  }
  const bareMs = performance.now() - bareStarted;
  await bare.obliterate({ force: true });
  await bare.close();

  const encryptStarted = performance.now();
  const body = JSON.stringify({ type: 'text', text: 'Polling stations open at 7:00 on Sunday. Bring your voter card.' });
  for (let i = 0; i < RECIPIENTS; i++) gateway.personalData.encrypt(body);
  const encryptMs = performance.now() - encryptStarted;

  const estimateStarted = performance.now();
  const created = await service.create(creator, {
    title: 'Polling day',
    texts: {
      en: 'Polling stations open at 7:00 on Sunday. Bring your voter card.',
      fr: 'Les bureaux de vote ouvrent à 7 h dimanche. Apportez votre carte d’électeur.',
      ar: 'تفتح مراكز الاقتراع الساعة السابعة يوم الأحد. أحضر بطاقة الناخب.',
    },
    audience: { topic: 'civic' },
  });
  const estimateMs = performance.now() - estimateStarted;
  await service.approve(approver, created.broadcast.id);
  const started = performance.now();
  await service.schedule(creator, created.broadcast.id, null);
  let row = await gateway.db.broadcast.findUniqueOrThrow({ where: { id: created.broadcast.id } });
  while (row.status !== 'dispatched') {
    if (performance.now() - started > 300_000) throw new Error(`fan-out not finished after 300 s (${row.written} written)`);
    await new Promise((r) => setTimeout(r, 25));
    row = await gateway.db.broadcast.findUniqueOrThrow({ where: { id: created.broadcast.id } });
  }
  const enqueueMs = performance.now() - started;
  const figures: ChildFigures = {
    enqueue_ms: Math.round(enqueueMs),
    bare_ms: Math.round(bareMs),
    estimate_ms: Math.round(estimateMs),
    peak_rss_mb: 0,
    encrypt_per_row_ms: Math.round(encryptMs),
    written: row.written,
  };
  // Deliveries go on at the SMS pace while the parent samples the fake API.
  process.stdout.write(`dispatched\n`);
  await new Promise((r) => setTimeout(r, SAMPLE_S * 1000 + 500));
  figures.peak_rss_mb = Math.round(Math.max(peak, process.memoryUsage().rss) / 1e6);
  clearInterval(sampler);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  await gateway.queues.outbound('sms').obliterate({ force: true }).catch(() => undefined);
  await gateway.stop();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}

// ---------------------------------------------------------------- parent
function runChild(command: string[], env: Record<string, string>, onLine: (line: string) => void = () => undefined): Promise<string[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command[0]!, command.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'], cwd: root });
    const lines: string[] = [];
    let buffer = '';
    child.stdout.on('data', (data: Buffer) => {
      buffer += data.toString();
      let index;
      while ((index = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, index);
        buffer = buffer.slice(index + 1);
        lines.push(line);
        onLine(line);
      }
    });
    child.on('exit', (code) => (code === 0 ? resolvePromise(lines) : reject(new Error(`${command.join(' ')} exited with ${code}`))));
  });
}

const lastJson = (lines: string[]) => JSON.parse([...lines].reverse().find((l) => l.startsWith('{'))!) as Record<string, number>;

export async function run(): Promise<Record<string, unknown>> {
  const { startEmbeddedRedis } = await import('../../src/redis/embedded.js');
  const { createLogger } = await import('../../src/logger.js');
  const { startTwilioApi } = await import('../../test/fakes/twilio-api.js');
  const redisDir = mkdtempSync(join(tmpdir(), 'bench-broadcast-redis-'));
  const redis = await startEmbeddedRedis({ bin: process.env.REDIS_SERVER_BIN ?? 'redis-server', dataDir: redisDir, logger: createLogger('silent') });
  const api = await startTwilioApi();
  const results: Record<string, unknown> = { recipients: RECIPIENTS, sms_rate_per_s: SMS_RATE, sample_s: SAMPLE_S, page_size: PAGE_SIZE };
  try {
    for (const database of ['sqlite', 'postgres'] as const) {
      const node = [process.execPath, '--import', 'tsx', here];
      let seedLines: string[];
      let gatewayLines: string[];
      let sampleStart = 0;
      let sampleCount = 0;
      const onLine = (line: string) => {
        if (line === 'dispatched') {
          setTimeout(() => {
            sampleStart = api.messages().length;
            setTimeout(() => (sampleCount = api.messages().length - sampleStart), SAMPLE_S * 1000);
          }, 0);
        }
      };
      const env = { BENCH_REDIS: redis.url, BENCH_SMS_API: api.url };
      if (database === 'sqlite') {
        const dir = mkdtempSync(join(tmpdir(), 'bench-broadcast-db-'));
        const url = `file:${join(dir, 'bench.db')}`;
        seedLines = await runChild([...node, '--seed'], { ...env, BENCH_DATABASE_URL: url });
        gatewayLines = await runChild([...node, '--gateway'], { ...env, BENCH_DATABASE_URL: url }, onLine);
        rmSync(dir, { recursive: true, force: true });
      } else {
        const script = `"${process.execPath}" --import tsx "${here}" --seed && "${process.execPath}" --import tsx "${here}" --gateway`;
        const lines = await runChild(['bash', join(root, 'scripts', 'with-postgres.sh'), 'bash', '-c', script], { ...env, BENCH_DATABASE_URL: 'from-postgres' }, onLine);
        seedLines = lines.filter((l) => l.includes('seed_ms'));
        gatewayLines = lines;
      }
      const figures = lastJson(gatewayLines) as unknown as ChildFigures;
      const seeded = lastJson(seedLines);
      const deliveredPerS = sampleCount / SAMPLE_S;
      results[database] = {
        ...figures,
        seed_ms: seeded.seed_ms,
        ratio: Number((figures.bare_ms / figures.enqueue_ms).toFixed(2)),
        enqueue_per_s: Math.round(RECIPIENTS / (figures.enqueue_ms / 1000)),
        delivered_per_s: Number(deliveredPerS.toFixed(2)),
        pace_ratio: Number((deliveredPerS / SMS_RATE).toFixed(2)),
      };
      console.log(JSON.stringify({ database, ...(results[database] as object) }));
    }
  } finally {
    await api.close();
    await redis.stop();
    rmSync(redisDir, { recursive: true, force: true });
  }
  return results;
}

const mode = process.argv.find((a) => a === '--seed' || a === '--gateway');
if (mode) {
  const url = process.env.BENCH_DATABASE_URL === 'from-postgres' ? withSchema(process.env.TEST_DATABASE_URL!, 'bench') : process.env.BENCH_DATABASE_URL!;
  if (mode === '--seed') {
    await seed(url);
    process.exit(0);
  } else {
    await gatewayRun(url, process.env.BENCH_REDIS!, process.env.BENCH_SMS_API!);
  }
}
