/**
 * ingest: signed Twilio SMS webhooks accepted durably (signature checked, message stored in the
 * database and queued before the 200) by a gateway in its own process that runs no workers
 * (GATEWAY_ROLE=web, started from the build: scripts/bench/built-gateway.ts), under
 * BENCH_CLIENTS (50) concurrent clients in a closed loop for BENCH_SECONDS. Each request is a new
 * message from one of 10,000 numbers.
 * Baseline, same run, same client: a bare node:http server in its own process that reads the
 * body and answers 200.
 * Goals (issue 14): >= 2,000 requests/s, p99 < 100 ms, ratio to bare >= 0.1.
 * With TEST_DATABASE_URL set (scripts/with-postgres.sh), the gateway runs on PostgreSQL; Redis and
 * PostgreSQL through their Unix sockets, or loopback TCP with BENCH_TCP=1 (scripts/bench/transport.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { createLogger } from '../../src/logger.js';
import { startEmbeddedRedis } from '../../src/redis/embedded.js';
import { profileArgs } from '../../test/support/profile.js';
import { inboundSms, signedWebhook } from '../../test/support/providers.js';
import { startBuiltGateway } from './built-gateway.js';
import { smsGatewayEnv } from './sms-gateway-env.js';
import { benchTransport } from './transport.js';
import { withSchema } from '../../src/db/client.js';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const SMS_PATH = '/webhooks/twilio/sms';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** CLIENTS closed-loop clients posting signed webhooks to `url` for SECONDS. */
async function load(url: string): Promise<{ perSecond: number; p50: number; p99: number; requests: number }> {
  const agent = new Agent({ connections: CLIENTS, pipelining: 1 });
  const latencies: number[] = [];
  let counter = 0;
  const until = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) {
        counter += 1;
        const webhook = signedWebhook.twilio(SMS_PATH, inboundSms(`+1777${String(counter % 10_000).padStart(7, '0')}`, `report ${counter}`));
        const at = performance.now();
        const response = await request(`${url}${SMS_PATH}`, { method: 'POST', headers: webhook.headers as Record<string, string>, body: webhook.rawBody, dispatcher: agent });
        await response.body.dump();
        if (response.statusCode !== 200) throw new Error(`webhook answered ${response.statusCode}`);
        latencies.push(performance.now() - at);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await agent.close();
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), requests: latencies.length };
}

const BARE = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => { Buffer.concat(chunks); res.writeHead(200, { 'content-type': 'text/xml' }); res.end('<Response/>'); });
});
server.listen(0, '127.0.0.1', () => process.stdout.write('ready http://127.0.0.1:' + server.address().port + '\\n'));
`;

async function bareServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', BARE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /ready (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
  });
  return { url, stop: () => void child.kill('SIGTERM') };
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-bench-ingest-'));
  const logger = createLogger('silent');
  const redis = await startEmbeddedRedis({ bin: 'redis-server', dataDir: join(dir, 'redis'), logger });
  const transport = benchTransport(redis);
  const databaseUrl = transport.databaseUrl ? withSchema(transport.databaseUrl, `bench_ingest_${process.pid}`) : undefined;
  try {
    const bare = await bareServer();
    const baseline = await load(bare.url);
    bare.stop();
    console.error(`bare node:http: ${Math.round(baseline.perSecond)} req/s, p99 ${baseline.p99.toFixed(1)} ms`);

    const gateway = await startBuiltGateway(
      {
        // Workers off: nothing is sent, so the API base is a closed port.
        ...smsGatewayEnv(transport.redisUrl, 'http://127.0.0.1:9'),
        DATA_DIR: join(dir, 'gateway'),
        GATEWAY_ROLE: 'web',
        ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      },
      { readyTimeoutMs: 120_000, execArgv: profileArgs() },
    );
    let gatewayLoad;
    try {
      gatewayLoad = await load(gateway.url);
    } finally {
      await gateway.stop();
    }
    const ratio = gatewayLoad.perSecond / baseline.perSecond;
    const provider = databaseUrl ? 'postgres' : 'sqlite';
    console.error(`\ningest on ${provider}: ${CLIENTS} clients, closed loop, ${SECONDS} s\n`);
    console.error('| figure | measured | goal | measured/goal |\n| --- | --- | --- | --- |');
    console.error(`| requests/s | ${Math.round(gatewayLoad.perSecond)} | >= 2000 | ${(gatewayLoad.perSecond / 2000).toFixed(2)} |`);
    console.error(`| p99 (ms) | ${gatewayLoad.p99.toFixed(1)} | < 100 | ${(gatewayLoad.p99 / 100).toFixed(2)} |`);
    console.error(`| ratio to bare node:http (${Math.round(baseline.perSecond)} req/s) | ${ratio.toFixed(3)} | >= 0.1 | ${(ratio / 0.1).toFixed(2)} |`);
    return {
      database: provider,
      via: transport.via,
      clients: CLIENTS,
      requests: gatewayLoad.requests,
      per_s: Math.round(gatewayLoad.perSecond),
      p50_ms: Number(gatewayLoad.p50.toFixed(1)),
      p99_ms: Number(gatewayLoad.p99.toFixed(1)),
      baseline: 'bare node:http reading the body, own process, same client',
      baseline_per_s: Math.round(baseline.perSecond),
      baseline_p99_ms: Number(baseline.p99.toFixed(1)),
      ratio: Number(ratio.toFixed(3)),
    };
  } finally {
    await redis.stop();
    if (databaseUrl) {
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "bench_ingest_${process.pid}" CASCADE`);
      await client.end();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
