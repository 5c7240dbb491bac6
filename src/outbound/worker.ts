/**
 * The outbound worker of one channel: sends queued messages through the channel adapter at the
 * channel's pace (evenly spaced slots shared through Redis, see src/outbound/pacer.ts, and a gap per
 * address), stores the provider's
 * id, and decides from the error class what a failure means:
 *   rate limited        -> the whole queue waits retryAfter, the job goes back untouched;
 *   network/unavailable -> retried with capped exponential backoff, failed after the last try;
 *   recipient stopped   -> identity marked stopped, never retried;
 *   rejected            -> failed, never retried.
 * A message is marked `sending` before the provider is called. If a worker dies between the call
 * and recording its result, the retried job finds `sending`. Where the adapter can read back what
 * the provider holds (`findSent`: SMS, Slack), the send is reconciled: a provider message that
 * matches and is not already recorded for another of our messages marks it `sent` with that id;
 * none means it never reached the provider, and it is sent again. Where the provider cannot tell
 * (Telegram, or the read-back still failed at the last try) the message is not sent again: it is
 * marked `unconfirmed` and its job lands in the dead-letter list for a person to check. A read-back
 * that fails for a transient reason (the provider is down) is tried again with the job's backoff.
 * The same holds for a send whose answer was lost on the way (a reset or timeout after the request
 * left, ProviderNetworkError without `neverSent`) on a channel that can read back: the message
 * stays `sending` and the retry reads back before sending again, so a provider that took the
 * message but never answered does not get it twice.
 * Messages to one address leave in the order they were written: a job whose `after` message is
 * still queued or sending waits for it (src/outbound/outbox.ts sets `after`).
 */
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ChannelAdapter } from '../channels/adapter.js';
import { stopIdentity } from '../conversation/contacts.js';
import type { Db } from '../db/client.js';
import type { Dialect } from '../db/dialect.js';
import { rawExecute, rawQuery } from '../db/raw.js';
import { ProviderError, ProviderNetworkError, ProviderRateLimitError, RecipientStoppedError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Observations } from '../observer.js';
import { outboundMessageSchema } from '../messages.js';
import type { PersonalData } from '../personal-data.js';
import { KINDS_SENT_WHEN_STOPPED } from './outbox.js';
import { Pacer } from './pacer.js';
import { QUEUE_NAMES, type OutboundJob, type Queues } from '../jobs/queues.js';
import { startWorker } from '../jobs/worker.js';

/** Statuses of a message that has not left yet. */
const NOT_LEFT = ['queued', 'sending'];
/** How long a message waits for its predecessor to the same address at the most (ms). */
export const ORDER_WAIT_MS = 120_000;
/** How far before a lost answer's recorded error a read-back looks for the message (ms). */
const LOST_ANSWER_SLACK_MS = 5 * 60_000;
/** How often a waiting message looks again whether its predecessor has left (ms). */
const ORDER_POLL_MS = 100;

/**
 * The message to send with its identity, the status of the message it must follow (`after`, null
 * when none) and the direction and time of the message it answers, in one statement
 * (src/db/raw.ts): (after, id).
 */
const TAKE_MESSAGE = `SELECT m."id", m."direction", m."status", m."kind", m."createdAt", m."updatedAt", m."bodyEnc", m."threadOf",
  m."errorCode", m."causeId", i."id" AS "identityId", i."addressEnc", i."stoppedAt", b."status" AS "beforeStatus",
  c."direction" AS "causeDirection", c."createdAt" AS "causeAt"
  FROM {Message} m LEFT JOIN {ContactIdentity} i ON i."id" = m."identityId" LEFT JOIN {Message} b ON b."id" = ?
  LEFT JOIN {Message} c ON c."id" = m."causeId" WHERE m."id" = ?`;
