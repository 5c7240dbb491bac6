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

/**
 * Writes outbound rows keyed `out:<causeKey>:<n>`. Rows that exist already (a retried step) are
 * returned as they are, so the caller queues them again (queueing is idempotent by message id).
 */
export async function writeOutbox(
  tx: Db,
  personalData: PersonalData,
  target: OutboxTarget,
  causeKey: string,
  entries: OutboxEntry[],
  causeId?: string,
): Promise<QueuedMessage[]> {
  const queued: QueuedMessage[] = [];
  for (const [index, entry] of entries.entries()) {
    const dedupeKey = `out:${causeKey}:${index}`;
    const row = await tx.message.upsert({
      where: { dedupeKey },
      update: {},
      create: {
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
    });
    if (row.status === 'queued') queued.push({ id: row.id, channel: target.channel });
  }
  return queued;
}

export async function enqueueAll(queues: Queues, messages: QueuedMessage[]): Promise<void> {
  for (const message of messages) await queues.enqueueOutbound(message.channel, message.id);
}
