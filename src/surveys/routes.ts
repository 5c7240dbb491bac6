/**
 * Admin API of surveys, under /api/v1 (roles: analyst and coordinator read; coordinator runs
 * waves). An area-scoped token sees only answers from its area and below. This is the API the
 * web console's survey pages read (lists, tables, charts and exports all come from here, already
 * suppressed).
 *
 *   GET  /surveys                                   surveys and their waves: invited, started,
 *                                                   completed, response rate
 *   GET  /surveys/:surveyId/results                 ?wave=&compare=&area=&by=area|gender|age_band&lang=
 *   GET  /surveys/:surveyId/indicators              ?area=&lang=  series per area across waves
 *   GET  /surveys/:surveyId/quality                 ?wave=&area=&lang=  funnel, median time, channels
 *   GET  /surveys/:surveyId/export                  ?format=csv|hxl&wave=&area=&by=&lang=  (audited)
 *   POST /surveys/:surveyId/waves                   { wave, areaId, at?, reminderHours?, closesAt? }
 *   POST /surveys/:surveyId/waves/:wave/close       { at? }
 *
 * Bad input is 400 naming the field in `issues`. Area scope of the waves: a scoped coordinator
 * starts waves in its area and below (403 elsewhere); a wave that does not reach its area (opened
 * neither above, at nor below it) is 404 like an unknown one, and one that reaches it but covers
 * more is 403 to close; a scoped reader lists only the waves that reach its area.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AreaTree } from '../areas/tree.js';
import type { Db } from '../db/client.js';
import type { Translator } from '../i18n.js';
import type { SurveyDefinition } from './definitions.js';
import { exportRows, toCsv, type AreaPlace } from './export.js';
import { countResponses } from './queries.js';
import { indicatorSeries, orderedWaves, responseQuality, surveyResults, type ResultContext } from './results.js';
import type { SurveySettings } from './settings.js';
import { closeWave, startWave, WAVE_NAME, WaveError, type WaveDeps } from './waves.js';
import { auditId } from '../audit-ids.js';

export interface SurveyRouteDeps {
  db: Db;
  translator: Translator;
  surveys: Map<string, SurveyDefinition>;
  settings: SurveySettings;
  waves: WaveDeps;
  defaultLanguage: string;
}


/** A wave as readers name it (waves started by flow starts may have other names than WAVE_NAME). */
const wave = z.string().min(1).max(40);
/** The name of a new wave. */
const newWave = z.string().regex(WAVE_NAME, 'a wave name takes 1-40 letters, digits and _');
const readQuery = z.object({
  wave: wave.optional(),
  compare: wave.optional(),
  area: z.string().min(1).optional(),
  by: z.enum(['area', 'gender', 'age_band']).optional(),
  lang: z.string().min(2).max(10).optional(),
});

const exportQuery = readQuery.extend({ format: z.enum(['csv', 'hxl']).default('csv') });

/** POST /surveys/:surveyId/waves. */
const startBody = z.object({
  wave: newWave,
  /** Invite the contacts of this area and below. */
  areaId: z.string().min(1),
  /** When the invitations go (default now; not in the past). */
  at: z.iso.datetime({ offset: true }).optional(),
  /** Hours after the opening when the one reminder goes (default SURVEY_REMINDER_HOURS; 0: none). */
  reminderHours: z.number().min(0).max(24 * 365).optional(),
  /** When the wave ends (after the opening; default: open until closed). */
  closesAt: z.iso.datetime({ offset: true }).optional(),
});

/** POST /surveys/:surveyId/waves/:wave/close. */
const closeBody = z.object({ at: z.iso.datetime({ offset: true }).optional() });

/** Whether a wave opened for `areaId` (null: everywhere) reaches `scope`: one lies within the other. */
function overlaps(tree: AreaTree, areaId: string | null, scope: string): boolean {
  return areaId === null || tree.within(areaId, scope) || tree.within(scope, areaId);
}

