/**
 * The broadcasts capability: civic announcements (audiences, approval, scheduling, quiet hours,
 * paced fan-out, cancel, progress, feedback) and topic subscriptions. The front door of
 * src/broadcasts/: other features use broadcasts only through what this file exports.
 *
 * Timers: `broadcast-fanout` { broadcastId } runs or resumes a fan-out. Effects: subscribe,
 * unsubscribe. Middlewares: JOIN/LEAVE <topic>, then feedback on a recent announcement. A sweep
 * (at start, then every BROADCAST_SWEEP_MS) resumes fan-outs left without a job.
 */
import type { Capability, Runtime, SettingOverrides } from '../capability.js';
import { postgresTarget } from '../db/client.js';
import { jobId } from '../jobs/queues.js';
import { Sweeper } from '../jobs/sweeper.js';
import { onTimer } from '../jobs/timers.js';
import { registerBroadcastCommands } from './cli.js';
import { subscriptionEffects } from './effects.js';
import { feedbackMiddleware } from './feedback.js';
import { fanoutJobId, runFanout, type FanoutDeps } from './fanout.js';
import { subscriptionMiddleware } from './keywords.js';
import { broadcastRoutes } from './routes.js';
import { BroadcastService, FANOUT_TIMER } from './service.js';
import { broadcastSettingsSchema, parseQuietHours, resolveSettings, type BroadcastSettings } from './settings.js';

export { BroadcastError, BroadcastService, actorOf, type Actor } from './service.js';
export { broadcastSettingsSchema, type BroadcastSettings } from './settings.js';
export { activeBroadcastRecipients, type RecipientCount } from './active-progress.js';

export interface BroadcastsOptions {
  /** Settings that win over the configuration (tests, embedding programs). */
  settings?: SettingOverrides<typeof broadcastSettingsSchema>;
  /** The clock for quiet hours, schedules and feedback windows (default: the real one). */
  now?: () => Date;
}

/** The broadcast service other features use (e.g. the rumour desk proposing an announcement). */
export function createBroadcastService(runtime: Runtime, settings: BroadcastSettings, now: () => Date = () => new Date()): BroadcastService {
  const provider = runtime.config.databaseProvider;
  const dialect = { provider, schema: provider === 'postgres' ? postgresTarget(runtime.config.databaseUrl).schema : undefined };
  return new BroadcastService({ runtime, settings, quietHours: parseQuietHours(settings.BROADCAST_QUIET_HOURS), now, dialect });
}

export function broadcastsCapability(options: BroadcastsOptions = {}): Capability<typeof broadcastSettingsSchema> {
  return {
    name: 'broadcasts',
    settings: broadcastSettingsSchema,
    commands: (program, cli) => registerBroadcastCommands(program, cli),
    create: (runtime, configured) => {
      const settings = resolveSettings(configured, options.settings);
      const quietHours = parseQuietHours(settings.BROADCAST_QUIET_HOURS);
      const now = options.now ?? (() => new Date());
      const service = createBroadcastService(runtime, settings, now);
      const fanoutDeps: FanoutDeps = { ...runtime, settings, quietHours, now, dialect: service.dialect };
      const log = runtime.logger.child({ capability: 'broadcasts' });
      const sweep = async () => {
        const sending = await runtime.db.broadcast.findMany({ where: { status: { in: ['sending', 'scheduled'] } }, select: { id: true, status: true, cursor: true, written: true, scheduledAt: true } });
        for (const broadcast of sending) {
          if (broadcast.status === 'scheduled') {
            // Adding an existing timer id changes nothing: this only restores a lost timer.
            const delay = Math.max(0, (broadcast.scheduledAt ?? now()).getTime() - now().getTime());
            await runtime.queues.schedule(fanoutJobId(broadcast.id), FANOUT_TIMER.data({ broadcastId: broadcast.id }), new Date(Date.now() + delay));
            continue;
          }
          const job = await runtime.queues.timers.getJob(fanoutJobId(broadcast.id));
          const state = job ? await job.getState() : 'missing';
          if (state === 'active' || state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') continue;
          const resumeId = jobId('broadcast', broadcast.id, 'resume', broadcast.cursor ?? 'start', broadcast.written);
          const resume = await runtime.queues.timers.getJob(resumeId);
          if (resume && ['active', 'waiting', 'delayed', 'prioritized'].includes(await resume.getState())) continue;
          log.warn({ broadcastId: broadcast.id, written: broadcast.written }, 'resuming a fan-out left without a job');
          await runtime.queues.schedule(resumeId, FANOUT_TIMER.data({ broadcastId: broadcast.id }), new Date());
        }
      };
      const sweeper = new Sweeper('broadcast sweep', sweep, log);

      return {
        timers: [
          onTimer(FANOUT_TIMER, async ({ broadcastId }) => {
            const written = await runFanout(fanoutDeps, broadcastId);
            log.info({ broadcastId, written }, 'broadcast fan-out finished');
          }),
        ],
        effects: subscriptionEffects,
        middlewares: [subscriptionMiddleware(runtime.translator, settings.BROADCAST_TOPICS), feedbackMiddleware(runtime.translator, runtime.personalData, settings.BROADCAST_FEEDBACK_HOURS)],
        adminRoutes: broadcastRoutes(service, runtime.personalData),
        async start() {
          await sweeper.run();
          sweeper.every(settings.BROADCAST_SWEEP_MS);
        },
        stop: () => sweeper.stop(),
      };
    },
  };
}

/** The capability with settings from the configuration. */
export const broadcasts = broadcastsCapability();
