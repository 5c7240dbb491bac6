/**
 * The SQL of survey results: every figure is a GROUP BY in the database (SQLite or PostgreSQL,
 * through $queryRaw), never rows loaded into JavaScript. Counts come back as numbers (PostgreSQL
 * answers COUNT with bigint; they are converted here).
 */
import type { Db } from '../db/client.js';
import { Prisma } from '../db/generated/sqlite/client.js';

/** A grouping of the results. */
export type GroupBy = 'area' | 'gender' | 'age_band';

const GROUP_COLUMNS: Record<GroupBy, string> = { area: '"areaId"', gender: '"gender"', age_band: '"ageBand"' };

export interface AnswerFilter {
  surveyId: string;
  /** One wave; absent: every answer that counts for a wave. */
  wave?: string;
  /** Only answers from these areas; absent: everywhere (answers without an area included). */
  areas?: string[];
}

function where(filter: AnswerFilter): Prisma.Sql {
  const parts = [Prisma.sql`"surveyId" = ${filter.surveyId}`];
  parts.push(filter.wave === undefined ? Prisma.sql`"wave" IS NOT NULL` : Prisma.sql`"wave" = ${filter.wave}`);
  if (filter.areas) parts.push(filter.areas.length > 0 ? Prisma.sql`"areaId" IN (${Prisma.join(filter.areas)})` : Prisma.sql`1 = 0`);
  return Prisma.join(parts, ' AND ');
}

export interface AnswerCount {
  question: string;
  answer: string;
  /** The group's value (area id, gender, age band), null when not given; '' without grouping. */
  group: string | null;
  count: number;
}

/** Answers counted per question, answer and group. */
export async function countAnswers(db: Db, filter: AnswerFilter, by?: GroupBy): Promise<AnswerCount[]> {
  // PostgreSQL refuses a constant in GROUP BY: without grouping, the constant is only selected.
  const group = by ? Prisma.raw(GROUP_COLUMNS[by]) : Prisma.sql`''`;
  const groupBy = by ? Prisma.sql`, ${group}` : Prisma.empty;
  const rows = await db.$queryRaw<{ question: string; answer: string; grp: string | null; n: number | bigint }[]>`
    SELECT "question", "answer", ${group} AS "grp", COUNT(*) AS "n"
    FROM "SurveyAnswer"
    WHERE ${where(filter)}
    GROUP BY "question", "answer"${groupBy}`;
  return rows.map((r) => ({ question: r.question, answer: r.answer, group: r.grp, count: Number(r.n) }));
}

export interface QuestionAnswerCount {
  question: string;
  wave: string;
  areaId: string | null;
  answer: string;
  count: number;
}

/**
 * For several questions at once (the indicators' questions): answers counted per question, wave,
 * area and answer, over every wave. One query, read from the covering index
 * (surveyId, question, wave, areaId, answer) in its order; positives are summed by the caller,
 * since two indicators may read one question with different positive answers.
 */
export async function countQuestionAnswers(db: Db, filter: Omit<AnswerFilter, 'wave'>, questions: string[]): Promise<QuestionAnswerCount[]> {
  if (questions.length === 0) return [];
  const rows = await db.$queryRaw<{ question: string; wave: string; areaId: string | null; answer: string; n: number | bigint }[]>`
    SELECT "question", "wave", "areaId", "answer", COUNT(*) AS "n"
    FROM "SurveyAnswer"
    WHERE ${where(filter)} AND "question" IN (${Prisma.join(questions)})
    GROUP BY "question", "wave", "areaId", "answer"`;
  return rows.map((r) => ({ question: r.question, wave: r.wave, areaId: r.areaId, answer: r.answer, count: Number(r.n) }));
}

/**
 * Waves that have answers, with their first answer time (for ordering waves without a SurveyWave
 * row). A loose index scan over (surveyId, wave, createdAt): each step seeks the next wave, then
 * that wave's first time, so the cost grows with the number of waves, not of answers (a plain
 * GROUP BY wave reads every answer). Same SQL on SQLite and PostgreSQL.
 */