export function surveyRoutes(deps: SurveyRouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    /**
     * The survey, the tree, and the area the reader may see: 404 for an unknown survey, 400
     * naming `field` for an unknown area, 403 for an area outside the reader's scope.
     */
    const resolve = async (request: FastifyRequest, areaId: string | undefined, field = 'area') => {
      const { surveyId } = z.object({ surveyId: z.string() }).parse(request.params);
      const survey = deps.surveys.get(surveyId);
      if (!survey) throw new WaveError(404, `no survey "${surveyId}"`);
      const rows = await deps.db.area.findMany({ select: { id: true, name: true, parentId: true, timezone: true, level: true } });
      const tree = new AreaTree(rows);
      if (areaId && !tree.has(areaId)) throw new WaveError(400, `unknown area "${areaId}"`, field);
      const scope = request.principal.areaId;
      if (scope && areaId && !tree.within(areaId, scope)) throw new WaveError(403, `this token reaches only area "${scope}" and below`);
      const ctx: ResultContext = { db: deps.db, tree, areaNames: new Map(rows.map((r) => [r.id, r.name])), translator: deps.translator, settings: { minCell: deps.settings.SURVEY_MIN_CELL, confidence: deps.settings.SURVEY_CONFIDENCE } };
      const levels = new Map(rows.map((r) => [r.id, r.level]));
      return { survey, ctx, tree, levels, area: areaId ?? scope ?? undefined };
    };
    const language = (lang: string | undefined) => (lang && deps.translator.languages.includes(lang) ? lang : deps.defaultLanguage);

    app.get(
      '/surveys',
      async (request) => {
        const scope = request.principal.areaId;
        const tree = await AreaTree.load(deps.db);
        const items = [];
        for (const survey of deps.surveys.values()) {
          const waveRows = new Map((await deps.db.surveyWave.findMany({ where: { surveyId: survey.id } })).map((w) => [w.wave, w]));
          const counts = new Map((await countResponses(deps.db, { surveyId: survey.id, areas: scope ? tree.subtree(scope) : undefined })).map((c) => [c.wave, c]));
          const waves = (await orderedWaves(deps.db, survey.id)).flatMap((name) => {
            const row = waveRows.get(name);
            const c = counts.get(name) ?? { started: 0, completed: 0 };
            // A scoped reader sees the waves that reach its area (opened there, above or below it),
            // and waves without a row only when they have responses from its area.
            if (scope && !(row ? overlaps(tree, row.areaId, scope) : c.started > 0)) return [];
            // A scoped reader sees the invited count only of waves inside its area.
            const invited = row && (!scope || (row.areaId !== null && tree.within(row.areaId, scope))) ? row.invited : null;
            return [{
              wave: name,
              areaId: row?.areaId ?? null,
              opensAt: row?.opensAt ?? null,
              reminderAt: row?.reminderAt ?? null,
              reminded: row?.reminded ?? 0,
              closesAt: row?.closesAt ?? null,
              open: !row?.closesAt || row.closesAt.getTime() > Date.now(),
              invited,
              started: c.started,
              completed: c.completed,
              responseRate: invited ? c.completed / invited : null,
            }];
          });
          items.push({ id: survey.id, flowId: survey.flowId, questions: survey.questions.map((q) => q.id), indicators: survey.indicators.map((i) => i.id), waves });
        }
        return { items };
      },
    );

    app.get(
      '/surveys/:surveyId/results',
      { config: { openapi: { query: readQuery } } },
      async (request) => {
        const query = readQuery.parse(request.query);
        const { survey, ctx, area } = await resolve(request, query.area);
        return surveyResults(ctx, { survey, wave: query.wave, compare: query.compare, areaId: area, by: query.by, language: language(query.lang) });
      },
    );

    app.get(
      '/surveys/:surveyId/indicators',
      { config: { openapi: { query: readQuery } } },
      async (request) => {
        const query = readQuery.parse(request.query);
        const { survey, ctx, area } = await resolve(request, query.area);
        return { surveyId: survey.id, areaId: area ?? null, minCell: ctx.settings.minCell, ...(await indicatorSeries(ctx, survey, area, language(query.lang))) };
      },
    );

    app.get(
      '/surveys/:surveyId/quality',
      { config: { openapi: { query: readQuery } } },
      async (request) => {
        const query = readQuery.parse(request.query);
        const { survey, ctx, area } = await resolve(request, query.area);
        return { surveyId: survey.id, wave: query.wave ?? null, areaId: area ?? null, ...(await responseQuality(ctx, survey, query.wave, area, language(query.lang))) };
      },
    );

    app.get(
      '/surveys/:surveyId/export',
      { config: { openapi: { query: exportQuery } } },
      async (request, reply) => {
        const query = exportQuery.parse(request.query);
        const { survey, ctx, tree, levels, area } = await resolve(request, query.area);
        const results = await surveyResults(ctx, { survey, wave: query.wave, areaId: area, by: query.by, language: language(query.lang) });
        const place = (areaId: string): AreaPlace => {
          const out: AreaPlace = {};
          for (const id of tree.lineage(areaId)) {
            const entry = { code: id, name: ctx.areaNames.get(id) ?? id };
            if (levels.get(id) === 'region') out.adm1 = entry;
            if (levels.get(id) === 'locality') out.adm2 = entry;
          }
          return out;
        };
        const rows = exportRows(results, place);
        await deps.db.auditEntry.create({
          data: {
            id: auditId(),
            actor: `token:${request.principal.tokenId}`,
            action: 'survey.exported',
            subjectType: 'survey',
            subjectId: survey.id,
            detail: JSON.stringify({ format: query.format, wave: query.wave ?? null, area: area ?? null, by: query.by ?? null, rows: rows.length, minCell: ctx.settings.minCell }),
          },
        });
        const name = `${survey.id}${query.wave ? `-${query.wave}` : ''}${query.by ? `-by-${query.by}` : ''}${query.format === 'hxl' ? '-hxl' : ''}.csv`;
        return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(toCsv(rows, query.format === 'hxl'));
      },
    );

    app.post(
      '/surveys/:surveyId/waves',
      { config: { openapi: { body: startBody } } },
      async (request, reply) => {
        const body = startBody.parse(request.body ?? {});
        const { survey } = await resolve(request, body.areaId, 'areaId');
        const row = await startWave(deps.waves, survey, { wave: body.wave, areaId: body.areaId, at: body.at ? new Date(body.at) : undefined, reminderHours: body.reminderHours, closesAt: body.closesAt ? new Date(body.closesAt) : undefined }, `token:${request.principal.tokenId}`);
        return reply.code(201).send(row);
      },
    );

    app.post(
      '/surveys/:surveyId/waves/:wave/close',
      { config: { openapi: { body: closeBody } } },
      async (request) => {
        const params = z.object({ surveyId: z.string(), wave }).parse(request.params);
        const body = closeBody.parse(request.body ?? {});
        const row = await deps.db.surveyWave.findUnique({ where: { surveyId_wave: { surveyId: params.surveyId, wave: params.wave } } });
        const scope = request.principal.areaId;
        if (scope && row) {
          // A wave that does not reach the caller's area is answered like an unknown one; one that
          // reaches it but also covers other areas is seen, and refused.
          const tree = await AreaTree.load(deps.db);
          if (!overlaps(tree, row.areaId, scope)) throw new WaveError(404, `no wave "${params.wave}" of survey "${params.surveyId}"`);
          if (!(row.areaId && tree.within(row.areaId, scope))) throw new WaveError(403, `this wave covers more than area "${scope}": a coordinator of the whole wave closes it`);
        }
        return closeWave(deps.waves, params.surveyId, params.wave, body.at ? new Date(body.at) : undefined);
      },
    );
  };
}
