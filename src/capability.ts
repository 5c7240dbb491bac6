/**
 * A capability plugs a larger feature (escalation, broadcasts...) into the gateway without the
 * composition root knowing its insides: timers it handles, flow effects it reacts to, admin
 * routes it serves, and its own start/stop.
 */
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { ChannelAdapter } from './channels/adapter.js';
import type { Config } from './config.js';
import type { Db } from './db/client.js';
import type { EffectHooks } from './conversation/effects.js';
import type { Translator } from './i18n.js';
import type { Logger } from './logger.js';
import type { PersonalData } from './personal-data.js';
import type { Queues } from './jobs/queues.js';
import type { TimerHandler } from './jobs/timers.js';
import type { Middleware } from './inbound/pipeline/context.js';

/** What every capability may use. */
export interface Runtime {
  config: Config;
  logger: Logger;
  db: Db;
  redis: Redis;
  queues: Queues;
  personalData: PersonalData;
  translator: Translator;
  adapters: Map<string, ChannelAdapter>;
}

export interface Capability {
  name: string;
  /** Timer kinds this capability handles (job data `kind`). */
  timers?: Record<string, TimerHandler>;
  effectHooks?: EffectHooks;
  /**
   * Inbound middlewares, run after consent and language and before the session and flow (e.g.
   * responder commands such as `ACK <case code>`). A middleware that handles a message does not
   * call next(), so the flow never sees it.
   */
  middlewares?: Middleware[];
  /** Routes under /api/v1, registered after authentication. */
  adminRoutes?: (app: FastifyInstance) => Promise<void>;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export type CapabilityFactory = (runtime: Runtime) => Capability;
