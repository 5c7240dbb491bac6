/**
 * The environment of a gateway under a bench: production mode on a free loopback port, quiet
 * logs, no console channel, SMS through the Twilio fake at `apiBase` with the test credentials
 * (test/support/providers.ts signs the webhooks with them) and no pacing of our own in the way.
 * Each bench adds its own database, data folder or queue prefix.
 */
import { PUBLIC_URL, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN } from '../../test/support/providers.js';

export function smsGatewayEnv(redisUrl: string, apiBase: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: redisUrl,
    DATA_ENCRYPTION_KEY: 'c'.repeat(64),
    LOG_LEVEL: 'warn',
    CONSOLE_CHANNEL: 'false',
    PUBLIC_URL,
    TWILIO_ACCOUNT_SID: TWILIO_SID,
    TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
    TWILIO_FROM,
    TWILIO_API_BASE: apiBase,
    TWILIO_MESSAGES_PER_SECOND: '100000',
  };
}
