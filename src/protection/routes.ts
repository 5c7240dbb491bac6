/**
 * Admin API of erasure, under /api/v1 (coordinator and admin):
 *   GET  /contacts?case=|area=  finds contacts by case code or area (contact-search.ts): ids,
 *                               area, language, channels; never an address
 *   POST /contacts/:id/erase    erases the contact named by a contact id or a case code;
 *                               answers the counts of what went (never who)
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../admin/errors.js';
import type { Db } from '../db/client.js';
import type { Queues } from '../jobs/queues.js';
import { contactSearchQuery, searchContacts } from './contact-search.js';
import { eraseContact, resolveContact } from './erase.js';

const params = z.object({ id: z.string().min(1).max(200) });

export function erasureRoutes(db: Db, queues: Queues, now: () => Date) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get('/contacts', async (request) => {
      const query = parseInput(contactSearchQuery, request.query);
      return { items: await searchContacts(db, query, request.principal.actor, now()) };
    });

    app.post('/contacts/:id/erase', async (request) => {
      const { id } = parseInput(params, request.params);
      const contactId = await resolveContact(db, id);
      const principal = request.principal;
      const erased = await eraseContact(db, queues, contactId, `${principal.name} (${principal.actor})`, now());
      return { erased: true, removed: erased };
    });
  };
}
