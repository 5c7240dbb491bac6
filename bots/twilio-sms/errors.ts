/**
 * Maps what the REST client throws onto the gateway's provider errors, by HTTP status and the
 * provider's error code. The resulting errors never carry the provider's text or the failed
 * request as a cause: both may contain the recipient's number or the message body.
 */
import twilio from 'twilio';
import {
  ProviderNetworkError,
  ProviderRateLimitError,
  ProviderRejectedError,
  ProviderUnavailableError,
  RecipientStoppedError,
  type ProviderError,
} from '../../src/errors.js';
import { TwilioResponseError } from './client.js';

/** The recipient replied STOP (or similar) to this sender. */
export const UNSUBSCRIBED_RECIPIENT = 21610;
/** Too many concurrent requests for the account. */
export const TOO_MANY_REQUESTS = 20429;
/** How long to wait after a 429 that carries no Retry-After. */
export const DEFAULT_RETRY_AFTER_MS = 1000;

/**
 * The provider error for a failed API call. Anything that is neither an HTTP error response nor
 * a network failure (a bug on our side) is returned unchanged.
 */
export function toProviderError(error: unknown): ProviderError | unknown {
  if (error instanceof twilio.RestException) {
    const status = error.status;
    const code = error.code;
    const what = `SMS API answered HTTP ${status}${code === undefined ? '' : ` with error ${code}`}`;
    if (code === UNSUBSCRIBED_RECIPIENT) return new RecipientStoppedError(`${what} (recipient unsubscribed)`, code);
    if (status === 429 || code === TOO_MANY_REQUESTS) {
      const retryAfter = error instanceof TwilioResponseError ? error.retryAfterMs : undefined;
      return new ProviderRateLimitError(what, retryAfter ?? DEFAULT_RETRY_AFTER_MS, code ?? status);
    }
    if (status >= 500) return new ProviderUnavailableError(what, code ?? status);
    return new ProviderRejectedError(what, code ?? status);
  }
  const networkCode = networkErrorCode(error);
  if (networkCode !== undefined) return new ProviderNetworkError(`SMS API unreachable (${networkCode})`, networkCode);
  return error;
}

/** ECONNREFUSED, ECONNRESET, ETIMEDOUT, ECONNABORTED (request timeout), ENOTFOUND... */
function networkErrorCode(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { code, isAxiosError } = error as { code?: unknown; isAxiosError?: unknown };
  if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
  if (isAxiosError === true) return typeof code === 'string' ? code : 'ERR_NETWORK';
  return undefined;
}
