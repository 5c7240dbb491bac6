/**
 * Fuzz cases of every API route that takes a body (POST, PUT, PATCH in the role table, and any
 * route whose OpenAPI entry has a request body). Bodies come from the route's JSON Schema in the
 * API document (schema-arbitrary.ts) with near misses, plus random JSON, text bodies of the
 * types the route accepts, garbage and wrong content types. Path parameters are mostly things
 * that exist (ids collected at setup) and sometimes anything.
 */
import fc from 'fast-check';
import { ACCESS } from '../../src/admin/access.js';
import type { FuzzCase } from './webhooks.js';
import { anyJson, fromSchema } from './schema-arbitrary.js';

/** The route keys (`METHOD /path`, relative to /api/v1) a fuzz run must cover. */
export function bodyTakingRoutes(openapi: { paths: Record<string, Record<string, { requestBody?: unknown }>> }): string[] {
  const keys = new Set(Object.keys(ACCESS).filter((key) => /^(POST|PUT|PATCH) /.test(key)));
  for (const [path, operations] of Object.entries(openapi.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (operation.requestBody) keys.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
    }
  }
  return [...keys].sort();
}

/** Ids that exist in the fuzzed gateway, by path parameter name. */
export type KnownIds = Record<string, string[]>;

const randomSegment = fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.constantFrom('..', '%2e%2e', '0', '-1', 'R-000000', 'null', "'", 'a'.repeat(300)));

function pathFor(route: string, known: KnownIds): fc.Arbitrary<string> {
  const parts = route.split('/').map((part) => {
    if (!part.startsWith(':')) return fc.constant(part);
    const name = part.slice(1);
    // Ids of the route's own kind first (`broadcasts:id`), else any of that name.
    const existing = known[`${route.split('/')[1]}:${name}`] ?? known[name] ?? [];
    const segment = existing.length > 0 ? fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...existing) }, { weight: 1, arbitrary: randomSegment }) : randomSegment;
    return segment.map((value) => encodeURIComponent(value));
  });
  return fc.tuple(...parts).map((values) => values.join('/'));
}

interface Operation {
  requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> };
}

/** The cases of one route; `operation` is its entry in the API document (none: no schema). */
export function apiCases(key: string, operation: Operation | undefined, known: KnownIds, token: string): fc.Arbitrary<FuzzCase> {
  const [method, route] = key.split(' ') as [FuzzCase['request']['method'], string];
  const content = operation?.requestBody?.content ?? {};
  const jsonSchema = content['application/json']?.schema;
  const textTypes = Object.keys(content).filter((type) => type !== 'application/json');
  const json = fromSchema(jsonSchema).map((value) => ({ type: 'application/json', payload: JSON.stringify(value) ?? 'null' }));
  const bodies: fc.Arbitrary<{ type: string; payload: string }>[] = [json];
  const weights = [10];
  if (textTypes.length > 0) {
    bodies.push(
      fc.tuple(fc.constantFrom(...textTypes), fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('id,name\nx,y\n', 'committees:\n  - id: a\n', '- - -', 'a: &x [*x]', '"unterminated', 'id\n' + 'x\n'.repeat(50)))).map(([type, payload]) => ({ type, payload })),
    );
    weights.push(2);
  }
  bodies.push(anyJson.map((value) => ({ type: 'application/json', payload: JSON.stringify(value) ?? 'null' })));
  weights.push(1);
  bodies.push(fc.tuple(fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/xml'), fc.oneof(fc.string({ maxLength: 100 }), fc.constantFrom('', '{', '{"a":', '[1,2', '\u0000'))).map(([type, payload]) => ({ type, payload })));
  weights.push(1);
  const body = fc.oneof(...bodies.map((arbitrary, i) => ({ weight: weights[i]!, arbitrary })));
  return fc.tuple(pathFor(route, known), body).map(([path, { type, payload }]) => ({
    request: { method, url: `/api/v1${path}`, headers: { authorization: `Bearer ${token}`, 'content-type': type }, payload },
  }));
}

/**
 * The body-taking API routes the fuzz run covers. A route added to the API and not here fails
 * the surface test (test/fuzz/fuzz.test.ts): add its key, and the ids its path parameters name
 * to the setup's known ids if they are new.
 */
export const FUZZED_ROUTES: readonly string[] = [
  'PATCH /rumours/:id',
  'POST /auth/links/accept',
  'POST /auth/login',
  'POST /auth/logout',
  'POST /broadcasts',
  'POST /broadcasts/:id/approve',
  'POST /broadcasts/:id/cancel',
  'POST /broadcasts/:id/reject',
  'POST /broadcasts/:id/schedule',
  'POST /broadcasts/preview',
  'POST /committees',
  'POST /committees/:id/members',
  'POST /contacts/:id/erase',
  'POST /dead-letter/:queue/:jobId/retry',
  'POST /flow-starts',
  'POST /incidents/:code/ack',
  'POST /incidents/:code/ask',
  'POST /incidents/:code/dismiss',
  'POST /incidents/:code/link',
  'POST /incidents/:code/note',
  'POST /incidents/:code/reassign',
  'POST /incidents/:code/resolve',
  'POST /incidents/:code/verify',
  'POST /responders',
  'POST /rosters/import',
  'POST /rumours',
  'POST /rumours/:id/publish',
  'POST /surveys/:surveyId/waves',
  'POST /surveys/:surveyId/waves/:wave/close',
  'POST /users',
  'POST /users/:id/reset',
  'PUT /rumours/:id/answers',
];
