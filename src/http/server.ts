/**
 * The HTTP server: health and readiness, the channels' webhooks and other routes, and the admin
 * API. Fastify's own request logging is off: our lines carry no personal data.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { errorBody, HttpError, validationError } from '../admin/errors.js';
import { adminApi, type AdminDeps } from '../admin/routes.js';
import type { Logger } from '../logger.js';
import { channelRoutes, webhookRoutes, type WebhookDeps } from '../inbound/webhooks.js';

export interface HttpDeps extends WebhookDeps {
  admin: AdminDeps;
  /** Readiness check of the database and Redis; throws when one is unreachable. */
  checkReady: () => Promise<void>;
  logger: Logger;
}

export async function buildHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
  });

  // The one error boundary of the API (src/admin/errors.ts): one body shape for every refusal.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof HttpError) return reply.code(error.status).send(errorBody(error));
    if (error instanceof z.ZodError) return reply.code(400).send(errorBody(validationError(error)));
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
  return app as unknown as FastifyInstance;
}
