/**
 * The broadcasts capability: civic announcements (audiences, approval, scheduling, quiet hours,
 * paced fan-out, cancel, progress, feedback), subscription keywords, and the misinformation desk
 * (rumour grouping, verified answers, publication). Registered in src/capabilities.ts.
 *
 * Timers: `broadcast-fanout` { broadcastId } runs or resumes a fan-out. Effect hook:
 * `rumourReported` groups the new report. Middlewares: JOIN/LEAVE <topic>, then feedback on a
 * recent announcement. A sweep (at start, then every BROADCAST_SWEEP_MS) resumes fan-outs left
 * without a job and groups reports left ungrouped.
 */
import type { CapabilityFactory, Runtime } from '../capability.js';
import { postgresTarget } from '../db/client.js';
import type { TimerJob } from '../jobs/queues.js';
import { jobId } from '../jobs/queues.js';
import { feedbackMiddleware } from './feedback.js';
import { fanoutJobId, runFanout, type FanoutDeps } from './fanout.js';
import { subscriptionMiddleware } from './keywords.js';
import { broadcastRoutes } from './routes.js';
import { BroadcastService, FANOUT_TIMER } from './service.js';
import { parseQuietHours, resolveSettings, type BroadcastSettingsInput } from './settings.js';
import { RumourDesk } from '../rumours/desk.js';
import { rumourRoutes } from '../rumours/routes.js';

export interface BroadcastsOptions {
  /** Settings that win over the configuration (tests, embedding programs). */
  settings?: Partial<Record<keyof BroadcastSettingsInput, unknown>>;
  /** The clock for quiet hours, schedules and feedback windows (default: the real one). */
  now?: () => Date;
}

export function broadcastsCapability(options: BroadcastsOptions = {}): CapabilityFactory {
  return (runtime: Runtime) => {
    const settings = resolveSettings(runtime.config, options.settings);
    const quietHours = parseQuietHours(settings.BROADCAST_QUIET_HOURS);
    const now = options.now ?? (() => new Date());
    const provider = runtime.config.databaseProvider;
    const dialect = { provider, schema: provider === 'postgres' ? postgresTarget(runtime.config.databaseUrl).schema : undefined };
    const service = new BroadcastService({ runtime, settings, quietHours, now, dialect });
    const desk = new RumourDesk({ runtime, settings, broadcasts: service, now });
    const fanoutDeps: FanoutDeps = { ...runtime, settings, quietHours, now, dialect };
    const log = runtime.logger.child({ capability: 'broadcasts' });
    let sweeper: NodeJS.Timeout | undefined;
    let sweeping: Promise<void> | undefined;

    const sweep = async () => {
      const sending = await runtime.db.broadcast.findMany({ where: { status: { in: ['sending', 'scheduled'] } }, select: { id: true, status: true, cursor: true, written: true, scheduledAt: true } });
      for (const broadcast of sending) {
        if (broadcast.status === 'scheduled') {
          // Adding an existing timer id changes nothing: this only restores a lost timer.
          const delay = Math.max(0, (broadcast.scheduledAt ?? now()).getTime() - now().getTime());
          await runtime.queues.schedule(fanoutJobId(broadcast.id), { kind: FANOUT_TIMER, broadcastId: broadcast.id }, new Date(Date.now() + delay));
          continue;
        }
        const job = await runtime.queues.timers.getJob(fanoutJobId(broadcast.id));
        const state = job ? await job.getState() : 'missing';
        if (state === 'active' || state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') continue;
        const resumeId = jobId('broadcast', broadcast.id, 'resume', broadcast.cursor ?? 'start', broadcast.written);
        const resume = await runtime.queues.timers.getJob(resumeId);
        if (resume && ['active', 'waiting', 'delayed', 'prioritized'].includes(await resume.getState())) continue;
        log.warn({ broadcastId: broadcast.id, written: broadcast.written }, 'resuming a fan-out left without a job');
        await runtime.queues.schedule(resumeId, { kind: FANOUT_TIMER, broadcastId: broadcast.id }, new Date());
      }
      await desk.groupPending();
    };
    const safeSweep = async () => {
      if (sweeping) return;
      sweeping = sweep()
        .catch((error: Error) => log.error({ err: { name: error.name, message: error.message } }, 'broadcast sweep failed'))
        .finally(() => (sweeping = undefined));
      await sweeping;
    };

    return {
      name: 'broadcasts',
      timers: {
        [FANOUT_TIMER]: async (data: TimerJob) => {
          const written = await runFanout(fanoutDeps, String(data.broadcastId));
          log.info({ broadcastId: data.broadcastId, written }, 'broadcast fan-out finished');
        },
      },
      effectHooks: {
        rumourReported: async (reportId) => {
          await desk.group(reportId);
        },
      },
      middlewares: [subscriptionMiddleware(runtime.translator, settings.BROADCAST_TOPICS), feedbackMiddleware(runtime.translator, runtime.personalData, settings.BROADCAST_FEEDBACK_HOURS)],
      adminRoutes: async (app) => {
        await broadcastRoutes(service, runtime.personalData)(app);
        await rumourRoutes(desk)(app);
      },
      async start() {
        await safeSweep();
        sweeper = setInterval(() => void safeSweep(), settings.BROADCAST_SWEEP_MS);
        sweeper.unref();
      },
      async stop() {
        if (sweeper) clearInterval(sweeper);
        await sweeping;
      },
    };
  };
}

/** The capability with settings from the configuration. */
export const broadcasts: CapabilityFactory = broadcastsCapability();
