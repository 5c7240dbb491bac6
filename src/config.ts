/**
 * Configuration, parsed once at boot from the environment (and an optional .env file) with zod:
 * the core's variables here, and each channel's and capability's from the section it declares (the
 * composition root hands them in; this file imports no channel and no feature). A channel is
 * enabled by the presence of its credentials; its other variables are required only then. A bad
 * value stops the boot with a ConfigError that names every variable at fault and what it accepts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { projectPath } from './paths.js';
import { DEFAULT_HEAP_GROWING_PERCENT } from './heap-growth.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'accepted: true, false, 1, 0, yes, no' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const portMessage = 'a port number, 1-65535 (0 picks a free port)';
const port = z.coerce.number({ message: portMessage }).int({ message: portMessage }).min(0, { message: portMessage }).max(65535, { message: portMessage });
const httpUrl = z
  .string()
  .regex(/^https?:\/\/[^\s/]+/, { message: 'an http(s) URL, e.g. https://gateway.example.org' })
  .transform((v) => v.replace(/\/+$/, ''));
const heapMessage = 'a whole number of percent from 0 to 1000 (0: V8 chooses)';
const positive = (what: string) => z.coerce.number({ message: what }).positive({ message: what });
const hostPortMessage = 'host:port pairs, comma-separated (e.g. 10.0.0.1:26379,10.0.0.2:26379)';
const hostPortList = z
  .string()
  .regex(/^\s*[^\s:,]+:\d{1,5}\s*(,\s*[^\s:,]+:\d{1,5}\s*)*$/, { message: hostPortMessage })
  .transform((v) =>
    v.split(',').map((pair) => {
      const [host, port] = pair.trim().split(':') as [string, string];
      return { host, port: Number(port) };
    }),
  );
const keywordList = z
  .string()
  .transform((v) => v.split(',').map((k) => k.trim()).filter((k) => k.length > 0));

const coreSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { message: 'accepted: development, production, test' }).default('development'),
  /** What this process does: web (webhooks, API), worker (queues, timers) or all. */
  GATEWAY_ROLE: z.enum(['web', 'worker', 'all'], { message: 'accepted: web, worker, all' }).default('all'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: httpUrl.optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, { message: 'file:<path> (SQLite) or postgres://user:pass@host:port/db' })
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^(rediss?:\/\/|unix:\/\/\/)/, { message: 'redis://host:port[/db], rediss://..., or unix:///path/to/redis.sock[?db=N&password=P]' })
    .optional(),
  /** Sentinels to ask for the master (host:port, comma-separated), instead of REDIS_URL. */
  REDIS_SENTINELS: hostPortList.optional(),
  /** The master's name as the sentinels know it. */
  REDIS_SENTINEL_NAME: z.string().min(1).default('mymaster'),
  /** Password of the sentinels themselves, when they require one. */
  REDIS_SENTINEL_PASSWORD: z.string().min(1).optional(),
  /** Cluster nodes to start from (host:port, comma-separated), instead of REDIS_URL. */
  REDIS_CLUSTER_NODES: hostPortList.optional(),
  /** Password (and user) of the Redis servers behind sentinels or of the cluster's nodes. */
  REDIS_PASSWORD: z.string().min(1).optional(),
  REDIS_USERNAME: z.string().min(1).optional(),
  REDIS_SERVER_BIN: z.string().min(1).default('redis-server'),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, { message: 'letters, digits, _ and -' }).default('gw'),
  DATA_ENCRYPTION_KEY: z
    .string()
    .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, { message: '32 bytes as 64 hex characters or 44 base64 characters (openssl rand -hex 32)' })
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'accepted: fatal, error, warn, info, debug, trace, silent' }).default('info'),
  /** V8's heap growing factor, as 1 + percent/100, for `start` (src/heap-growth.ts); 0 leaves V8's own. */
  HEAP_GROWING_PERCENT: z.coerce
    .number({ message: heapMessage })
    .int({ message: heapMessage })
    .min(0, { message: heapMessage })
    .max(1000, { message: heapMessage })
    .default(DEFAULT_HEAP_GROWING_PERCENT),
  DEFAULT_LANGUAGE: z.string().regex(/^[a-z]{2,3}$/, { message: 'a language code such as en, fr, ar' }).default('en'),
  /** The shipped flows unless set. */
  FLOWS_DIR: z.string().min(1).default(projectPath('flows')),
  LOCALES_DIR: z.string().min(1).default(projectPath('locales')),
  SESSION_HOURS: positive('a number of hours > 0').default(24),
  /** Current US carrier list (REFERENCE.md "Opt-out words") and the French and Arabic equivalents. */
  OPT_OUT_KEYWORDS: keywordList.default(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'ARRET', 'ARRÊT', 'DESABONNER', 'DÉSABONNER', 'قف', 'توقف', 'إلغاء الاشتراك']),
  OPT_IN_KEYWORDS: keywordList.default(['START', 'YES', 'UNSTOP', 'DEMARRER', 'DÉMARRER', 'ابدأ']),
  HELP_KEYWORDS: keywordList.default(['HELP', 'INFO', 'AIDE', 'مساعدة']),
  /**
   * Inbound messages one sender (number, chat, Slack user) may send per window on one channel
   * before its webhooks are refused (429) or, on SMS, deferred. 0 turns the limit off. A person
   * typing or pressing buttons stays far below 30 a minute.
   */
  WEBHOOK_SENDER_MAX: z.coerce.number({ message: 'a whole number >= 0' }).int({ message: 'a whole number >= 0' }).min(0, { message: 'a whole number >= 0' }).default(30),
  WEBHOOK_SENDER_WINDOW_SECONDS: positive('a number of seconds > 0').default(60),
  JOB_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  JOB_BACKOFF_MS: positive('milliseconds > 0').default(2000),
  /** How long a worker holds a job before another may take it over (BullMQ lockDuration). */
  JOB_LOCK_MS: positive('milliseconds > 0').default(30000),
  /** How often a worker process reads the Area table again for the flows' place answers, in ms (0: never). */
  GAZETTEER_REFRESH_MS: z.coerce.number({ message: 'milliseconds >= 0' }).int({ message: 'milliseconds >= 0' }).min(0, { message: 'milliseconds >= 0' }).default(60_000),
});

