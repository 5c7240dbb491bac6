/**
 * The incidents capability: rosters of responders, routing up the area tree, escalation ladders
 * on delayed jobs, acknowledgement and resolution from every channel, relayed questions, duplicate
 * linking, verification, the audit trail and the admin API. `incidents` is the factory the
 * gateway loads; `incidentsCapability(options)` builds one with another policy file, a delay
 * scale or a clock (tests, demos).
 */
import type { Capability } from '../capability.js';
import { projectPath } from '../paths.js';
import { Sweeper } from '../jobs/sweeper.js';
import { onTimer } from '../jobs/timers.js';
import { AreaTreeCache } from '../areas/tree.js';
import { registerIncidentCommands } from './cli.js';
import type { IncidentDeps } from './deps.js';
import { incidentEffects } from './effects.js';
import { runAckTimeout, runStep, startEscalation } from './ladder.js';
import { recreateTimers, startMissing } from './timer-repair.js';
import { incidentsMiddleware } from './middleware.js';
import { RELAY_EXPIRE_TIMER, runRelayExpiry, sweepRelays } from './relay-close.js';
import { responderHelp } from './responder-views.js';
import { loadPolicies } from './policies.js';
import { incidentRoutes } from './routes.js';
import { applyRoster, readRosterFile } from './rosters.js';
import { SYSTEM } from './audit.js';
import { incidentSettingsSchema } from './settings.js';
import { ACK_TIMEOUT_TIMER, ESCALATE_TIMER } from './timers.js';

export { DEFAULT_POLICY_FILE } from './settings.js';
export { openIncidentCounts, type OpenIncidentCount } from './open-counts.js';
export const DEMO_ROSTERS = projectPath('prisma', 'seed', 'rosters.yaml');

export interface IncidentsOptions {
  /** Escalation policy file (default src/incidents/policies.yaml; config INCIDENT_POLICY_FILE). */
  policyFile?: string;
  /** Multiplier of every policy duration (default 1; config INCIDENT_DELAY_SCALE). */
  delayScale?: number;
  /** The clock (default: the system clock). */
  now?: () => Date;
  /**
   * How often to start escalations that an interrupted process never started (default 60 s;
   * 0: only at start). Timers lost by Redis are re-created at start.
   */
  catchUpMs?: number;
  /**
   * How often to look for relayed questions that cannot reach the reporter any more (the message
   * failed, the reporter opted out or was erased) and close them, telling the asker (default
   * 60 s; 0: only at start).
   */
  relaySweepMs?: number;
}

export function incidentsCapability(options: IncidentsOptions = {}): Capability<typeof incidentSettingsSchema> {
  return {
    name: 'incidents',
    settings: incidentSettingsSchema,
    commands: (program, cli) => registerIncidentCommands(program, cli),
    create: (runtime, settings) => {
      const policyFile = options.policyFile ?? settings.INCIDENT_POLICY_FILE;
      const scale = options.delayScale ?? settings.INCIDENT_DELAY_SCALE;
      // A bad policy file stops the boot here, naming the file and the field.
      const policies = loadPolicies(policyFile, scale);
      const deps: IncidentDeps = {
        db: runtime.db,
        logger: runtime.logger.child({ capability: 'incidents' }),
        queues: runtime.queues,
        personalData: runtime.personalData,
        dialect: runtime.dialect,
        translator: runtime.translator,
        channels: new Set(runtime.adapters.keys()),
        policies,
        areas: new AreaTreeCache(),
        now: options.now ?? (() => new Date()),
      };
      // Escalations an interrupted process never started.
      const catchUp = new Sweeper(
        'incident catch-up',
        async (stopped) => {
          const started = await startMissing(deps, stopped);
          if (started > 0) deps.logger.warn({ started }, 'started escalations that were never started');
        },
        deps.logger,
      );
      const relaySweep = new Sweeper(
        'relay sweep',
        async (stopped) => {
          const closed = await sweepRelays(deps, stopped);
          if (closed.expired + closed.undeliverable > 0) deps.logger.info(closed, 'relayed questions closed');
        },
        deps.logger,
      );
      return {
        timers: [
          onTimer(ESCALATE_TIMER, ({ incidentId, level, round }) => runStep(deps, incidentId, level, round)),
          onTimer(ACK_TIMEOUT_TIMER, ({ incidentId, round }) => runAckTimeout(deps, incidentId, round)),
          onTimer(RELAY_EXPIRE_TIMER, ({ relayId }) => runRelayExpiry(deps, relayId)),
        ],
        effects: incidentEffects((incidentId) => startEscalation(deps, incidentId)),
        middlewares: [incidentsMiddleware(deps)],
        help: (ctx) => responderHelp(ctx.tx, deps, ctx.contactId, ctx.language),
        adminRoutes: incidentRoutes(deps),
        async start() {
          // A development install starts with the demo rosters, as it starts with the demo areas.
          if (runtime.config.NODE_ENV === 'development' && (await runtime.db.committee.count()) === 0) {
            const roster = readRosterFile(DEMO_ROSTERS);
            await applyRoster(runtime.db, runtime.personalData, roster, SYSTEM);
          }
          const timers = await recreateTimers(deps);
          deps.logger.info({ ...timers, policies: policies.policies.map((p) => p.id), scale }, 'incidents started');
          // In the background, so a backlog does not hold the gateway's start; then again every `catchUpMs`.
          void catchUp.run();
          catchUp.every(options.catchUpMs ?? 60_000);
          void relaySweep.run();
          relaySweep.every(options.relaySweepMs ?? 60_000);
        },
        stop: async () => {
          await catchUp.stop();
          await relaySweep.stop();
        },
      };
    },
  };
}

/** The capability with settings from the configuration. */
export const incidents = incidentsCapability();
