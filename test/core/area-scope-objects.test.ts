/**
 * Area scope of the other area-scoped objects of the admin API: for a coordinator limited to
 * Kanzi, a broadcast, a rumour and a survey wave of another area answer exactly like ones that
 * do not exist (status and body, the named id put aside), on every route that names them, and
 * come out unchanged (row and audit trail).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/admin/tokens.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
let kanzi: string;
let broadcastId: string;
let rumourId: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  kanzi = (await createToken(gateway.db, { name: 'Kanzi coordinator', role: 'coordinator', areaId: 'kanzi' })).token;
  broadcastId = (
    await gateway.db.broadcast.create({
      data: { title: 'Oroma market day', texts: JSON.stringify({ en: 'Market is open' }), defaultLanguage: 'en', areaId: 'oroma', status: 'pending_approval', createdBy: 'someone', createdByName: 'Someone', createdByRole: 'broadcaster' },
    })
  ).id;
  rumourId = (await gateway.db.rumour.create({ data: { textEnc: gateway.personalData.encrypt('the bridge is closed'), areaId: 'oroma', status: 'verified_false', answers: JSON.stringify({ en: 'It is open' }) } })).id;
  await gateway.db.surveyWave.create({ data: { surveyId: 'perception', wave: 'river_wave', flowId: 'survey', areaId: 'river', invited: 10, opensAt: new Date('2026-01-01T00:00:00Z'), createdBy: 'test' } });
});
afterAll(async () => {
  await gateway?.close();
});

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${gateway.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${kanzi}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: JSON.parse((await response.text()).replaceAll(/[0-9a-f-]{36}|river_wave|no_such_wave/g, '<named>')) as unknown };
}

async function footprint() {
  const { db } = gateway;
  return {
    broadcast: await db.broadcast.findUniqueOrThrow({ where: { id: broadcastId } }),
    rumour: await db.rumour.findUniqueOrThrow({ where: { id: rumourId } }),
    wave: await db.surveyWave.findFirstOrThrow({ where: { wave: 'river_wave' } }),
    audit: await db.auditEntry.count(),
  };
}

const MISSING = '00000000-0000-4000-8000-000000000000';

const ROUTES: { route: string; request: (ids: { broadcast: string; rumour: string; wave: string }) => [string, string, unknown?] }[] = [
  { route: 'GET /broadcasts/:id', request: (ids) => ['GET', `/broadcasts/${ids.broadcast}`] },
  { route: 'GET /broadcasts/:id/estimate', request: (ids) => ['GET', `/broadcasts/${ids.broadcast}/estimate`] },
  { route: 'GET /broadcasts/:id/progress', request: (ids) => ['GET', `/broadcasts/${ids.broadcast}/progress`] },
  { route: 'GET /broadcasts/:id/recipients', request: (ids) => ['GET', `/broadcasts/${ids.broadcast}/recipients`] },
  { route: 'GET /broadcasts/:id/feedback', request: (ids) => ['GET', `/broadcasts/${ids.broadcast}/feedback`] },
  { route: 'POST /broadcasts/:id/approve', request: (ids) => ['POST', `/broadcasts/${ids.broadcast}/approve`, {}] },
  { route: 'POST /broadcasts/:id/reject', request: (ids) => ['POST', `/broadcasts/${ids.broadcast}/reject`, { reason: 'no' }] },
  { route: 'POST /broadcasts/:id/schedule', request: (ids) => ['POST', `/broadcasts/${ids.broadcast}/schedule`, {}] },
  { route: 'POST /broadcasts/:id/cancel', request: (ids) => ['POST', `/broadcasts/${ids.broadcast}/cancel`, {}] },
  { route: 'GET /rumours/:id', request: (ids) => ['GET', `/rumours/${ids.rumour}`] },
  { route: 'PATCH /rumours/:id', request: (ids) => ['PATCH', `/rumours/${ids.rumour}`, { title: 'Bridge' }] },
  { route: 'PUT /rumours/:id/answers', request: (ids) => ['PUT', `/rumours/${ids.rumour}/answers`, { en: 'Open since Monday' }] },
  { route: 'POST /rumours/:id/publish', request: (ids) => ['POST', `/rumours/${ids.rumour}/publish`, {}] },
  { route: 'POST /surveys/:surveyId/waves/:wave/close', request: (ids) => ['POST', `/surveys/perception/waves/${ids.wave}/close`, {}] },
];

describe('another area’s broadcast, rumour or survey wave is an unknown one', () => {
  for (const { route, request } of ROUTES) {
    it(`${route}: the same answer as for none, and nothing changes`, async () => {
      const before = await footprint();
      const foreign = await call(...request({ broadcast: broadcastId, rumour: rumourId, wave: 'river_wave' }));
      const missing = await call(...request({ broadcast: MISSING, rumour: MISSING, wave: 'no_such_wave' }));
      expect(foreign.status).toBe(404);
      expect(foreign).toEqual(missing);
      expect(await footprint()).toEqual(before);
    });
  }
});
