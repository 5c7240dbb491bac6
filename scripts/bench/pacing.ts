/**
 * pacing: the outbound queues against local fakes of the providers' APIs, through the real SDKs.
 * For each channel, a backlog larger than it can send in the window is queued; the fake records
 * when each send arrived. Figures per channel: the measured rate over the window as a ratio of
 * the configured limit (goal 0.9-1.0), and the most sends seen in any sliding 1-second window
 * (goal: never above the limit). BENCH_SECONDS sets the window (default 60).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/gateway.js';
import { findOrCreateContact } from '../../src/conversation/contacts.js';
import { startGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { enqueueAll, writeOutbox } from '../../src/outbound/outbox.js';
import { startEmbeddedRedis } from '../../src/redis/embedded.js';
import { startTelegramApi } from '../../test/fakes/telegram-api.js';
import { startTwilioApi } from '../../test/fakes/twilio-api.js';
import { startFakeSlackApi } from '../../test/fakes/slack-api.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const SMS_PER_SECOND = 10;

interface ChannelPlan {
  channel: string;
  limitPerSecond: number;
  addresses: string[];
  arrivals: () => number[];
}

/** Most arrivals in any window [t, t + 1000 ms). */
function maxInAnySecond(times: number[]): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= 1000) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-pacing-'));
  const logger = createLogger('silent');
  const redis = await startEmbeddedRedis({ bin: 'redis-server', dataDir: join(dir, 'redis'), logger });
  const telegram = await startTelegramApi({ token: '1:bench' });
  const sms = await startTwilioApi();
  const slack = await startFakeSlackApi();
  const sid = `AC${'2'.repeat(32)}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    REDIS_URL: redis.url,
    DATA_ENCRYPTION_KEY: 'd'.repeat(64),
    LOG_LEVEL: 'silent',
    CONSOLE_CHANNEL: 'false',
    PUBLIC_URL: 'https://gateway.example.org',
    TELEGRAM_BOT_TOKEN: '1:bench',
    TELEGRAM_WEBHOOK_SECRET: 'bench',
    TELEGRAM_API_ROOT: telegram.url,
    TWILIO_ACCOUNT_SID: sid,
    TWILIO_AUTH_TOKEN: 'bench',
    TWILIO_FROM: '+15550000000',
    TWILIO_API_BASE: sms.url,
    TWILIO_MESSAGES_PER_SECOND: String(SMS_PER_SECOND),
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: 'bench',
    SLACK_API_URL: slack.url.replace(/\/$/, ''),
  });
  // The backlog is queued by a gateway without workers, so that queueing does not compete with
  // sending; then a gateway with workers sends it.
  const loader = await startGateway(config, { logger, workers: false, http: false });
  const range = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
  const plans: ChannelPlan[] = [
    {
      channel: 'telegram',
      limitPerSecond: loader.adapters.get('telegram')!.rate.max,
      addresses: range(120, (i) => String(100_000 + i)),
      arrivals: () => telegram.calls('sendMessage').map((r) => r.at),
    },
    {
      channel: 'sms',
      limitPerSecond: SMS_PER_SECOND,
      addresses: range(60, (i) => `+1555${String(i).padStart(7, '0')}`),
      arrivals: () => sms.messages().map((r) => r.receivedAt),
    },
    {
      channel: 'slack',
      limitPerSecond: loader.adapters.get('slack')!.rate.max,
      addresses: range(30, (i) => `U${String(i).padStart(8, '0')}`),
      arrivals: () => slack.requests.filter((r) => r.method === 'chat.postMessage').map((r) => r.at),
    },
  ];
  const figures: Record<string, unknown> = { seconds: SECONDS };
  let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
  try {
    // Queue a backlog of 1.3 windows' worth per channel, spread over its addresses.
    await Promise.all(
      plans.map(async (plan) => {
        const total = Math.ceil(plan.limitPerSecond * SECONDS * 1.3);
        const targets = [];
        for (const address of plan.addresses) {
          const { contactId, identityId } = await findOrCreateContact(loader.db, loader.personalData, plan.channel, address);
          targets.push({ contactId, identityId, channel: plan.channel });
        }
        for (let i = 0; i < total; i++) {
          const target = targets[i % targets.length]!;
          const rows = await writeOutbox(loader.db, loader, target, `bench:${plan.channel}:${i}`, [{ message: { type: 'text', text: `Pacing check ${i}` } }]);
          await enqueueAll(loader.queues, rows);
        }
      }),
    );
    await loader.stop();
    gateway = await startGateway(config, { logger });
    const firstArrival = () => Math.min(...plans.map((p) => p.arrivals()[0] ?? Infinity));
    while (!Number.isFinite(firstArrival())) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, SECONDS * 1000 + 2000));
    for (const plan of plans) {
      const times = plan.arrivals().sort((a, b) => a - b);
      const start = times[0]!;
      const inWindow = times.filter((t) => t - start < SECONDS * 1000);
      const perSecond = inWindow.length / SECONDS;
      figures[plan.channel] = {
        limit_per_s: plan.limitPerSecond,
        per_s: Number(perSecond.toFixed(2)),
        ratio: Number((perSecond / plan.limitPerSecond).toFixed(3)),
        max_in_any_1s: maxInAnySecond(inWindow),
        within_limit: maxInAnySecond(inWindow) <= plan.limitPerSecond,
      };
    }
    figures.telegram_429s = telegram.rateLimited;
    const ratios = plans.map((p) => (figures[p.channel] as { ratio: number }).ratio);
    figures.ratio = Math.min(...ratios);
    figures.peak_rss_mb = Math.round(process.memoryUsage().rss / 1024 / 1024);
    return figures;
  } finally {
    await gateway?.stop();
    await Promise.all([telegram.close(), sms.close(), slack.close()]);
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
