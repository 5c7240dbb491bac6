/**
 * What the console reads that scripts did not need before: GET /me's `may` (the role table's
 * routes this caller may call), GET /areas (the gazetteer in scope, with points for the map) and
 * the incidents list's escalation state and category filter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS, decide } from '../../src/admin/access.js';
import { createToken } from '../../src/admin/tokens.js';
import { eventually } from '../support/gateway.js';
import { fileReport, seedRoster, startIncidentGateway, type IncidentGateway } from '../incidents/support.js';

let gateway: IncidentGateway;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  gateway = await startIncidentGateway({ delayScale: 0.0005 });
  await seedRoster(gateway);
  for (const [name, role, areaId] of [['analyst', 'analyst'], ['broadcaster', 'broadcaster'], ['north', 'coordinator', 'north']] as const) {
    tokens[name] = (await createToken(gateway.db, { name, role, areaId })).token;
  }
});
afterAll(async () => {
  await gateway?.close();
});

const get = async (path: string, token: string) => (await fetch(`${gateway.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<any>;

describe('the API the console reads', () => {
  it('tells each caller which routes of the role table it may call', async () => {
    const analyst = await get('/me', tokens.analyst!);
    expect(analyst.may).toContain('GET /surveys');
    expect(analyst.may).toContain('GET /incidents');
    expect(analyst.may).not.toContain('GET /incidents/:code');
    expect(analyst.may).not.toContain('POST /broadcasts/:id/approve');
    const north = await get('/me', tokens.north!);
    // Area-limited: routes refused to area-limited callers are not offered.
    expect(north.may).toContain('POST /incidents/:code/ack');
    expect(north.may).not.toContain('POST /rosters/import');
    expect(north.may).toEqual(Object.keys(ACCESS).filter((k) => ACCESS[k]!.roles !== 'public' && decide(k, { role: 'coordinator', areaId: 'north' }).allowed));
  });

  it('answers the areas in scope with their points, named in the language asked', async () => {
    const all = (await get('/areas', tokens.analyst!)).items;
    expect(all.find((a: { id: string }) => a.id === 'kanzi')).toEqual({ id: 'kanzi', name: 'Kanzi', gazetteerName: 'Kanzi', level: 'locality', parentId: 'north', latitude: 1.3, longitude: 35.2 });
    // ?lang= names areas in that language: for Arabic, the first alias in Arabic script; French keeps the common name.
    const arabic = (await get('/areas?lang=ar', tokens.analyst!)).items;
    expect(arabic.find((a: { id: string }) => a.id === 'kanzi')).toMatchObject({ name: 'كانزي', gazetteerName: 'Kanzi' });
    expect(arabic.find((a: { id: string }) => a.id === 'north')).toMatchObject({ name: 'الشمال' });
    expect((await get('/areas?lang=fr', tokens.analyst!)).items.find((a: { id: string }) => a.id === 'north')).toMatchObject({ name: 'North Region' });
    const north = (await get('/areas', tokens.north!)).items.map((a: { id: string }) => a.id).sort();
    expect(north).toEqual(['kanzi', 'mbali', 'north', 'tessa']);
  });

  it('lists incidents with their escalation, and filters them by category', async () => {
    const fight = await fileReport(gateway, { severity: 'critical', areaId: 'kanzi', category: 'violence' });
    const words = await fileReport(gateway, { severity: 'low', areaId: 'kanzi', category: 'hate_speech' });
    // The critical policy's first step is 10 minutes, scaled to 0.3 s here: the next level is told.
    await eventually(async () => (await get('/incidents?category=violence', tokens.analyst!)).items.find((i: { caseCode: string }) => i.caseCode === fight.caseCode)?.escalation?.notifiedLevel >= 1, 15_000, 'escalation to level 2');
    const violence = (await get('/incidents?category=violence', tokens.analyst!)).items;
    expect(violence.map((i: { caseCode: string }) => i.caseCode)).toEqual([fight.caseCode]);
    expect(violence[0].escalation).toMatchObject({ waitingFor: 'escalate' });
    expect(new Date(violence[0].escalation.nextAt).getTime()).toBeGreaterThan(0);
    const hate = (await get('/incidents?category=hate_speech', tokens.analyst!)).items;
    expect(hate.map((i: { caseCode: string }) => i.caseCode)).toEqual([words.caseCode]);
  });
});
