/**
 * What the incidents' admin routes share: who acts (the bearer token, as an audit actor), the
 * answer to a request that does not validate, and the area scope of a token. A token with an
 * area sees that area and what lies below it; incidents outside it are answered as unknown, and
 * rosters cannot be changed with it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Actor } from './audit.js';
import type { IncidentDeps } from './deps.js';

/** The audit actor of a request: `token:<token id>`. */
export function actorRef(request: FastifyRequest): Actor {
  return `token:${request.principal.tokenId}`;
}

/** 400 with one problem per invalid field (`path: message`, `(body)` for the whole body). */
export function badRequest(reply: FastifyReply, error: z.ZodError) {
  return reply.code(400).send({ error: 'invalid request', problems: error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) });
}

/** The area ids an area-scoped token sees (its area and below); undefined for a token without an area. */
export async function scopedAreas(deps: IncidentDeps, request: FastifyRequest): Promise<string[] | undefined> {
  return request.principal.areaId ? deps.areas.subtree(deps.db, request.principal.areaId) : undefined;
}

/** Whether the token sees an incident in `areaId`: always without an area scope, never for an incident without an area otherwise. */
export async function inScope(deps: IncidentDeps, request: FastifyRequest, areaId: string | null): Promise<boolean> {
  const scope = request.principal.areaId;
  if (!scope) return true;
  return !!areaId && (await deps.areas.subtree(deps.db, scope)).includes(areaId);
}

/** A preHandler that answers 403 to an area-scoped token (rosters are changed by unscoped staff only). */
export async function unscoped(request: FastifyRequest, reply: FastifyReply) {
  if (request.principal.areaId) return reply.code(403).send({ error: 'an area-scoped token cannot change rosters' });
}
