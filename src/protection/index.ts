/**
 * The protection capability: erasure and retention of personal data.
 * - Erasure by staff: `gateway contacts erase <case code | contact id>` and
 *   POST /api/v1/contacts/:id/erase (coordinator, admin); audited without naming the person.
 * - Erasure by the person: an erase keyword (DELETE ME, SUPPRIMER, احذف...) and a confirmation.
 * - Retention: a repeating `retention` timer purges contacts inactive for RETENTION_DAYS and
 *   sessions no longer running after SESSION_RETENTION_HOURS.
 * What erasure removes is described in erase.ts.
 */
import type { Capability, SettingOverrides } from '../capability.js';
import { overrideSettings } from '../capability.js';
import { registerProtectionCommands } from './cli.js';
import { retentionTimer, scheduleRetention } from './retention.js';
import { erasureRoutes } from './routes.js';
import { selfErasure } from './self-erasure.js';
import { protectionSettingsSchema } from './settings.js';

export { eraseContact, resolveContact, ErasureError, type ErasureReport } from './erase.js';
export { sweepRetention } from './retention.js';
export { protectionSettingsSchema, type ProtectionSettings } from './settings.js';

export interface ProtectionOptions {
  /** Settings that win over the configuration (tests, embedding programs). */
  settings?: SettingOverrides<typeof protectionSettingsSchema>;
  /** The clock of retention (default: the real one). */
  now?: () => Date;
}

export function protectionCapability(options: ProtectionOptions = {}): Capability<typeof protectionSettingsSchema> {
  return {
    name: 'protection',
    settings: protectionSettingsSchema,
    commands: (program, cli) => registerProtectionCommands(program, cli),
    create: (runtime, configured) => {
      const settings = overrideSettings(protectionSettingsSchema, configured, options.settings ?? {});
      const now = options.now ?? (() => new Date());
      const policy = { retentionDays: settings.RETENTION_DAYS, sessionRetentionHours: settings.SESSION_RETENTION_HOURS, sweepMinutes: settings.RETENTION_SWEEP_MINUTES };
      const log = runtime.logger.child({ capability: 'protection' });
      return {
        timers: [retentionTimer(runtime.db, runtime.queues, policy, now, log)],
        middlewares: [
          selfErasure({
            db: runtime.db,
            queues: runtime.queues,
            redis: runtime.redis,
            prefix: runtime.queues.settings.prefix,
            personalData: runtime.personalData,
            translator: runtime.translator,
            adapters: runtime.adapters,
            logger: log,
            keywords: settings.ERASE_KEYWORDS,
            yes: settings.ERASE_CONFIRM_WORDS,
            confirmMinutes: settings.ERASE_CONFIRM_MINUTES,
          }),
        ],
        adminRoutes: erasureRoutes(runtime.db, runtime.queues, now),
        start: () => scheduleRetention(runtime.queues, policy, now()),
      };
    },
  };
}

/** The capability with settings from the configuration. */
export const protection = protectionCapability();
