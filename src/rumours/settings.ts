/** Settings of the rumours capability (environment variables, parsed with the configuration). */
import { z } from 'zod';

export const rumourSettingsSchema = z.object({
  /** Similarity (0-1) from which a rumour report joins an existing rumour. */
  RUMOUR_SIMILARITY: z.coerce.number().min(0).max(1).default(0.5),
  /** Rumours with no report for this many days no longer collect new reports. */
  RUMOUR_OPEN_DAYS: z.coerce.number().positive().default(30),
  /** How often reports stored but never grouped (a crash between commit and grouping) are grouped (ms). */
  RUMOUR_SWEEP_MS: z.coerce.number().int().min(100).default(60_000),
});

export type RumourSettings = z.output<typeof rumourSettingsSchema>;
