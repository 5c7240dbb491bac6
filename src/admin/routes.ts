/**
 * The admin API, under /api/v1: authentication, the core's routes (who am I, dead letters,
 * delivery state), then the routes each capability brings. Refusals are thrown as HttpError
 * (src/admin/errors.ts) and answered by the server's one error boundary.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { listDeadLetters, retryDeadLetter } from '../jobs/dead-letter.js';
import type { Queues } from '../jobs/queues.js';
import { installAuth, type Authenticator } from './auth.js';
import { HttpError } from './errors.js';
import { buildOpenApi, recordRoutes } from './openapi.js';
import { requireWellFormedText } from './well-formed-body.js';

export interface AdminDeps {
  db: Db;
  queues: Queues;
  /** Ways to identify a caller other than a bearer token (the console's session cookie). */
  authenticators?: Authenticator[];
  /** Failed authentications allowed per client address and window before 429. */
  authFailures?: { max: number; windowMs: number };
  /** Route plugins of later capabilities (incidents, broadcasts...), registered after auth. */
  plugins?: ((app: FastifyInstance) => Promise<void>)[];
}

export async function adminApi(app: FastifyInstance, deps: AdminDeps): Promise<void> {
  installAuth(app, { db: deps.db, authenticators: deps.authenticators, failures: deps.authFailures });
  requireWellFormedText(app);
  const routes = recordRoutes(app);
  let document: Record<string, unknown> | undefined;
  app.get('/openapi.json', async () => (document ??= buildOpenApi(routes)));

  app.get('/me', async (request) => {
    const { via, tokenId, name, role, areaId, actor, responderId } = request.principal;
    return { via, tokenId, name, role, areaId, actor, responderId };
  });

  app.get('/dead-letter', async () => ({ items: await listDeadLetters(deps.queues) }));

  app.post('/dead-letter/:queue/:jobId/retry', async (request) => {
    const params = z.object({ queue: z.string(), jobId: z.string() }).parse(request.params);
    const done = await retryDeadLetter(deps.queues, deps.db, params.queue, params.jobId);
    if (!done) throw new HttpError(404, 'no such failed job');
    return { retried: true };
  });

  /** Delivery state of one message (never its text or address). */
  app.get('/messages/:id', async (request) => {
    const { id } = z.object({ id: z.string() }).parse(request.params);
    const message = await deps.db.message.findUnique({
      where: { id },
      select: { id: true, direction: true, channel: true, kind: true, status: true, providerId: true, errorCode: true, encoding: true, segments: true, createdAt: true, sentAt: true, updatedAt: true },
    });
    if (!message) throw new HttpError(404, 'no such message');
    return message;
  });

  for (const plugin of deps.plugins ?? []) await plugin(app);
}
