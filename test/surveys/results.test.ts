/**
 * Survey results on a seeded data set: two waves, three areas (Kanzi, Mbali, Tessa in the North
 * Region), known answers. Exact counts, shares, suppression (complementary included), change
 * between waves and its interval, indicator series, the HXL header row and the export's audit.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/admin/tokens.js';
import { HXL_TAGS } from '../../src/surveys/export.js';
import { newcombe, wilson, zFor } from '../../src/surveys/stats.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
let analyst: string;
let kanziAnalyst: string;
const z = zFor(0.95);

/** n responses with one answer each to police_seen_as, plus their SurveyResponse rows. */
async function seed(wave: string, areaId: string, answer: string, gender: string, n: number, seconds = 100) {
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    await gateway.db.surveyResponse.create({ data: { id, surveyId: 'perception', wave, channel: i % 2 ? 'sms' : 'telegram', areaId, answered: 1, complete: true, durationSeconds: seconds + i } });
    await gateway.db.surveyAnswer.create({ data: { surveyId: 'perception', wave, responseId: id, question: 'police_seen_as', answer, areaId, gender, ageBand: '30_44' } });
  }
}

async function get(path: string, token = analyst) {
  const response = await fetch(`${gateway.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: response.headers.get('content-type')?.includes('json') ? await response.json() : await response.text() };
}

beforeAll(async () => {
  gateway = await startTestGateway();
  // Baseline: Kanzi 10 protectors (women) / 10 threat (men); Mbali 6 / 3 (women); Tessa 2 / 8 (men).
  await seed('baseline', 'kanzi', 'protectors', 'female', 10);
  await seed('baseline', 'kanzi', 'threat', 'male', 10);
  await seed('baseline', 'mbali', 'protectors', 'female', 6);
  await seed('baseline', 'mbali', 'threat', 'female', 3);
  await seed('baseline', 'tessa', 'protectors', 'male', 2);
  await seed('baseline', 'tessa', 'threat', 'male', 8);
  // Six months: Kanzi 15 / 5; Mbali 8 / 7; Tessa 6 / 6.
  await seed('month_6', 'kanzi', 'protectors', 'female', 15);
  await seed('month_6', 'kanzi', 'threat', 'male', 5);
  await seed('month_6', 'mbali', 'protectors', 'female', 8);
  await seed('month_6', 'mbali', 'threat', 'male', 7);
  await seed('month_6', 'tessa', 'protectors', 'male', 6);
  await seed('month_6', 'tessa', 'threat', 'female', 6);
  await gateway.db.surveyWave.create({ data: { surveyId: 'perception', wave: 'baseline', flowId: 'survey', areaId: 'north', invited: 60, opensAt: new Date('2026-01-01T00:00:00Z'), createdBy: 'test' } });
  await gateway.db.surveyWave.create({ data: { surveyId: 'perception', wave: 'month_6', flowId: 'survey', areaId: 'north', invited: 80, opensAt: new Date('2026-07-01T00:00:00Z'), createdBy: 'test' } });
  analyst = (await createToken(gateway.db, { name: 'analyst', role: 'analyst' })).token;
  kanziAnalyst = (await createToken(gateway.db, { name: 'kanzi analyst', role: 'analyst', areaId: 'kanzi' })).token;
});

afterAll(async () => {
  await gateway?.close();
});

type Cell = { count: number | null; share: number | null; suppressed?: string; interval: { lower: number; upper: number } | null; change?: { difference: number; lower: number; upper: number; significant: boolean } | null };
type Question = { id: string; text: string; respondents: number; groups: { key: string | null; label: string; respondents: number | null }[]; answers: { id: string; label: string; overall: Cell; groups: Cell[] }[] };

describe('survey results', () => {
  it('lists the survey with its waves: invited, started, completed, response rate', async () => {
    const { body } = await get('/surveys');
    const survey = body.items.find((s: { id: string }) => s.id === 'perception');
    expect(survey.waves.map((w: { wave: string; invited: number; started: number; completed: number; responseRate: number }) => [w.wave, w.invited, w.started, w.completed, w.responseRate])).toEqual([
      ['baseline', 60, 39, 39, 39 / 60],
      ['month_6', 80, 47, 47, 47 / 80],
    ]);
  });

  it('counts and shares per area with small cells and their complements suppressed', async () => {
    const { status, body } = await get('/surveys/perception/results?wave=baseline&area=north&by=area&lang=fr');
    expect(status).toBe(200);
    const police: Question = body.questions.find((q: Question) => q.id === 'police_seen_as');
    expect(police.text).toBe(gateway.translator.t('fr', 'survey:ask_police'));
    expect(police.respondents).toBe(39);
    expect(police.groups.map((g) => [g.key, g.label, g.respondents])).toEqual([
      ['kanzi', 'Kanzi', 20],
      ['mbali', 'Mbali', 9],
      ['tessa', 'Tessa', 10],
    ]);
    const protectors = police.answers.find((a) => a.id === 'protectors')!;
    const threat = police.answers.find((a) => a.id === 'threat')!;
    expect(protectors.label).toBe(gateway.translator.t('fr', 'survey:forces.protectors'));
    expect(protectors.label).not.toBe('protectors');
    expect(protectors.overall.count).toBe(18);
    expect(protectors.overall.share).toBeCloseTo(18 / 39, 10);
    expect(protectors.overall.interval).toEqual(wilson(18, 39, z));
    expect(threat.overall.count).toBe(21);
    // Kanzi is published; Tessa's 2 and Mbali's 3 are small, and their complements hidden too.
    expect(protectors.groups.map((c) => [c.count, c.suppressed ?? null])).toEqual([
      [10, null],
      [null, 'complementary'],
      [null, 'small'],
    ]);
    expect(threat.groups.map((c) => [c.count, c.suppressed ?? null])).toEqual([
      [10, null],
      [null, 'small'],
      [null, 'complementary'],
    ]);
    expect(protectors.groups[0]!.share).toBe(0.5);
  });

  it('suppresses by gender too', async () => {
    const { body } = await get('/surveys/perception/results?wave=baseline&area=north&by=gender&lang=en');
    const police: Question = body.questions.find((q: Question) => q.id === 'police_seen_as');
    expect(police.groups.map((g) => [g.key, g.label, g.respondents])).toEqual([
      ['female', 'Woman', 19],
      ['male', 'Man', 20],
    ]);
    const protectors = police.answers.find((a) => a.id === 'protectors')!;
    expect(protectors.groups.map((c) => c.suppressed)).toEqual(['complementary', 'small']);
  });

  it('gives the change from the comparison wave with its interval', async () => {
    const { body } = await get('/surveys/perception/results?wave=month_6&compare=baseline&area=north');
    const protectors = body.questions.find((q: Question) => q.id === 'police_seen_as').answers.find((a: { id: string }) => a.id === 'protectors');
    expect(protectors.overall.count).toBe(29);
    const expected = newcombe(18, 39, 29, 47, z);
    expect(protectors.overall.change.difference).toBeCloseTo(29 / 47 - 18 / 39, 12);
    expect(protectors.overall.change.lower).toBeCloseTo(expected.lower, 12);
    expect(protectors.overall.change.upper).toBeCloseTo(expected.upper, 12);
    expect(protectors.overall.change.significant).toBe(false);
  });

  it('tracks the indicator per area across waves, small points suppressed', async () => {
    const { body } = await get('/surveys/perception/indicators?area=north&lang=en');
    expect(body.waves).toEqual(['baseline', 'month_6']);
    const police = body.indicators.find((i: { id: string }) => i.id === 'police_protectors');
    expect(police.label).toBe('Police seen as protectors');
    const line = (id: string | null) => police.series.find((s: { area: { id: string } | null }) => (s.area?.id ?? null) === id).points.map((p: { wave: string; positive: number | null; respondents: number | null }) => [p.wave, p.positive, p.respondents]);
    expect(line(null)).toEqual([
      ['baseline', 18, 39],
      ['month_6', 29, 47],
    ]);
    expect(line('kanzi')).toEqual([
      ['baseline', 10, 20],
      ['month_6', 15, 20],
    ]);
    expect(line('mbali')).toEqual([
      ['baseline', null, null],
      ['month_6', 8, 15],
    ]);
    expect(line('tessa')).toEqual([
      ['baseline', null, null],
      ['month_6', 6, 12],
    ]);
    const kanzi = police.series.find((s: { area: { id: string } | null }) => s.area?.id === 'kanzi').points[1];
    expect(kanzi.change.difference).toBeCloseTo(0.25, 12);
  });

  it('keeps an area-scoped analyst inside the area', async () => {
    expect((await get('/surveys/perception/results?wave=baseline&area=north', kanziAnalyst)).status).toBe(403);
    const { body } = await get('/surveys/perception/results?wave=baseline', kanziAnalyst);
    const police: Question = body.questions.find((q: Question) => q.id === 'police_seen_as');
    expect(police.respondents).toBe(20);
  });

  it('reports response quality: funnel, median time, channels', async () => {
    const { body } = await get('/surveys/perception/quality?wave=baseline&area=north');
    expect(body.started).toBe(39);
    expect(body.completed).toBe(39);
    expect(body.funnel.find((f: { question: string }) => f.question === 'police_seen_as').reached).toBe(39);
    // Durations 100 + i for each seeded group (10, 10, 6, 3, 2, 8 responses): the 20th of 39 sorted.
    const durations = [10, 10, 6, 3, 2, 8].flatMap((n) => Array.from({ length: n }, (_, i) => 100 + i)).sort((a, b) => a - b);
    expect(body.medianSeconds).toBe(durations[19]);
    expect(body.medianSeconds).toBe(103);
    expect(body.channels.map((c: { channel: string; started: number }) => [c.channel, c.started])).toEqual([
      ['sms', 19],
      ['telegram', 20],
    ]);
  });

  it('exports HXL-tagged CSV with the same suppression, and audits it', async () => {
    const { status, body } = await get('/surveys/perception/export?format=hxl&wave=baseline&area=north&by=area');
    expect(status).toBe(200);
    const lines = (body as string).trim().split('\n');
    expect(lines[1]).toBe(HXL_TAGS.join(','));
    expect(lines[1]).toContain('#adm1+name');
    expect(lines[1]).toContain('#adm2+name');
    expect(lines[1]).toContain('#gender');
    const tessaProtectors = lines.find((l) => l.includes(',tessa,') && l.includes(',protectors,'))!;
    expect(tessaProtectors).toMatch(/,North Region,tessa,Tessa,.*,10,,,,,small$/);
    const audit = await gateway.db.auditEntry.findMany({ where: { action: 'survey.exported' } });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.detail)).toMatchObject({ format: 'hxl', wave: 'baseline', area: 'north', by: 'area' });
  });
});

describe('survey results in the language asked', () => {
  const t = (language: string, key: string) => gateway.translator.t(language, key);

  it.each(['fr', 'ar'])('gives questions, answers and groups from locales/%s', async (language) => {
    const { body } = await get(`/surveys/perception/results?wave=baseline&area=north&by=gender&lang=${language}`);
    expect(body.language).toBe(language);
    const police: Question = body.questions.find((q: Question) => q.id === 'police_seen_as');
    for (const [shown, key] of [
      [police.text, 'survey:ask_police'],
      [police.answers.find((a) => a.id === 'protectors')!.label, 'survey:forces.protectors'],
      [police.groups.find((g) => g.key === 'female')!.label, 'survey:gender.female'],
    ] as [string, string][]) {
      expect(shown).toBe(t(language, key));
      expect(shown).not.toBe(t('en', key));
    }
  });

  it('names the indicators in Arabic, and falls back to the default language for one it does not have', async () => {
    const arabic = (await get('/surveys/perception/indicators?area=north&lang=ar')).body;
    expect(arabic.indicators.find((i: { id: string }) => i.id === 'police_protectors').label).toBe(t('ar', 'survey:indicator.police_protectors'));
    expect(t('ar', 'survey:indicator.police_protectors')).not.toBe(t('en', 'survey:indicator.police_protectors'));
    const unknown = (await get('/surveys/perception/indicators?area=north&lang=xx')).body;
    expect(unknown.indicators.find((i: { id: string }) => i.id === 'police_protectors').label).toBe(t('en', 'survey:indicator.police_protectors'));
  });

  it('exports French labels under the HXL row when asked in French', async () => {
    const { body } = await get('/surveys/perception/export?format=hxl&wave=baseline&area=north&lang=fr');
    const lines = (body as string).trim().split('\n');
    expect(lines[1]).toBe(HXL_TAGS.join(','));
    const protectors = lines.find((l) => l.includes(',protectors,'))!;
    expect(protectors).toContain(t('fr', 'survey:forces.protectors'));
    expect(protectors).not.toContain(t('en', 'survey:forces.protectors'));
  });
});

describe('change between waves per group', () => {
  it('gives each published group its change with Newcombe’s interval, and none where a wave’s cell is suppressed', async () => {
    const { body } = await get('/surveys/perception/results?wave=month_6&compare=baseline&area=north&by=area');
    const police: Question = body.questions.find((q: Question) => q.id === 'police_seen_as');
    expect(police.groups.map((g) => g.key)).toEqual(['kanzi', 'mbali', 'tessa']);
    const protectors = police.answers.find((a) => a.id === 'protectors')!;
    // Kanzi: 10 of 20, then 15 of 20.
    const kanzi = protectors.groups[0]!.change!;
    const expected = newcombe(10, 20, 15, 20, z);
    expect(kanzi.difference).toBeCloseTo(0.25, 12);
    expect(kanzi.lower).toBeCloseTo(expected.lower, 12);
    expect(kanzi.upper).toBeCloseTo(expected.upper, 12);
    expect(kanzi.significant).toBe(expected.lower > 0 || expected.upper < 0);
    // Mbali and Tessa were suppressed at baseline: no change is shown, though both are published now.
    expect(protectors.groups.slice(1).map((c) => [c.count, c.change])).toEqual([
      [8, null],
      [6, null],
    ]);
  });
});