/** The core's own settings (channels and capabilities bring theirs as config sections). */
export type CoreSettings = z.infer<typeof coreSchema>;

/**
 * A part of the configuration that a channel or a capability brings: its variables, and the
 * problems that only show once they parse (a channel's variables required together).
 */
export interface ConfigSection {
  name: string;
  schema: z.ZodObject;
  /** Problems of the parsed values, one line each (none when the section is unused). */
  problems?(values: Record<string, unknown>, core: CoreSettings): string[];
  /** Whether this section needs webhooks from outside (production then requires PUBLIC_URL). */
  receivesWebhooks?(values: Record<string, unknown>): boolean;
  /** Whether the section is in use (an enabled channel); reported in `Config.channels`. */
  enabled?(values: Record<string, unknown>, core: CoreSettings): boolean;
}

export interface Config extends CoreSettings {
  /** Every variable as given (empty ones dropped), for sections to parse their own. */
  env: Record<string, string>;
  /** PUBLIC_URL, or http://localhost:PORT when unset. */
  publicUrl: string;
  /** DATABASE_URL, or a SQLite file under DATA_DIR when unset. */
  databaseUrl: string;
  databaseProvider: 'sqlite' | 'postgres';
  /** Channel sections by name: whether each is enabled. */
  channels: Record<string, boolean>;
  /** Whether the console channel is on. */
  consoleEnabled: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads `.env` in the working directory (if any) under the real environment, which wins. */
export function readEnvironment(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const file = resolve(cwd, '.env');
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...env };
}

/**
 * Parses and checks the configuration: the core's variables and every section's. Throws a
 * ConfigError listing every problem at once; values of secrets are never echoed.
 */
export function parseConfig(source: Record<string, string | undefined>, sections: ConfigSection[]): Config {
  const schema = sections.reduce<z.ZodObject>((all, section) => all.extend(section.schema.shape), coreSchema);
  // Empty strings count as unset, as in most deployment tools, except for a variable whose
  // schema names the empty value as a choice of its own ("empty for none").
  const keepsEmpty = (name: string) => name in schema.shape && namesEmptyValue(schema.shape[name] as z.ZodType);
  const cleaned = Object.fromEntries(
    Object.entries(source).filter((entry): entry is [string, string] => entry[1] !== undefined && (entry[1] !== '' || keepsEmpty(entry[0]))),
  );
  const parsed = schema.safeParse(cleaned);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.');
      const value = cleaned[name];
      const shown = value === undefined || /TOKEN|SECRET|KEY|SID|PASSWORD/.test(name) ? '' : ` (got "${value}")`;
      problems.push(`${name}: ${issue.message}${shown}`);
    }
    throw new ConfigError(problems);
  }
  const values = parsed.data as Record<string, unknown>;
  const core = coreSchema.parse(cleaned);
  const channels: Record<string, boolean> = {};
  let webhooks = false;
  for (const section of sections) {
    problems.push(...(section.problems?.(values, core) ?? []));
    if (section.enabled) {
      channels[section.name] = section.enabled(values, core);
      if (channels[section.name] && section.receivesWebhooks?.(values)) webhooks = true;
    }
  }
  const redisModes = (['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const).filter((name) => core[name] !== undefined);
  if (redisModes.length > 1) problems.push(`${redisModes.join(', ')}: set one of them (a Redis URL, sentinels, or cluster nodes), not several`);
  if (core.NODE_ENV === 'production') {
    if (core.DATA_ENCRYPTION_KEY === undefined) problems.push('DATA_ENCRYPTION_KEY: required in production (openssl rand -hex 32)');
    if (core.PUBLIC_URL === undefined && webhooks) problems.push('PUBLIC_URL: required in production when a channel receives webhooks');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const databaseUrl = core.DATABASE_URL ?? `file:${resolve(core.DATA_DIR, 'gateway.db')}`;
  const consoleEnabled = channels.console ?? false;
  delete channels.console;
  return {
    ...core,
    env: cleaned,
    publicUrl: core.PUBLIC_URL ?? `http://localhost:${core.PORT}`,
    databaseUrl,
    databaseProvider: databaseUrl.startsWith('file:') ? 'sqlite' : 'postgres',
    channels,
    consoleEnabled,
  };
}

/** Whether a variable's schema accepts `''` as a literal choice (under its default or optional). */
function namesEmptyValue(field: z.ZodType): boolean {
  if (field instanceof z.ZodDefault || field instanceof z.ZodOptional) return namesEmptyValue(field.unwrap() as z.ZodType);
  if (field instanceof z.ZodUnion) return field.options.some((option) => namesEmptyValue(option as z.ZodType));
  return field instanceof z.ZodLiteral && field.values.has('');
}

/** Value types shared by every section's variables, with the messages the boot error shows. */
export const settingTypes = {
  /** true, false, 1, 0, yes, no. */
  bool,
  /** An http(s) URL, trailing slashes dropped. */
  httpUrl,
  /** A number > 0; `what` says what is accepted. */
  positive,
};
