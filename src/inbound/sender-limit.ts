/**
 * Rate limit per sender on the webhooks: how many inbound messages one address (a phone number,
 * a Telegram chat, a Slack user) may send through a channel's webhooks in a window, counted by
 * @fastify/rate-limit (its local store: the count is per gateway process). The key is the
 * channel and the keyed hash of the address as parsed (src/personal-data.ts): the address itself
 * is never kept, and neither is written to a log.
 *
 * What happens to a message over the limit depends on what its provider does with a refusal,
 * so that nothing is lost:
 * - a provider that retries a refused webhook and suffers nothing from the refusal (Slack retries
 *   an event three times over about five minutes, and a refused button press shows the person an
 *   error) gets 429 with `Retry-After`, and nothing is stored: the message comes back once the
 *   window has passed;
 * - a provider that does not retry (Twilio: a 429 is logged as error 11200/11217 and the message
 *   goes to the fallback URL, if any), or whose retry of one refused update slows the others
 *   (Telegram delivers a chat's updates in order, holding its later ones behind a refused one, and
 *   lowers the delivery rate of a webhook that keeps answering errors), gets its 200: the message
 *   is stored as usual and its processing is deferred by what is left of the window, so a flood is
 *   answered at the limit's pace instead of at once.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { InboundEvent } from '../channels/adapter.js';
import type { PersonalData } from '../personal-data.js';

export interface SenderLimitSettings {
  /** Messages one address may send per window on one channel; 0 turns the limit off. */
  max: number;
  /** The window, in ms. */
  windowMs: number;
}

export type SenderVerdict = { over: false } | { over: true; retryAfterMs: number };

/** Checks (and counts) the senders of one webhook's events. */
export type SenderLimiter = (request: FastifyRequest, channel: string, events: InboundEvent[]) => Promise<SenderVerdict>;

const SENDER = Symbol('webhook sender key');
type Keyed = FastifyRequest & { [SENDER]?: string };

/**
 * A limiter for the webhook routes of `app` (the rate-limit plugin must be registered on it or
 * a parent). Every event counts once for its sender; the verdict is "over" when any sender of
 * the request is over its limit, with the longest wait among them.
 */
export function senderLimiter(app: FastifyInstance, settings: SenderLimitSettings, personalData: PersonalData): SenderLimiter {
  if (settings.max <= 0) return async () => ({ over: false });
  const check = app.createRateLimit({ max: settings.max, timeWindow: settings.windowMs, keyGenerator: (request) => (request as Keyed)[SENDER] ?? '' });
  return async (request, channel, events) => {
    let retryAfterMs = 0;
    for (const event of events) {
      (request as Keyed)[SENDER] = `webhook-sender:${channel}:${personalData.hash(channel, event.address)}`;
      const result = await check(request);
      if (!result.isAllowed && result.isExceeded) retryAfterMs = Math.max(retryAfterMs, result.ttl, 1);
    }
    delete (request as Keyed)[SENDER];
    return retryAfterMs > 0 ? { over: true, retryAfterMs } : { over: false };
  };
}
