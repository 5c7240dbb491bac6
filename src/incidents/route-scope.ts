/**
 * What the incidents' admin routes share: who acts (the bearer token or the signed-in user, as an
 * audit actor) and the area scope of a principal. Refusals are thrown as HttpError
 * (src/admin/errors.ts). A principal with an area sees that area and what lies below it; an
 * incident outside it is answered exactly as an unknown code (same status, same body) wherever
 * it is named (path or body), and rosters cannot be changed with it. Committees it sees are
 * those of its area, below it, and above it (the ones an incident of its area escalates to).
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

/**
 * Whether the principal sees a committee of `areaId`: always without an area scope; otherwise
 * when the committee's area is the scope's area, lies below it, or is one of its ancestors (a
 * regional or national committee that incidents of the scope's area reach).
 */
export async function committeeInScope(deps: IncidentDeps, request: FastifyRequest, areaId: string): Promise<boolean> {
  const scope = request.principal.areaId;
  if (!scope) return true;
  const tree = await deps.areas.tree(deps.db);
  return tree.within(areaId, scope) || tree.lineage(scope).includes(areaId);
}
