/**
 * What the incidents' admin routes share: who acts (the bearer token, as an audit actor) and the
 * area scope of a token. Refusals are thrown as HttpError (src/admin/errors.ts). A token with an
 * area sees that area and what lies below it; incidents outside it are answered as unknown, and
 * rosters cannot be changed with it.
 */
import type { FastifyRequest } from 'fastify';
import type { Actor } from './audit.js';
import type { IncidentDeps } from './deps.js';

/** The audit actor of a request: `token:<token id>`, or the signed-in user's (one actor per person). */
export function actorRef(request: FastifyRequest): Actor {
  return request.principal.actor;
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
