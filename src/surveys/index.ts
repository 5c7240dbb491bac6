/**
 * The surveys capability: perception surveys as a measurement instrument.
 *
 * - Effect `record_survey_response` (record.ts): one SurveyResponse row (complete or cut short,
 *   channel, duration; no contact id) and one SurveyAnswer row per question with the wave, area,
 *   gender and age band. An answer after its wave's close time counts for no wave.
 * - Results API (routes.ts, under /api/v1/surveys): results by area, gender or age band with
 *   small-cell and complementary suppression, Wilson intervals, change between waves with
 *   Newcombe's interval, indicator series per area, response quality, CSV/HXL exports (audited),
 *   and waves (invitations, one reminder, close time).
 * - Unlinkable: rows carry no contact id and only the day they were made, and the conversation's
 *   messages are unlinked from the person once the answers are stored (src/conversation/trail.ts).
 * - Timer `survey-reminder` { waveId }: the wave's one reminder.
 * - Settings (settings.ts): SURVEY_MIN_CELL, SURVEY_CONFIDENCE, SURVEY_REMINDER_HOURS.
 */
import { z } from 'zod';
import { overrideSettings, type Capability, type SettingOverrides } from '../capability.js';
import { defineTimer, onTimer } from '../jobs/timers.js';
import { loadSurveyDefinitions } from './definitions.js';
import { loadFlowCatalogIds } from './flow-ids.js';
import { recordSurveyResponse } from './record.js';
import { surveyRoutes } from './routes.js';
import { surveySettingsSchema } from './settings.js';
import { REMINDER_TIMER, sendReminder, type WaveDeps } from './waves.js';

export { surveySettingsSchema, type SurveySettings } from './settings.js';

const REMINDER = defineTimer(REMINDER_TIMER, z.object({ waveId: z.string() }));

export interface SurveysOptions {
  /** Settings that win over the configuration (tests, embedding programs). */
  settings?: SettingOverrides<typeof surveySettingsSchema>;
  /** The clock (default: the real one). */
  now?: () => Date;
}

export function surveysCapability(options: SurveysOptions = {}): Capability<typeof surveySettingsSchema> {
  return {
    name: 'surveys',
    settings: surveySettingsSchema,
    create: (runtime, configured) => {
      const settings = overrideSettings(surveySettingsSchema, configured, options.settings ?? {});
      const flowsDir = runtime.config.FLOWS_DIR;
      const surveys = loadSurveyDefinitions(flowsDir);
      const waves: WaveDeps = { db: runtime.db, queues: runtime.queues, flowIds: loadFlowCatalogIds(flowsDir), reminderHours: settings.SURVEY_REMINDER_HOURS, now: options.now ?? (() => new Date()) };
      return {
        effects: {
          record_survey_response: async (effect, ctx) => {
            await recordSurveyResponse(effect, ctx);
            // The answers are stored without the person: their conversation's messages lose text and contact.
            ctx.seal({ unlink: true });
          },
        },
        timers: [onTimer(REMINDER, async ({ waveId }) => void (await sendReminder(waves, waveId)))],
        adminRoutes: surveyRoutes({ db: runtime.db, translator: runtime.translator, surveys, settings, waves, defaultLanguage: runtime.config.DEFAULT_LANGUAGE }),
      };
    },
  };
}

/** The capability with settings from the configuration. */
export const surveys = surveysCapability();
