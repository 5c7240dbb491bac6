/**
 * POST /api/v1/flow-starts: start a flow for contacts (by id, or everyone in an area and below),
 * now or at a time. Used for survey waves and follow-ups. Area-scoped tokens reach only their area.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AreaTree } from '../areas/tree.js';
import type { Db } from '../db/client.js';
import { contactsInArea, scheduleFlowStarts } from './flow-starts.js';
import type { Queues } from '../jobs/queues.js';
import { HttpError } from '../admin/errors.js';

const bodySchema = z
  .object({
    flowId: z.string().min(1),
    key: z.string().min(1),
    params: z.record(z.string(), z.string()).default({}),
    at: z.iso.datetime({ offset: true }).optional(),
    contactIds: z.array(z.string().min(1)).min(1).max(10_000).optional(),
    areaId: z.string().min(1).optional(),
  })
  .refine((b) => (b.contactIds === undefined) !== (b.areaId === undefined), { message: 'give either contactIds or areaId' });

export function flowStartRoutes(db: Db, queues: Queues, flowIds: Set<string>) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post('/flow-starts', { config: { openapi: { body: bodySchema } } }, async (request, reply) => {
      const body = bodySchema.parse(request.body);
      const scope = request.principal.areaId;
      const tree = await AreaTree.load(db);
      if (body.areaId && !tree.has(body.areaId)) throw new HttpError(400, `unknown area "${body.areaId}"`);
      if (scope && !(body.areaId && tree.within(body.areaId, scope))) throw new HttpError(403, `this token reaches only area "${scope}" and below`);
      const start = { flowId: body.flowId, key: body.key, params: body.params, at: body.at ? new Date(body.at) : undefined };
      // A FlowStartError (unknown flow, bad key, past time) is an HttpError: answered 400.
      const scheduled = await scheduleFlowStarts(queues, flowIds, start, body.areaId ? contactsInArea(db, body.areaId) : body.contactIds!);
      return reply.code(202).send({ scheduled });
    });
  };
}
