/**
 * The admin API, under /api/v1: authentication, the core's routes (who am I, dead letters,
 * delivery state), then the routes each capability brings. Refusals are thrown as HttpError
 * (src/admin/errors.ts) and answered by the server's one error boundary.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { discardDeadLetter, listDeadLetters, retryDeadLetter } from '../jobs/dead-letter.js';
import type { Queues } from '../jobs/queues.js';
import { AreaTree } from '../areas/tree.js';
import { areaNameIn } from '../areas/names.js';
import { ACCESS, decide } from './access.js';
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
    // What this caller may call, from the role table: the console shows only these pages and actions.
    const may = Object.keys(ACCESS).filter((key) => ACCESS[key]!.roles !== 'public' && decide(key, { role, areaId }).allowed);
    return { via, tokenId, name, role, areaId, actor, responderId, may };
  });

  /** The gazetteer in the caller's scope (its area and below), with each area's point for maps. */
  // ?lang= names each area in that language (src/areas/names.ts); `gazetteerName` keeps the common name.
  app.get('/areas', async (request) => {
    const { lang } = z.object({ lang: z.string().regex(/^[a-z]{2,3}$/).optional() }).parse(request.query);
    const rows = await deps.db.area.findMany({ orderBy: { id: 'asc' }, select: { id: true, name: true, aliases: true, level: true, parentId: true, latitude: true, longitude: true } });
    const areas = rows.map(({ aliases, ...a }) => ({ ...a, name: areaNameIn({ name: a.name, aliases }, lang), gazetteerName: a.name }));
    const scope = request.principal.areaId;
    if (!scope) return { items: areas };
    const within = new Set(new AreaTree(areas.map((a) => ({ ...a, timezone: '' }))).subtree(scope));
    return { items: areas.filter((a) => within.has(a.id)) };
  });

  app.get('/dead-letter', async () => ({ items: await listDeadLetters(deps.queues) }));

  app.post('/dead-letter/:queue/:jobId/retry', async (request) => {
    const params = z.object({ queue: z.string(), jobId: z.string() }).parse(request.params);
    const done = await retryDeadLetter(deps.queues, deps.db, params.queue, params.jobId);
    if (!done) throw new HttpError(404, 'no such failed job');
    return { retried: true };
  });

  app.delete('/dead-letter/:queue/:jobId', async (request) => {
    const params = z.object({ queue: z.string(), jobId: z.string() }).parse(request.params);
    if (!(await discardDeadLetter(deps.queues, params.queue, params.jobId))) throw new HttpError(404, 'no such failed job');
    return { discarded: true };
  });

  /**
   * Delivery state of one message (never its text or address). An area-limited principal sees a
   * message whose broadcast, incident (its cause) or contact lies in its area; any other is
   * answered as unknown.
   */
  app.get('/messages/:id', async (request) => {
    const { id } = z.object({ id: z.string() }).parse(request.params);
    const message = await deps.db.message.findUnique({
      where: { id },
      select: { id: true, direction: true, channel: true, kind: true, status: true, providerId: true, errorCode: true, encoding: true, segments: true, createdAt: true, sentAt: true, updatedAt: true, broadcastId: true, causeId: true, contactId: true },
    });
    if (!message || !(await messageInScope(deps.db, request.principal.areaId, message))) throw new HttpError(404, 'no such message');
    const { broadcastId: _b, causeId: _c, contactId: _p, ...view } = message;
    return view;
  });

  for (const plugin of deps.plugins ?? []) await plugin(app);
}

/** The area a message belongs to (its broadcast's, its incident's, else its contact's) lies in `scope`. */
async function messageInScope(db: Db, scope: string | null, message: { broadcastId: string | null; causeId: string | null; contactId: string | null }): Promise<boolean> {
  if (!scope) return true;
  const incident = message.causeId ? await db.incident.findUnique({ where: { id: message.causeId }, select: { areaId: true } }) : null;
  let areaId: string | null = null;
  if (message.broadcastId) areaId = (await db.broadcast.findUnique({ where: { id: message.broadcastId }, select: { areaId: true } }))?.areaId ?? null;
  else if (incident) areaId = incident.areaId;
  else if (message.contactId) areaId = (await db.contact.findUnique({ where: { id: message.contactId }, select: { areaId: true } }))?.areaId ?? null;
  return areaId !== null && (await AreaTree.load(db)).within(areaId, scope);
}
