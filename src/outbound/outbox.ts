/**
 * The outbox: outbound messages are written as Message rows (status queued) inside the
 * transaction that decided them, with a deterministic dedupe key, and queued after commit.
 * A step retried after a crash writes the same keys, so nothing is sent twice.
 */
import { randomUUID } from 'node:crypto';
import { insertRows, selectByKeys, type BulkColumn } from '../db/bulk.js';
import type { Db } from '../db/client.js';
import type { Dialect } from '../db/dialect.js';
import { rawQuery } from '../db/raw.js';
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

export interface OutboxOptions {
  /**
   * The caller knows no row of `causeKey` exists: the transaction that would have written them
   * has not committed (the inbound worker's message is still `received`). The read for existing
   * rows is skipped; were one there after all, the insert fails on the unique key and the
   * transaction rolls back, so nothing is written twice.
   */
  fresh?: boolean;
}

/** What writing to the outbox needs: the key sealing bodies, and the database's dialect (raw statements). */
export interface OutboxDeps {
  personalData: PersonalData;
  dialect: Dialect;
}

/**
 * The contact's latest outbound message on the channel that has not left, broadcasts aside (a
 * broadcast may wait hours for its turn at the broadcast pace; a reply does not wait for it), nor
 * one of this write's own rows (a retried step): (contactId, channel, dedupe key prefix as a LIKE
 * pattern). Read through the contact's index only: the channel is compared as `"channel" || ''`,
 * which no index serves. Without it, a plan made before the table's first ANALYZE (a new
 * database, PostgreSQL's cached generic plan of a named statement, see src/db/pg-statements.ts)
 * could take the smaller (channel, providerId) index and read every message of the channel: 1-4
 * ms a call after 20,000 messages on the e2e bench, growing with the table.
 */
export const EARLIER_NOT_LEFT = `SELECT "id" FROM {Message}
  WHERE "contactId" = ? AND "channel" || '' = ? AND "direction" = 'out' AND "status" IN ('queued', 'sending')
  AND "kind" <> 'broadcast' AND NOT ("dedupeKey" LIKE ? ESCAPE '!')
  ORDER BY "createdAt" DESC LIMIT 1`;

/** `text` as a LIKE pattern matching itself followed by anything (escape character `!`). */
function startsWithPattern(text: string): string {
  return `${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/**
 * The creation times of outbox rows written by this process: strictly increasing, 1 ms apart at
 * the least, so that the latest row not yet left (EARLIER_NOT_LEFT orders by it) is the last one
 * written, even for rows written in the same millisecond. They run ahead of the clock by at most
 * the rows written within one millisecond, in ms.
 */
let lastWritten = 0;
function creationTimes(count: number): Date[] {
  const first = Math.max(Date.now(), lastWritten + 1);
  lastWritten = first + count - 1;
  return Array.from({ length: count }, (_, i) => new Date(first + i));
}

const COLUMNS: BulkColumn[] = [
  { name: 'id' },
  { name: 'dedupeKey' },
  { name: 'direction', constant: 'out' },
  { name: 'channel' },
  { name: 'contactId' },
  { name: 'identityId' },
  { name: 'bodyEnc' },
  { name: 'status', constant: 'queued' },
  { name: 'kind' },
  { name: 'causeId' },
  { name: 'threadOf' },
  { name: 'createdAt', type: 'timestamp' },
  { name: 'updatedAt', type: 'timestamp' },
];

/**
 * Writes outbound rows keyed `out:<causeKey>:<n>`, all in one statement (src/db/bulk.ts). Rows
 * that exist already (a retried step) are returned as they are, so the caller queues them again
 * (queueing is idempotent by message id). Each row returned names the message to the same
 * contact and channel that must leave before it (`after`): the previous row of this write, and
 * for the first row the contact's latest earlier message that has not left yet (broadcasts
 * aside). The send worker keeps that order (src/outbound/worker.ts). Were the same key written
 * by another transaction meanwhile, the insert fails on the unique key (thrown as the client
 * throws a raw statement's, see `isUniqueViolation`), the transaction rolls back, and its retry
 * finds the row.
 */
export async function writeOutbox(
  tx: Db,
  deps: OutboxDeps,
  target: OutboxTarget,
  causeKey: string,
  entries: OutboxEntry[],
  causeId?: string,
  options: OutboxOptions = {},
): Promise<QueuedMessage[]> {
  if (entries.length === 0) return [];
  const { dialect } = deps;
  const [earlier] = await rawQuery<{ id: string }>(tx, dialect, EARLIER_NOT_LEFT, target.contactId, target.channel, startsWithPattern(`out:${causeKey}:`));
  const keys = entries.map((_, index) => `out:${causeKey}:${index}`);
  const existing = options.fresh ? [] : await selectByKeys(tx, dialect, 'Message', ['id', 'dedupeKey', 'status'] as const, ['dedupeKey'], keys.map((key) => [key]));
  const found = new Map(existing.map((row) => [row.dedupeKey, row]));
  const rows = entries.map((entry, index) => found.get(keys[index]!) ?? { id: randomUUID(), dedupeKey: keys[index]!, status: 'queued', entry });
  const fresh = rows.flatMap((row) => ('entry' in row ? [row] : []));
  const times = creationTimes(fresh.length);
  const inserts = fresh.map((row, i) => {
    const { message, kind, threadOf } = row.entry;
    const at = times[i]!;
    return [row.id, row.dedupeKey, target.channel, target.contactId, target.identityId, deps.personalData.encrypt(JSON.stringify(message)), kind ?? 'reply', causeId ?? null, threadOf ?? null, at, at];
  });
  await insertRows(tx, dialect, 'Message', COLUMNS, inserts);
  const queued: QueuedMessage[] = [];
  let after = earlier?.id;
  for (const row of rows) {
    if (row.status === 'queued') queued.push(after ? { id: row.id, channel: target.channel, after } : { id: row.id, channel: target.channel });
    after = row.id;
  }
  return queued;
}

export async function enqueueAll(queues: Queues, messages: QueuedMessage[]): Promise<void> {
  await queues.enqueueOutboundMany(messages);
}
