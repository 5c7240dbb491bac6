/**
 * The composition root: lists the channels and capabilities, builds every part from the
 * configuration with plain constructors, starts them in order, and stops them in reverse (stop
 * taking webhooks, drain workers, close connections). Tests start a whole gateway through this
 * too. Only this file and the command line (src/cli.ts, src/chat.ts) import bots/ and features.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Worker } from 'bullmq';
import { CHANNELS } from '../bots/index.js';
import type { ConsoleAdapter } from '../bots/console/index.js';
import { broadcasts } from './broadcasts/index.js';
import { settingsOf, type Capability, type RunningCapability, type Runtime } from './capability.js';
import type { ChannelAdapter } from './channels/adapter.js';
import type { MeasureMessage } from './channels/module.js';
import { parseConfig, readEnvironment, type Config, type ConfigSection } from './config.js';
import { coreEffects, mergeEffectHandlers, type EffectHandlers } from './conversation/effects.js';
import { incidents } from './incidents/index.js';
import { accounts } from './accounts/index.js';
import { rumours } from './rumours/index.js';
import { surveys } from './surveys/index.js';
import { profiles } from './profiles/index.js';
import { protection } from './protection/index.js';
import { staffConsole } from './console/index.js';
import { openDatabase, type Database } from './db/client.js';
import { loadFlowCatalog } from './flow/catalog.js';
import type { FlowCatalog } from './flow/engine.js';
import { buildHttpServer } from './http/server.js';
import { loadTranslator } from './i18n.js';
import { ingest } from './inbound/ingest.js';
import { createIngestBatcher } from './inbound/ingest-batch.js';
import { createLogger, type Logger } from './logger.js';
import { projectPath } from './paths.js';
import { createPersonalData, resolveKey } from './personal-data.js';
import { compose } from './inbound/pipeline/context.js';
import { consent } from './inbound/pipeline/consent.js';
import { language } from './inbound/pipeline/language.js';
import { session } from './inbound/pipeline/session.js';
import { flow, repeatQuestion, showMenu } from './inbound/pipeline/flow.js';
import { openQueues } from './jobs/queues.js';
import { commandClient, configuredRedis } from './redis/connection.js';
import { startEmbeddedRedis, type EmbeddedRedis } from './redis/embedded.js';
import { lockDataDir } from './data-dir/lock.js';
import { secureDataDir, tighten } from './data-dir/permissions.js';
import { readAreas, seedAreas } from './areas/gazetteer.js';
import { keepGazetteerFresh, storedAreaViews } from './areas/stored-gazetteer.js';
import { sessionTimeoutTimer } from './conversation/session-timeouts.js';
import type { ConversationDeps } from './conversation/step.js';
import { clearChatTimer } from './conversation/trail.js';
import { flowStartTimer } from './conversation/flow-starts.js';
import { flowStartRoutes } from './conversation/flow-start-routes.js';
import { INBOUND_CONCURRENCY, INBOUND_GROUP_SIZE, INBOUND_POSTGRES_LANES, startInboundWorker } from './inbound/worker.js';
import { startOutboundWorker } from './outbound/worker.js';
import { startTimerWorker } from './jobs/timers.js';
import { combineObservers } from './observer.js';
import { metrics } from './metrics/index.js';

/** The capabilities a gateway loads, in order. */
export const CAPABILITIES: Capability[] = [broadcasts, rumours, incidents, surveys, profiles, accounts, protection, staffConsole, metrics] as Capability[];

/** The configuration sections of every channel and capability. */
export const CONFIG_SECTIONS: ConfigSection[] = [
  ...CHANNELS.map((channel) => ({
    name: channel.name,
    schema: channel.settings,
    enabled: (values: Record<string, unknown>, core: Parameters<typeof channel.enabled>[1]) => channel.enabled(values, core),
    problems: (values: Record<string, unknown>, core: Parameters<typeof channel.enabled>[1]) => (channel.problems ? channel.problems(values, core) : []),
    receivesWebhooks: (values: Record<string, unknown>) => channel.receivesWebhooks(values),
  })),
  ...CAPABILITIES.flatMap((capability) => (capability.settings ? [{ name: capability.name, schema: capability.settings }] : [])),
];

