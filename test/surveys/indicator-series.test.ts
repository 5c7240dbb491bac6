/**
 * The indicator series, read with one grouped query for every indicator, wave and area (and the
 * waves found by seeking the index), equal the computation they replaced: one query per
 * indicator, waves from a GROUP BY over every answer. The previous computation is kept below as
 * the oracle, run on a seeded data set with several indicators, four areas in two regions,
 * answers without an area, a wave opened by a SurveyWave row, waves known only from their
 * answers (ordered by their first answer), answers that count for no wave, and cells small
 * enough to be suppressed.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken } from '../../src/admin/tokens.js';
import { AreaTree } from '../../src/areas/tree.js';
import type { Db } from '../../src/db/client.js';
import { Prisma } from '../../src/db/generated/sqlite/client.js';
import { loadSurveyDefinitions, type SurveyDefinition } from '../../src/surveys/definitions.js';
import { areaFilter, rollUp, type IndicatorSeries, type ResultContext, type SeriesPoint } from '../../src/surveys/results.js';
import { newcombe, wilson, zFor } from '../../src/surveys/stats.js';
import { reasonOf, suppressTable, type SuppressionReason } from '../../src/surveys/suppression.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

let gateway: TestGateway;
let analyst: string;
let survey: SurveyDefinition;

// ---- The previous computation (one query per indicator), the oracle ----

function ordered(keys: Iterable<string | null>, preferred: string[], name: (k: string) => string): (string | null)[] {
  const set = new Set(keys);
  const known = preferred.filter((k) => set.has(k));
  const rest = [...set].filter((k): k is string => k !== null && !preferred.includes(k)).sort((a, b) => name(a).localeCompare(name(b)));
  return [...known, ...rest, ...(set.has(null) ? [null] : [])];
}

async function previousOrderedWaves(db: Db, surveyId: string): Promise<string[]> {
  const opened = new Map((await db.surveyWave.findMany({ where: { surveyId }, select: { wave: true, opensAt: true } })).map((w) => [w.wave, w.opensAt.getTime()]));
  const rows = await db.$queryRaw<{ wave: string; first: Date | string | number }[]>`
    SELECT "wave", MIN("createdAt") AS "first" FROM "SurveyAnswer"
    WHERE "surveyId" = ${surveyId} AND "wave" IS NOT NULL GROUP BY "wave"`;
  for (const { wave, first } of rows) if (!opened.has(wave)) opened.set(wave, new Date(first).getTime());
  return [...opened.entries()].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).map(([wave]) => wave);
}

async function previousCountIndicator(db: Db, surveyId: string, areas: string[] | undefined, question: string, positive: string[]) {
  const area = areas ? Prisma.sql` AND "areaId" IN (${Prisma.join(areas)})` : Prisma.empty;
  const rows = await db.$queryRaw<{ wave: string; areaId: string | null; pos: number | bigint | null; n: number | bigint }[]>`
    SELECT "wave", "areaId", SUM(CASE WHEN "answer" IN (${Prisma.join(positive)}) THEN 1 ELSE 0 END) AS "pos", COUNT(*) AS "n"
    FROM "SurveyAnswer"
    WHERE "surveyId" = ${surveyId} AND "wave" IS NOT NULL${area} AND "question" = ${question}
    GROUP BY "wave", "areaId"`;
  return rows.map((r) => ({ wave: r.wave, areaId: r.areaId, positive: Number(r.pos ?? 0), total: Number(r.n) }));
}

async function previousIndicatorSeries(ctx: ResultContext, areaId: string | undefined, language: string): Promise<{ waves: string[]; indicators: IndicatorSeries[] }> {
  const z = zFor(ctx.settings.confidence);
  const waves = await previousOrderedWaves(ctx.db, survey.id);
  const indicators: IndicatorSeries[] = [];
  for (const indicator of survey.indicators) {
    const rows = await previousCountIndicator(ctx.db, survey.id, areaFilter(ctx.tree, areaId), indicator.question, indicator.positive);
    const areas = ordered(rows.map((r) => rollUp(ctx.tree, areaId, r.areaId)), [], (key) => ctx.areaNames.get(key) ?? key);
    const overall: SeriesPoint[] = [];
    const perArea = new Map<string | null, SeriesPoint[]>(areas.map((a) => [a, []]));
    for (const wave of waves) {
      const matrix = [areas.map(() => 0), areas.map(() => 0)];
      for (const row of rows) {
        if (row.wave !== wave) continue;
        const c = areas.indexOf(rollUp(ctx.tree, areaId, row.areaId));
        matrix[0]![c]! += row.positive;
        matrix[1]![c]! += row.total - row.positive;
      }
      const table = suppressTable(matrix, ctx.settings.minCell);
      const point = (pos: number | null, neg: number | null, total: number | null, reason: SuppressionReason | undefined): SeriesPoint => {
        const hidden = pos === null || neg === null || total === null;
        if (hidden || total === 0) return { wave, respondents: hidden ? null : total, positive: hidden ? null : pos, share: null, interval: null, ...(hidden ? { suppressed: reason ?? 'complementary' } : {}), change: null };
        return { wave, respondents: total, positive: pos, share: pos / total, interval: wilson(pos, total, z), change: null };
      };
      overall.push(point(table.rowTotals[0] ?? null, table.rowTotals[1] ?? null, table.grandTotal, reasonOf(table, 0, areas.length) ?? reasonOf(table, 1, areas.length)));
      areas.forEach((area, c) => perArea.get(area)!.push(point(table.cells[0]![c]!, table.cells[1]![c]!, table.columnTotals[c]!, reasonOf(table, 0, c) ?? reasonOf(table, 1, c))));
    }
    const withChanges = (points: SeriesPoint[]) => {
      points.forEach((p, i) => {
        const prev = points[i - 1];
        if (prev && prev.positive !== null && prev.respondents && p.positive !== null && p.respondents) p.change = newcombe(prev.positive, prev.respondents, p.positive, p.respondents, z);
      });
      return points.filter((p) => p.respondents !== 0);
    };
    indicators.push({
      id: indicator.id,
      label: ctx.translator.t(language, indicator.label),
      question: indicator.question,
      positive: indicator.positive,
      series: [
        { area: null, points: withChanges(overall) },
        ...areas.map((a) => ({ area: a === null ? { id: '', name: ctx.translator.t(language, 'survey:results.not_given') } : { id: a, name: ctx.areaNames.get(a) ?? a }, points: withChanges(perArea.get(a)!) })),
      ],
    });
  }
  return { waves, indicators };
}

// ---- The seeded data set ----

/** A small deterministic generator (an LCG), so the data set is the same on every run. */
function generator(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
}

