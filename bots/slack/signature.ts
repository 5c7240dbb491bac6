/**
 * Slack request signatures: `X-Slack-Signature` = `v0=` + hex(HMAC-SHA256(signing secret,
 * `v0:{timestamp}:{raw body}`)), with `X-Slack-Request-Timestamp` in seconds.
 */
import { isValidSlackRequest } from '@slack/bolt';
import type { WebhookRequest } from '../../src/channels/adapter.js';

/** A request whose timestamp is further than this from our clock (either way) is refused. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

/**
 * True when the request carries a valid Slack signature made within five minutes of `nowMs`.
 * The signature is compared in constant time by the SDK's own helper; we add the check that the
 * timestamp is not in the future, which the helper leaves out.
 */
export function verifySlackSignature(request: WebhookRequest, signingSecret: string, nowMs: number): boolean {
  const signature = request.headers['x-slack-signature'];
  const timestampHeader = request.headers['x-slack-request-timestamp'];
  if (!signingSecret || !signature || !timestampHeader || !/^\d{1,12}$/.test(timestampHeader)) return false;
  const timestamp = Number(timestampHeader);
  if (Math.abs(nowMs / 1000 - timestamp) > MAX_CLOCK_SKEW_SECONDS) return false;
  return isValidSlackRequest({
    signingSecret,
    body: request.rawBody,
    headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
    nowMilliseconds: nowMs,
  });
}
