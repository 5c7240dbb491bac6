/**
 * The two halves of the `telegram webhook` CLI command: register our webhook with Telegram and
 * show what Telegram has on record. Both throw the same ProviderError subclasses as send().
 */
import { Api } from 'grammy';
import { toProviderError } from './errors.js';
import { resolveTelegramOptions, type TelegramOptions } from './options.js';

/** Where Telegram posts updates, relative to PUBLIC_URL. */
export const TELEGRAM_WEBHOOK_PATH = '/webhooks/telegram';

/** Update types the gateway handles; Telegram drops the others before sending them. */
export const TELEGRAM_ALLOWED_UPDATES = ['message', 'callback_query'] as const;

/** What registerTelegramWebhook set. */
export interface TelegramWebhookRegistration {
  url: string;
  allowedUpdates: string[];
}

/** Telegram's record of the webhook (getWebhookInfo). */
export interface TelegramWebhookStatus {
  /** Empty when no webhook is set (polling). */
  url: string;
  pendingUpdateCount: number;
  allowedUpdates?: string[];
  /** ISO time and text of the last failed delivery, if any. */
  lastErrorAt?: string;
  lastErrorMessage?: string;
  maxConnections?: number;
  ipAddress?: string;
}

/**
 * Calls setWebhook with url = publicUrl + /webhooks/telegram, our secret_token and
 * allowed_updates message + callback_query. `publicUrl` is PUBLIC_URL (https, no path needed).
 * Throws when no webhookSecret is configured.
 */
export async function registerTelegramWebhook(options: TelegramOptions, publicUrl: string): Promise<TelegramWebhookRegistration> {
  const resolved = resolveTelegramOptions(options);
  if (resolved.webhookSecret === undefined) throw new Error('Telegram: a webhookSecret is needed to register the webhook');
  const url = publicUrl.replace(/\/+$/, '') + TELEGRAM_WEBHOOK_PATH;
  const allowedUpdates = [...TELEGRAM_ALLOWED_UPDATES];
  const api = new Api(resolved.botToken, { apiRoot: resolved.apiRoot, timeoutSeconds: resolved.requestTimeoutSeconds });
  try {
    await api.setWebhook(url, { secret_token: resolved.webhookSecret, allowed_updates: allowedUpdates });
  } catch (error) {
    throw toProviderError(error, 'setWebhook');
  }
  return { url, allowedUpdates };
}

/** Calls getWebhookInfo and returns it as a plain object. */
export async function telegramWebhookInfo(options: TelegramOptions): Promise<TelegramWebhookStatus> {
  const resolved = resolveTelegramOptions(options);
  const api = new Api(resolved.botToken, { apiRoot: resolved.apiRoot, timeoutSeconds: resolved.requestTimeoutSeconds });
  let info;
  try {
    info = await api.getWebhookInfo();
  } catch (error) {
    throw toProviderError(error, 'getWebhookInfo');
  }
  return {
    url: info.url ?? '',
    pendingUpdateCount: info.pending_update_count,
    allowedUpdates: info.allowed_updates,
    lastErrorAt: info.last_error_date === undefined ? undefined : new Date(info.last_error_date * 1000).toISOString(),
    lastErrorMessage: info.last_error_message,
    maxConnections: info.max_connections,
    ipAddress: info.ip_address,
  };
}
