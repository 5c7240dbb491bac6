/**
 * The embedded Redis: when REDIS_URL is unset, the gateway starts its own `redis-server` on
 * loopback and a free port, and on a Unix socket in its data folder (0700, the gateway's
 * processes connect through it: src/redis/connection.ts), with its data and append-only file under DATA_DIR/redis (queued work
 * and timers survive a restart), restarts it if it dies, and stops it on shutdown. It requires a
 * password generated for its data folder, given to redis-server in a 0600 config file (never on its
 * command line, which other users can read) and written, inside the URL, to redis.url (0600) for
 * the CLI of the same install. Neither the password nor the URL is logged.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import type { Logger } from '../logger.js';

export class RedisNotInstalledError extends Error {
  constructor(bin: string) {
    super(
      `"${bin}" was not found. Install Redis (Debian/Ubuntu: sudo apt-get install -y redis-server) ` +
        'or set REDIS_URL to a running Redis (redis://host:6379).',
    );
    this.name = 'RedisNotInstalledError';
  }
}

export interface EmbeddedRedis {
  /** redis://:password@127.0.0.1:port */
  url: string;
  /**
   * unix:///…/redis.sock?password=…: the same server through its Unix socket, cheaper for a client
   * on this host; undefined when the data folder's path is too long for a socket's (over 100 bytes).
   */
  socketUrl: string | undefined;
  port: number;
  /** Stops the server (it writes its append-only file first) and stops supervising it. */
  stop(): Promise<void>;
}

export interface EmbeddedRedisOptions {
  bin: string;
  dataDir: string;
  logger: Logger;
  /** Port to use; a free one is picked when absent. */
  port?: number;
}

/** The longest socket path used (bytes): sun_path holds 108 with its NUL, kept short of it. */
const MAX_SOCKET_PATH = 100;

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function ping(port: number, password: string): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.on('error', () => finish(false));
    let answer = '';
    socket.on('connect', () => socket.write(`AUTH ${password}\r\nPING\r\n`));
    socket.on('data', (data) => {
      answer += data.toString();
      if (answer.includes('+PONG')) finish(true);
      else if (answer.includes('-')) finish(false);
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A server left running by a gateway that was killed would share our files: stop it first. */
async function stopLeftover(pidFile: string, logger: Logger): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return;
  let command = '';
  try {
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return;
  }
  if (!command.includes('redis-server')) return;
  logger.warn({ pid }, 'stopping a redis-server left running by an earlier gateway');
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * The embedded Redis's password: generated once per data folder and kept there (0600), so a
 * restarted server takes back its clients (a running gateway reconnects with the same URL).
 */
function passwordOf(dir: string): string {
  const file = join(dir, 'redis.password');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{48}$/.test(kept)) return kept;
  }
  const password = randomBytes(24).toString('hex');
  writeFileSync(file, password, { mode: 0o600 });
  chmodSync(file, 0o600);
  return password;
}

export async function startEmbeddedRedis(options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const dir = resolve(options.dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const pidFile = join(dir, 'redis.pid');
  await stopLeftover(pidFile, options.logger);
  rmSync(pidFile, { force: true });
  const port = options.port ?? (await freePort());
  const password = passwordOf(dir);
  const configFile = join(dir, 'redis.conf');
  writeFileSync(configFile, `requirepass ${password}\n`, { mode: 0o600 });
  chmodSync(configFile, 0o600);
  const url = `redis://:${password}@127.0.0.1:${port}`;
  const socket = join(dir, 'redis.sock');
  // A socket's path is at most 107 bytes (sun_path); a longer data folder keeps TCP alone.
  const socketUrl = Buffer.byteLength(socket) <= MAX_SOCKET_PATH ? `unix://${socket.split('/').map(encodeURIComponent).join('/')}?password=${password}` : undefined;
  const args = [
    configFile,
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--pidfile', pidFile,
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
    '--save', '',
    '--maxmemory-policy', 'noeviction',
    '--daemonize', 'no',
    '--loglevel', 'warning',
    ...(socketUrl ? ['--unixsocket', socket, '--unixsocketperm', '700'] : []),
  ];
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;

  const launch = (): Promise<void> =>
    new Promise((ready, fail) => {
      const proc = spawn(options.bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      let settled = false;
      proc.on('error', (error: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        fail(error.code === 'ENOENT' ? new RedisNotInstalledError(options.bin) : error);
      });
      proc.stderr?.on('data', (d: Buffer) => options.logger.warn({ redis: d.toString().trim() }, 'redis-server'));
      proc.stdout?.on('data', (d: Buffer) => options.logger.debug({ redis: d.toString().trim() }, 'redis-server'));
      proc.on('exit', (code, signal) => {
        if (!settled) {
          settled = true;
          fail(new Error(`redis-server exited at start (code ${code}, signal ${signal}); see its log above`));
          return;
        }
        if (stopping) return;
        restarts += 1;
        const delay = Math.min(10_000, 200 * 2 ** Math.min(restarts, 6));
        options.logger.error({ code, signal, restartInMs: delay }, 'embedded redis-server exited; restarting');
        setTimeout(() => {
          if (!stopping) launch().catch((error) => options.logger.error({ err: error }, 'embedded redis-server failed to restart'));
        }, delay);
      });
      const started = Date.now();
      const poll = async () => {
        if (settled) return;
        if (await ping(port, password)) {
          settled = true;
          restarts = 0;
          ready();
        } else if (Date.now() - started > 15_000) {
          settled = true;
          proc.kill('SIGKILL');
          fail(new Error(`redis-server did not answer on 127.0.0.1:${port} within 15 s`));
        } else setTimeout(poll, 50);
      };
      setTimeout(poll, 30);
    });

  await launch();
  // Lets the CLI of the same install (dead-letter list...) find the running server.
  writeFileSync(join(dir, 'redis.url'), socketUrl ?? url, { mode: 0o600 });
  chmodSync(join(dir, 'redis.url'), 0o600);
  options.logger.info({ port, dir, socket: socketUrl !== undefined }, 'embedded redis-server started');
  return {
    url,
    socketUrl,
    port,
    async stop() {
      stopping = true;
      rmSync(join(dir, 'redis.url'), { force: true });
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((done) => proc.once('exit', () => done()));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The URL of the embedded Redis a running gateway of this data folder started, if any. */
export function runningEmbeddedRedis(dataDir: string): string | undefined {
  const file = join(resolve(dataDir), 'redis.url');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}
