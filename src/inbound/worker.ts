/**
 * The inbound worker: runs each stored inbound message through the pipeline (consent, language,
 * session, flow) in a database transaction, then queues the replies. Messages of different
 * contacts taken at about the same time share one transaction (src/jobs/group-commit.ts); when
 * such a group rolls back, each message is run again in a transaction of its own, so a message
 * that fails fails only its own job. A retried job finds the
 * message already processed and only queues its replies again, so a reply is never written twice.
 * Messages of one contact are handled one at a time: a Redis lock per contact, held as long as
 * a job lock (JOB_LOCK_MS) and renewed while the job runs, so a crashed worker holds it no longer
 * than it holds its job. And in the order they arrived: a message waits while an earlier one of
 * the same contact is still unprocessed (its job waiting for the lock, or queued again by the
 * provider's retry after a lost queueing) and arrived less than INBOUND_ORDER_WAIT_MS ago, so a
 * message that will never be processed does not hold the contact for ever.
 *
 * A job names its message's contact (src/inbound/ingest-batch.ts): the worker takes the contact's
 * lock at once and reads the message, its identity and contact and the order check in one
 * statement, in the transaction. A job that does not (a message queued again after it was
 * stored) reads the message first to find the contact, then again under the lock.
 */
import { randomUUID } from 'node:crypto';
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../db/client.js';
import type { Dialect } from '../db/dialect.js';
import { rawExecute, rawQuery } from '../db/raw.js';
import type { Logger } from '../logger.js';
import type { Observations } from '../observer.js';
import { inboundMessageSchema, type InboundMessage } from '../messages.js';
import type { PersonalData } from '../personal-data.js';
import { enqueueAll, writeOutbox } from '../outbound/outbox.js';
import { QUEUE_NAMES, type InboundJob, type Queues } from '../jobs/queues.js';
import { GroupCommit } from '../jobs/group-commit.js';
import { carryOut, commitWork, type Work } from '../jobs/unit-of-work.js';
import { startWorker } from '../jobs/worker.js';
import type { InboundContext } from './pipeline/context.js';

const TAKEN_COLUMNS = `m."id", m."direction", m."status", m."channel", m."contactId", m."createdAt", m."bodyEnc",
  i."id" AS "identityId", i."stoppedAt", c."id" AS "contactFound", c."language", c."areaId", c."fields"`;
const TAKEN_FROM = `FROM {Message} m LEFT JOIN {ContactIdentity} i ON i."id" = m."identityId" LEFT JOIN {Contact} c ON c."id" = m."contactId"
  WHERE m."id" = ?`;
/** The stored message with its identity and contact, read in one statement (src/db/raw.ts): (id). */
const TAKE_MESSAGE = `SELECT ${TAKEN_COLUMNS} ${TAKEN_FROM}`;
interface TakenRow {
  id: string;
  direction: string;
  status: string;
  channel: string;
  contactId: string | null;
  createdAt: Date;
  bodyEnc: string;
  identityId: string | null;
  stoppedAt: Date | null;
  contactFound: string | null;
  language: string | null;
  areaId: string | null;
  fields: string | null;
}
/**
 * The message as TAKE_MESSAGE reads it, with an earlier message of its contact not processed yet
 * that arrived after `since` (`earlierId`, null when none): (since, id).
 */
export const TAKE_WITH_EARLIER = `SELECT ${TAKEN_COLUMNS},
  (SELECT e."id" FROM {Message} e WHERE e."contactId" = m."contactId" AND e."direction" = 'in' AND e."status" = 'received'
    AND e."createdAt" < m."createdAt" AND e."createdAt" > ? LIMIT 1) AS "earlierId"
  ${TAKEN_FROM}`;
const MARK_PROCESSED = `UPDATE {Message} SET "status" = 'processed', "updatedAt" = ? WHERE "id" = ?`;

/**
 * A message to process under its contact's lock. `read` is the message as read before the lock,
 * when the job did not name the contact; without it the message is read once, in the
 * transaction, and `found` tells the job what that read found besides a message to process.
 */
interface Taken {
  messageId: string;
  contactId: string;
  read?: { channel: string; input: InboundMessage };
  /** Set by the transaction: processed already, an earlier message of the contact waits, not found, or the message has another contact now. */
  found?: 'processed' | 'waits' | 'missing' | 'moved';
  /** The message's channel, once read. */
  channel?: string;
}

