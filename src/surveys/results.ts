/**
 * Survey results as readers see them: per question, counts and shares of each answer overall and
 * per group (area, gender or age band), small cells suppressed, shares with Wilson intervals,
 * the change from a comparison wave with Newcombe's interval; indicator series per area across
 * waves; and the response quality (funnel, median time to complete, channels). Labels come from
 * locales/ in the requested language. Everything is computed from GROUP BY queries (queries.ts).
 */
import type { AreaTree } from '../areas/tree.js';
import type { Db } from '../db/client.js';
import type { Translator } from '../i18n.js';
import type { SurveyDefinition, SurveyQuestion } from './definitions.js';
import { countAnswers, countByChannel, countQuestionAnswers, countReached, countResponses, medianDuration, wavesWithAnswers, type AnswerCount, type GroupBy, type QuestionAnswerCount } from './queries.js';
import { newcombe, wilson, zFor, type Change, type Interval } from './stats.js';
import { reasonOf, suppressTable, type SuppressionReason } from './suppression.js';

export interface ResultSettings {
  /** K: cells with fewer respondents are suppressed. */
  minCell: number;
  /** Confidence level of intervals, e.g. 0.95. */
  confidence: number;
}

export interface ResultContext {
  db: Db;
  tree: AreaTree;
  /** Area names by id. */
  areaNames: Map<string, string>;
  translator: Translator;
  settings: ResultSettings;
}

export interface ResultsQuery {
  survey: SurveyDefinition;
  wave?: string;
  /** A wave to compare with: each share's change from it. */
  compare?: string;
  /** Only this area and below (already checked against the reader's scope). */
  areaId?: string;
  by?: GroupBy;
  language: string;
}

/** A published figure: null count and share when suppressed. */
export interface Cell {
  count: number | null;
  /** count / respondents of the group, 0..1. */
  share: number | null;
  interval: Interval | null;
  suppressed?: SuppressionReason;
  /** Change of the share from the comparison wave (null when either side is suppressed). */
  change?: Change | null;
}

export interface Group {
  /** Area id, gender or age band; null: not given. */
  key: string | null;
  label: string;
  respondents: number | null;
}

export interface QuestionResult {
  id: string;
  text: string;
  respondents: number | null;
  groups: Group[];
  answers: { id: string; label: string; overall: Cell; groups: Cell[] }[];
}

export interface Results {
  surveyId: string;
  wave: string | null;
  compare: string | null;
  areaId: string | null;
  by: GroupBy | null;
  language: string;
  minCell: number;
  confidence: number;
  questions: QuestionResult[];
}

/** The areas answers are filtered to: the requested area's subtree, or none (everywhere). */
export function areaFilter(tree: AreaTree, areaId: string | undefined): string[] | undefined {
  return areaId ? tree.subtree(areaId) : undefined;
}

/**
 * The area an answer is shown under when grouping by area: the child of `root` (the requested
 * area; without one, the top of the tree) that contains it, or `root` itself.
 */
export function rollUp(tree: AreaTree, root: string | undefined, areaId: string | null): string | null {
  if (!areaId || !tree.has(areaId)) return null;
  const lineage = tree.lineage(areaId);
  const at = root ? lineage.indexOf(root) : lineage.length - 1;
  if (at < 0) return null;
  return at === 0 ? lineage[0]! : lineage[at - 1]!;
}

function optionLabel(ctx: ResultContext, language: string, question: SurveyQuestion | null, id: string): string {
  const option = question?.options.find((o) => o.id === id);
  return option ? ctx.translator.t(language, option.label) : id;
}

function groupLabel(ctx: ResultContext, query: ResultsQuery, key: string | null): string {
  if (key === null) return ctx.translator.t(query.language, 'survey:results.not_given');
  if (query.by === 'area') return ctx.areaNames.get(key) ?? key;
  if (query.by === 'gender') return optionLabel(ctx, query.language, query.survey.gender, key);
  if (query.by === 'age_band') return optionLabel(ctx, query.language, query.survey.ageBand, key);
  return ctx.translator.t(query.language, 'survey:results.all');
}

function ordered(keys: Iterable<string | null>, preferred: string[], name: (k: string) => string): (string | null)[] {
  const set = new Set(keys);
  const known = preferred.filter((k) => set.has(k));
  const rest = [...set].filter((k): k is string => k !== null && !preferred.includes(k)).sort((a, b) => name(a).localeCompare(name(b)));
  return [...known, ...rest, ...(set.has(null) ? [null] : [])];
}

