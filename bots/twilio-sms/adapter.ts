/**
 * The SMS channel adapter: sends through a sender number or a Messaging Service, receives
 * incoming messages and status callbacks on signed webhooks.
 */
import type { Logger } from 'pino';
import type { ChannelAdapter, ChannelRate, FindSentContext, SendContext, SendResult } from '../../src/channels/adapter.js';
import { ProviderRejectedError } from '../../src/errors.js';
import type { OutboundMessage } from '../../src/messages.js';
import { createTwilioClient } from './client.js';
import { toProviderError } from './errors.js';
import { resolveTwilioSmsOptions, VALIDITY_PERIOD_RANGE, type TwilioSmsOptions } from './options.js';
import { MAX_SMS_CHARACTERS, renderSms } from './render.js';
import { deliveryStatus, STATUS_PATH, twilioWebhooks } from './webhooks.js';

/** The channel name messages and identities are stored under. */
export const SMS_CHANNEL = 'sms';

/**
 * Creates the SMS adapter. Throws a ZodError when the options are incomplete (for instance when
 * neither a sender number nor a Messaging Service is given).
 */
export function createTwilioSmsAdapter(options: TwilioSmsOptions, logger: Logger): ChannelAdapter {
  const config = resolveTwilioSmsOptions(options);
  const client = createTwilioClient(config.accountSid, config.authToken, config.apiBase, config.requestTimeoutMs);
  // Built the way the HTTP layer builds publicUrl for signatures: PUBLIC_URL + path.
  const statusCallback = config.publicUrl.replace(/\/+$/, '') + STATUS_PATH;
  const log = logger.child({ channel: SMS_CHANNEL });

  async function send(address: string, message: OutboundMessage, context: SendContext): Promise<SendResult> {
    const validityPeriod = secondsLeft(context.queuedAt, config.maxQueueSeconds);
    if (validityPeriod < VALIDITY_PERIOD_RANGE.min) {
      log.warn({ messageId: context.messageId, maxQueueSeconds: config.maxQueueSeconds }, 'SMS expired in the queue, not sent');
      throw new ProviderRejectedError(`SMS queued longer than ${config.maxQueueSeconds} s`, 'expired');
    }
    const sms = renderSms(message);
    if (sms.characters > MAX_SMS_CHARACTERS) {
      throw new ProviderRejectedError(`SMS of ${sms.characters} characters exceeds ${MAX_SMS_CHARACTERS}`, 'too_long');
    }
    try {
      const sent = await client.messages.create({
        to: address,
        body: sms.text,
        ...(config.from === undefined ? {} : { from: config.from }),
        ...(config.messagingServiceSid === undefined ? {} : { messagingServiceSid: config.messagingServiceSid }),
        statusCallback,
        validityPeriod: Math.min(validityPeriod, VALIDITY_PERIOD_RANGE.max),
      });
      log.debug({ messageId: context.messageId, sid: sent.sid, status: sent.status, segments: sms.segments }, 'SMS sent');
      const result: SendResult = { providerId: sent.sid, encoding: sms.encoding, segments: sms.segments };
      const status = deliveryStatus(sent.status);
      if (status !== undefined) result.status = status;
      return result;
    } catch (error) {
      const mapped = toProviderError(error);
      const name = mapped instanceof Error ? mapped.name : typeof mapped;
      const code = (mapped as { code?: unknown } | null)?.code;
      log.warn({ messageId: context.messageId, error: name, code }, 'SMS send failed');
      throw mapped;
    }
  }

  /**
   * Lists the messages to `address` since the claim (GET /2010-04-01/Accounts/{sid}/Messages.json
   * with To and DateSent>=, REFERENCE.md) and keeps those with our sender and exactly the text
   * `send` would hand over. The comparison is in memory; only the sid is kept.
   */
  async function findSent(address: string, message: OutboundMessage, context: FindSentContext): Promise<SendResult[]> {
    const sms = renderSms(message);
    // DateSent filters by day at the provider; the exact instant is compared below. One second
    // of slack covers clock differences between us and the provider's dateCreated.
    const since = context.since.getTime() - 1000;
    let listed;
    try {
      listed = await client.messages.list({ to: address, dateSentAfter: new Date(since), pageSize: 100, limit: 500 });
    } catch (error) {
      throw toProviderError(error);
    }
    return listed
      .filter((sent) => sent.direction !== 'inbound')
      .filter((sent) => !config.from || !sent.from || sent.from === config.from)
      .filter((sent) => !config.messagingServiceSid || sent.messagingServiceSid === config.messagingServiceSid)
      .filter((sent) => sent.body === sms.text)
      .filter((sent) => !sent.dateCreated || sent.dateCreated.getTime() >= since)
      .sort((a, b) => (a.dateCreated?.getTime() ?? 0) - (b.dateCreated?.getTime() ?? 0))
      .map((sent) => {
        const result: SendResult = { providerId: sent.sid, encoding: sms.encoding, segments: sms.segments };
        const status = deliveryStatus(sent.status);
        if (status !== undefined) result.status = status;
        return result;
      });
  }

  return {
    channel: SMS_CHANNEL,
    findSent,
    rate: rateFor(config.messagesPerSecond),
    webhooks: twilioWebhooks(config.authToken),
    send,
    threadStaysOnDevice: true,
    // Twilio does not deliver a refused webhook again (error 11217: its webhooks do not support rate limiting).
    retriesRefusedWebhooks: false,
  };
}

/** A whole number of messages per window, as the queue limiter needs (0.5/s -> 1 per 2 s). */
export function rateFor(messagesPerSecond: number): ChannelRate {
  if (Number.isInteger(messagesPerSecond)) return { max: messagesPerSecond, durationMs: 1000 };
  return { max: 1, durationMs: Math.round(1000 / messagesPerSecond) };
}

function secondsLeft(queuedAt: Date, maxQueueSeconds: number): number {
  return Math.floor(maxQueueSeconds - (Date.now() - queuedAt.getTime()) / 1000);
}