/** What a process does: `web` (webhooks, API, polling), `worker` (queues and timers) or `all`. */
export type ProcessRole = 'web' | 'worker' | 'all';

/** The gateway options of a process role. */
export function roleOptions(role: ProcessRole): Pick<GatewayOptions, 'http' | 'workers'> {
  return { http: role !== 'worker', workers: role !== 'web' };
}

/** Parses and checks the whole configuration (core, channels, capabilities); throws ConfigError. */
export function loadConfig(source: Record<string, string | undefined> = readEnvironment()): Config {
  return parseConfig(source, CONFIG_SECTIONS);
}

export interface GatewayOptions {
  logger?: Logger;
  /**
   * Run the workers in this process (default true): the queues' workers, the timers, and the
   * capabilities' background work. A `web` process sets this false.
   */
  workers?: boolean;
  /** Serve HTTP and receive from polling channels (default true). A `worker` process sets this false. */
  http?: boolean;
  /** Extra channel adapters (tests use this to add a fake channel). */
  extraAdapters?: ChannelAdapter[];
  /** Capabilities that replace the listed one of the same name (tests give options this way). */
  capabilities?: Capability[];
}

export interface Gateway extends Runtime {
  app?: FastifyInstance;
  /** Base URL the HTTP server listens on (http://127.0.0.1:<port>). */
  url: string;
  catalog: FlowCatalog;
  /** The console channel's adapter (its mailbox and token), when it is on. */
  console?: ConsoleAdapter;
  database: Database;
  /** The running capabilities by name. */
  capabilities: Map<string, RunningCapability>;
  /** Every flow effect handler: the core's and the capabilities'. */
  effects: EffectHandlers;
  stop(): Promise<void>;
}

const SEED_AREAS = projectPath('prisma', 'seed', 'areas.yaml');

