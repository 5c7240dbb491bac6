/**
 * The HTTP server: health and readiness, the channels' webhooks and other routes, and the admin
 * API. Fastify's own request logging is off: our lines carry no personal data.
 */
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { errorBody, HttpError, validationError } from '../admin/errors.js';
import { adminApi, type AdminDeps } from '../admin/routes.js';
import type { Logger } from '../logger.js';
import { channelRoutes, webhookRoutes, type WebhookDeps } from '../inbound/webhooks.js';
import { docsRoutes } from './docs.js';

export interface HttpDeps extends WebhookDeps {
  admin: AdminDeps;
  /** Readiness check of the database and Redis; throws when one is unreachable. */
  checkReady: () => Promise<void>;
  logger: Logger;
  /** Production: cookies are Secure and the browser is told to upgrade insecure requests. */
  production?: boolean;
  /** Routes outside the API that bring their own access check (capabilities' `httpRoutes`). */
  routes?: ((app: FastifyInstance) => Promise<void>)[];
  /** Where `GET /` leads (default /docs). */
  home?: string;
  /** Server timeouts in ms (defaults: request 30 s, idle connection 60 s, keep-alive 5 s). */
  timeouts?: { requestMs?: number; connectionMs?: number; keepAliveMs?: number };
}

/**
 * The Content-Security-Policy of every answer: only our own scripts, styles, images and API;
 * no inline script, no frames, nothing from another origin (the console and the docs page
 * fetch nothing from the internet).
 */
export function contentSecurityPolicy(production: boolean): Record<string, string[]> {
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'connect-src': ["'self'"],
    'font-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    ...(production ? { 'upgrade-insecure-requests': [] } : {}),
  };
}

export async function buildHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    // Never 0 (no limit): a client that opens connections and sends nothing is cut off.
    requestTimeout: deps.timeouts?.requestMs ?? 30_000,
    connectionTimeout: deps.timeouts?.connectionMs ?? 60_000,
    keepAliveTimeout: deps.timeouts?.keepAliveMs ?? 5_000,
  });

  await app.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(deps.production ?? false) } });
  await app.register(cookie);
  // Limits are per route (`config.rateLimit`) or made with app.createRateLimit (auth failures).
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new HttpError(429, `too many requests; try again in ${context.after}`),
  });
  // Answers of the API carry personal data (report texts, feedback, names): never cached.
  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });

  // The one error boundary of the API (src/admin/errors.ts): one body shape for every refusal.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof HttpError) return reply.code(error.status).send(errorBody(error));
    if (error instanceof z.ZodError) return reply.code(400).send(errorBody(validationError(error)));
    if (isDatabaseUnavailable(error)) {
      // Not the caller's fault and not for good: a provider repeats its webhook after this.
      deps.logger.warn({ path: request.url.split('?')[0], err: { name: error.name } }, 'database unavailable; answered 503');
      return reply.code(503).header('retry-after', '5').send(errorBody(new HttpError(503, 'database unavailable; try again shortly')));
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) deps.logger.error({ path: request.url.split('?')[0], err: { name: error.name, message: error.message } }, 'request failed');
    return reply.code(status).send(errorBody(new HttpError(status, status === 500 ? 'internal error' : error.message)));
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (!deps.accepting()) return reply.code(503).send({ status: 'shutting down' });
    try {
      await deps.checkReady();
      return { status: 'ready' };
    } catch (error) {
      return reply.code(503).send({ status: 'not ready', reason: (error as Error).message });
    }
  });

  await app.register(async (scope) => webhookRoutes(scope, deps));

  await app.register(async (scope) => channelRoutes(scope, deps.adapters));

  await app.register(async (scope) => adminApi(scope, deps.admin), { prefix: '/api/v1' });
  for (const routes of deps.routes ?? []) await app.register(async (scope) => routes(scope));
  await app.register(async (scope) => docsRoutes(scope, deps.home ?? '/docs'));
  return app as unknown as FastifyInstance;
}
