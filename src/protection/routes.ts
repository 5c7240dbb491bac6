/**
 * Admin API of erasure, under /api/v1 (coordinator and admin):
 *   POST /contacts/:id/erase    erases the contact named by a contact id or a case code;
 *                               answers the counts of what went (never who)
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../admin/errors.js';
import type { Db } from '../db/client.js';
import type { Queues } from '../jobs/queues.js';
import { eraseContact, resolveContact } from './erase.js';

const params = z.object({ id: z.string().min(1).max(200) });

export function erasureRoutes(db: Db, queues: Queues, now: () => Date) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post('/contacts/:id/erase', async (request) => {
      const { id } = parseInput(params, request.params);
      const contactId = await resolveContact(db, id);
      const principal = request.principal;
      const erased = await eraseContact(db, queues, contactId, `${principal.name} (${principal.actor})`, now());
      return { erased: true, removed: erased };
    });
  };
}
