/** The SMS channel adapter and what the core needs from it. */
export { createTwilioSmsAdapter, rateFor, SMS_CHANNEL } from './adapter.js';
export {
  DEFAULT_API_BASE,
  DEFAULT_MAX_QUEUE_SECONDS,
  DEFAULT_MESSAGES_PER_SECOND,
  resolveTwilioSmsOptions,
  twilioSmsOptionsSchema,
  type ResolvedTwilioSmsOptions,
  type TwilioSmsOptions,
} from './options.js';
export { MAX_SMS_CHARACTERS, renderSms, type RenderedSms } from './render.js';
export { EMPTY_TWIML, INBOUND_PATH, STATUS_PATH } from './webhooks.js';
export { twilioSmsChannel } from './channel.js';
