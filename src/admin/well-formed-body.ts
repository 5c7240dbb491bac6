/**
 * Every string of an API request (body, query, path parameters) must be text the databases can
 * store (src/well-formed-text.ts): a request with an unpaired surrogate or a NUL character
 * (`%00` in a URL) is refused with the one validation error (400, the field's path), so no route
 * has to think about it.
 */
import type { FastifyInstance } from 'fastify';
import { illFormedTextPath } from '../well-formed-text.js';
import { HttpError } from './errors.js';

/** Refuses, in `app` and below, requests with ill-formed text. */
export function requireWellFormedText(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const path = illFormedTextPath(request.body) ?? illFormedTextPath(request.query, ['(query)']) ?? illFormedTextPath(request.params, ['(path)']);
    if (path !== undefined) {
      throw new HttpError(400, 'invalid request', { issues: [{ path, message: 'not well-formed text (a NUL character or an unpaired surrogate)' }] });
    }
  });
}
