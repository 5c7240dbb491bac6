/**
 * The capability contract: how a feature (incidents, broadcasts, rumours, surveys...) plugs into
 * the gateway without the core knowing its insides. A feature folder exports one `Capability`
 * from its index.ts. The composition root (src/gateway.ts) lists them; the core never imports a
 * feature.
 *
 * A capability declares, statically, its settings (a zod object of environment variables that
 * the configuration composes, so one boot error lists every bad variable) and its CLI commands.
 * `create` builds the running parts: flow effect handlers, typed timers, pipeline middlewares,
 * admin routes, start and stop.
 */
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { Authenticator } from './admin/auth.js';
import type { ChannelAdapter } from './channels/adapter.js';
import type { MeasureMessage } from './channels/module.js';
import type { Config } from './config.js';
import type { EffectHandlers } from './conversation/effects.js';
import type { Db } from './db/client.js';
import type { Dialect } from './db/dialect.js';
import type { CliContext } from './cli-context.js';
import type { Translator } from './i18n.js';
import type { HelpProvider } from './inbound/pipeline/consent.js';
import type { Middleware } from './inbound/pipeline/context.js';
import type { Queues } from './jobs/queues.js';
import type { TimerRegistration } from './jobs/timers.js';
import type { Logger } from './logger.js';
import type { Observer } from './observer.js';
import type { PersonalData } from './personal-data.js';

/** What every capability may use at run time. */
export interface Runtime {
  config: Config;
  logger: Logger;
  db: Db;
  redis: Redis;
  queues: Queues;
  personalData: PersonalData;
  /** The database's dialect, for raw statements (src/db/raw.ts). */
  dialect: Dialect;
  translator: Translator;
  /** The enabled channels' adapters by channel name. */
  adapters: Map<string, ChannelAdapter>;
  /** How each channel that bills by segment measures a message (enabled or not). */
  measures: Map<string, MeasureMessage>;
}

/** The running parts of a capability. */
export interface RunningCapability {
  /**
   * Handlers of the flow effects this capability owns (e.g. incidents: create_incident,
   * case_status). They run inside the conversation step's transaction; queue work goes to
   * `ctx.afterCommit`. Two capabilities may not handle the same effect (boot error).
   */
  effects?: EffectHandlers;
  /** Timer kinds this capability handles, each with the zod schema of its job data. */
  timers?: TimerRegistration[];
  /**
   * Inbound middlewares, run after consent and language and before the session and flow (e.g.
   * responder commands such as `ACK <case code>`). A middleware that handles a message does not
   * call next(), so the flow never sees it.
   */
  middlewares?: Middleware[];
  /**
   * Answers the help keywords (HELP, AIDE...) for the people this capability serves differently
   * (e.g. incidents: a responder gets the responder commands); null leaves it to the next
   * capability and finally to the community help. Never asked for an identity that opted out.
   */
  help?: HelpProvider;
  /**
   * Identifies API callers by credentials other than bearer tokens (e.g. a session cookie).
   * Access is still decided by the one role table (src/admin/access.ts).
   */
  authenticate?: Authenticator;
  /** Routes under /api/v1, registered after authentication. */
  adminRoutes?: (app: FastifyInstance) => Promise<void>;
  /**
   * Routes outside the API, at the server's root, on processes that serve HTTP: the staff
   * console's pages at /console (whatever they show comes from /api/v1), /metrics. They bring
   * their own access check: the API's authentication does not cover them.
   */
  httpRoutes?: (app: FastifyInstance) => Promise<void>;
  /** Where `GET /` leads when this capability is loaded (default: the API documentation at /docs). */
  home?: string;
  /** Watches the core's work (messages in and out, pacing, failed jobs); see src/observer.ts. */
  observer?: Observer;
  /** Background work, run in processes that run the workers (roles `worker` and `all`). */
  start?(): Promise<void>;
  stop?(): Promise<void>;
  /** Run in every process whatever its role (e.g. a listener of its own), before HTTP listens. */
  open?(): Promise<void>;
  close?(): Promise<void>;
}

export interface Capability<S extends z.ZodObject = z.ZodObject> {
  /** Unique; a gateway option may replace a listed capability by giving one of the same name. */
  name: string;
  /** Environment variables of this capability; parsed with the rest of the configuration. */
  settings?: S;
  /** Adds this capability's commands to the `gateway` command line. */
  commands?(program: Command, cli: CliContext): void;
  /** Builds the running parts; `settings` is `this.settings` parsed from the configuration. */
  create(runtime: Runtime, settings: z.output<S>): RunningCapability;
}

/** A capability's settings as parsed from the configuration (its own schema applied again). */
export function settingsOf<S extends z.ZodObject>(capability: Capability<S>, config: Config): z.output<S> {
  return (capability.settings ? capability.settings.parse(config.env) : {}) as z.output<S>;
}

/** Overrides of a capability's settings, in their written (environment) form. */
export type SettingOverrides<S extends z.ZodObject> = Partial<Record<keyof z.input<S>, unknown>>;

/**
 * `settings` with `overrides` applied, each checked by its field's schema (tests and embedding
 * programs pass them to a capability factory). Throws naming every bad override.
 */
export function overrideSettings<S extends z.ZodObject>(schema: S, settings: z.output<S>, overrides: SettingOverrides<S>): z.output<S> {
  const result: Record<string, unknown> = { ...(settings as Record<string, unknown>) };
  const problems: string[] = [];
  for (const [key, value] of Object.entries(overrides)) {
    const field = schema.shape[key] as z.ZodType | undefined;
    if (!field || value === undefined) continue;
    const parsed = field.safeParse(value);
    if (parsed.success) result[key] = parsed.data;
    else problems.push(`${key}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  if (problems.length > 0) throw new Error(`invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return result as z.output<S>;
}