interface SendRow {
  id: string;
  direction: string;
  status: string;
  kind: string;
  createdAt: Date;
  updatedAt: Date;
  bodyEnc: string;
  threadOf: string | null;
  errorCode: string | null;
  causeId: string | null;
  identityId: string | null;
  addressEnc: string | null;
  stoppedAt: Date | null;
  beforeStatus: string | null;
  causeDirection: string | null;
  causeAt: Date | null;
}
/** Claimed only if still queued: (updatedAt, id). */
const CLAIM = `UPDATE {Message} SET "status" = 'sending', "updatedAt" = ? WHERE "id" = ? AND "status" = 'queued'`;
/** Handed to the provider: (status, providerId, sentAt, encoding, segments, updatedAt, id). */
const MARK_SENT = `UPDATE {Message} SET "status" = ?, "providerId" = ?, "sentAt" = ?, "encoding" = ?, "segments" = ?,
  "errorCode" = NULL, "errorMessage" = NULL, "updatedAt" = ? WHERE "id" = ?`;

export interface OutboundWorkerDeps {
  db: Db;
  dialect: Dialect;
  redis: Redis;
  queues: Queues;
  personalData: PersonalData;
  logger: Logger;
  adapter: ChannelAdapter;
  /** Told of each send's outcome, the pacer's holds and the reply latency (metrics). */
  observe: Observations;
  lockDurationMs: number;
  backoffMs: number;
  concurrency?: number;
}

