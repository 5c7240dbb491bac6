/**
 * Rosters in the admin API (reading: staff; changing: coordinators whose token has no area):
 *   GET  /committees, POST /committees, DELETE /committees/:id
 *        (an area-limited reader sees the committees of its area, below it and above it, and
 *        the responders who are members of those, with only those memberships)
 *   POST /committees/:id/members {responderId}, DELETE /committees/:id/members/:responderId
 *   GET  /responders, POST /responders, DELETE /responders/:id
 *   POST /rosters/import       a roster as YAML (text/yaml), JSON, or responders as CSV (text/csv)
 * A refused roster answers 400 with its problems, and nothing is changed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { IncidentDeps } from './deps.js';
import { rosterFromCsv } from './roster-csv.js';
import { committeeInput, parseRoster, responderInput, RosterError, rosterSchema } from './roster-model.js';
import { applyRoster, listCommittees, listResponders, removeCommittee, removeResponder, setMembership } from './rosters.js';
import { HttpError, validationError } from '../admin/errors.js';
import { actorRef, committeeInScope } from './route-scope.js';

export function rosterRoutes(deps: IncidentDeps) {
  const { db } = deps;
  const rosterWrite = async (reply: FastifyReply, work: () => Promise<unknown>) => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof RosterError) throw new HttpError(400, 'roster not applied', { problems: error.problems });
      throw error;
    }
  };

  return async (app: FastifyInstance): Promise<void> => {
    if (!app.hasContentTypeParser('text/yaml')) app.addContentTypeParser('text/yaml', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    if (!app.hasContentTypeParser('text/csv')) app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_request, body, done) => done(null, body));

    /** The committee ids the principal sees (undefined: all). */
    const visibleCommittees = async (request: FastifyRequest): Promise<Set<string> | undefined> => {
      if (!request.principal.areaId) return undefined;
      const seen = new Set<string>();
      for (const c of await db.committee.findMany({ select: { id: true, areaId: true } })) if (await committeeInScope(deps, request, c.areaId)) seen.add(c.id);
      return seen;
    };
    app.get('/committees', async (request) => {
      const visible = await visibleCommittees(request);
      return { items: (await listCommittees(db)).filter((c) => !visible || visible.has(c.id)) };
    });
    app.get('/responders', async (request) => {
      const visible = await visibleCommittees(request);
      const items = await listResponders(db, deps.personalData);
      if (!visible) return { items };
      return { items: items.filter((r) => r.committees.some((c) => visible.has(c))).map((r) => ({ ...r, committees: r.committees.filter((c) => visible.has(c)) })) };
    });

    app.post('/committees', { config: { openapi: { body: committeeInput } } }, async (request, reply) => {
      const body = committeeInput.safeParse(request.body);
      if (!body.success) throw validationError(body.error);
      return rosterWrite(reply, async () => ({ applied: await applyRoster(db, deps.personalData, { committees: [body.data], responders: [] }, actorRef(request), deps.now()) }));
    });
    app.delete('/committees/:id', async (request, reply) => {
      const { id } = z.object({ id: z.string() }).parse(request.params);
      if (!(await removeCommittee(db, id, actorRef(request), deps.now()))) throw new HttpError(404, `no committee "${id}"`);
      return { removed: id };
    });
    const memberBody = z.object({ responderId: z.string().min(1) });
    app.post('/committees/:id/members', { config: { openapi: { body: memberBody } } }, async (request, reply) => {
      const { id } = z.object({ id: z.string() }).parse(request.params);
      const body = memberBody.safeParse(request.body);
      if (!body.success) throw validationError(body.error);
      const result = await setMembership(db, id, body.data.responderId, true, actorRef(request), deps.now());
      if (result === 'unknown') throw new HttpError(404, `no committee "${id}" or no responder "${body.data.responderId}"`);
      return { result };
    });
    app.delete('/committees/:id/members/:responderId', async (request, reply) => {
      const { id, responderId } = z.object({ id: z.string(), responderId: z.string() }).parse(request.params);
      const result = await setMembership(db, id, responderId, false, actorRef(request), deps.now());
      if (result === 'unknown') throw new HttpError(404, `no committee "${id}" or no responder "${responderId}"`);
      return { result };
    });
    app.post('/responders', { config: { openapi: { body: responderInput } } }, async (request, reply) => {
      const body = responderInput.safeParse(request.body);
      if (!body.success) throw validationError(body.error);
      return rosterWrite(reply, async () => ({ applied: await applyRoster(db, deps.personalData, { committees: [], responders: [body.data] }, actorRef(request), deps.now()) }));
    });
    app.delete('/responders/:id', async (request, reply) => {
      const { id } = z.object({ id: z.string() }).parse(request.params);
      if (!(await removeResponder(db, id, actorRef(request), deps.now()))) throw new HttpError(404, `no responder "${id}"`);
      return { removed: id };
    });
    app.post('/rosters/import', { config: { openapi: { body: rosterSchema, textBodies: ['text/yaml', 'text/csv'] } } }, async (request, reply) => {
      let data: unknown = request.body;
      if (typeof data === 'string' && String(request.headers['content-type']).startsWith('text/csv')) {
        const csv = data;
        return rosterWrite(reply, async () => ({ applied: await applyRoster(db, deps.personalData, rosterFromCsv(csv, 'body'), actorRef(request), deps.now()) }));
      }
      if (typeof data === 'string') {
        try {
          data = parseYaml(data);
        } catch (error) {
          throw new HttpError(400, 'roster not applied', { problems: [`body: ${(error as Error).message}`] });
        }
      }
      return rosterWrite(reply, async () => ({ applied: await applyRoster(db, deps.personalData, parseRoster(data, 'body'), actorRef(request), deps.now()) }));
    });
  };
}
