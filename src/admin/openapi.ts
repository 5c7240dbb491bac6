/**
 * The OpenAPI 3.1 document of /api/v1, generated from the code: every registered route (found
 * with Fastify's onRoute hook), its roles and area rule from the role table
 * (src/admin/access.ts), its request body and query from the zod schemas a route declares in
 * `config.openapi` (converted with zod 4's z.toJSONSchema), and the one error body of
 * src/admin/errors.ts for every refusal.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ACCESS, routeKey } from './access.js';

/** What a route declares for the document (in its `config.openapi`). */
export interface RouteDoc {
  /** The JSON request body. */
  body?: z.ZodType;
  /** The query string. */
  query?: z.ZodType;
  /** Other accepted body types, e.g. text/csv (described as strings). */
  textBodies?: string[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    openapi?: RouteDoc;
  }
}

export interface RouteRecord {
  method: string;
  url: string;
  doc: RouteDoc;
}

/** Starts recording the routes registered in `app` and below it from now on (urls without `prefix`). */
export function recordRoutes(app: FastifyInstance, prefix = '/api/v1'): RouteRecord[] {
  const routes: RouteRecord[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      routes.push({ method, url: route.url.startsWith(prefix) ? route.url.slice(prefix.length) : route.url, doc: (route.config as { openapi?: RouteDoc } | undefined)?.openapi ?? {} });
    }
  });
  return routes;
}

const errorBody = z
  .object({
    error: z.string().describe('for people; never personal data'),
    code: z.string().describe('stable machine code, e.g. invalid_request, unauthenticated, forbidden, not_found, rate_limited, locked, csrf'),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional().describe('validation problems (400)'),
  })
  .catchall(z.unknown())
  .describe('The one error body of the API (src/admin/errors.ts)');

const ERRORS: Record<string, string> = {
  '400': 'invalid request (issues name each field)',
  '401': 'missing or invalid credentials',
  '403': 'the role table refuses this caller, or the CSRF token is missing',
  '404': 'unknown, or outside the caller\'s area',
  '429': 'too many requests or failed authentications',
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return rest;
}

/** The document for `routes` (paths relative to /api/v1 are served under `prefix`). */
export function buildOpenApi(routes: RouteRecord[], prefix = '/api/v1'): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorRef = { $ref: '#/components/schemas/Error' };
  for (const route of [...routes].sort((a, b) => a.url.localeCompare(b.url))) {
    const key = routeKey(route.method, route.url, prefix);
    const access = ACCESS[key];
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    const params = [...route.url.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = route.doc.query ? jsonSchema(route.doc.query) : null;
    const queryParams = query
      ? Object.entries((query.properties ?? {}) as Record<string, unknown>).map(([name, schema]) => ({ name, in: 'query', required: ((query.required ?? []) as string[]).includes(name), schema }))
      : [];
    const isPublic = access?.roles === 'public';
    const roles = !access ? 'nobody (not in the role table)' : isPublic ? 'public' : `roles: ${(access.roles as string[]).join(', ')}${access.scoped === false ? '; refused to area-limited callers' : '; area-limited callers see their area'}`;
    const content: Record<string, unknown> = {};
    if (route.doc.body) content['application/json'] = { schema: jsonSchema(route.doc.body) };
    for (const type of route.doc.textBodies ?? []) content[type] = { schema: { type: 'string' } };
    const responses: Record<string, unknown> = { '200': { description: 'success' } };
    for (const [status, description] of Object.entries(ERRORS)) {
      if (status === '401' && isPublic) continue;
      if (status === '400' && !route.doc.body && !route.doc.query && params.length === 0) continue;
      responses[status] = { description, content: { 'application/json': { schema: errorRef } } };
    }
    if (key === 'POST /auth/login') responses['423'] = { description: 'account locked after repeated failures', content: { 'application/json': { schema: errorRef } } };
    paths[path] ??= {};
    paths[path]![route.method.toLowerCase()] = {
      operationId: key.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, ''),
      summary: access?.summary ?? '',
      description: roles,
      ...(isPublic ? { security: [] } : {}),
      ...(params.length + queryParams.length > 0 ? { parameters: [...params, ...queryParams] } : {}),
      ...(Object.keys(content).length > 0 ? { requestBody: { required: true, content } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Early-warning gateway API', version: '1', description: 'Generated from the routes, the role table and the zod schemas.' },
    servers: [{ url: prefix }],
    components: {
      schemas: { Error: jsonSchema(errorBody, 'output') },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'an API token (`gateway tokens create`)' },
        session: { type: 'apiKey', in: 'cookie', name: 'gw_session', description: 'a console session (POST /auth/login); changes also need the x-csrf-token header' },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}