export interface InboundWorkerDeps {
  db: Db;
  dialect: Dialect;
  redis: Redis;
  queues: Queues;
  personalData: PersonalData;
  logger: Logger;
  pipeline: (ctx: InboundContext) => Promise<void>;
  /** Told of each message processed and each failed try (metrics). */
  observe: Observations;
  defaultLanguage: string;
  /** Jobs taken at once; those of different contacts share transactions (see groupSize). */
  concurrency: number;
  /** Messages per transaction at the most (src/jobs/group-commit.ts). */
  groupSize: number;
  /** Transactions at once (1 on SQLite, whose one connection runs one at a time). */
  lanes: number;
  lockDurationMs: number;
  backoffMs: number;
}

/**
 * Inbound jobs a worker process takes at once. Those of different contacts wait for the
 * transaction in progress and share the next one (at most INBOUND_GROUP_SIZE): on the e2e bench
 * (SQLite, 2 cores) 16-32 jobs and groups of 8 delivered 140-170 messages/s where one job at a time
 * delivered 78-99, and groups of 16 or 32 did no better.
 */
export const INBOUND_CONCURRENCY = 32;
/** Messages per inbound transaction at the most. */
export const INBOUND_GROUP_SIZE = 8;
/**
 * Inbound transactions at once on PostgreSQL, each on a connection of the pool (SQLite runs one).
 * On the e2e bench 2 and 4 delivered the same (about 120 messages/s, the database on the same 2 cores).
 */
export const INBOUND_POSTGRES_LANES = 4;

/** How long a message waits for an earlier one of its contact at the most (ms). */
export const INBOUND_ORDER_WAIT_MS = 120_000;
/** How often a waiting message looks again (ms). */
const ORDER_POLL_MS = 100;

const RELEASE_LOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const RENEW_LOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";

/** Only earlier messages still worth waiting for: one stuck longer (its job failed for good, left in the dead-letter list) holds nobody. */
const orderSince = (): Date => new Date(Date.now() - INBOUND_ORDER_WAIT_MS);