export async function startGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        logger.error({ err: { name: (error as Error).name, message: (error as Error).message } }, 'error while stopping');
      }
    }
    cleanups.length = 0;
  };
  try {
    secureDataDir(config.DATA_DIR);
    const release = lockDataDir(config.DATA_DIR);
    cleanups.push(async () => release());
    const { key, generated } = resolveKey(config.DATA_ENCRYPTION_KEY, join(config.DATA_DIR, 'encryption.key'));
    if (generated) logger.warn({ file: join(config.DATA_DIR, 'encryption.key') }, 'generated a data encryption key for this development install; set DATA_ENCRYPTION_KEY in production');
    const personalData = createPersonalData(key);

    let target = configuredRedis(config);
    let embedded: EmbeddedRedis | undefined;
    if (!target) {
      embedded = await startEmbeddedRedis({ bin: config.REDIS_SERVER_BIN, dataDir: join(config.DATA_DIR, 'redis'), logger });
      cleanups.push(() => embedded!.stop());
      // Its Unix socket where it has one: the gateway's processes are on its host.
      target = { kind: 'server', url: embedded.socketUrl ?? embedded.url };
    }
    const redis = commandClient(target);
    // Connection errors are retried by ioredis; log them once each instead of crashing.
    redis.on('error', (error: Error) => logger.warn({ err: { name: error.name, message: error.message } }, 'redis connection error'));
    cleanups.push(async () => void (await redis.quit().catch(() => redis.disconnect())));

    const database = await openDatabase(config.databaseUrl);
    cleanups.push(() => database.close());
    tighten(config.DATA_DIR); // the database and its log, created just now
    const db = database.db;
    if ((await db.area.count()) === 0) {
      // Development and tests start with the demo gazetteer; production loads its own.
      if (config.NODE_ENV === 'production') logger.warn('no areas: load your gazetteer with `gateway seed --file <areas.yaml>` (used within GAZETTEER_REFRESH_MS, no restart needed)');
      else await seedAreas(db, readAreas(SEED_AREAS));
    }

    const translator = loadTranslator(config.LOCALES_DIR, config.DEFAULT_LANGUAGE);
    const { catalog, warnings } = loadFlowCatalog({ flowsDir: config.FLOWS_DIR, translator, areas: await storedAreaViews(db) });
    for (const warning of warnings) logger.warn(warning, 'flow text longer than 2 SMS segments');

    const queues = openQueues(target, {
      prefix: config.QUEUE_PREFIX,
      attempts: config.JOB_ATTEMPTS,
      backoffMs: config.JOB_BACKOFF_MS,
      onError: (error) => logger.warn({ err: { name: error.name, message: error.message } }, 'queue connection error'),
    });
    cleanups.push(() => queues.close());
    await queues.ready();

    const adapters = new Map<string, ChannelAdapter>();
    const measures = new Map<string, MeasureMessage>();
    for (const channel of CHANNELS) {
      if (channel.measure) measures.set(channel.name, channel.measure);
      const values = channel.settings.parse(config.env);
      if (channel.enabled(values, config)) adapters.set(channel.name, channel.create(values, { logger, publicUrl: config.publicUrl, core: config }));
    }
    for (const adapter of options.extraAdapters ?? []) adapters.set(adapter.channel, adapter);

    const runtime: Runtime = { config, logger, db, redis, queues, personalData, dialect: database.dialect, translator, adapters, measures };
    const replaced = new Map((options.capabilities ?? []).map((c) => [c.name, c]));
    const capabilities = new Map<string, RunningCapability>();
    for (const listed of CAPABILITIES) {
      const capability = replaced.get(listed.name) ?? listed;
      capabilities.set(capability.name, capability.create(runtime, settingsOf(capability, config)));
    }
    for (const name of replaced.keys()) if (!capabilities.has(name)) throw new Error(`no capability named "${name}" to replace`);
    const running = [...capabilities.entries()];
    const observe = combineObservers(running.flatMap(([, c]) => (c.observer ? [c.observer] : [])));
    for (const [, capability] of running) {
      if (capability.open) await capability.open();
      if (capability.close) cleanups.push(() => capability.close!());
    }
    const effects = mergeEffectHandlers([{ owner: 'core', handlers: coreEffects }, ...running.map(([owner, c]) => ({ owner, handlers: c.effects ?? {} }))]);
    const conversation: ConversationDeps = {
      dialect: database.dialect,
      catalog,
      translator,
      personalData,
      effects,
      logger,
      deletableChannels: new Set([...adapters.values()].filter((a) => a.deleteMessages).map((a) => a.channel)),
      threadHintChannels: new Set([...adapters.values()].filter((a) => a.threadStaysOnDevice).map((a) => a.channel)),
      schedule: (id, data, at) => queues.schedule(id, data, at),
    };

    let accepting = false;
    const ingestDeps = { db, dialect: database.dialect, personalData, queues, languages: translator.languages };
    let app: FastifyInstance | undefined;
    let url = '';
    if (options.http !== false) {
      app = await buildHttpServer({
        ...ingestDeps,
        // A count only: how often two web processes stored the same contact or message at once.
        batcher: createIngestBatcher(ingestDeps, { onFallback: (events) => logger.info({ events }, 'a batch of webhooks met a unique key; stored again one by one') }),
        adapters: [...adapters.values()],
        publicUrl: config.publicUrl,
        logger,
        observe,
        routes: running.flatMap(([, c]) => (c.httpRoutes ? [c.httpRoutes] : [])),
        accepting: () => accepting,
        senderLimit: { max: config.WEBHOOK_SENDER_MAX, windowMs: config.WEBHOOK_SENDER_WINDOW_SECONDS * 1000 },
        checkReady: async () => {
          await db.$queryRawUnsafe('SELECT 1');
          if ((await redis.ping()) !== 'PONG') throw new Error('redis did not answer PING');
        },
        production: config.NODE_ENV === 'production',
        home: running.map(([, c]) => c.home).find((home) => home !== undefined),
        admin: {
          db,
          queues,
          authenticators: running.flatMap(([, c]) => (c.authenticate ? [c.authenticate] : [])),
          plugins: [flowStartRoutes(db, queues, new Set(catalog.flows.keys())), ...running.flatMap(([, c]) => (c.adminRoutes ? [c.adminRoutes] : []))],
        },
      });
      cleanups.push(async () => {
        accepting = false;
        await app!.close();
      });
    }

    if (options.workers !== false) {
      const workers: Worker[] = [];
      const common = { db, dialect: database.dialect, redis, queues, personalData, logger, observe, lockDurationMs: config.JOB_LOCK_MS, backoffMs: config.JOB_BACKOFF_MS };
      const pipeline = compose([
        // Language first: every reply, the consent replies included, is in the contact's language.
        language(config.DEFAULT_LANGUAGE, translator.languages),
        consent({ optOut: config.OPT_OUT_KEYWORDS, optIn: config.OPT_IN_KEYWORDS, help: config.HELP_KEYWORDS }, translator, running.flatMap(([, c]) => (c.help ? [c.help] : [])), {
          repeatQuestion: repeatQuestion(conversation, queues),
          showMenu: showMenu(conversation, queues),
        }),
        ...running.flatMap(([, c]) => c.middlewares ?? []),
        session({ logger, personalData, dialect: database.dialect }),
        flow(conversation, queues),
      ]);
      workers.push(
        startInboundWorker({
          ...common,
          pipeline,
          defaultLanguage: config.DEFAULT_LANGUAGE,
          concurrency: INBOUND_CONCURRENCY,
          groupSize: INBOUND_GROUP_SIZE,
          lanes: database.provider === 'postgres' ? INBOUND_POSTGRES_LANES : 1,
        }),
      );
      for (const adapter of adapters.values()) workers.push(startOutboundWorker({ ...common, adapter }));
      const timers = [
        sessionTimeoutTimer(db, queues, conversation),
        flowStartTimer(db, queues, conversation),
        clearChatTimer(db, personalData, adapters, logger), ...running.flatMap(([, c]) => c.timers ?? [])];
      workers.push(startTimerWorker(queues, timers, logger, { lockDurationMs: config.JOB_LOCK_MS, backoffMs: config.JOB_BACKOFF_MS, onFailure: observe.jobFailed }));
      // Closing a worker waits for its running jobs: this is the drain.
      cleanups.push(async () => void (await Promise.all(workers.map((w) => w.close()))));
    }

    // A capability's own background work (sweeps, timer repair) runs where the workers run.
    if (options.workers !== false) {
      const gazetteer = keepGazetteerFresh(db, catalog.areas, logger, config.GAZETTEER_REFRESH_MS);
      cleanups.push(() => gazetteer.stop());
      for (const [, capability] of running) {
        if (capability.start) await capability.start();
        if (capability.stop) cleanups.push(() => capability.stop!());
      }
    }

    const sink = async (channel: string, events: Parameters<typeof ingest>[2][]) => {
      for (const event of events) await ingest(ingestDeps, channel, event);
    };
    // Receiving without webhooks (polling, sockets) is intake: it runs where HTTP is served.
    for (const adapter of adapters.values()) {
      if (adapter.start && options.http !== false) await adapter.start((events) => sink(adapter.channel, events));
      if (adapter.stop) cleanups.push(() => adapter.stop!());
    }

    if (app) {
      await app.listen({ port: config.PORT, host: config.HOST });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.PORT;
      url = `http://127.0.0.1:${port}`;
      accepting = true;
      logger.info({ url, channels: [...adapters.keys()], database: database.provider, redis: embedded ? 'embedded' : target.kind }, 'gateway started');
    }

    return {
      ...runtime,
      app,
      url,
      catalog,
      console: adapters.get('console') as ConsoleAdapter | undefined,
      database,
      capabilities,
      effects,
      stop: async () => {
        logger.info('gateway stopping');
        // First refuse new webhooks (503: providers retry later), then drain and close.
        accepting = false;
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
