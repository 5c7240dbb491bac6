/**
 * The surveys capability: perception survey answers. The survey flow's `record_survey_response`
 * effect stores one row per question with the wave, area, gender and age band, and no contact id,
 * all the answers of one response sharing a random response id, and a creation time cut to the
 * day: an answer cannot be traced back to a person. The conversation's messages are then unlinked
 * from the person (src/conversation/trail.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Capability } from '../capability.js';

export function surveysCapability(): Capability {
  return {
    name: 'surveys',
    create: () => ({
      effects: {
        record_survey_response: async (effect, ctx) => {
          const responseId = randomUUID();
          const rows = Object.entries(effect.answers).map(([question, answer]) => ({
            surveyId: effect.surveyId,
            wave: effect.wave,
            responseId,
            question,
            answer,
            areaId: effect.areaId,
            gender: effect.demographics.gender ?? null,
            ageBand: effect.demographics.ageBand ?? null,
            // The day only: an exact time could be matched with the person's messages.
            createdAt: startOfDay(ctx.now),
          }));
          if (rows.length > 0) await ctx.tx.surveyAnswer.createMany({ data: rows });
          // The answers are stored without the person: their messages lose text and contact.
          ctx.seal({ unlink: true });
        },
      },
    }),
  };
}

function startOfDay(at: Date): Date {
  const day = new Date(at);
  day.setUTCHours(0, 0, 0, 0);
  return day;
}

/** The capability with settings from the configuration. */
export const surveys = surveysCapability();