export function startInboundWorker(deps: InboundWorkerDeps): Worker<InboundJob> {
  const { db, dialect, queues, personalData, logger } = deps;
  const outboxDeps = { personalData, dialect };
  const readInput = (bodyEnc: string): InboundMessage => inboundMessageSchema.parse(JSON.parse(personalData.decrypt(bodyEnc)));
  /** One message through the pipeline, in the transaction of `work`. */
  const handle = async (work: Work, taken: Taken): Promise<void> => {
    const { messageId, contactId } = taken;
    taken.found = undefined;
    let now: TakenRow;
    let identityId: string;
    let input: InboundMessage;
    if (taken.read) {
      // Read again in the transaction, under the contact's lock: an earlier message of the contact
      // (a STOP, a language choice, an erasure) may have committed since the job first read it.
      const [row] = await rawQuery<TakenRow>(work.tx, dialect, TAKE_MESSAGE, messageId);
      if (!row || row.status !== 'received' || row.contactId !== contactId || !row.identityId || !row.contactFound) return; // erased meanwhile
      now = row;
      identityId = row.identityId;
      input = taken.read.input;
    } else {
      // The one read of a job that named its contact: under the lock, with the order check.
      const [row] = await rawQuery<TakenRow & { earlierId: string | null }>(work.tx, dialect, TAKE_WITH_EARLIER, orderSince(), messageId);
      // A processed message may have been unlinked from its contact since (a survey answer).
      if (row?.status === 'processed') return void (taken.found = 'processed');
      if (!row || row.direction !== 'in' || !row.contactId || !row.identityId || !row.contactFound) return void (taken.found = 'missing');
      if (row.status !== 'received') return;
      if (row.contactId !== contactId) return void (taken.found = 'moved');
      if (row.earlierId) return void (taken.found = 'waits');
      now = row;
      identityId = row.identityId;
      input = readInput(row.bodyEnc);
    }
    taken.channel = now.channel;
    const contact = { language: now.language, areaId: now.areaId, fields: now.fields ?? '{}' };
    const ctx: InboundContext = {
      tx: work.tx,
      dialect,
      now: new Date(),
      messageId,
      channel: now.channel,
      contactId,
      contact,
      identityId,
      stopped: now.stoppedAt !== null,
      input,
      language: deps.defaultLanguage,
      session: null,
      outbox: [],
      afterCommit: [],
    };
    await deps.pipeline(ctx);
    for (const task of ctx.afterCommit) work.afterCommit(task);
    const target = { contactId, identityId, channel: now.channel };
    // Fresh: the replies are written with the message's `processed`, in this transaction.
    work.send(await writeOutbox(work.tx, outboxDeps, target, `reply:${messageId}`, ctx.outbox, messageId, { fresh: true }));
    // (The message is gone when it asked for the erasure of its sender: nothing is updated then.)
    await rawExecute(work.tx, dialect, MARK_PROCESSED, new Date(), messageId);
  };
  // Messages of different contacts taken at about the same time share a transaction.
  const group = new GroupCommit<Taken>({
    maxSize: deps.groupSize,
    lanes: deps.lanes,
    // The messages a transaction processed: not those it found waiting for an earlier one, or done.
    onEnd: (units, committed) => {
      const messages = committed ? units.filter((u) => u.found === undefined).length : units.length;
      if (messages > 0) deps.observe.inboundGroup(messages, committed);
    },
    commit: async (units) => {
      const committed = await commitWork(db, async (work) => {
        for (const taken of units) await handle(work, taken);
      });
      return () => carryOut(queues, committed);
    },
  });

  /** Queues again the replies of a message processed already (a retried job). */
  const requeueReplies = async (messageId: string): Promise<void> => {
    const pending = await db.message.findMany({ where: { causeId: messageId, status: 'queued' }, select: { id: true, channel: true }, orderBy: { createdAt: 'asc' } });
    await enqueueAll(queues, pending.map((row, i) => (i > 0 ? { ...row, after: pending[i - 1]!.id } : row)));
  };
  const later = async (job: Job<InboundJob>, token: string | undefined, ms: number): Promise<never> => {
    await job.moveToDelayed(Date.now() + ms, token);
    throw new DelayedError();
  };

  /**
   * Runs `fn` holding the contact's lock (renewed while it runs, released after); when another
   * message of the contact holds it, the job comes back shortly, in order.
   */
  const underLock = async <T>(job: Job<InboundJob>, token: string | undefined, contactId: string, fn: () => Promise<T>): Promise<T> => {
    const lockKey = `${queues.settings.prefix}:lock:contact:${contactId}`;
    const lockToken = randomUUID();
    const locked = await deps.redis.set(lockKey, lockToken, 'PX', deps.lockDurationMs, 'NX');
    if (!locked) return later(job, token, 100);
    const renewal = setInterval(() => {
      deps.redis.eval(RENEW_LOCK, 1, lockKey, lockToken, deps.lockDurationMs).catch(() => undefined);
    }, Math.max(250, Math.floor(deps.lockDurationMs / 3)));
    try {
      return await fn();
    } finally {
      clearInterval(renewal);
      await deps.redis.eval(RELEASE_LOCK, 1, lockKey, lockToken); // only our own lock
    }
  };

  /** A job that names its contact: the lock first, then one read in the transaction. */
  const processNamed = async (job: Job<InboundJob>, token: string | undefined, contactId: string): Promise<'moved' | void> => {
    const { messageId } = job.data;
    const taken: Taken = { messageId, contactId };
    const found = await underLock(job, token, contactId, async () => {
      await group.run(taken);
      if (taken.found === 'waits') return later(job, token, ORDER_POLL_MS);
      return taken.found;
    });
    if (found === 'processed') return requeueReplies(messageId);
    if (found === 'missing') throw new UnrecoverableError(`inbound message ${messageId} not found`);
    if (found === 'moved') return 'moved';
    if (taken.channel) deps.observe.processed(taken.channel);
  };

  /** A job that does not name its contact: the message is read first to find it. */
  const processRead = async (job: Job<InboundJob>, token?: string): Promise<void> => {
    const { messageId } = job.data;
    const [message] = await rawQuery<TakenRow & { earlierId: string | null }>(db, dialect, TAKE_WITH_EARLIER, orderSince(), messageId);
    // A processed message may have been unlinked from its contact since (a survey answer): only
    // its replies are queued again.
    if (message?.status === 'processed') return requeueReplies(messageId);
    if (!message || message.direction !== 'in' || !message.contactId || !message.identityId || !message.contactFound) {
      throw new UnrecoverableError(`inbound message ${messageId} not found`);
    }
    if (message.earlierId) return later(job, token, ORDER_POLL_MS);
    const contactId = message.contactId;
    await underLock(job, token, contactId, async () => {
      const input = readInput(message.bodyEnc);
      await group.run({ messageId, contactId, read: { channel: message.channel, input } });
    });
    deps.observe.processed(message.channel);
  };

  const process = async (job: Job<InboundJob>, token?: string): Promise<void> => {
    const { contactId } = job.data;
    // A contact changed since the job was queued (never by the gateway today) is found by reading.
    if (contactId && (await processNamed(job, token, contactId)) !== 'moved') return;
    await processRead(job, token);
  };
  return startWorker<InboundJob>(
    queues,
    { queue: QUEUE_NAMES.inbound, label: 'inbound', processor: process, describe: (job) => ({ messageId: job?.data.messageId }) },
    { lockDurationMs: deps.lockDurationMs, backoffMs: deps.backoffMs, concurrency: deps.concurrency, onFailure: deps.observe.jobFailed },
    logger,
  );
}