/** Counts of one wave, with area groups rolled up. */
async function waveCounts(ctx: ResultContext, query: ResultsQuery, wave: string | undefined): Promise<AnswerCount[]> {
  const rows = await countAnswers(ctx.db, { surveyId: query.survey.id, wave, areas: areaFilter(ctx.tree, query.areaId) }, query.by);
  if (query.by !== 'area') return rows;
  const merged = new Map<string, AnswerCount>();
  for (const row of rows) {
    const group = rollUp(ctx.tree, query.areaId, row.group);
    const k = JSON.stringify([row.question, row.answer, group]);
    const entry = merged.get(k);
    if (entry) entry.count += row.count;
    else merged.set(k, { ...row, group });
  }
  return [...merged.values()];
}

function cellsOf(counts: AnswerCount[], question: string, answers: string[], groups: (string | null)[]): number[][] {
  const matrix = answers.map(() => groups.map(() => 0));
  for (const row of counts) {
    if (row.question !== question) continue;
    const r = answers.indexOf(row.answer);
    const c = groups.indexOf(row.group);
    if (r >= 0 && c >= 0) matrix[r]![c]! += row.count;
  }
  return matrix;
}

function publish(count: number | null, total: number | null, z: number, reason?: SuppressionReason): Cell {
  if (count === null || total === null || total === 0) return { count, share: null, interval: null, ...(count === null ? { suppressed: reason ?? 'complementary' } : {}) };
  return { count, share: count / total, interval: wilson(count, total, z) };
}

function changeOf(before: Cell | undefined, beforeTotal: number | null | undefined, after: Cell, afterTotal: number | null, z: number): Change | null {
  if (!before || before.count === null || !beforeTotal || after.count === null || !afterTotal) return null;
  return newcombe(before.count, beforeTotal, after.count, afterTotal, z);
}

/** Results of a survey for one wave (or all), per question. */
export async function surveyResults(ctx: ResultContext, query: ResultsQuery): Promise<Results> {
  const z = zFor(ctx.settings.confidence);
  const k = ctx.settings.minCell;
  const current = await waveCounts(ctx, query, query.wave);
  const previous = query.compare !== undefined ? await waveCounts(ctx, query, query.compare) : [];
  const all = [...current, ...previous];
  const groupPreference =
    query.by === 'gender' ? (query.survey.gender?.options.map((o) => o.id) ?? []) : query.by === 'age_band' ? (query.survey.ageBand?.options.map((o) => o.id) ?? []) : [];
  const groups = query.by ? ordered(all.map((r) => r.group), groupPreference, (key) => ctx.areaNames.get(key) ?? key) : [''];

  const questions: QuestionResult[] = [];
  for (const question of query.survey.questions) {
    const seen = all.filter((r) => r.question === question.id).map((r) => r.answer);
    const answers = ordered(seen, question.options.map((o) => o.id), (a) => a).filter((a): a is string => a !== null);
    for (const option of question.options) if (!answers.includes(option.id)) answers.push(option.id);
    const table = suppressTable(cellsOf(current, question.id, answers, groups), k);
    const before = query.compare !== undefined ? suppressTable(cellsOf(previous, question.id, answers, groups), k) : null;
    questions.push({
      id: question.id,
      text: question.text ? ctx.translator.t(query.language, question.text) : question.id,
      respondents: table.grandTotal,
      groups: query.by ? groups.map((key, c) => ({ key, label: groupLabel(ctx, query, key), respondents: table.columnTotals[c] ?? null })) : [],
      answers: answers.map((answer, r) => {
        const overall = publish(table.rowTotals[r] ?? null, table.grandTotal, z, reasonOf(table, r, groups.length));
        if (before) overall.change = changeOf(publish(before.rowTotals[r] ?? null, before.grandTotal, z), before.grandTotal, overall, table.grandTotal, z);
        const cells = query.by
          ? groups.map((_, c) => {
              const cell = publish(table.cells[r]![c]!, table.columnTotals[c]!, z, reasonOf(table, r, c));
              if (before) cell.change = changeOf(publish(before.cells[r]![c]!, before.columnTotals[c]!, z), before.columnTotals[c], cell, table.columnTotals[c]!, z);
              return cell;
            })
          : [];
        return { id: answer, label: optionLabel(ctx, query.language, question, answer), overall, groups: cells };
      }),
    });
  }
  return {
    surveyId: query.survey.id,
    wave: query.wave ?? null,
    compare: query.compare ?? null,
    areaId: query.areaId ?? null,
    by: query.by ?? null,
    language: query.language,
    minCell: k,
    confidence: ctx.settings.confidence,
    questions,
  };
}