const AREAS = ['kanzi', 'mbali', 'tessa', 'oroma', null];
/** How many responses each (wave, area) gets: some groups small enough to be suppressed. */
const SIZES: Record<string, number[]> = { baseline: [30, 12, 4, 20, 3], month_6: [25, 2, 15, 9, 0], month_12: [18, 7, 0, 3, 6], after_close: [5, 5, 0, 0, 0] };

beforeAll(async () => {
  gateway = await startTestGateway();
  survey = loadSurveyDefinitions(gateway.config.FLOWS_DIR).get('perception')!;
  const pick = generator(12);
  const questions = survey.questions.filter((q) => q.options.length > 0);
  const answers: Prisma.SurveyAnswerCreateManyInput[] = [];
  // month_12 has no SurveyWave row: it is ordered by its first answer, after month_6's opening.
  const days: Record<string, Date> = { baseline: new Date('2026-01-05T00:00:00Z'), month_6: new Date('2026-07-03T00:00:00Z'), month_12: new Date('2027-01-04T00:00:00Z'), after_close: new Date('2026-02-01T00:00:00Z') };
  for (const [wave, sizes] of Object.entries(SIZES)) {
    sizes.forEach((size, a) => {
      for (let i = 0; i < size; i++) {
        const responseId = randomUUID();
        for (const question of questions) {
          // Some people skip a question (the funnel), so respondents differ between indicators.
          if (pick(9) === 0) continue;
          answers.push({
            surveyId: 'perception',
            wave: wave === 'after_close' ? null : wave,
            responseId,
            question: question.id,
            answer: question.options[pick(question.options.length)]!.id,
            areaId: AREAS[a]!,
            gender: ['female', 'male'][pick(2)]!,
            ageBand: '30_44',
            createdAt: new Date(days[wave]!.getTime() + i * 86_400_000),
          });
        }
      }
    });
  }
  await gateway.db.surveyAnswer.createMany({ data: answers });
  await gateway.db.surveyWave.create({ data: { surveyId: 'perception', wave: 'baseline', flowId: 'survey', areaId: 'lakeland', invited: 100, opensAt: new Date('2026-01-01T00:00:00Z'), createdBy: 'test' } });
  await gateway.db.surveyWave.create({ data: { surveyId: 'perception', wave: 'month_6', flowId: 'survey', areaId: 'lakeland', invited: 100, opensAt: new Date('2026-07-01T00:00:00Z'), createdBy: 'test' } });
  analyst = (await createToken(gateway.db, { name: 'analyst', role: 'analyst' })).token;
});

afterAll(async () => {
  await gateway?.close();
});

async function context(): Promise<ResultContext> {
  const rows = await gateway.db.area.findMany();
  return { db: gateway.db, tree: await AreaTree.load(gateway.db), areaNames: new Map(rows.map((r) => [r.id, r.name])), translator: gateway.translator, settings: { minCell: 5, confidence: 0.95 } };
}

describe('indicator series from one grouped query', () => {
  it.each([
    ['everywhere', undefined, 'en'],
    ['the North Region', 'north', 'fr'],
    ['one locality', 'kanzi', 'ar'],
    ['the River Region', 'river', 'en'],
  ])('equal the per-indicator computation (%s)', async (_, area, lang) => {
    const response = await fetch(`${gateway.url}/api/v1/surveys/perception/indicators?lang=${lang}${area ? `&area=${area}` : ''}`, { headers: { authorization: `Bearer ${analyst}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { waves: string[]; indicators: IndicatorSeries[] };
    const expected = JSON.parse(JSON.stringify(await previousIndicatorSeries(await context(), area, lang))) as { waves: string[]; indicators: IndicatorSeries[] };
    expect(body.waves).toEqual(expected.waves);
    expect(body.indicators).toEqual(expected.indicators);
  });

  it('covers what the comparison needs: every indicator, a wave known only from its answers, suppressed points', async () => {
    const expected = await previousIndicatorSeries(await context(), undefined, 'en');
    expect(expected.waves).toEqual(['baseline', 'month_6', 'month_12']);
    expect(expected.indicators.map((i) => i.id)).toEqual(survey.indicators.map((i) => i.id));
    expect(expected.indicators.length).toBeGreaterThan(1);
    const points = expected.indicators.flatMap((i) => i.series.flatMap((s) => s.points));
    expect(points.some((p) => p.suppressed === 'small')).toBe(true);
    expect(points.some((p) => p.suppressed === 'complementary')).toBe(true);
    expect(points.some((p) => p.change !== null)).toBe(true);
    // Answers without an area make a line of their own.
    expect(expected.indicators[0]!.series.some((s) => s.area?.id === '')).toBe(true);
  });
});
