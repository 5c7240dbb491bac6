/**
 * startup: how long the gateway takes from process start to ready (GET /readyz answers 200), and
 * its RSS then, run two ways on its embedded defaults (SQLite file and its own Redis in a data
 * folder prepared by one warm-up start, so migrations are not counted):
 * - `tsx`: `node --import tsx src/cli.ts start`, as development, the tests and the scripts run it;
 * - `build`: `node dist/src/cli.js start`, as `npm start` runs it (the bench runs `npm run build`
 *   first, so the build is the code of this checkout).
 * Baseline, same run: a bare `node:http` server started the same way (process start to first 200).
 * Each variant starts BENCH_STARTS times (default 5), alternating; medians are reported, in ms and
 * MB, with the build's time and RSS as ratios to tsx's and the start-up as a multiple of bare Node.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/redis/embedded.js';
import { rssMb } from './e2e.js';

const STARTS = Number(process.env.BENCH_STARTS ?? 5);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

interface Start {
  ms: number;
  rssMb: number;
}

/** Spawns `args`, polls `url` until it answers 200 (within 60 s), measures, and stops the process. */
async function timeStart(args: string[], env: Record<string, string>, url: (port: number) => string): Promise<Start> {
  const port = await freePort();
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited (${child.exitCode}) before it was ready:\n${stderr}`);
      if (performance.now() - started > 60_000) throw new Error(`${args.join(' ')} not ready in 60 s:\n${stderr}`);
      const ok = await fetch(url(port)).then((r) => r.status === 200, () => false);
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return { ms: performance.now() - started, rssMb: rssMb(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

export async function run(): Promise<Record<string, unknown>> {
  execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  const env = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATA_ENCRYPTION_KEY: 'd'.repeat(64),
    LOG_LEVEL: 'warn',
    CONSOLE_CHANNEL: 'false',
  };
  const ready = (port: number) => `http://127.0.0.1:${port}/readyz`;
  const variants = {
    bare: { args: ['-e', "require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')"], url: (port: number) => `http://127.0.0.1:${port}/` },
    tsx: { args: ['--import', 'tsx', 'src/cli.ts', 'start'], url: ready },
    build: { args: ['dist/src/cli.js', 'start'], url: ready },
  };
  try {
    await timeStart(variants.build.args, env, ready); // warm-up: creates and migrates the database
    const results: Record<keyof typeof variants, Start[]> = { bare: [], tsx: [], build: [] };
    for (let i = 0; i < STARTS; i++) {
      for (const name of ['bare', 'tsx', 'build'] as const) results[name].push(await timeStart(variants[name].args, env, variants[name].url));
    }
    const ms = (name: keyof typeof variants) => Math.round(median(results[name].map((s) => s.ms)));
    const rss = (name: keyof typeof variants) => Math.round(median(results[name].map((s) => s.rssMb)));
    return {
      starts: STARTS,
      bare_ms: ms('bare'),
      tsx_ms: ms('tsx'),
      build_ms: ms('build'),
      tsx_rss_mb: rss('tsx'),
      build_rss_mb: rss('build'),
      build_to_tsx_time: Number((ms('build') / ms('tsx')).toFixed(2)),
      build_to_tsx_rss: Number((rss('build') / rss('tsx')).toFixed(2)),
      build_to_bare_time: Number((ms('build') / ms('bare')).toFixed(1)),
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
