/**
 * Admin API of broadcasts, under /api/v1/broadcasts. Roles: broadcasters (and coordinators)
 * create, schedule and cancel; approvers (and coordinators) approve or reject; analysts read.
 * An area-scoped token sees and acts only on broadcasts of its area and below.
 *
 *   POST /broadcasts                 create (answers with the estimate; 422 for an empty audience
 *                                    or recipients without a text in their language)
 *   POST /broadcasts/preview         estimate without storing
 *   GET  /broadcasts                 list (?status=), each with `waiting` (messages not gone out, next release)
 *   GET  /broadcasts/topics          the topics an audience may name, with their names per language
 *   GET  /broadcasts/:id             the broadcast and its progress
 *   GET  /broadcasts/:id/estimate    audience per channel and language, duration, SMS segments
 *   POST /broadcasts/:id/approve     a second person approves (never the creator)
 *   POST /broadcasts/:id/reject      { reason }
 *   POST /broadcasts/:id/schedule    { at?: ISO time } (no time: now; a past time is refused); answers with the
 *                                    broadcast and `start`: { at, audience, held, heldUntil } (held: in quiet hours now)
 *   POST /broadcasts/:id/cancel      stops what has not gone out
 *   GET  /broadcasts/:id/progress    counts by delivery state, feedback counts, when messages left and settled,
 *                                    and `heldUntil` (until when quiet hours hold what is left, or null)
 *   GET  /broadcasts/:id/recipients  ?status=&after=&limit= per-recipient delivery state
 *   GET  /broadcasts/:id/feedback    replies (free replies decrypted; the access is audited)
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { broadcastView } from './model.js';
import { broadcastProgress, broadcastRecipients, waitingOf } from './progress.js';
import { deliveryTimeline } from './delivery-timeline.js';
import { actorOf, BroadcastError, broadcastInput, type BroadcastService } from './service.js';
import type { PersonalData } from '../personal-data.js';
import { AreaTree } from '../areas/tree.js';

const idParams = z.object({ id: z.string().min(1) });
const rejectBody = z.object({ reason: z.string().trim().min(1).max(500) });
const scheduleBody = z.object({ at: z.iso.datetime({ offset: true }).optional().describe('when to send (none: now); a past time is refused') });

export function broadcastRoutes(service: BroadcastService, personalData: PersonalData) {
  return async (app: FastifyInstance): Promise<void> => {
    const db = service.database;

    const loadVisible = async (request: FastifyRequest) => {
      const { id } = idParams.parse(request.params);
      const row = await db.broadcast.findUnique({ where: { id } });
      const tree = await AreaTree.load(db);
      if (!row || !service.inScope(actorOf(request.principal), row.areaId, tree)) throw new BroadcastError(404, 'no such broadcast');
      return row;
    };

    app.post('/broadcasts', { config: { openapi: { body: broadcastInput } } }, async (request, reply) => reply.code(201).send(await service.create(actorOf(request.principal), request.body)));

    app.post(
      '/broadcasts/preview',
      { config: { openapi: { body: broadcastInput } } },
      async (request) => ({ estimate: (await service.check(actorOf(request.principal), request.body)).estimate }),
    );

    app.get('/broadcasts/topics', async () => ({ items: service.topics() }));

    app.get(
      '/broadcasts',
      async (request) => {
        const query = z.object({ status: z.string().optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }).parse(request.query);
        const actor = actorOf(request.principal);
        const tree = await AreaTree.load(db);
        const rows = await db.broadcast.findMany({
          where: { ...(query.status ? { status: query.status } : {}), ...(actor.areaId ? { areaId: { in: tree.subtree(actor.areaId) } } : {}) },
          orderBy: { createdAt: 'desc' },
          take: query.limit,
        });
        const waiting = await waitingOf(db, rows.map((r) => r.id));
        // What has not gone out yet, so a list can tell "held" and "sending" from "sent".
        return { items: rows.map((r) => ({ ...broadcastView(r), waiting: waiting.get(r.id) ?? { waiting: 0, nextReleaseAt: null } })) };
      },
    );

    app.get(
      '/broadcasts/:id',
      async (request) => {
        const row = await loadVisible(request);
        return { ...broadcastView(row), progress: await broadcastProgress(db, row.id) };
      },
    );

    app.get(
      '/broadcasts/:id/estimate',
      async (request) => service.estimateOf(actorOf(request.principal), idParams.parse(request.params).id),
    );

    app.post('/broadcasts/:id/approve', async (request) => service.approve(actorOf(request.principal), idParams.parse(request.params).id));

    app.post(
      '/broadcasts/:id/reject',
      { config: { openapi: { body: rejectBody } } },
      async (request) => {
        const body = rejectBody.parse(request.body ?? {});
        return service.reject(actorOf(request.principal), idParams.parse(request.params).id, body.reason);
      },
    );

    app.post(
      '/broadcasts/:id/schedule',
      { config: { openapi: { body: scheduleBody } } },
      async (request) => {
        const body = scheduleBody.parse(request.body ?? {});
        return service.schedule(actorOf(request.principal), idParams.parse(request.params).id, body.at ? new Date(body.at) : null);
      },
    );

    app.post(
      '/broadcasts/:id/cancel',
      async (request) => service.cancel(actorOf(request.principal), idParams.parse(request.params).id),
    );

    app.get(
      '/broadcasts/:id/progress',
      async (request) => {
        const row = await loadVisible(request);
        return { id: row.id, status: row.status, audienceSize: row.audienceSize, ...(await broadcastProgress(db, row.id)), timeline: await deliveryTimeline(db, service.dialect, row.id) };
      },
    );

    app.get(
      '/broadcasts/:id/recipients',
      async (request) => {
        const row = await loadVisible(request);
        const query = z.object({ status: z.string().optional(), after: z.string().optional(), limit: z.coerce.number().int().optional() }).parse(request.query);
        return broadcastRecipients(db, row.id, query);
      },
    );

    app.get(
      '/broadcasts/:id/feedback',
      async (request) => {
        const row = await loadVisible(request);
        const items = await db.broadcastFeedback.findMany({ where: { broadcastId: row.id }, orderBy: { createdAt: 'asc' }, take: 1000 });
        await service.audit(actorOf(request.principal), 'broadcast.feedback.read', row.id, { count: items.length });
        return { items: items.map((f) => ({ id: f.id, answer: f.answer, text: f.textEnc ? personalData.decrypt(f.textEnc) : null, createdAt: f.createdAt })) };
      },
    );
  };
}
