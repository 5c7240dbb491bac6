/**
 * Every string of an API request body must be well-formed Unicode. JSON's `\uXXXX` escapes can
 * carry half of a surrogate pair (`"\ud800"`), which no database driver can store or compare:
 * such a body is refused at the door with the one validation error (400, the field's path), so
 * no route has to think about it.
 */
import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors.js';

const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The dotted path of the first string (or object key) in `value` holding an unpaired surrogate; undefined when none. */
export function unpairedSurrogatePath(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === 'string') return UNPAIRED_SURROGATE.test(value) ? path.join('.') || '(body)' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (UNPAIRED_SURROGATE.test(key)) return [...path, key].join('.');
    const found = unpairedSurrogatePath(child, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Refuses, in `app` and below, request bodies with text that is not well-formed Unicode. */
export function requireWellFormedText(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const path = unpairedSurrogatePath(request.body);
    if (path !== undefined) {
      throw new HttpError(400, 'invalid request', { issues: [{ path, message: 'not well-formed Unicode text (an unpaired surrogate)' }] });
    }
  });
}
