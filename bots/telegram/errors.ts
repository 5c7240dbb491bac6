/**
 * Turns what the SDK throws into the gateway's provider errors. The resulting errors carry the
 * method, Telegram's error code and description, and never the request payload (chat id, text)
 * nor the URL (it holds the bot token): they are safe to log.
 */
import { GrammyError, HttpError } from 'grammy';
import {
  ProviderError,
  ProviderNetworkError,
  ProviderRateLimitError,
  ProviderRejectedError,
  ProviderUnavailableError,
  RecipientStoppedError,
} from '../../src/errors.js';

/** Wait used when a 429 comes without `retry_after`. */
const DEFAULT_RETRY_AFTER_MS = 1000;

/**
 * Maps an SDK error to a ProviderError subclass:
 * 429 → ProviderRateLimitError (retry_after in ms), 403 (blocked, deactivated, kicked) →
 * RecipientStoppedError, other 4xx → ProviderRejectedError, 5xx → ProviderUnavailableError,
 * no answer (refused, reset, timeout, unreadable body) → ProviderNetworkError.
 * Anything else (a bug of ours) is returned unchanged.
 */
export function toProviderError(error: unknown, method: string): unknown {
  if (error instanceof ProviderError) return error;
  if (error instanceof GrammyError) {
    const code = error.error_code;
    const message = `Telegram ${method} failed (${code}: ${error.description})`;
    if (code === 429) {
      const retryAfter = error.parameters.retry_after;
      const retryAfterMs = typeof retryAfter === 'number' ? retryAfter * 1000 : DEFAULT_RETRY_AFTER_MS;
      return new ProviderRateLimitError(message, retryAfterMs, code);
    }
    if (code === 403) return new RecipientStoppedError(message, code);
    if (code >= 500) return new ProviderUnavailableError(message, code);
    return new ProviderRejectedError(message, code);
  }
  if (error instanceof HttpError) {
    // error.error may be a fetch error whose message contains the URL, hence the token: keep only its code.
    const inner = error.error as { code?: unknown; type?: unknown } | undefined;
    const code =
      typeof inner?.code === 'string'
        ? inner.code
        : inner instanceof Error && inner.message.includes('timed out')
          ? 'timeout'
          : typeof inner?.type === 'string'
            ? inner.type
            : undefined;
    return new ProviderNetworkError(`Telegram ${method}: no usable answer${code === undefined ? '' : ` (${code})`}`, code);
  }
  return error;
}
