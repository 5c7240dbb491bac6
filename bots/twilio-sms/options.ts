/**
 * Options of the SMS channel. The core maps its environment config onto this object:
 *
 * | option                | environment variable           | default                  |
 * |-----------------------|--------------------------------|--------------------------|
 * | accountSid            | TWILIO_ACCOUNT_SID             | required                 |
 * | authToken             | TWILIO_AUTH_TOKEN              | required                 |
 * | from                  | TWILIO_FROM                    | one of from / service    |
 * | messagingServiceSid   | TWILIO_MESSAGING_SERVICE_SID   | one of from / service    |
 * | apiBase               | TWILIO_API_BASE                | https://api.twilio.com   |
 * | publicUrl             | PUBLIC_URL                     | required                 |
 * | messagesPerSecond     | TWILIO_MESSAGES_PER_SECOND     | 1                        |
 * | maxQueueSeconds       | TWILIO_MAX_QUEUE_SECONDS       | 14400 (4 hours)          |
 * | requestTimeoutMs      | TWILIO_REQUEST_TIMEOUT_MS      | 30000                    |
 */
import { z } from 'zod';

/** Where the provider's REST API lives; tests point it at a local fake. */
export const DEFAULT_API_BASE = 'https://api.twilio.com';

/** A long code sends about one segment per second. */
export const DEFAULT_MESSAGES_PER_SECOND = 1;

/**
 * Four hours: the longest the provider itself used to keep a message in its queue (its own
 * validity period maximum before it was raised to 10 hours). A warning still waiting after that
 * is more likely harmful than useful, and failing it visibly lets staff see and resend it; yet
 * it is long enough for a broadcast of about 14,000 one-segment messages at 1 per second.
 */
export const DEFAULT_MAX_QUEUE_SECONDS = 4 * 60 * 60;

/** How long one API call may wait for its answer (the SDK's own default). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The provider's accepted range for a message's validity period, in seconds. */
export const VALIDITY_PERIOD_RANGE = { min: 1, max: 36_000 } as const;

export const twilioSmsOptionsSchema = z
  .object({
    /** Account SID (AC...). */
    accountSid: z.string().min(1),
    /** Auth token: authenticates API calls and signs webhooks. */
    authToken: z.string().min(1),
    /** Sender number in E.164 (or an alphanumeric sender id). */
    from: z.string().min(1).optional(),
    /** Messaging Service SID (MG...); the service picks the sender from its pool. */
    messagingServiceSid: z.string().min(1).optional(),
    /** Base URL of the REST API, without a trailing path. */
    apiBase: z.string().url().default(DEFAULT_API_BASE),
    /** The gateway's public base URL (PUBLIC_URL); status callbacks point at it. */
    publicUrl: z.string().url(),
    /**
     * Messages per second across the whole channel (the sender's throughput). Counted in
     * messages, not segments: a long message uses more of the sender's real throughput.
     */
    messagesPerSecond: z.number().positive().default(DEFAULT_MESSAGES_PER_SECOND),
    /**
     * A message queued longer than this is refused (ProviderRejectedError, code 'expired') and
     * the rest of this time is passed to the provider as the message's validity period.
     */
    maxQueueSeconds: z.number().int().positive().default(DEFAULT_MAX_QUEUE_SECONDS),
    /**
     * Longest an API call may wait for its answer, in ms. A send that times out may still have
     * been taken by the provider: the outbound worker reads back before sending again.
     */
    requestTimeoutMs: z.number().int().positive().default(DEFAULT_REQUEST_TIMEOUT_MS),
  })
  .refine((options) => options.from !== undefined || options.messagingServiceSid !== undefined, {
    message: 'Either from (TWILIO_FROM) or messagingServiceSid (TWILIO_MESSAGING_SERVICE_SID) is required',
    path: ['from'],
  });

/** Options as given to createTwilioSmsAdapter (defaults may be left out). */
export type TwilioSmsOptions = z.input<typeof twilioSmsOptionsSchema>;

/** Options with every default filled in. */
export type ResolvedTwilioSmsOptions = z.output<typeof twilioSmsOptionsSchema>;

/** Checks the options and fills in defaults. Throws a ZodError naming the wrong fields. */
export function resolveTwilioSmsOptions(options: TwilioSmsOptions): ResolvedTwilioSmsOptions {
  return twilioSmsOptionsSchema.parse(options);
}
