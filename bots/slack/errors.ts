/**
 * Web API failures mapped onto the provider error classes the outbound worker decides from.
 */
import { webApi } from '@slack/bolt';
import {
  ProviderNetworkError,
  ProviderRateLimitError,
  ProviderRejectedError,
  ProviderUnavailableError,
  RecipientStoppedError,
  type ProviderError,
} from '../../src/errors.js';

/**
 * Slack errors meaning the address can no longer be reached: the user or channel is gone,
 * archived, deactivated, or has turned off messages from the app.
 */
export const RECIPIENT_GONE_ERRORS: ReadonlySet<string> = new Set([
  'channel_not_found',
  'is_archived',
  'user_not_found',
  'user_disabled',
  'cannot_dm_bot',
  'messages_tab_disabled',
]);

/**
 * Slack errors about our own token or app (revoked, wrong scopes, workspace gone). Every send
 * fails the same way until an operator fixes the configuration.
 */
export const CONFIGURATION_ERRORS: ReadonlySet<string> = new Set([
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'no_permission',
  'access_denied',
  'not_allowed_token_type',
  'team_access_not_granted',
  'org_login_required',
  'ekm_access_denied',
  'team_not_found',
]);

/** Platform errors Slack documents as its own trouble. */
const SLACK_TROUBLE_ERRORS: ReadonlySet<string> = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

const DEFAULT_RETRY_AFTER_MS = 1000;

/**
 * Maps what WebClient threw:
 * - 429 (WebClient configured to reject rate-limited calls) -> ProviderRateLimitError, Retry-After seconds as ms;
 * - an HTTP status other than 200: 5xx and 408 -> ProviderUnavailableError, others -> ProviderRejectedError;
 * - no answer (refused, reset, timeout) -> ProviderNetworkError;
 * - `ok: false` platform errors: recipient gone -> RecipientStoppedError, Slack's own trouble ->
 *   ProviderUnavailableError, `ratelimited` -> ProviderRateLimitError, anything else (our token,
 *   not_in_channel, invalid_blocks...) -> ProviderRejectedError;
 * - anything unforeseen -> ProviderUnavailableError (retried with backoff, then dead-lettered).
 */
export function toProviderError(error: unknown): ProviderError {
  const options = { cause: error };
  if (error instanceof webApi.WebAPIRateLimitedError) {
    return new ProviderRateLimitError('Slack rate limit', secondsToMs(error.retryAfter), 'ratelimited', options);
  }
  if (error instanceof webApi.WebAPIRequestError) {
    return new ProviderNetworkError(`Slack unreachable: ${error.original.message}`, undefined, options);
  }
  if (error instanceof webApi.WebAPIHTTPError) {
    const { statusCode } = error;
    if (statusCode >= 500 || statusCode === 408) {
      return new ProviderUnavailableError(`Slack answered HTTP ${statusCode}`, statusCode, options);
    }
    return new ProviderRejectedError(`Slack answered HTTP ${statusCode}`, statusCode, options);
  }
  if (error instanceof webApi.WebAPIPlatformError) {
    const code = error.data.error;
    if (code === 'ratelimited' || code === 'rate_limited') {
      return new ProviderRateLimitError('Slack rate limit', secondsToMs(error.data.response_metadata?.retryAfter), code, options);
    }
    if (RECIPIENT_GONE_ERRORS.has(code)) return new RecipientStoppedError(`Slack recipient unreachable: ${code}`, code, options);
    if (SLACK_TROUBLE_ERRORS.has(code)) return new ProviderUnavailableError(`Slack trouble: ${code}`, code, options);
    return new ProviderRejectedError(`Slack refused the message: ${code}`, code, options);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderUnavailableError(`Slack call failed: ${message}`, undefined, options);
}

function secondsToMs(seconds: number | undefined): number {
  return seconds !== undefined && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : DEFAULT_RETRY_AFTER_MS;
}
