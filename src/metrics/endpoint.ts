/**
 * Serving /metrics (Prometheus text format): on the main HTTP server only with METRICS_TOKEN
 * (a bearer token, compared in constant time), and on a listener of its own when METRICS_PORT
 * is set (the token required there too when set). Without either, nothing is served.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';

/** Whether the Authorization header carries `token` as a bearer token (no token configured: true). */
export function authorized(header: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(match[1]!), digest(token));
}

const UNAUTHORIZED = { error: 'a bearer token is required for /metrics', code: 'unauthorized' };

/** GET /metrics on the main server, behind the bearer token. */
export function metricsRoute(registry: Registry, token: string) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/metrics', async (request, reply) => {
      if (!authorized(request.headers.authorization, token)) return reply.code(401).header('www-authenticate', 'Bearer').send(UNAUTHORIZED);
      const body = await registry.metrics();
      return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(body);
    });
  };
}

export interface MetricsListener {
  /** http://host:port of the listener. */
  url: string;
  close(): Promise<void>;
}

/** A listener of its own answering GET /metrics (404 for anything else). */
export async function listenForMetrics(registry: Registry, options: { host: string; port: number; token?: string; logger: Logger }): Promise<MetricsListener> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found', code: 'not_found' }));
      return;
    }
    if (!authorized(request.headers.authorization, options.token)) {
      response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' }).end(JSON.stringify(UNAUTHORIZED));
      return;
    }
    registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(body),
      (error: Error) => {
        options.logger.error({ err: { name: error.name, message: error.message } }, 'metrics: scrape failed');
        response.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'internal error', code: 'internal' }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const loopback = options.host === '127.0.0.1' || options.host === '::1' || options.host === 'localhost';
  if (!loopback && options.token === undefined) options.logger.warn({ host: options.host, port }, 'metrics listener reachable beyond loopback without METRICS_TOKEN');
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
