/** Settings of the surveys capability (environment variables, checked at boot). */
import { z } from 'zod';

export const surveySettingsSchema = z.object({
  /** K: a cell with fewer respondents is suppressed in the API and in exports (default 5). */
  SURVEY_MIN_CELL: z.coerce.number().int().min(1).max(1000).default(5),
  /** Confidence level of shares' and changes' intervals (default 0.95). */
  SURVEY_CONFIDENCE: z.coerce.number().gt(0.5).lt(1).default(0.95),
  /** Hours after a wave opens when its one reminder goes to invited people who have not finished (0: none). */
  SURVEY_REMINDER_HOURS: z.coerce.number().min(0).default(48),
});

export type SurveySettings = z.output<typeof surveySettingsSchema>;
