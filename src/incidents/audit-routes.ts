/**
 * The audit trail export in the admin API (admin only; the export itself is audited):
 *   GET /audit/incidents?format=jsonl|csv&since=&until=   (ISO date-times; a file download)
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { exportAudit, record } from './audit.js';
import type { IncidentDeps } from './deps.js';
import { validationError } from '../admin/errors.js';
import { actorRef } from './route-scope.js';

export function auditRoutes(deps: IncidentDeps) {
  const { db } = deps;
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/audit/incidents', async (request, reply) => {
      const query = z.object({ format: z.enum(['jsonl', 'csv']).default('jsonl'), since: z.iso.datetime().optional(), until: z.iso.datetime().optional() }).safeParse(request.query);
      if (!query.success) throw validationError(query.error);
      const { format, since, until } = query.data;
      await record(db, { actor: actorRef(request), action: 'audit.exported', subjectId: '-', detail: { format, since, until }, at: deps.now() });
      let body = '';
      for await (const chunk of exportAudit(db, format, { since: since ? new Date(since) : undefined, until: until ? new Date(until) : undefined })) body += chunk;
      return reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="incident-audit.${format}"`)
        .send(body);
    });
  };
}
