/**
 * Options of the Telegram adapter. The core maps its environment config onto them:
 * TELEGRAM_BOT_TOKEN → botToken, TELEGRAM_WEBHOOK_SECRET → webhookSecret,
 * TELEGRAM_API_ROOT → apiRoot, TELEGRAM_MODE → mode.
 */
import type { ChannelRate } from '../../src/channels/adapter.js';

export type TelegramMode = 'webhook' | 'polling';

export interface TelegramOptions {
  /** The bot token from @BotFather (`<digits>:<letters>`). Secret. */
  botToken: string;
  /**
   * Secret Telegram sends back in `X-Telegram-Bot-Api-Secret-Token` on every webhook call
   * (1-256 characters A-Z a-z 0-9 _ -). Required in webhook mode; without it every webhook is refused.
   */
  webhookSecret?: string;
  /** Base URL of the Bot API. Default https://api.telegram.org. Tests point it at a local fake. */
  apiRoot?: string;
  /**
   * `webhook` (default): updates arrive on POST /webhooks/telegram.
   * `polling`: no public URL needed; `start(sink)` long-polls getUpdates and the adapter serves no route.
   */
  mode?: TelegramMode;
  /** Outbound pace. Default 30 messages per 1000 ms overall and 1000 ms between two messages to one chat. */
  rate?: ChannelRate;
  /** Longest a single Bot API call may take before it counts as a network failure, in seconds. Default 30. */
  requestTimeoutSeconds?: number;
  /** Long-polling wait per getUpdates call, in seconds (polling mode). Default 30. */
  pollingTimeoutSeconds?: number;
}

/** The options with every default filled in. */
export interface ResolvedTelegramOptions {
  botToken: string;
  webhookSecret?: string;
  apiRoot: string;
  mode: TelegramMode;
  rate: ChannelRate;
  requestTimeoutSeconds: number;
  pollingTimeoutSeconds: number;
}

export const DEFAULT_API_ROOT = 'https://api.telegram.org';
export const DEFAULT_RATE: ChannelRate = { max: 30, durationMs: 1000, perAddressGapMs: 1000 };

const SECRET_PATTERN = /^[A-Za-z0-9_-]{1,256}$/;

/** Fills in defaults and refuses options Telegram would refuse later. */
export function resolveTelegramOptions(options: TelegramOptions): ResolvedTelegramOptions {
  if (options.botToken.trim() === '') throw new Error('Telegram: botToken is empty');
  const mode = options.mode ?? 'webhook';
  if (options.webhookSecret !== undefined && !SECRET_PATTERN.test(options.webhookSecret)) {
    throw new Error('Telegram: webhookSecret must be 1-256 characters A-Z a-z 0-9 _ -');
  }
  return {
    botToken: options.botToken,
    webhookSecret: options.webhookSecret,
    // The SDK refuses a trailing slash.
    apiRoot: (options.apiRoot ?? DEFAULT_API_ROOT).replace(/\/+$/, ''),
    mode,
    rate: options.rate ?? DEFAULT_RATE,
    requestTimeoutSeconds: options.requestTimeoutSeconds ?? 30,
    pollingTimeoutSeconds: options.pollingTimeoutSeconds ?? 30,
  };
}