export function startOutboundWorker(deps: OutboundWorkerDeps): Worker<OutboundJob> {
  const { db, dialect, adapter, personalData, logger, observe } = deps;
  const channel = adapter.channel;
  const queue = deps.queues.outbound(channel);
  const pacer = new Pacer(deps.redis, `${deps.queues.settings.prefix}:pace:${channel}`, adapter.rate);

  const fail = async (id: string, code: string, text: string) => {
    await db.message.update({ where: { id }, data: { status: 'failed', errorCode: code, errorMessage: text.slice(0, 500) } });
    observe.outbound(channel, 'failed');
  };

  /** Reply latency: from the answered message's arrival to now. */
  const observeLatency = (message: SendRow) => {
    if (message.kind !== 'reply' || message.causeDirection !== 'in' || !message.causeAt) return;
    observe.replyLatency(channel, Math.max(0, Date.now() - message.causeAt.getTime()) / 1000);
  };

  /**
   * Settles an interrupted send by asking the provider (see the header). Returns 'sent' when the
   * message was found and recorded, 'not_sent' when the provider holds none (the message is put
   * back to queued), 'undecided' when the channel cannot tell or the read-back failed. A
   * transient read-back failure is thrown instead while `retryable` (tries remain).
   */
  const reconcile = async (
    message: {
      id: string;
      bodyEnc: string;
      threadOf: string | null;
      updatedAt: Date;
      errorCode: string | null;
      identity: { addressEnc: string } | null;
    },
    retryable: boolean,
  ): Promise<'sent' | 'not_sent' | 'undecided'> => {
    if (!adapter.findSent || !message.identity) return 'undecided';
    const body = outboundMessageSchema.parse(JSON.parse(personalData.decrypt(message.bodyEnc)));
    const address = personalData.decrypt(message.identity.addressEnc);
    const root = message.threadOf ? await db.message.findUnique({ where: { id: message.threadOf }, select: { providerId: true } }) : null;
    // The claim set the status to `sending`; since then only a lost answer's error may have been
    // recorded, up to a client timeout after the call: five minutes before that write cover it.
    const since = new Date(message.updatedAt.getTime() - (message.errorCode ? LOST_ANSWER_SLACK_MS : 0));
    let found;
    try {
      found = await adapter.findSent(address, body, { messageId: message.id, since, threadId: root?.providerId ?? undefined });
    } catch (error) {
      if (retryable && error instanceof ProviderError && error.retryable) {
        logger.warn({ channel, messageId: message.id, error: error.name }, 'could not read back an interrupted send; trying again later');
        throw error;
      }
      logger.warn({ channel, messageId: message.id, error: error instanceof Error ? error.name : String(error) }, 'could not read back an interrupted send; left for a person');
      return 'undecided';
    }
    for (const candidate of found) {
      // The same text to the same address may have been sent by another of our messages.
      const taken = await db.message.findFirst({ where: { channel, direction: 'out', providerId: candidate.providerId, NOT: { id: message.id } }, select: { id: true } });
      if (taken) continue;
      const marked = await db.message.updateMany({
        where: { id: message.id, status: 'sending' },
        data: {
          status: candidate.status === 'delivered' || candidate.status === 'read' ? candidate.status : 'sent',
          providerId: candidate.providerId,
          sentAt: new Date(),
          encoding: candidate.encoding ?? null,
          segments: candidate.segments ?? null,
          errorCode: null,
          errorMessage: null,
        },
      });
      logger.info({ channel, messageId: message.id, reconciled: 'sent' }, 'interrupted send found at the provider; marked sent');
      return 'sent'; // (or settled meanwhile by another worker: nothing left to do either way)
    }
    const requeued = await db.message.updateMany({ where: { id: message.id, status: 'sending' }, data: { status: 'queued' } });
    logger.info({ channel, messageId: message.id, reconciled: 'not_sent' }, 'interrupted send not found at the provider; sending it again');
    void requeued; // when settled meanwhile, the claim below finds it no longer queued and stops
    return 'not_sent';
  };

  const process = async (job: Job<OutboundJob>, token?: string): Promise<void> => {
    const { messageId } = job.data;
    const [row] = await rawQuery<SendRow>(db, dialect, TAKE_MESSAGE, job.data.after ?? null, messageId);
    if (!row || row.direction !== 'out') throw new UnrecoverableError(`outbound message ${messageId} not found`);
    const message = { ...row, identity: row.identityId ? { id: row.identityId, addressEnc: row.addressEnc!, stoppedAt: row.stoppedAt } : null };
    const lastTry = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (message.status === 'sending') {
      const settled = await reconcile(message, !lastTry);
      if (settled === 'sent') {
        observe.outbound(channel, 'reconciled');
        return;
      }
      if (settled === 'undecided') {
        await db.message.update({ where: { id: messageId }, data: { status: 'unconfirmed', errorCode: 'interrupted' } });
        observe.outbound(channel, 'unconfirmed');
        throw new UnrecoverableError('a send was interrupted before its result was recorded; not sent again to avoid a duplicate');
      }
      // 'not_sent': the provider never got it; it was put back to queued and is sent below.
    } else if (message.status !== 'queued') return; // sent already, or cancelled
    // Per-address order: a message waits while the one written before it to this address has
    // not left, for at most ORDER_WAIT_MS after it was written (a lost predecessor must not
    // hold the conversation for ever). Checked before the message may be failed below (its
    // contact opted out or erased): a failed message counts as left, and the one after it must
    // not overtake the one before it (a STOP confirmation before the answer to an earlier HELP).
    if (message.beforeStatus && NOT_LEFT.includes(message.beforeStatus) && Date.now() - message.createdAt.getTime() < ORDER_WAIT_MS) {
      await job.moveToDelayed(Date.now() + ORDER_POLL_MS, token);
      throw new DelayedError();
    }
    const identity = message.identity;
    if (!identity) {
      await fail(messageId, 'no_identity', 'the contact was erased');
      return;
    }
    if (identity.stoppedAt && !KINDS_SENT_WHEN_STOPPED.includes(message.kind)) {
      await fail(messageId, 'stopped', 'the contact opted out on this channel');
      return;
    }
    const gap = adapter.rate.perAddressGapMs;
    if (gap) {
      const key = `${deps.queues.settings.prefix}:gap:${channel}:${identity.id}`;
      const free = await deps.redis.set(key, '1', 'PX', gap, 'NX');
      if (!free) {
        const wait = Math.max(10, await deps.redis.pttl(key));
        await job.moveToDelayed(Date.now() + wait, token);
        throw new DelayedError();
      }
    }
    const body = outboundMessageSchema.parse(JSON.parse(personalData.decrypt(message.bodyEnc)));
    const address = personalData.decrypt(identity.addressEnc);
    const root = message.threadOf ? await db.message.findUnique({ where: { id: message.threadOf }, select: { providerId: true } }) : null;
    // Wait for the pace first: a crash while waiting then leaves the message queued (sent later),
    // not `sending` (never resent). Only one short write stands between the slot and the call.
    observe.paced(channel, (await pacer.wait()) / 1000);
    // Claimed only if still queued: a message cancelled while its job waited is not sent.
    if ((await rawExecute(db, dialect, CLAIM, new Date(), messageId)) === 0) return;
    try {
      const result = await adapter.send(address, body, { messageId, queuedAt: message.createdAt, threadId: root?.providerId ?? undefined });
      // Accepted by the provider is `sent` for us, even when the provider calls it queued:
      // `queued` is ours and means "not handed over yet".
      const status = result.status === 'delivered' || result.status === 'read' ? result.status : 'sent';
      const now = new Date();
      await rawExecute(db, dialect, MARK_SENT, status, result.providerId, now, result.encoding ?? null, result.segments ?? null, now, messageId);
      observe.outbound(channel, 'sent');
      observeLatency(message);
    } catch (error) {
      if (error instanceof ProviderRateLimitError) {
        await db.message.update({ where: { id: messageId }, data: { status: 'queued' } });
        logger.warn({ channel, retryAfterMs: error.retryAfterMs }, 'provider rate limit; pausing the channel queue');
        observe.outbound(channel, 'rate_limited');
        await queue.rateLimit(error.retryAfterMs);
        throw Worker.RateLimitError();
      }
      if (error instanceof RecipientStoppedError) {
        await stopIdentity(db, identity.id);
        await fail(messageId, String(error.code ?? 'stopped'), error.message);
        throw new UnrecoverableError(`recipient stopped: ${error.message}`);
      }
      if (error instanceof ProviderError && !error.retryable) {
        await fail(messageId, String(error.code ?? 'rejected'), error.message);
        throw new UnrecoverableError(`rejected by the provider: ${error.message}`);
      }
      // Transient (network, 5xx) or unexpected: try again later, fail after the last attempt.
      const last = lastTry;
      const code = error instanceof ProviderError ? String(error.code ?? error.name) : 'error';
      const text = error instanceof Error ? error.message : String(error);
      if (error instanceof ProviderNetworkError && !error.neverSent && adapter.findSent) {
        // The provider may have taken it: leave it `sending`, so the retry reads back first.
        if (last) {
          await db.message.update({ where: { id: messageId }, data: { status: 'unconfirmed', errorCode: code, errorMessage: text.slice(0, 500) } });
          observe.outbound(channel, 'unconfirmed');
        } else {
          await db.message.update({ where: { id: messageId }, data: { errorCode: code, errorMessage: text.slice(0, 500) } });
          observe.outbound(channel, 'retry');
        }
        logger.warn({ channel, messageId, code }, 'send answer lost; reading back before sending again');
        throw error;
      }
      if (last) await fail(messageId, code, text);
      else {
        await db.message.update({ where: { id: messageId }, data: { status: 'queued', errorCode: code, errorMessage: text.slice(0, 500) } });
        observe.outbound(channel, 'retry');
      }
      throw error;
    }
  };

  return startWorker<OutboundJob>(
    deps.queues,
    {
      queue: QUEUE_NAMES.outbound(channel),
      label: 'outbound',
      processor: process,
      describe: (job) => ({ channel, messageId: job?.data.messageId }),
      failedLevel: 'warn',
    },
    {
      lockDurationMs: deps.lockDurationMs,
      backoffMs: deps.backoffMs,
      // Enough jobs in flight to keep the pace while each waits for the provider's answer.
      concurrency: deps.concurrency ?? Math.max(2, Math.min(50, Math.ceil((adapter.rate.max * 1000) / adapter.rate.durationMs))),
      onFailure: observe.jobFailed,
      // A provider's 429 holds the channel's queue for its Retry-After (see `process`).
      rateLimitable: true,
    },
    logger,
  );
}
