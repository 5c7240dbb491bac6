/**
 * The `record_survey_response` effect: one SurveyResponse row (no contact id) and one
 * SurveyAnswer row per question, with area, gender and age band. An answer given after its
 * wave's close time counts for no wave (wave null). A complete response marks the contact's
 * invitation finished (which only decides who gets the wave's reminder).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.js';
import type { Effect } from '../flow/engine.js';

export type SurveyEffect = Extract<Effect, { type: 'record_survey_response' }>;

export interface RecordContext {
  tx: Db;
  now: Date;
  contactId: string;
  channel: string;
}

export async function recordSurveyResponse(effect: SurveyEffect, ctx: RecordContext): Promise<void> {
  const waveRow = await ctx.tx.surveyWave.findUnique({ where: { surveyId_wave: { surveyId: effect.surveyId, wave: effect.wave } } });
  const closed = waveRow?.closesAt != null && ctx.now.getTime() >= waveRow.closesAt.getTime();
  const wave = closed ? null : effect.wave;
  const id = randomUUID();
  const answers = Object.entries(effect.answers);
  const started = Date.parse(effect.startedAt);
  const demographics = { areaId: effect.areaId, gender: effect.demographics.gender ?? null, ageBand: effect.demographics.ageBand ?? null };
  // The day only: an exact time could be matched with the person's messages.
  const createdAt = startOfDay(ctx.now);
  await ctx.tx.surveyResponse.create({
    data: {
      id,
      surveyId: effect.surveyId,
      wave,
      channel: ctx.channel,
      areaId: effect.areaId,
      answered: answers.length,
      complete: effect.complete,
      durationSeconds: effect.complete && Number.isFinite(started) ? Math.max(0, Math.round((ctx.now.getTime() - started) / 1000)) : null,
      createdAt,
    },
  });
  if (answers.length > 0) {
    await ctx.tx.surveyAnswer.createMany({ data: answers.map(([question, answer]) => ({ surveyId: effect.surveyId, wave, responseId: id, question, answer, ...demographics, createdAt })) });
  }
  if (effect.complete && waveRow && !closed) {
    await ctx.tx.surveyInvitation.updateMany({ where: { waveId: waveRow.id, contactId: ctx.contactId }, data: { finished: true } });
  }
}

function startOfDay(at: Date): Date {
  const day = new Date(at);
  day.setUTCHours(0, 0, 0, 0);
  return day;
}
