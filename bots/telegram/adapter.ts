/**
 * The Telegram channel adapter (grammY). Webhook mode serves POST /webhooks/telegram, checked
 * against X-Telegram-Bot-Api-Secret-Token; polling mode serves no route and long-polls from start().
 * See parse.ts and send.ts for the mappings, errors.ts for how failures are classed.
 */
import { Api } from 'grammy';
import type { Logger } from 'pino';
import type { ChannelAdapter, InboundEvent, InboundSink, WebhookRoute } from '../../src/channels/adapter.js';
import { MalformedPayloadError } from '../../src/errors.js';
import { toProviderError } from './errors.js';
import { resolveTelegramOptions, type TelegramOptions } from './options.js';
import { parseUpdate, parseUpdateBody, type ParsedUpdate } from './parse.js';
import { TelegramPolling } from './polling.js';
import { deleteFromChat, sendToChat } from './send.js';
import { hasWebhookSecret } from './verify.js';
import { TELEGRAM_WEBHOOK_PATH } from './webhook-setup.js';

/** Longest the adapter waits for answerCallbackQuery, so a slow API never holds a webhook. */
const ANSWER_TIMEOUT_SECONDS = 5;

/**
 * Builds the Telegram adapter. Throws at once when the options cannot work (no secret in
 * webhook mode, malformed secret, empty token).
 *
 * The SDK is used without any retrying plugin: every failed call surfaces as one ProviderError
 * and the outbound worker alone decides about retries.
 */
export function createTelegramAdapter(options: TelegramOptions, logger: Logger): ChannelAdapter {
  const resolved = resolveTelegramOptions(options);
  if (resolved.mode === 'webhook' && resolved.webhookSecret === undefined) {
    throw new Error('Telegram: webhookSecret is required in webhook mode');
  }
  const log = logger.child({ channel: 'telegram' });
  const api = new Api(resolved.botToken, { apiRoot: resolved.apiRoot, timeoutSeconds: resolved.requestTimeoutSeconds });
  const answerApi = new Api(resolved.botToken, { apiRoot: resolved.apiRoot, timeoutSeconds: ANSWER_TIMEOUT_SECONDS });

  /** Answers a button press so its spinner stops. Best effort: a failure is logged, never thrown. */
  async function answer(parsed: ParsedUpdate): Promise<InboundEvent[]> {
    if (parsed.callbackQueryId !== undefined) {
      try {
        await answerApi.answerCallbackQuery(parsed.callbackQueryId);
      } catch (error) {
        log.warn({ err: toProviderError(error, 'answerCallbackQuery') }, 'telegram callback query not answered');
      }
    }
    return parsed.events;
  }

  const route: WebhookRoute = {
    path: TELEGRAM_WEBHOOK_PATH,
    verify: (request) => hasWebhookSecret(request.headers, resolved.webhookSecret),
    parse: async (request) => ({ events: await answer(parseUpdateBody(request.rawBody)) }),
  };

  const polling = new TelegramPolling(
    resolved,
    async (update) => {
      try {
        return await answer(parseUpdate(update));
      } catch (error) {
        if (!(error instanceof MalformedPayloadError)) throw error;
        log.warn({ err: error }, 'telegram update skipped');
        return [];
      }
    },
    log,
  );

  return {
    channel: 'telegram',
    rate: resolved.rate,
    webhooks: resolved.mode === 'webhook' ? [route] : [],
    send: (address, message) => sendToChat(api, address, message),
    deleteMessages: (address, ids) => deleteFromChat(api, address, ids),
    // A refused update holds back that chat's later updates, and a webhook that keeps answering
    // errors has its whole delivery rate lowered by Telegram: a flood from one chat is stored and
    // deferred instead, so other chats are not slowed (src/inbound/sender-limit.ts).
    retriesRefusedWebhooks: false,
    /** Polling mode: starts long polling. Webhook mode: nothing to start. */
    async start(sink: InboundSink) {
      if (resolved.mode === 'polling') await polling.start(sink);
    },
    async stop() {
      await polling.stop();
    },
  };
}
