import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS } from '../../src/admin/access.js';
import { createToken } from '../../src/admin/tokens.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway?.close();
});

describe('HTTP hardening and the API document', () => {
  it('sends security headers with a strict CSP, and no-store on API answers', async () => {
    const { token } = await createToken(gateway.db, { name: 'h', role: 'coordinator' });
    const api = await fetch(`${gateway.url}/api/v1/incidents`, { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(200);
    expect(api.headers.get('cache-control')).toBe('no-store');
    const csp = api.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(api.headers.get('strict-transport-security')).toMatch(/max-age=/);
    // Refusals carry them too.
    expect((await fetch(`${gateway.url}/api/v1/me`)).headers.get('cache-control')).toBe('no-store');
  });

  it('has non-zero server timeouts', () => {
    const server = gateway.app!.server;
    expect(server.requestTimeout).toBeGreaterThan(0);
    expect(server.keepAliveTimeout).toBeGreaterThan(0);
    expect(server.timeout).toBeGreaterThan(0);
  });

  it('answers 429 to a stream of wrong bearer tokens', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await fetch(`${gateway.url}/api/v1/me`, { headers: { authorization: `Bearer gw_wrong${i}` } })).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    const limited = await fetch(`${gateway.url}/api/v1/me`, { headers: { authorization: 'Bearer gw_wrong' } });
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await limited.json()) as { code: string }).code).toBe('rate_limited');
  });

  it('serves a valid OpenAPI 3.1 document listing every route, body and error', async () => {
    const document = (await (await fetch(`${gateway.url}/api/v1/openapi.json`)).json()) as Record<string, any>;
    expect(document.openapi).toBe('3.1.0');
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const listed = Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
    expect(listed.sort()).toEqual(Object.keys(ACCESS).sort());
    // Every route that takes a body documents it, and every refusal has the one error body.
    const needsBody = ['POST /broadcasts', 'POST /incidents/:code/note', 'PUT /rumours/:id/answers', 'POST /auth/login', 'POST /flow-starts', 'POST /rosters/import'];
    for (const key of needsBody) {
      const [method, path] = key.split(' ');
      const op = document.paths[path!.replace(/:(\w+)/g, '{$1}')][method!.toLowerCase()];
      expect(op.requestBody?.content?.['application/json']?.schema, key).toBeDefined();
    }
    expect(document.paths['/broadcasts'].post.requestBody.content['application/json'].schema.required).toContain('title');
    expect(document.paths['/incidents/{code}'].get.responses['404'].content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
    expect(document.components.schemas.Error.required).toEqual(['error', 'code']);
  });

  it('serves the docs page from the gateway itself, and leads / to the console', async () => {
    const root = await fetch(`${gateway.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console');
    const page = await (await fetch(`${gateway.url}/docs`)).text();
    expect(page).toContain('/api/v1/openapi.json');
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).not.toMatch(/<script>[^<]/);
    const script = await fetch(`${gateway.url}/docs/docs.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
  });
});
