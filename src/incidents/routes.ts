/**
 * The incidents' admin API, under /api/v1 (bearer tokens; an area-scoped token sees only its area
 * and what lies below it): the incidents (incident-routes.ts), the audit trail export
 * (audit-routes.ts) and the rosters (roster-routes.ts), registered on one Fastify instance.
 */
import type { FastifyInstance } from 'fastify';
import { auditRoutes } from './audit-routes.js';
import type { IncidentDeps } from './deps.js';
import { incidentCaseRoutes } from './incident-routes.js';
import { rosterRoutes } from './roster-routes.js';

export function incidentRoutes(deps: IncidentDeps) {
  const parts = [incidentCaseRoutes(deps), auditRoutes(deps), rosterRoutes(deps)];
  return async (app: FastifyInstance): Promise<void> => {
    for (const register of parts) await register(app);
  };
}
