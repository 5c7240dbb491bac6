/**
 * The gateway's command line: `npm run gateway -- <command>` (or `npx tsx src/cli.ts <command>`).
 *   start                         run the gateway (HTTP, workers, embedded Redis if REDIS_URL is unset)
 *   chat [--as NAME]              talk to the flows from this terminal (console channel)
 *   tokens create|list|revoke     admin API tokens
 *   dead-letter list|retry        jobs that failed for good
 *   migrate, seed                 database migrations, demo gazetteer
 *   flows validate|test|start     check flow files, run conversation tests, start a flow for contacts
 *   telegram webhook set|info     register the Telegram webhook, show its state
 * and the commands each capability adds (rosters, incidents, broadcasts, rumours...).
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { chat } from './chat.js';
import { CHANNELS } from '../bots/index.js';
import type { CliContext } from './cli-context.js';
import { ConfigError, type Config } from './config.js';
import { openDatabase, type Db } from './db/client.js';
import { projectPath } from './paths.js';
import { boundHeapGrowth } from './heap-growth.js';
import { listDeadLetters, retryDeadLetter } from './jobs/dead-letter.js';
import { createToken, listTokens, revokeToken, ROLES } from './admin/tokens.js';
import { CAPABILITIES, loadConfig, roleOptions, startGateway, type ProcessRole } from './gateway.js';
import { openQueues, type Queues } from './jobs/queues.js';
import { configuredRedis } from './redis/connection.js';
import { runningEmbeddedRedis } from './redis/embedded.js';
import { readAreas, seedAreas } from './areas/gazetteer.js';
import { contactsInArea, scheduleFlowStarts } from './conversation/flow-starts.js';

function config(): Config {
  return loadConfig();
}

async function withDatabase<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const database = await openDatabase(config().databaseUrl);
  try {
    return await fn(database.db);
  } finally {
    await database.close();
  }
}

async function withQueues<T>(fn: (queues: Queues) => Promise<T>): Promise<T> {
  const cfg = config();
  const embeddedUrl = configuredRedis(cfg) ? undefined : runningEmbeddedRedis(join(cfg.DATA_DIR, 'redis'));
  const target = configuredRedis(cfg) ?? (embeddedUrl ? { kind: 'server' as const, url: embeddedUrl } : undefined);
  if (!target) throw new Error('no Redis to read: start the gateway (npm start) or set REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES');
  const queues = openQueues(target, { prefix: cfg.QUEUE_PREFIX, attempts: cfg.JOB_ATTEMPTS, backoffMs: cfg.JOB_BACKOFF_MS });
  try {
    for (const channel of CHANNELS) queues.outbound(channel.name);
    return await fn(queues);
  } finally {
    await queues.close();
  }
}

const program = new Command('gateway').description('Early-warning and community-dialogue gateway');

program
  .command('start')
  .description('run the gateway')
  .option('--role <role>', 'web (webhooks, API), worker (queues, timers) or all (default: GATEWAY_ROLE, else all)')
  .action(async (options: { role?: string }) => {
    const cfg = config();
    const role = (options.role ?? cfg.GATEWAY_ROLE) as ProcessRole;
    if (!['web', 'worker', 'all'].includes(role)) throw new Error(`--role takes web, worker or all, got "${role}"`);
    boundHeapGrowth(cfg.HEAP_GROWING_PERCENT);
    const gateway = await startGateway(cfg, roleOptions(role));
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      gateway.logger.info({ signal }, 'shutting down');
      await gateway.stop();
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  });

program
  .command('chat')
  .description('talk to the flows from this terminal through the console channel')
  .option('--as <name>', 'who is typing (each name is a separate contact)', 'console-user')
  .option('--language <code>', 'language hint for a new contact (en, fr, ar)')
  .action(async (options: { as: string; language?: string }) => {
    await chat(config(), options);
    process.exit(0);
  });

const tokens = program.command('tokens').description('admin API tokens');
tokens
  .command('create')
  .requiredOption('--name <name>', 'who or what uses the token')
  .requiredOption('--role <role>', `one of: ${ROLES.join(', ')}`)
  .option('--area <areaId>', 'limit the token to an area and everything below it')
  .action(async (options: { name: string; role: string; area?: string }) => {
    const created = await withDatabase((db) => createToken(db, { name: options.name, role: options.role, areaId: options.area }));
    console.log(`token id: ${created.id}\ntoken:    ${created.token}\n(shown once: store it now)`);
  });
tokens.command('list').action(async () => {
  for (const t of await withDatabase(listTokens)) {
    console.log(`${t.id}  ${t.role.padEnd(11)} ${(t.areaId ?? '-').padEnd(10)} ${t.revokedAt ? 'revoked' : 'active '}  ${t.name}`);
  }
});
tokens
  .command('revoke <id>')
  .action(async (id: string) => {
    const done = await withDatabase((db) => revokeToken(db, id));
    if (!done) throw new Error(`no active token with id ${id}`);
    console.log(`revoked ${id}`);
  });

const deadLetter = program.command('dead-letter').description('jobs that failed for good');
deadLetter.command('list').action(async () => {
  const items = await withQueues((queues) => listDeadLetters(queues));
  if (items.length === 0) console.log('no failed jobs');
  for (const item of items) console.log(`${item.failedAt ?? '?'}  ${item.queue}  ${item.jobId}  attempts=${item.attempts}  ${item.reason}`);
});
deadLetter
  .command('retry <queue> <jobId>')
  .action(async (queue: string, jobId: string) => {
    const done = await withQueues((queues) => withDatabase((db) => retryDeadLetter(queues, db, queue, jobId)));
    if (!done) throw new Error(`no failed job ${jobId} in ${queue}`);
    console.log(`retrying ${queue} ${jobId}`);
  });

program
  .command('migrate')
  .description('apply pending database migrations (the gateway also does this at start)')
  .action(async () => {
    await withDatabase(async () => undefined);
    console.log('database is up to date');
  });

program
  .command('seed')
  .description('load a gazetteer (default: the demo one, prisma/seed/areas.yaml); rosters: `rosters import`')
  .option('--file <path>', 'areas file', projectPath('prisma', 'seed', 'areas.yaml'))
  .action(async (options: { file: string }) => {
    const count = await withDatabase((db) => seedAreas(db, readAreas(options.file)));
    console.log(`seeded ${count} areas`);
  });

const flows = program.command('flows').description('flow files');
flows.command('validate').action(async () => {
  const { flowsValidateCommand } = await import('./flow/cli.js');
  process.exitCode = await flowsValidateCommand();
});
flows.command('test').action(async () => {
  const { flowsTestCommand } = await import('./flow/cli.js');
  process.exitCode = await flowsTestCommand();
});

flows
  .command('start <flowId>')
  .description('start a flow for contacts (a survey wave, a follow-up), now or at a time')
  .requiredOption('--key <key>', 'names this start: one start per key and contact')
  .option('--area <areaId>', 'everyone in this area and below')
  .option('--contact <id...>', 'these contacts')
  .option('--param <name=value...>', 'start parameters, e.g. wave=month_6', [])
  .option('--at <iso-time>', 'when to start (default now)')
  .action(async (flowId: string, options: { key: string; area?: string; contact?: string[]; param: string[]; at?: string }) => {
    if ((options.area === undefined) === (options.contact === undefined)) throw new Error('give either --area or --contact');
    const params = Object.fromEntries(
      options.param.map((p) => {
        const at = p.indexOf('=');
        if (at < 1) throw new Error(`--param takes name=value, got "${p}"`);
        return [p.slice(0, at), p.slice(at + 1)];
      }),
    );
    const { flowFiles, readFlowFile } = await import('./flow/catalog.js');
    const flowIds = new Set(flowFiles(config().FLOWS_DIR).flatMap((file) => readFlowFile(file).document?.id ?? []));
    const at = options.at ? new Date(options.at) : undefined;
    if (at && Number.isNaN(at.getTime())) throw new Error(`--at is not a time: "${options.at}"`);
    const scheduled = await withQueues((queues) =>
      withDatabase((db) => scheduleFlowStarts(queues, flowIds, { flowId, key: options.key, params, at }, options.area ? contactsInArea(db, options.area) : options.contact!)),
    );
    console.log(`scheduled ${scheduled} start(s) of ${flowId}`);
  });

const cli: CliContext = { config, withDatabase, withQueues };
for (const capability of CAPABILITIES) capability.commands?.(program, cli);
for (const channel of CHANNELS) channel.commands?.(program, cli);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(`error: ${(error as Error).message}`);
  process.exit(1);
});