/** Waves of a survey in order: by their opening time, else by their first answer. */
export async function orderedWaves(db: Db, surveyId: string): Promise<string[]> {
  const opened = new Map((await db.surveyWave.findMany({ where: { surveyId }, select: { wave: true, opensAt: true } })).map((w) => [w.wave, w.opensAt.getTime()]));
  for (const { wave, first } of await wavesWithAnswers(db, surveyId)) if (!opened.has(wave)) opened.set(wave, first.getTime());
  return [...opened.entries()].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])).map(([wave]) => wave);
}

export interface SeriesPoint {
  wave: string;
  respondents: number | null;
  positive: number | null;
  share: number | null;
  interval: Interval | null;
  suppressed?: SuppressionReason;
  /** Change from the previous wave's point (null when either is suppressed or absent). */
  change: Change | null;
}

export interface IndicatorSeries {
  id: string;
  label: string;
  question: string;
  positive: string[];
  /** One line per area (area null: all areas together). */
  series: { area: { id: string; name: string } | null; points: SeriesPoint[] }[];
}

/** Per wave and area, how many answered `question` and how many of them gave a positive answer. */
function indicatorCounts(counts: QuestionAnswerCount[], question: string, positive: string[]): { wave: string; areaId: string | null; positive: number; total: number }[] {
  const cells = new Map<string, { wave: string; areaId: string | null; positive: number; total: number }>();
  for (const row of counts) {
    if (row.question !== question) continue;
    const key = JSON.stringify([row.wave, row.areaId]);
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = { wave: row.wave, areaId: row.areaId, positive: 0, total: 0 }));
    cell.total += row.count;
    if (positive.includes(row.answer)) cell.positive += row.count;
  }
  return [...cells.values()];
}

/**
 * Each indicator of the survey per area across waves: the series of a line chart. Two queries
 * whatever the number of indicators, areas and waves: the waves in order, and one GROUP BY over
 * the indicators' questions.
 */
export async function indicatorSeries(ctx: ResultContext, survey: SurveyDefinition, areaId: string | undefined, language: string): Promise<{ waves: string[]; indicators: IndicatorSeries[] }> {
  const z = zFor(ctx.settings.confidence);
  const waves = await orderedWaves(ctx.db, survey.id);
  // One grouped query for every indicator, wave and area; each indicator then reads its question's rows.
  const questions = [...new Set(survey.indicators.map((i) => i.question))];
  const counts = await countQuestionAnswers(ctx.db, { surveyId: survey.id, areas: areaFilter(ctx.tree, areaId) }, questions);
  const indicators: IndicatorSeries[] = [];
  for (const indicator of survey.indicators) {
    const rows = indicatorCounts(counts, indicator.question, indicator.positive);
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

export interface Quality {
  started: number;
  completed: number;
  /** completed / started (null without responses). */
  completionRate: number | null;
  /** Per question in the order asked: responses that answered it (null under K). */
  funnel: { question: string; text: string; reached: number | null }[];
  /** Median seconds from the first question to the end, over complete responses (null under K). */
  medianSeconds: number | null;
  channels: { channel: string; started: number | null; completed: number | null }[];
}

/** The completion funnel, the median time to complete and the responses per channel. */
export async function responseQuality(ctx: ResultContext, survey: SurveyDefinition, wave: string | undefined, areaId: string | undefined, language: string): Promise<Quality> {
  const k = ctx.settings.minCell;
  const areas = areaFilter(ctx.tree, areaId);
  const filter = { surveyId: survey.id, wave, areas };
  const totals = (await countResponses(ctx.db, filter)).reduce((a, r) => ({ started: a.started + r.started, completed: a.completed + r.completed }), { started: 0, completed: 0 });
  const reached = await countReached(ctx.db, filter);
  const { median, n } = await medianDuration(ctx.db, filter);
  const channels = await countByChannel(ctx.db, filter);
  const table = suppressTable(channels.map((c) => [c.completed, c.started - c.completed]), k);
  const under = (value: number) => (value > 0 && value < k ? null : value);
  return {
    started: totals.started,
    completed: totals.completed,
    completionRate: totals.started > 0 ? totals.completed / totals.started : null,
    funnel: survey.questions.map((q) => ({ question: q.id, text: q.text ? ctx.translator.t(language, q.text) : q.id, reached: under(reached.get(q.id) ?? 0) })),
    medianSeconds: n >= k ? median : null,
    channels: channels.map((c, r) => ({
      channel: c.channel,
      started: table.rowTotals[r] ?? null,
      completed: table.cells[r]![0] ?? null,
    })),
  };
}