export async function wavesWithAnswers(db: Db, surveyId: string): Promise<{ wave: string; first: Date }[]> {
  const rows = await db.$queryRaw<{ wave: string; first: Date | string | number }[]>`
    WITH RECURSIVE "w"("wave") AS (
      SELECT (SELECT MIN("wave") FROM "SurveyAnswer" WHERE "surveyId" = ${surveyId} AND "wave" IS NOT NULL)
      UNION ALL
      SELECT (SELECT MIN("wave") FROM "SurveyAnswer" WHERE "surveyId" = ${surveyId} AND "wave" > "w"."wave") FROM "w" WHERE "w"."wave" IS NOT NULL
    )
    SELECT "w"."wave" AS "wave", (SELECT MIN("createdAt") FROM "SurveyAnswer" WHERE "surveyId" = ${surveyId} AND "wave" = "w"."wave") AS "first"
    FROM "w" WHERE "w"."wave" IS NOT NULL`;
  return rows.map((r) => ({ wave: r.wave, first: new Date(r.first) }));
}

export interface ResponseFilter {
  surveyId: string;
  wave?: string;
  areas?: string[];
}

function responseWhere(filter: ResponseFilter): Prisma.Sql {
  const parts = [Prisma.sql`"surveyId" = ${filter.surveyId}`];
  parts.push(filter.wave === undefined ? Prisma.sql`"wave" IS NOT NULL` : Prisma.sql`"wave" = ${filter.wave}`);
  if (filter.areas) parts.push(filter.areas.length > 0 ? Prisma.sql`"areaId" IN (${Prisma.join(filter.areas)})` : Prisma.sql`1 = 0`);
  return Prisma.join(parts, ' AND ');
}

export interface ResponseCounts {
  wave: string;
  started: number;
  completed: number;
}

/** Responses started (anything recorded) and completed, per wave. */
export async function countResponses(db: Db, filter: ResponseFilter): Promise<ResponseCounts[]> {
  const rows = await db.$queryRaw<{ wave: string; started: number | bigint; completed: number | bigint | null }[]>`
    SELECT "wave", COUNT(*) AS "started", SUM(CASE WHEN "complete" THEN 1 ELSE 0 END) AS "completed"
    FROM "SurveyResponse" WHERE ${responseWhere(filter)} GROUP BY "wave"`;
  return rows.map((r) => ({ wave: r.wave, started: Number(r.started), completed: Number(r.completed ?? 0) }));
}

/** Responses per channel: started and completed. */
export async function countByChannel(db: Db, filter: ResponseFilter): Promise<{ channel: string; started: number; completed: number }[]> {
  const rows = await db.$queryRaw<{ channel: string; started: number | bigint; completed: number | bigint | null }[]>`
    SELECT "channel", COUNT(*) AS "started", SUM(CASE WHEN "complete" THEN 1 ELSE 0 END) AS "completed"
    FROM "SurveyResponse" WHERE ${responseWhere(filter)} GROUP BY "channel" ORDER BY "channel"`;
  return rows.map((r) => ({ channel: r.channel, started: Number(r.started), completed: Number(r.completed ?? 0) }));
}

/** How many responses answered each question (the completion funnel). */
export async function countReached(db: Db, filter: AnswerFilter): Promise<Map<string, number>> {
  const rows = await db.$queryRaw<{ question: string; n: number | bigint }[]>`
    SELECT "question", COUNT(DISTINCT "responseId") AS "n" FROM "SurveyAnswer" WHERE ${where(filter)} GROUP BY "question"`;
  return new Map(rows.map((r) => [r.question, Number(r.n)]));
}

/**
 * The median time to complete, in seconds, over complete responses (null when there are none).
 * Portable SQL: the middle one or two durations by ORDER BY ... LIMIT/OFFSET.
 */
export async function medianDuration(db: Db, filter: ResponseFilter): Promise<{ median: number | null; n: number }> {
  const base = Prisma.sql`${responseWhere(filter)} AND "complete" AND "durationSeconds" IS NOT NULL`;
  const [{ n: raw }] = (await db.$queryRaw<{ n: number | bigint }[]>`SELECT COUNT(*) AS "n" FROM "SurveyResponse" WHERE ${base}`) as [{ n: number | bigint }];
  const n = Number(raw);
  if (n === 0) return { median: null, n };
  const offset = Math.floor((n - 1) / 2);
  const take = n % 2 === 1 ? 1 : 2;
  const middle = await db.$queryRaw<{ d: number | bigint }[]>`
    SELECT "durationSeconds" AS "d" FROM "SurveyResponse" WHERE ${base} ORDER BY "durationSeconds" LIMIT ${take} OFFSET ${offset}`;
  const values = middle.map((r) => Number(r.d));
  return { median: values.reduce((a, b) => a + b, 0) / values.length, n };
}
