/** Settings of the protection capability (environment variables). */
import { z } from 'zod';

const list = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text) => text.split(',').map((word) => word.trim()).filter(Boolean));

export const protectionSettingsSchema = z.object({
  /** Days of inactivity after which a contact's texts and identities are purged. */
  RETENTION_DAYS: z.coerce.number().int().min(1).default(365),
  /** Hours after which a session that is no longer running (ended, expired) is deleted. */
  SESSION_RETENTION_HOURS: z.coerce.number().int().min(1).default(24),
  /** Minutes between two retention sweeps. */
  RETENTION_SWEEP_MINUTES: z.coerce.number().min(0.01).default(60),
  /** Words that ask for one's own erasure, any language (matched whole, any case). */
  ERASE_KEYWORDS: list('DELETE ME,ERASE ME,SUPPRIMER,EFFACER,احذف,امسح'),
  /** Words that confirm an erasure. */
  ERASE_CONFIRM_WORDS: list('YES,Y,OUI,O,نعم,1'),
  /** Minutes a confirmation is awaited. */
  ERASE_CONFIRM_MINUTES: z.coerce.number().int().min(1).default(10),
});

export type ProtectionSettings = z.output<typeof protectionSettingsSchema>;
