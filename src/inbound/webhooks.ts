/**
 * Webhook routes of every enabled channel. For each request: verify the provider's signature
 * (401, nothing stored, when it fails), parse (400 when malformed: empty or malformed sender
 * addresses included), check the senders' rate limit (429, or deferred processing, see
 * sender-limit.ts), store and queue the events, apply delivery statuses, then answer. Logs name
 * the channel and path, never the body or an address.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ChannelAdapter, WebhookRequest, WebhookResult } from '../channels/adapter.js';
import { MalformedPayloadError } from '../errors.js';
import { applyStatus, ingest, type IngestDeps } from './ingest.js';
import { senderLimiter, type SenderLimitSettings } from './sender-limit.js';
import type { IngestBatcher } from './ingest-batch.js';
import type { Logger } from '../logger.js';
import type { Observations } from '../observer.js';
import { isIllFormedText } from '../well-formed-text.js';

export interface WebhookDeps extends IngestDeps {
  adapters: ChannelAdapter[];
  /** Stores and queues inbound events, several webhooks per transaction. */
  batcher: IngestBatcher;
  publicUrl: string;
  logger: Logger;
  /** False while the gateway shuts down: webhooks are refused with 503 so providers retry later. */
  accepting: () => boolean;
  /** Inbound messages per sender and window (WEBHOOK_SENDER_MAX, WEBHOOK_SENDER_WINDOW_SECONDS); none: no limit. */
  senderLimit?: SenderLimitSettings;
  /** Told of each event's outcome and of refused webhooks (metrics). */
  observe: Observations;
}

function headersOf(request: FastifyRequest): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

function toWebhookRequest(request: FastifyRequest, publicUrl: string): WebhookRequest {
  const headers = headersOf(request);
  return {
    path: request.url.split('?')[0] ?? request.url,
    publicUrl: `${publicUrl}${request.url}`,
    headers,
    rawBody: typeof request.body === 'string' ? request.body : '',
  };
}

/**
 * The first field of a parsed webhook stored or looked up as plain text (provider ids, message
 * ids, language hints; not the encrypted or hashed address and message) that the database
 * cannot hold (src/well-formed-text.ts), or undefined.
 */
function illFormedField(result: WebhookResult): string | undefined {
  for (const event of result.events ?? []) {
    for (const [name, value] of [['providerId', event.providerId], ['address', event.address], ['chatMessageId', event.chatMessageId], ['languageHint', event.languageHint]] as const) {
      if (value !== undefined && isIllFormedText(value)) return `event.${name}`;
    }
  }
  for (const status of result.statuses ?? []) {
    for (const [name, value] of [['providerId', status.providerId], ['errorCode', status.errorCode], ['errorMessage', status.errorMessage]] as const) {
      if (value !== undefined && isIllFormedText(value)) return `status.${name}`;
    }
  }
  return undefined;
}

export async function webhookRoutes(app: FastifyInstance, deps: WebhookDeps): Promise<void> {
  // Signatures are computed over the body as sent: keep every body as a raw string here.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  const overLimit = senderLimiter(app, deps.senderLimit ?? { max: 0, windowMs: 60_000 }, deps.personalData);

  for (const adapter of deps.adapters) {
    for (const route of adapter.webhooks) {
      app.post(route.path, async (request, reply) => {
        const log = { channel: adapter.channel, path: route.path };
        if (!deps.accepting()) return reply.code(503).header('retry-after', '5').send({ error: 'shutting down' });
        const webhook = toWebhookRequest(request, deps.publicUrl);
        if (!route.verify(webhook)) {
          deps.logger.warn(log, 'webhook rejected: missing or invalid signature');
          deps.observe.inbound(adapter.channel, 'invalid_signature');
          return reply.code(401).send({ error: 'invalid signature' });
        }
        let result;
        try {
          result = await route.parse(webhook);
        } catch (error) {
          if (error instanceof MalformedPayloadError) {
            deps.logger.warn({ ...log, reason: error.message }, 'webhook rejected: malformed payload');
            deps.observe.inbound(adapter.channel, 'malformed');
            return reply.code(400).send({ error: 'malformed payload' });
          }
          throw error;
        }
        const illFormed = illFormedField(result);
        if (illFormed !== undefined) {
          deps.logger.warn({ ...log, field: illFormed }, 'webhook rejected: a NUL character or an unpaired surrogate in a stored field');
          return reply.code(400).send({ error: 'malformed payload' });
        }
        let queued = 0;
        let duplicates = 0;
        const events = result.events ?? [];
        const verdict = await overLimit(request, adapter.channel, events);
        let deferMs: number | undefined;
        if (verdict.over) {
          // Counts only: the sender's address and its hash stay out of the log.
          if (adapter.retriesRefusedWebhooks !== false) {
            deps.logger.warn({ ...log, events: events.length, retryAfterMs: verdict.retryAfterMs }, 'webhook refused: a sender is over its rate limit (the provider retries)');
            deps.observe.inbound(adapter.channel, 'rate_limited');
            return reply.code(429).header('retry-after', String(Math.ceil(verdict.retryAfterMs / 1000))).send({ error: 'too many messages from this sender' });
          }
          deferMs = verdict.retryAfterMs;
          deps.logger.warn({ ...log, events: events.length, deferMs }, 'webhook deferred: a sender is over its rate limit (stored, processed later)');
        }
        const outcomes = await Promise.all(events.map((event) => (deferMs ? ingest(deps, adapter.channel, event, { delayMs: deferMs }) : deps.batcher.ingest(adapter.channel, event))));
        for (const outcome of outcomes) {
          if (outcome === 'queued') queued += 1;
          else duplicates += 1;
          deps.observe.inbound(adapter.channel, outcome);
        }
        let unknownStatuses = 0;
        for (const status of result.statuses ?? []) {
          if (!(await applyStatus(deps.db, adapter.channel, status))) unknownStatuses += 1;
        }
        deps.logger.debug({ ...log, queued, duplicates, statuses: result.statuses?.length ?? 0, unknownStatuses }, 'webhook handled');
        if (result.reply) {
          return reply.code(result.reply.status ?? 200).header('content-type', result.reply.contentType).send(result.reply.body);
        }
        return reply.code(200).send({ ok: true });
      });
    }
  }
}

/** The channels' other routes (the console inbox): plain requests, answered by the adapter. */
export async function channelRoutes(app: FastifyInstance, adapters: ChannelAdapter[]): Promise<void> {
  for (const adapter of adapters) {
    for (const route of adapter.routes ?? []) {
      app.route({
        method: route.method,
        url: route.path,
        handler: async (request, reply) => {
          const headers = headersOf(request);
          const query = Object.fromEntries(Object.entries((request.query ?? {}) as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : undefined]));
          // Aborted when the client leaves before its answer (a long poll given up).
          const gone = new AbortController();
          reply.raw.once('close', () => {
            if (!reply.raw.writableFinished) gone.abort();
          });
          try {
            const answer = await route.handle({ headers, query, signal: gone.signal });
            return reply.code(answer.status).send(answer.body);
          } catch (error) {
            if (error instanceof MalformedPayloadError) return reply.code(400).send({ error: 'invalid request', reason: error.message });
            throw error;
          }
        },
      });
    }
  }
}
