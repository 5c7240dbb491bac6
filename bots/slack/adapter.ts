/**
 * The Slack channel adapter, where responders and staff work. Http mode serves the Events API
 * and interaction routes, checked against the signing secret; socket mode serves no route and
 * receives from start(). See inbound.ts and outbound.ts for the mappings, errors.ts for how
 * failures are classed.
 */
import { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { ChannelAdapter, InboundSink, WebhookRequest, WebhookRoute } from '../../src/channels/adapter.js';
import { ProviderUnavailableError } from '../../src/errors.js';
import { CONFIGURATION_ERRORS, toProviderError } from './errors.js';
import { parseEventsBody, parseInteractionsBody } from './inbound.js';
import { findPosted } from './read-back.js';
import { resolveSlackOptions, type SlackOptions } from './options.js';
import { toSlackPost } from './outbound.js';
import { sdkLogger } from './sdk-logger.js';
import { verifySlackSignature } from './signature.js';
import { SlackSocket } from './socket.js';
import { formatMessageRef, threadTsOf } from './thread.js';

/** Route of Events API callbacks (messages, mentions, url_verification). */
export const SLACK_EVENTS_PATH = '/webhooks/slack/events';
/** Route of interaction payloads (button presses). */
export const SLACK_INTERACTIONS_PATH = '/webhooks/slack/interactions';

/**
 * Builds the Slack adapter. Throws at once when the options cannot work (no signing secret in
 * http mode, no app token in socket mode, empty token).
 *
 * Inbound: a direct message to the app (`message` in an `im`, not from a bot, no subtype but
 * file_share) or a mention of the app in a channel (`app_mention`, leading mention removed)
 * becomes a text from the sender's user id, with providerId = the callback's event_id; a pressed
 * choice button becomes a choice. Everything else is acknowledged and ignored.
 *
 * Outbound: chat.postMessage to the address (a user id opens the direct message, a channel id
 * posts there), in the thread SendContext.threadId names. The returned providerId is
 * `<channel>:<ts>` (see thread.ts). The client never retries on its own: every failure surfaces
 * as one ProviderError and the outbound worker decides.
 *
 * Read-back (findSent): the conversation's history since the claim (read-back.ts) lists our
 * messages with exactly the text `send` would post; our identity comes from auth.test, asked once.
 */
export function createSlackAdapter(options: SlackOptions, logger: Logger): ChannelAdapter {
  const resolved = resolveSlackOptions(options);
  const log = logger.child({ channel: 'slack' });
  const client = new webApi.WebClient(resolved.botToken, {
    slackApiUrl: resolved.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: resolved.requestTimeoutMs,
    logger: sdkLogger(log),
  });

  const webhooks: WebhookRoute[] = [];
  const signingSecret = resolved.signingSecret;
  if (resolved.mode === 'http' && signingSecret) {
    const verify = (request: WebhookRequest): boolean => verifySlackSignature(request, signingSecret, resolved.now());
    webhooks.push(
      { path: SLACK_EVENTS_PATH, verify, parse: (request) => parseEventsBody(request.rawBody) },
      { path: SLACK_INTERACTIONS_PATH, verify, parse: (request) => parseInteractionsBody(request.rawBody) },
    );
  }

  const socket =
    resolved.mode === 'socket' && resolved.appToken
      ? new SlackSocket({ botToken: resolved.botToken, appToken: resolved.appToken, apiUrl: resolved.apiUrl }, client, log)
      : undefined;

  let identity: Promise<{ botId?: string; userId?: string }> | undefined;
  const whoAmI = () => {
    identity ??= client.auth.test().then(
      (answer) => ({ botId: answer.bot_id, userId: answer.user_id }),
      (error: unknown) => {
        identity = undefined; // asked again next time
        throw error;
      },
    );
    return identity;
  };

  return {
    channel: 'slack',
    rate: resolved.rate,
    webhooks,

    async findSent(address, message, context) {
      try {
        return await findPosted(client, await whoAmI(), {
          address,
          text: toSlackPost(message).text,
          sinceMs: context.since.getTime(),
          threadId: context.threadId,
        });
      } catch (error) {
        const failure = toProviderError(error);
        log.warn({ messageId: context.messageId, code: failure.code, error: failure.name }, 'Slack read-back failed');
        throw failure;
      }
    },

    async send(address, message, context) {
      const post = toSlackPost(message);
      let result: webApi.ChatPostMessageResponse;
      try {
        result = await client.chat.postMessage({
          channel: address,
          text: post.text,
          blocks: post.blocks,
          thread_ts: context.threadId === undefined ? undefined : threadTsOf(context.threadId),
        });
      } catch (error) {
        const failure = toProviderError(error);
        if (typeof failure.code === 'string' && CONFIGURATION_ERRORS.has(failure.code)) {
          log.error(
            { messageId: context.messageId, code: failure.code },
            'Slack refused the bot token or its scopes: every Slack send fails until the configuration is fixed',
          );
        } else {
          log.warn({ messageId: context.messageId, code: failure.code, error: failure.name }, 'Slack send failed');
        }
        throw failure;
      }
      if (!result.channel || !result.ts) {
        throw new ProviderUnavailableError('Slack accepted the message but returned no channel or ts');
      }
      // Slack has no delivery receipts: a posted message is in the conversation.
      return { providerId: formatMessageRef({ channel: result.channel, ts: result.ts }), status: 'delivered' };
    },

    async start(sink: InboundSink) {
      await socket?.start(sink);
    },

    async stop() {
      await socket?.stop();
    },
  };
}
