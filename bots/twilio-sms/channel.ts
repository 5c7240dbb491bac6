/** The SMS channel (Twilio) as the gateway registers it: its variables, when it is on, its adapter. */
import { z } from 'zod';
import { defineChannel, requiredWith } from '../../src/channels/module.js';
import { settingTypes } from '../../src/config.js';
import { createTwilioSmsAdapter } from './adapter.js';
import { MAX_SMS_CHARACTERS, renderSms } from './render.js';
import { DEFAULT_API_BASE, DEFAULT_MAX_QUEUE_SECONDS, DEFAULT_MESSAGES_PER_SECOND, DEFAULT_REQUEST_TIMEOUT_MS } from './options.js';

const settings = z.object({
  TWILIO_ACCOUNT_SID: z.string().regex(/^AC[0-9a-fA-F]{32}$/, { message: 'AC followed by 32 hex characters' }).optional(),
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  TWILIO_FROM: z.string().regex(/^\+?[0-9A-Za-z]{3,15}$/, { message: 'an E.164 number like +15551234567 or an alphanumeric sender' }).optional(),
  TWILIO_MESSAGING_SERVICE_SID: z.string().regex(/^MG[0-9a-fA-F]{32}$/, { message: 'MG followed by 32 hex characters' }).optional(),
  TWILIO_API_BASE: settingTypes.httpUrl.default(DEFAULT_API_BASE),
  TWILIO_MESSAGES_PER_SECOND: settingTypes.positive('messages per second > 0').default(DEFAULT_MESSAGES_PER_SECOND),
  TWILIO_MAX_QUEUE_SECONDS: settingTypes.positive('seconds > 0').default(DEFAULT_MAX_QUEUE_SECONDS),
  TWILIO_REQUEST_TIMEOUT_MS: settingTypes.positive('milliseconds > 0').default(DEFAULT_REQUEST_TIMEOUT_MS),
});

export const twilioSmsChannel = defineChannel({
  name: 'sms',
  settings,
  enabled: (values) => values.TWILIO_ACCOUNT_SID !== undefined,
  problems: (values) => {
    if (values.TWILIO_ACCOUNT_SID === undefined) {
      return values.TWILIO_AUTH_TOKEN !== undefined ? ['TWILIO_ACCOUNT_SID: required when TWILIO_AUTH_TOKEN is set (SMS channel)'] : [];
    }
    const problems = requiredWith(values, 'SMS', 'TWILIO_ACCOUNT_SID', ['TWILIO_AUTH_TOKEN']);
    if (values.TWILIO_FROM === undefined && values.TWILIO_MESSAGING_SERVICE_SID === undefined) {
      problems.push('TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID: one is required when TWILIO_ACCOUNT_SID is set (SMS channel)');
    }
    return problems;
  },
  receivesWebhooks: () => true,
  measure: (message) => {
    const sms = renderSms(message);
    return { characters: sms.characters, encoding: sms.encoding, segments: sms.segments, tooLong: sms.characters > MAX_SMS_CHARACTERS };
  },
  create: (values, { logger, publicUrl }) =>
    createTwilioSmsAdapter(
      {
        accountSid: values.TWILIO_ACCOUNT_SID!,
        authToken: values.TWILIO_AUTH_TOKEN!,
        from: values.TWILIO_FROM,
        messagingServiceSid: values.TWILIO_MESSAGING_SERVICE_SID,
        apiBase: values.TWILIO_API_BASE,
        publicUrl,
        messagesPerSecond: values.TWILIO_MESSAGES_PER_SECOND,
        maxQueueSeconds: values.TWILIO_MAX_QUEUE_SECONDS,
        requestTimeoutMs: Math.round(values.TWILIO_REQUEST_TIMEOUT_MS),
      },
      logger,
    ),
});
