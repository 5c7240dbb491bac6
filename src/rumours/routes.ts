/**
 * Admin API of the misinformation desk, under /api/v1/rumours. Coordinators and analysts
 * investigate (status, answers); coordinators and broadcasters publish; approvers read.
 * An area-scoped token sees only rumours of its area and below.
 *
 *   GET   /rumours               rumours (groups of similar reports), ?status=&areaId=
 *   POST  /rumours               a report by staff { text, areaId? }: grouped like any report
 *   GET   /rumours/:id           the rumour and its reports
 *   PATCH /rumours/:id           { status?, title? }
 *   PUT   /rumours/:id/answers   { <language>: <verified answer>, ... }
 *   POST  /rumours/:id/publish   { broadcast?: { areaId?, topic?, channels?, urgent? } }
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { actorOf } from '../broadcasts/index.js';
import { answersInput, publishInput, rumourUpdateInput, staffReportInput, type RumourDesk } from './desk.js';

const idParams = z.object({ id: z.string().min(1) });

export function rumourRoutes(desk: RumourDesk) {
  return async (app: FastifyInstance): Promise<void> => {

    app.get(
      '/rumours',
      async (request) => {
        const query = z.object({ status: z.string().optional(), areaId: z.string().optional(), limit: z.coerce.number().int().min(1).max(500).optional() }).parse(request.query);
        return { items: await desk.list(actorOf(request.principal), query) };
      },
    );
    app.post(
      '/rumours',
      { config: { openapi: { body: staffReportInput } } },
      async (request, reply) => reply.code(201).send(await desk.reportByStaff(actorOf(request.principal), request.body)),
    );
    app.get('/rumours/:id', async (request) => desk.get(actorOf(request.principal), idParams.parse(request.params).id));
    app.patch('/rumours/:id', { config: { openapi: { body: rumourUpdateInput } } }, async (request) => desk.update(actorOf(request.principal), idParams.parse(request.params).id, request.body));
    app.put('/rumours/:id/answers', { config: { openapi: { body: answersInput } } }, async (request) => desk.setAnswers(actorOf(request.principal), idParams.parse(request.params).id, request.body));
    app.post(
      '/rumours/:id/publish',
      { config: { openapi: { body: publishInput } } },
      async (request) => desk.publish(actorOf(request.principal), idParams.parse(request.params).id, request.body ?? {}),
    );
  };
}
