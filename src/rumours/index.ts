/**
 * The rumours capability: the misinformation desk. Rumour reports (the rumour-check flow's
 * `record_rumour` effect, or staff) are grouped into rumours; staff investigate, write verified
 * answers per language and publish them to everyone who asked, optionally proposing an
 * announcement through the broadcasts capability's public service (rumours use broadcasts,
 * never the reverse).
 */
import { overrideSettings, type Capability, type SettingOverrides } from '../capability.js';
import { Sweeper } from '../jobs/sweeper.js';
import { broadcastSettingsSchema, createBroadcastService } from '../broadcasts/index.js';
import { registerRumourCommands } from './cli.js';
import { RumourDesk } from './desk.js';
import { rumourRoutes } from './routes.js';
import { rumourSettingsSchema } from './settings.js';

export interface RumoursOptions {
  /** Settings that win over the configuration (tests, embedding programs). */
  settings?: SettingOverrides<typeof rumourSettingsSchema>;
  /** The clock (default: the real one). */
  now?: () => Date;
}

export function rumoursCapability(options: RumoursOptions = {}): Capability<typeof rumourSettingsSchema> {
  return {
    name: 'rumours',
    settings: rumourSettingsSchema,
    commands: (program, cli) => registerRumourCommands(program, cli),
    create: (runtime, configured) => {
      const settings = overrideSettings(rumourSettingsSchema, configured, options.settings ?? {});
      const now = options.now ?? (() => new Date());
      const broadcasts = createBroadcastService(runtime, broadcastSettingsSchema.parse(runtime.config.env), now);
      const desk = new RumourDesk({ runtime, settings, broadcasts, now });
      const sweeper = new Sweeper('rumour grouping sweep', async () => void (await desk.groupPending()), runtime.logger.child({ capability: 'rumours' }));
      return {
        effects: {
          record_rumour: async (effect, ctx) => {
            const report = await ctx.tx.rumourReport.create({
              data: { contactId: ctx.contactId, channel: ctx.channel, textEnc: ctx.personalData.encrypt(effect.text), areaId: effect.areaId },
            });
            ctx.afterCommit.push(async () => void (await desk.group(report.id)));
          },
        },
        adminRoutes: rumourRoutes(desk),
        async start() {
          await sweeper.run();
          sweeper.every(settings.RUMOUR_SWEEP_MS);
        },
        stop: () => sweeper.stop(),
      };
    },
  };
}

/** The capability with settings from the configuration. */
export const rumours = rumoursCapability();
