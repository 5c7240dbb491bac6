/**
 * Configuration, parsed once at boot from the environment (and an optional .env file) with zod.
 * A channel is enabled by the presence of its credentials; its other variables are required only
 * then. A bad value stops the boot with a ConfigError that names every variable at fault and what
 * it accepts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { broadcastSettingsSchema } from './broadcasts/settings.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'accepted: true, false, 1, 0, yes, no' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const portMessage = 'a port number, 1-65535 (0 picks a free port)';
const port = z.coerce.number({ message: portMessage }).int({ message: portMessage }).min(0, { message: portMessage }).max(65535, { message: portMessage });
const httpUrl = z
  .string()
  .regex(/^https?:\/\/[^\s/]+/, { message: 'an http(s) URL, e.g. https://gateway.example.org' })
  .transform((v) => v.replace(/\/+$/, ''));
const positive = (what: string) => z.coerce.number({ message: what }).positive({ message: what });
const keywordList = z
  .string()
  .transform((v) => v.split(',').map((k) => k.trim()).filter((k) => k.length > 0));

const envSchema = z.object({
  ...broadcastSettingsSchema.shape,
  NODE_ENV: z.enum(['development', 'production', 'test'], { message: 'accepted: development, production, test' }).default('development'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: httpUrl.optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, { message: 'file:<path> (SQLite) or postgres://user:pass@host:port/db' })
    .optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, { message: 'redis://host:port[/db] or rediss://...' }).optional(),
  REDIS_SERVER_BIN: z.string().min(1).default('redis-server'),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, { message: 'letters, digits, _ and -' }).default('gw'),
  DATA_ENCRYPTION_KEY: z
    .string()
    .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, { message: '32 bytes as 64 hex characters or 44 base64 characters (openssl rand -hex 32)' })
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'accepted: fatal, error, warn, info, debug, trace, silent' }).default('info'),
  DEFAULT_LANGUAGE: z.string().regex(/^[a-z]{2,3}$/, { message: 'a language code such as en, fr, ar' }).default('en'),
  FLOWS_DIR: z.string().min(1).default('./flows'),
  LOCALES_DIR: z.string().min(1).default('./locales'),
  SESSION_HOURS: positive('a number of hours > 0').default(24),
  CONSOLE_CHANNEL: bool.optional(),
  OPT_OUT_KEYWORDS: keywordList.default(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'ARRET', 'ARRÊT', 'قف', 'توقف']),
  OPT_IN_KEYWORDS: keywordList.default(['START', 'YES', 'UNSTOP', 'DEMARRER', 'DÉMARRER', 'ابدأ']),
  HELP_KEYWORDS: keywordList.default(['HELP', 'INFO', 'AIDE', 'مساعدة']),
  JOB_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  JOB_BACKOFF_MS: positive('milliseconds > 0').default(2000),
  /** How long a worker holds a job before another may take it over (BullMQ lockDuration). */
  JOB_LOCK_MS: positive('milliseconds > 0').default(30000),
  /** Escalation policies (YAML); the shipped src/incidents/policies.yaml when unset. */
  INCIDENT_POLICY_FILE: z.string().min(1).optional(),
  /** Multiplies every escalation delay (0.01 makes 10 minutes 6 seconds, for drills and demos). */
  INCIDENT_DELAY_SCALE: positive('a number > 0').default(1),

  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, { message: 'the token from @BotFather, <digits>:<letters>' }).optional(),
  TELEGRAM_WEBHOOK_SECRET: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, { message: '1-256 characters A-Z a-z 0-9 _ -' }).optional(),
  TELEGRAM_API_ROOT: httpUrl.default('https://api.telegram.org'),
  TELEGRAM_MODE: z.enum(['webhook', 'polling'], { message: 'accepted: webhook, polling' }).default('webhook'),

  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, { message: 'AC followed by 32 hex characters' }).optional(),
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  TWILIO_FROM: z.string().regex(/^\+?[0-9A-Za-z]{3,15}$/, { message: 'an E.164 number like +15551234567 or an alphanumeric sender' }).optional(),
  TWILIO_MESSAGING_SERVICE_SID: z.string().regex(/^MG[0-9a-fA-F]{32}$/, { message: 'MG followed by 32 hex characters' }).optional(),
  TWILIO_API_BASE: httpUrl.default('https://api.twilio.com'),
  TWILIO_MESSAGES_PER_SECOND: positive('messages per second > 0').default(1),
  TWILIO_MAX_QUEUE_SECONDS: positive('seconds > 0').default(4 * 3600),

  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, { message: 'a bot token starting with xoxb-' }).optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, { message: 'an app-level token starting with xapp-' }).optional(),
  SLACK_API_URL: httpUrl.transform((v) => `${v}/`).default('https://slack.com/api/'),
  SLACK_MODE: z.enum(['http', 'socket'], { message: 'accepted: http, socket' }).default('http'),
});

