/** Environment variables of the accounts capability. */
import { z } from 'zod';

export const accountSettingsSchema = z.object({
  /** Lifetime of a console session, in hours. */
  SESSION_HOURS: z.coerce.number().positive().default(12),
  /** Lifetime of an invitation or password reset link, in hours. */
  ACCOUNT_LINK_HOURS: z.coerce.number().positive().default(72),
  /** Consecutive wrong logins of one account before it is locked. */
  LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).default(5),
  /** How long a locked account stays locked, in minutes. */
  LOGIN_LOCK_MINUTES: z.coerce.number().positive().default(15),
  /** Login attempts per client address and minute before 429. */
  LOGIN_RATE_PER_MINUTE: z.coerce.number().int().min(1).default(10),
});

export type AccountSettings = z.output<typeof accountSettingsSchema>;
