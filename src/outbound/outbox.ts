/**
 * The outbox: outbound messages are written as Message rows (status queued) inside the
 * transaction that decided them, with a deterministic dedupe key, and queued after commit.
 * A step retried after a crash writes the same keys, so nothing is sent twice.
 */
import type { Db } from '../db/client.js';
import type { OutboundMessage } from '../messages.js';
import type { PersonalData } from '../personal-data.js';
import type { OutboundRef, Queues } from '../jobs/queues.js';

/**
 * Message kinds still sent to an identity that opted out: the opt-out confirmation (which says
 * how to come back) and the answer to HELP (carriers require HELP to be answered).
 */
export const KINDS_SENT_WHEN_STOPPED: readonly string[] = ['opt_out_confirmation', 'help'];

export interface OutboxEntry {
  message: OutboundMessage;
  /** reply | notification | broadcast | opt_out_confirmation | help */
  kind?: string;
  /** Id of the message whose thread this one continues, on channels with threads (Slack). */
  threadOf?: string;
}

export interface OutboxTarget {
  contactId: string;
  identityId: string;
  channel: string;
}

/** A message written to the outbox, to be queued after commit. */
export type QueuedMessage = OutboundRef;

/** Statuses of an outbound message that has not left yet: a later one to the same address waits. */
const NOT_LEFT = ['queued', 'sending'];

export interface OutboxOptions {
  /**
   * The caller knows no row of `causeKey` exists: the transaction that would have written them
   * has not committed (the inbound worker's message is still `received`). The read for existing
   * rows is skipped; were one there after all, the insert fails on the unique key and the
   * transaction rolls back, so nothing is written twice.
   */
  fresh?: boolean;
}

/**
 * Writes outbound rows keyed `out:<causeKey>:<n>`. Rows that exist already (a retried step) are
 * returned as they are, so the caller queues them again (queueing is idempotent by message id).
 * Each row returned names the message to the same contact and channel that must leave before it
 * (`after`): the previous row of this write, and for the first row the contact's latest earlier
 * message that has not left yet (broadcasts aside). The send worker keeps that order (src/outbound/worker.ts).
 */
export async function writeOutbox(
  tx: Db,
  personalData: PersonalData,
  target: OutboxTarget,
  causeKey: string,
  entries: OutboxEntry[],
  causeId?: string,
  options: OutboxOptions = {},
): Promise<QueuedMessage[]> {
  const queued: QueuedMessage[] = [];
  if (entries.length === 0) return queued;
  const earlier = await tx.message.findFirst({
    where: {
      contactId: target.contactId,
      channel: target.channel,
      direction: 'out',
      status: { in: NOT_LEFT },
      // A broadcast may wait hours for its turn at the broadcast pace; a reply does not wait for it.
      kind: { not: 'broadcast' },
      NOT: { dedupeKey: { startsWith: `out:${causeKey}:` } },
    },
    orderBy: { createdAt: 'desc' },
    select: { id: true },
  });
  let after = earlier?.id;
  for (const [index, entry] of entries.entries()) {
    const dedupeKey = `out:${causeKey}:${index}`;
    // Read, then create: one query fewer than the client's upsert (read, write, read again). Were
    // the same key written by another transaction in between, the create fails on the unique key,
    // this transaction rolls back, and its job's retry finds the row.
    const row =
      (options.fresh ? null : await tx.message.findUnique({ where: { dedupeKey }, select: { id: true, status: true } })) ??
      (await tx.message.create({
        data: {
          dedupeKey,
          direction: 'out',
          channel: target.channel,
          contactId: target.contactId,
          identityId: target.identityId,
          bodyEnc: personalData.encrypt(JSON.stringify(entry.message)),
          status: 'queued',
          kind: entry.kind ?? 'reply',
          causeId: causeId ?? null,
          threadOf: entry.threadOf ?? null,
        },
        select: { id: true, status: true },
      }));
    if (row.status === 'queued') queued.push(after ? { id: row.id, channel: target.channel, after } : { id: row.id, channel: target.channel });
    after = row.id;
  }
  return queued;
}

export async function enqueueAll(queues: Queues, messages: QueuedMessage[]): Promise<void> {
  await queues.enqueueOutboundMany(messages);
}