export type Env = z.infer<typeof envSchema>;

export interface Config extends Env {
  /** PUBLIC_URL, or http://localhost:PORT when unset. */
  publicUrl: string;
  /** DATABASE_URL, or a SQLite file under DATA_DIR when unset. */
  databaseUrl: string;
  databaseProvider: 'sqlite' | 'postgres';
  consoleEnabled: boolean;
  channels: { telegram: boolean; sms: boolean; slack: boolean };
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

/** Parses and checks the configuration. Throws ConfigError listing every problem. */
export function loadConfig(source: Record<string, string | undefined> = readEnvironment()): Config {
  // Empty strings count as unset, as in most deployment tools.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.');
      const value = cleaned[name];
      const shown = value === undefined || /TOKEN|SECRET|KEY|SID/.test(name) ? '' : ` (got "${value}")`;
      problems.push(`${name}: ${issue.message}${shown}`);
    }
    throw new ConfigError(problems);
  }
  const env = parsed.data;
  const requireWith = (channel: string, present: string, needed: (keyof Env)[]) => {
    for (const name of needed) {
      if (env[name] === undefined) problems.push(`${name}: required when ${present} is set (${channel} channel)`);
    }
  };
  const telegram = env.TELEGRAM_BOT_TOKEN !== undefined;
  if (telegram && env.TELEGRAM_MODE === 'webhook') requireWith('Telegram', 'TELEGRAM_BOT_TOKEN', ['TELEGRAM_WEBHOOK_SECRET']);
  const sms = env.TWILIO_ACCOUNT_SID !== undefined;
  if (sms) {
    requireWith('SMS', 'TWILIO_ACCOUNT_SID', ['TWILIO_AUTH_TOKEN']);
    if (env.TWILIO_FROM === undefined && env.TWILIO_MESSAGING_SERVICE_SID === undefined) {
      problems.push('TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID: one is required when TWILIO_ACCOUNT_SID is set (SMS channel)');
    }
  } else if (env.TWILIO_AUTH_TOKEN !== undefined) {
    problems.push('TWILIO_ACCOUNT_SID: required when TWILIO_AUTH_TOKEN is set (SMS channel)');
  }
  const slack = env.SLACK_BOT_TOKEN !== undefined;
  if (slack) {
    requireWith('Slack', 'SLACK_BOT_TOKEN', env.SLACK_MODE === 'socket' ? ['SLACK_APP_TOKEN'] : ['SLACK_SIGNING_SECRET']);
  }
  if (env.NODE_ENV === 'production') {
    if (env.DATA_ENCRYPTION_KEY === undefined) problems.push('DATA_ENCRYPTION_KEY: required in production (openssl rand -hex 32)');
    if (env.PUBLIC_URL === undefined && (sms || (telegram && env.TELEGRAM_MODE === 'webhook') || (slack && env.SLACK_MODE === 'http'))) {
      problems.push('PUBLIC_URL: required in production when a channel receives webhooks');
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const databaseUrl = env.DATABASE_URL ?? `file:${resolve(env.DATA_DIR, 'gateway.db')}`;
  return {
    ...env,
    publicUrl: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
    databaseUrl,
    databaseProvider: databaseUrl.startsWith('file:') ? 'sqlite' : 'postgres',
    consoleEnabled: env.CONSOLE_CHANNEL ?? env.NODE_ENV !== 'production',
    channels: { telegram, sms, slack },
  };
}
