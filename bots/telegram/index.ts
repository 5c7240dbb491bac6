/** The Telegram channel: adapter factory, its options, and the webhook CLI helpers. */
export { createTelegramAdapter } from './adapter.js';
export { DEFAULT_API_ROOT, DEFAULT_RATE, type TelegramMode, type TelegramOptions } from './options.js';
export {
  registerTelegramWebhook,
  telegramWebhookInfo,
  TELEGRAM_ALLOWED_UPDATES,
  TELEGRAM_WEBHOOK_PATH,
  type TelegramWebhookRegistration,
  type TelegramWebhookStatus,
} from './webhook-setup.js';
export { MAX_CALLBACK_DATA_BYTES } from './send.js';
export { telegramChannel } from './channel.js';
