/**
 * How a bench's gateway reaches its Redis and PostgreSQL, all on this one host: through their
 * Unix sockets, as the gateway reaches its embedded Redis and as a gateway on its database's
 * host is best configured (README, "One host"); with BENCH_TCP=1 over loopback TCP instead, as a
 * Redis or database on another host is reached (the figures then include the TCP stack's cost,
 * on both ends). The bare baselines use the same transport, so the ratios compare like with like.
 */
import type { EmbeddedRedis } from '../../src/redis/embedded.js';

export interface BenchTransport {
  /** 'unix socket' or 'tcp', for the bench's report. */
  via: 'unix socket' | 'tcp';
  redisUrl: string;
  /** TEST_DATABASE_URL, or the same server's socket URL (TEST_DATABASE_SOCKET_URL); undefined on SQLite. */
  databaseUrl: string | undefined;
}

export function benchTransport(redis: EmbeddedRedis): BenchTransport {
  const tcp = Boolean(process.env.BENCH_TCP) || !redis.socketUrl;
  const databaseUrl = tcp ? process.env.TEST_DATABASE_URL : (process.env.TEST_DATABASE_SOCKET_URL ?? process.env.TEST_DATABASE_URL);
  return { via: tcp ? 'tcp' : 'unix socket', redisUrl: tcp ? redis.url : redis.socketUrl!, databaseUrl };
}
