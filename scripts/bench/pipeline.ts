/**
 * pipeline: inbound messages through the whole path (signed webhook -> ingest -> inbound queue ->
 * pipeline and flow engine in a DB transaction -> outbound queue -> adapter send) per second,
 * with a whole gateway on SQLite and its own Redis. The provider is an in-process adapter whose
 * webhook and send only record times, so what is measured is the gateway.
 * Baseline, same run, same Redis: bare BullMQ add + process of the same number of jobs.
 * Contacts talk as people do: each waits for the reply before sending the next message.
 * With TEST_DATABASE_URL set (scripts/with-postgres.sh), the gateway runs on PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import type { ChannelAdapter } from '../../src/channels/adapter.js';
import { loadConfig } from '../../src/gateway.js';
import { startGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { redisOptions } from '../../src/jobs/queues.js';
import { startEmbeddedRedis } from '../../src/redis/embedded.js';
import { withSchema } from '../../src/db/client.js';

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 50);
const MESSAGES_PER_CONTACT = Number(process.env.BENCH_MESSAGES ?? 20);
const TOTAL = CONTACTS * MESSAGES_PER_CONTACT;
/** What each contact says, in a loop: opens the welcome menu and moves through it. */
const SCRIPT = ['hi', '1', '2', 'hello'];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function trackPeakRss(): { stop: () => number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return { stop: () => (clearInterval(timer), Math.max(peak, process.memoryUsage().rss)) };
}

async function baseline(redisUrl: string): Promise<number> {
  const connection = redisOptions(redisUrl);
  const queue = new Queue('baseline', { connection, prefix: 'bench-base' });
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => (finish = r));
  const worker = new Worker('baseline', async () => undefined, { connection, prefix: 'bench-base', concurrency: 1 });
  worker.on('completed', () => {
    if (++done === TOTAL) finish();
  });
  const started = performance.now();
  // Same shape of load as the gateway run: CONTACTS producers adding one job at a time.
  await Promise.all(
    Array.from({ length: CONTACTS }, async (_, c) => {
      for (let m = 0; m < MESSAGES_PER_CONTACT; m++) await queue.add('job', { id: `${c}-${m}` });
    }),
  );
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return TOTAL / seconds;
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-'));
  const logger = createLogger('silent');
  const redis = await startEmbeddedRedis({ bin: 'redis-server', dataDir: join(dir, 'redis'), logger });
  try {
    const baselinePerSecond = await baseline(redis.url);

    const waiting = new Map<string, (at: number) => void>();
    const adapter: ChannelAdapter = {
      channel: 'bench',
      rate: { max: 100_000, durationMs: 1000 },
      webhooks: [
        {
          path: '/webhooks/bench',
          verify: () => true,
          parse: (request) => {
            const body = JSON.parse(request.rawBody) as { id: string; address: string; text: string };
            return { events: [{ providerId: body.id, address: body.address, message: { type: 'text', text: body.text } }] };
          },
        },
      ],
      async send(address) {
        waiting.get(address)?.(performance.now());
        return { providerId: `bench-${Date.now()}` };
      },
    };
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dir,
      REDIS_URL: redis.url,
      DATA_ENCRYPTION_KEY: 'c'.repeat(64),
      LOG_LEVEL: 'silent',
      CONSOLE_CHANNEL: 'false',
      ...(process.env.TEST_DATABASE_URL ? { DATABASE_URL: withSchema(process.env.TEST_DATABASE_URL, 'bench_pipeline') } : {}),
    });
    const memory = trackPeakRss();
    const gateway = await startGateway(config, { logger, extraAdapters: [adapter] });
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONTACTS }, async (_, c) => {
        const address = `+1555${String(c).padStart(7, '0')}`;
        for (let m = 0; m < MESSAGES_PER_CONTACT; m++) {
          const replied = new Promise<number>((resolve) => waiting.set(address, resolve));
          const sentAt = performance.now();
          const response = await fetch(`${gateway.url}/webhooks/bench`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ id: `${c}-${m}`, address, text: SCRIPT[m % SCRIPT.length] }),
          });
          if (!response.ok) throw new Error(`webhook answered ${response.status}`);
          latencies.push((await replied) - sentAt);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await gateway.stop();
    const peak = memory.stop();
    const perSecond = TOTAL / seconds;
    latencies.sort((a, b) => a - b);
    return {
      messages: TOTAL,
      contacts: CONTACTS,
      per_s: Math.round(perSecond),
      baseline: 'bare BullMQ add + process (no-op), same count, same Redis',
      baseline_per_s: Math.round(baselinePerSecond),
      ratio: Number((perSecond / baselinePerSecond).toFixed(3)),
      p50_ms: Number(percentile(latencies, 50).toFixed(1)),
      p99_ms: Number(percentile(latencies, 99).toFixed(1)),
      peak_rss_mb: Math.round(peak / 1024 / 1024),
      database: config.databaseProvider,
    };
  } finally {
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
