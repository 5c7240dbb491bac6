/**
 * The one role table against the running API: every route × every role, unscoped and limited
 * to an area, must be let through or refused exactly as src/admin/access.ts says; the table and
 * the registered routes are the same set; the README's role table is the generated one.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS, decide, renderRoleTable } from '../../src/admin/access.js';
import { createToken, ROLES, type Role } from '../../src/admin/tokens.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
const principals: { role: Role; areaId: string | null; token: string }[] = [];
let routes: { method: string; path: string }[] = [];

beforeAll(async () => {
  gateway = await startTestGateway();
  for (const role of ROLES) {
    for (const areaId of [null, 'north']) principals.push({ role, areaId, token: (await createToken(gateway.db, { name: `${role}-${areaId ?? 'all'}`, role, areaId })).token });
  }
  const document = (await (await fetch(`${gateway.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  routes = Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })));
});
afterAll(async () => {
  await gateway?.close();
});

const keyOf = (route: { method: string; path: string }) => `${route.method} ${route.path.replace(/\{(\w+)\}/g, ':$1')}`;

describe('the role table', () => {
  it('names exactly the routes the API has', () => {
    expect(routes.map(keyOf).sort()).toEqual(Object.keys(ACCESS).sort());
  });

  it('decides every route for every role, unscoped and area-limited, as the table says', async () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const route of routes) {
      const key = keyOf(route);
      // Placeholder ids: allowed calls end in 400 or 404 instead of changing anything.
      const url = `${gateway.url}/api/v1${route.path.replace(/\{\w+\}/g, 'no-such-id')}`;
      const body = ['POST', 'PUT', 'PATCH'].includes(route.method) ? '{}' : undefined;
      const anonymous = await fetch(url, { method: route.method, headers: body ? { 'content-type': 'application/json' } : {}, body });
      if (ACCESS[key]!.roles !== 'public' && anonymous.status !== 401) mismatches.push(`${key} without credentials: ${anonymous.status}`);
      for (const principal of principals) {
        if (key === 'POST /auth/logout') continue; // would only end nothing; covered in login.test.ts
        const headers: Record<string, string> = { authorization: `Bearer ${principal.token}` };
        if (body) headers['content-type'] = 'application/json';
        const response = await fetch(url, { method: route.method, headers, body });
        const answer = (await response.json().catch(() => ({}))) as { code?: string };
        const expected = decide(key, principal);
        const refused = response.status === 403 && answer.code === 'forbidden';
        if (expected.allowed === refused || response.status === 401) mismatches.push(`${key} as ${principal.role}${principal.areaId ? '@north' : ''}: ${response.status} ${answer.code}, table says ${expected.allowed ? 'allowed' : 'refused'}`);
        checked++;
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(Object.keys(ACCESS).length * 10);
  });

  it('is the README’s role table', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('<!-- role-table:start -->');
    const end = readme.indexOf('<!-- role-table:end -->');
    expect(start).toBeGreaterThan(0);
    expect(readme.slice(start + '<!-- role-table:start -->'.length, end).trim()).toBe(renderRoleTable());
  });
});
