/**
 * The channels the gateway can speak. Adding a channel means one folder under bots/ and one
 * entry here: when it is enabled (its credentials are configured) and how to build its adapter.
 */
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { ChannelAdapter } from './adapter.js';
import { createTelegramAdapter } from '../../bots/telegram/index.js';
import { createTwilioSmsAdapter } from '../../bots/twilio-sms/index.js';
import { createSlackAdapter } from '../../bots/slack/index.js';

export interface ChannelEntry {
  name: string;
  enabled(config: Config): boolean;
  create(config: Config, logger: Logger): ChannelAdapter;
}

export const CHANNELS: ChannelEntry[] = [
  {
    name: 'telegram',
    enabled: (config) => config.channels.telegram,
    create: (config, logger) =>
      createTelegramAdapter(
        { botToken: config.TELEGRAM_BOT_TOKEN!, webhookSecret: config.TELEGRAM_WEBHOOK_SECRET, apiRoot: config.TELEGRAM_API_ROOT, mode: config.TELEGRAM_MODE },
        logger,
      ),
  },
  {
    name: 'sms',
    enabled: (config) => config.channels.sms,
    create: (config, logger) =>
      createTwilioSmsAdapter(
        {
          accountSid: config.TWILIO_ACCOUNT_SID!,
          authToken: config.TWILIO_AUTH_TOKEN!,
          from: config.TWILIO_FROM,
          messagingServiceSid: config.TWILIO_MESSAGING_SERVICE_SID,
          apiBase: config.TWILIO_API_BASE,
          publicUrl: config.publicUrl,
          messagesPerSecond: config.TWILIO_MESSAGES_PER_SECOND,
          maxQueueSeconds: config.TWILIO_MAX_QUEUE_SECONDS,
        },
        logger,
      ),
  },
  {
    name: 'slack',
    enabled: (config) => config.channels.slack,
    create: (config, logger) =>
      createSlackAdapter(
        {
          botToken: config.SLACK_BOT_TOKEN!,
          signingSecret: config.SLACK_SIGNING_SECRET,
          appToken: config.SLACK_APP_TOKEN,
          apiUrl: config.SLACK_API_URL,
          mode: config.SLACK_MODE,
        },
        logger,
      ),
  },
];
