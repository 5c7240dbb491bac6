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
import { RELEASE_LOCK, RENEW_LOCK, runScript } from '../redis/scripts.js';
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

/** A message taken for processing, read before its contact's lock (its contact is read again in the transaction). */
interface Taken {
  messageId: string;
  channel: string;
  contactId: string;
  input: InboundMessage;
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

export function startInboundWorker(deps: InboundWorkerDeps): Worker<InboundJob> {
  const { db, dialect, queues, personalData, logger } = deps;
  const outboxDeps = { personalData, dialect };
  /** One message through the pipeline, in the transaction of `work`. */
  const handle = async (work: Work, taken: Taken): Promise<void> => {
    const { messageId, contactId } = taken;
    // Read again in the transaction, under the contact's lock: an earlier message of the contact
    // (a STOP, a language choice, an erasure) may have committed since the job first read it.
    const [now] = await rawQuery<TakenRow>(work.tx, dialect, TAKE_MESSAGE, messageId);
    if (!now || now.status !== 'received' || now.contactId !== contactId || !now.identityId || !now.contactFound) return; // erased meanwhile
    const identity = { id: now.identityId, stoppedAt: now.stoppedAt };
    const contact = { language: now.language, areaId: now.areaId, fields: now.fields ?? '{}' };
    const ctx: InboundContext = {
      tx: work.tx,
      dialect,
      now: new Date(),
      messageId,
      channel: taken.channel,
      contactId,
      contact,
      identityId: identity.id,
      stopped: identity.stoppedAt !== null,
      input: taken.input,
      language: deps.defaultLanguage,
      session: null,
      outbox: [],
      afterCommit: [],
    };
    await deps.pipeline(ctx);
    for (const task of ctx.afterCommit) work.afterCommit(task);
    const target = { contactId, identityId: identity.id, channel: taken.channel };
    // Fresh: the replies are written with the message's `processed`, in this transaction.
    work.send(await writeOutbox(work.tx, outboxDeps, target, `reply:${messageId}`, ctx.outbox, messageId, { fresh: true }));
    // (The message is gone when it asked for the erasure of its sender: nothing is updated then.)
    await rawExecute(work.tx, dialect, MARK_PROCESSED, new Date(), messageId);
  };
  // Messages of different contacts taken at about the same time share a transaction.
  const group = new GroupCommit<Taken>({
    maxSize: deps.groupSize,
    lanes: deps.lanes,
    onEnd: deps.observe.inboundGroup,
    commit: async (units) => {
      const committed = await commitWork(db, async (work) => {
        for (const taken of units) await handle(work, taken);
      });
      return () => carryOut(queues, committed);
    },
  });

  const process = async (job: Job<InboundJob>, token?: string): Promise<void> => {
    const { messageId } = job.data;
    // Only earlier messages still worth waiting for: one stuck longer (its job failed for good,
    // left in the dead-letter list) holds nobody.
    const since = new Date(Date.now() - INBOUND_ORDER_WAIT_MS);
    const [message] = await rawQuery<TakenRow & { earlierId: string | null }>(db, dialect, TAKE_WITH_EARLIER, since, messageId);
    // A processed message may have been unlinked from its contact since (a survey answer): only
    // its replies are queued again.
    if (message?.status === 'processed') {
      const pending = await db.message.findMany({ where: { causeId: messageId, status: 'queued' }, select: { id: true, channel: true }, orderBy: { createdAt: 'asc' } });
      await enqueueAll(queues, pending.map((row, i) => (i > 0 ? { ...row, after: pending[i - 1]!.id } : row)));
      return;
    }
    if (!message || message.direction !== 'in' || !message.contactId || !message.identityId || !message.contactFound) {
      throw new UnrecoverableError(`inbound message ${messageId} not found`);
    }
    if (message.earlierId) {
      await job.moveToDelayed(Date.now() + ORDER_POLL_MS, token);
      throw new DelayedError();
    }
    const lockKey = `${queues.settings.prefix}:lock:contact:${message.contactId}`;
    const lockToken = randomUUID();
    const locked = await deps.redis.set(lockKey, lockToken, 'PX', deps.lockDurationMs, 'NX');
    if (!locked) {
      // Another message of this contact is being handled; come back shortly, in order.
      await job.moveToDelayed(Date.now() + 100, token);
      throw new DelayedError();
    }
    const renewal = setInterval(() => {
      runScript(deps.redis, RENEW_LOCK, [lockKey], [lockToken, deps.lockDurationMs]).catch(() => undefined);
    }, Math.max(250, Math.floor(deps.lockDurationMs / 3)));
    try {
      const input = inboundMessageSchema.parse(JSON.parse(personalData.decrypt(message.bodyEnc)));
      await group.run({ messageId, channel: message.channel, contactId: message.contactId, input });
      deps.observe.processed(message.channel);
    } finally {
      clearInterval(renewal);
      await runScript(deps.redis, RELEASE_LOCK, [lockKey], [lockToken]); // only our own lock
    }
  };
  return startWorker<InboundJob>(
    queues,
    { queue: QUEUE_NAMES.inbound, label: 'inbound', processor: process, describe: (job) => ({ messageId: job?.data.messageId }) },
    { lockDurationMs: deps.lockDurationMs, backoffMs: deps.backoffMs, concurrency: deps.concurrency, onFailure: deps.observe.jobFailed },
    logger,
  );
}
