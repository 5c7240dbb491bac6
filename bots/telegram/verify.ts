import { createHash, timingSafeEqual } from 'node:crypto';

/** The header Telegram fills with the secret_token given to setWebhook. */
export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/**
 * Whether a webhook call carries our secret. Constant time: both sides are hashed to equal-length
 * digests before timingSafeEqual, so neither the content nor the length of the secret leaks.
 * A missing header or a missing configured secret gives false.
 */
export function hasWebhookSecret(headers: Record<string, string | undefined>, secret: string | undefined): boolean {
  const given = headers[SECRET_HEADER];
  if (given === undefined || secret === undefined || secret === '') return false;
  return timingSafeEqual(digest(given), digest(secret));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
