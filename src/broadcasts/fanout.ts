/**
 * Fan-out: turns an approved announcement into one outbound Message per recipient (kind
 * broadcast, dedupe key `out:broadcast:<broadcast>:<contact>`) and one send job per message, page
 * by page. Each page is one transaction that writes its rows and moves the broadcast's cursor (the
 * last contact id written) only if the cursor is still where this run read it and the broadcast is
 * still sending: a cancelled broadcast or a second runner writes nothing. Jobs are added after the
 * page commits, with deterministic ids, so a run that resumes after a crash re-adds the jobs of
 * queued rows without duplicating any, and the outbound worker sends a row at most once.
 *
 * Release times: a recipient in its area's quiet hours (non-urgent broadcasts) is released when
 * they end; and each channel's recipients are released in windows holding what the channel sends
 * in one window, so no message waits in a provider-facing queue longer than the provider keeps it.
 * A row's createdAt is its release time (the SMS adapter measures a message's age from it).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.js';
import { insertRows, type BulkColumn } from '../db/bulk.js';
import { transaction } from '../db/transaction.js';
import { isUniqueViolation } from '../conversation/contacts.js';
import type { Logger } from '../logger.js';
import type { Queues } from '../jobs/queues.js';
import { jobId } from '../jobs/queues.js';
import type { ChannelAdapter } from '../channels/adapter.js';
import type { PersonalData } from '../personal-data.js';
import type { Translator } from '../i18n.js';
import { AreaTree } from '../areas/tree.js';
import { readAudiencePage, type Dialect, type Recipient } from './audience.js';
import { announcementOf, specOf, type BroadcastRow } from './model.js';
import { quietDelayMs } from './quiet-hours.js';
import { announcementMessage, textLanguage } from './render.js';
import type { BroadcastSettings, QuietHours } from './settings.js';

export interface FanoutDeps {
  db: Db;
  queues: Queues;
  personalData: PersonalData;
  translator: Translator;
  adapters: Map<string, ChannelAdapter>;
  logger: Logger;
  settings: BroadcastSettings;
  quietHours: QuietHours | null;
  now: () => Date;
  /** The SQL dialect of the page reads and bulk inserts. */
  dialect: Dialect;
}

/** The dedupe key of a recipient's message: one per (broadcast, contact). */
export function broadcastDedupeKey(broadcastId: string, contactId: string): string {
  return `out:broadcast:${broadcastId}:${contactId}`;
}

export function fanoutJobId(broadcastId: string): string {
  return jobId('broadcast', broadcastId);
}

interface PlannedRow {
  id: string;
  dedupeKey: string;
  channel: string;
  contactId: string;
  identityId: string;
  bodyEnc: string;
  delayMs: number;
}

class Conflict extends Error {}

export function priorityOf(settings: BroadcastSettings, urgent: boolean): number {
  return urgent ? settings.BROADCAST_PRIORITY_URGENT : settings.BROADCAST_PRIORITY_NORMAL;
}

/** Adds the send jobs of messages (ids are deterministic: adding one twice adds it once). */
export async function addSendJobs(queues: Queues, rows: { id: string; channel: string; delayMs: number }[], priority: number): Promise<void> {
  const byChannel = new Map<string, typeof rows>();
  for (const row of rows) byChannel.set(row.channel, [...(byChannel.get(row.channel) ?? []), row]);
  for (const [channel, list] of byChannel) {
    await queues.outbound(channel).addBulk(
      list.map((row) => ({
        name: 'send',
        data: { messageId: row.id },
        opts: { jobId: jobId('out', row.id), priority, ...(row.delayMs > 0 ? { delay: row.delayMs } : {}) },
      })),
    );
  }
}

/** Runs (or resumes) the fan-out of a broadcast. Returns the number of rows this run wrote. */
export async function runFanout(deps: FanoutDeps, broadcastId: string): Promise<number> {
  const { db } = deps;
  let broadcast = (await db.broadcast.findUnique({ where: { id: broadcastId } })) as BroadcastRow | null;
  if (!broadcast) return 0;
  if (broadcast.status === 'scheduled') {
    const started = await db.broadcast.updateMany({
      where: { id: broadcastId, status: 'scheduled' },
      data: { status: 'sending', startedAt: deps.now() },
    });
    if (started.count === 0) return 0;
    broadcast = (await db.broadcast.findUniqueOrThrow({ where: { id: broadcastId } })) as BroadcastRow;
  } else if (broadcast.status !== 'sending') {
    return 0;
  }
  const priority = priorityOf(deps.settings, broadcast.urgent);
  if (broadcast.cursor !== null) await requeue(deps, broadcastId, priority);

  const announcement = announcementOf(broadcast);
  const spec = specOf(broadcast);
  const tree = await AreaTree.load(db);
  const sealed = new Map<string, string>();
  const seal = (language: string) => {
    let body = sealed.get(language);
    if (!body) {
      // One ciphertext per language, shared by every row: the text is the same public
      // announcement for all of them (encrypting 100,000 copies costs time and says nothing more).
      body = deps.personalData.encrypt(JSON.stringify(announcementMessage(announcement, language, deps.translator)));
      sealed.set(language, body);
    }
    return body;
  };
  const windowMs = deps.settings.BROADCAST_RELEASE_WINDOW_S * 1000;
  const perWindow = (channel: string) => {
    const rate = deps.adapters.get(channel)?.rate;
    return rate ? Math.max(1, Math.floor((rate.max * windowMs) / rate.durationMs)) : Number.MAX_SAFE_INTEGER;
  };
  const startedAt = (broadcast.startedAt ?? deps.now()).getTime();
  const counts = JSON.parse(broadcast.channelCounts) as Record<string, number>;
  let cursor = broadcast.cursor;
  let written = 0;
  // The jobs of a page are added while the next page is read and written (one add in flight).
  let adding: Promise<void> = Promise.resolve();
  let addError: unknown = null;
  const settle = async () => {
    await adding;
    if (addError) throw addError;
  };

  const read = (after: string | null) => {
    const pending = readAudiencePage(db, spec, {
      tree,
      available: [...deps.adapters.keys()],
      defaultLanguage: deps.translator.defaultLanguage,
      pageSize: deps.settings.BROADCAST_PAGE_SIZE,
      after,
      dialect: deps.dialect,
    });
    pending.catch(() => undefined); // awaited below; this only keeps an early return quiet
    return pending;
  };
  let next = read(cursor);
  for (;;) {
    const page = await next;
    if (page.last === null) {
      await settle();
      await db.broadcast.updateMany({ where: { id: broadcastId, status: 'sending' }, data: { status: 'dispatched', dispatchedAt: deps.now() } });
      return written;
    }
    // The next page is read while this one is written.
    next = read(page.last);
    const now = deps.now();
    const nextCounts = { ...counts };
    const rows: PlannedRow[] = [];
    let skipped = 0;
    for (const recipient of page.recipients) {
      const language = textLanguage(announcement, recipient.language);
      if (!language) {
        skipped += 1;
        continue;
      }
      const index = nextCounts[recipient.channel] ?? 0;
      nextCounts[recipient.channel] = index + 1;
      rows.push(plan(deps, broadcastId, recipient, seal(language), releaseDelay(deps, tree, recipient, broadcast.urgent, now, startedAt, Math.floor(index / perWindow(recipient.channel)) * windowMs)));
    }
    try {
      try {
        await writePage(db, deps.dialect, broadcastId, cursor, page.last, rows, skipped, nextCounts, false);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // Rows of this page exist already (a runner that lost its lock wrote them): keep those.
        await writePage(db, deps.dialect, broadcastId, cursor, page.last, rows, skipped, nextCounts, true);
      }
    } catch (error) {
      if (!(error instanceof Conflict)) throw error;
      await settle();
      return written;
    }
    await settle();
    adding = addSendJobs(deps.queues, rows, priority).catch((error: unknown) => {
      addError = error;
    });
    written += rows.length;
    cursor = page.last;
    Object.assign(counts, nextCounts);
  }
}

function plan(deps: FanoutDeps, broadcastId: string, recipient: Recipient, bodyEnc: string, delayMs: number): PlannedRow {
  return {
    id: randomUUID(),
    dedupeKey: broadcastDedupeKey(broadcastId, recipient.contactId),
    channel: recipient.channel,
    contactId: recipient.contactId,
    identityId: recipient.identityId,
    bodyEnc,
    delayMs,
  };
}

function releaseDelay(deps: FanoutDeps, tree: AreaTree, recipient: Recipient, urgent: boolean, now: Date, startedAt: number, windowOffsetMs: number): number {
  const paced = Math.max(0, startedAt + windowOffsetMs - now.getTime());
  if (urgent) return paced;
  const zone = tree.timezone(recipient.areaId, deps.settings.BROADCAST_DEFAULT_TIMEZONE);
  return Math.max(paced, quietDelayMs(deps.quietHours, zone, now));
}

async function writePage(
  db: Db,
  dialect: Dialect,
  broadcastId: string,
  cursor: string | null,
  last: string,
  rows: PlannedRow[],
  skipped: number,
  counts: Record<string, number>,
  keepExisting: boolean,
): Promise<void> {
  await transaction(
    db,
    async (tx) => {
      // The broadcast row first: it is the lock a cancel or a second runner meets.
      const moved = await tx.broadcast.updateMany({
        where: { id: broadcastId, status: 'sending', cursor },
        data: { cursor: last, written: { increment: rows.length }, skipped: { increment: skipped }, channelCounts: JSON.stringify(counts) },
      });
      if (moved.count === 0) throw new Conflict('the broadcast was cancelled or moved on by another run');
      let list = rows;
      if (keepExisting) {
        const existing = await tx.message.findMany({ where: { dedupeKey: { in: rows.map((r) => r.dedupeKey) } }, select: { dedupeKey: true, id: true } });
        const ids = new Map(existing.map((e) => [e.dedupeKey, e.id]));
        for (const row of rows) {
          const id = ids.get(row.dedupeKey);
          if (id) row.id = id;
        }
        list = rows.filter((r) => !ids.has(r.dedupeKey));
      }
      if (list.length === 0) return;
      await insertMessages(tx, dialect, broadcastId, list);
    },
    { timeoutMs: 60_000 },
  );
}

/**
 * Writes broadcast rows of the Message model with one INSERT per page (src/db/bulk.ts);
 * the columns are those of the Message model, read back through the client by the outbound
 * worker and the tests. A row's createdAt is its release time.
 */
async function insertMessages(tx: Db, dialect: Dialect, broadcastId: string, rows: PlannedRow[]): Promise<void> {
  const base = Date.now();
  const columns: BulkColumn[] = [
    { name: 'id' },
    { name: 'dedupeKey' },
    { name: 'direction', constant: 'out' },
    { name: 'channel' },
    { name: 'contactId' },
    { name: 'identityId' },
    { name: 'bodyEnc' },
    { name: 'status', constant: 'queued' },
    { name: 'kind', constant: 'broadcast' },
    { name: 'causeId', constant: broadcastId },
    { name: 'broadcastId', constant: broadcastId },
    { name: 'createdAt', type: 'timestamp' },
    { name: 'updatedAt', type: 'timestamp', constant: new Date(base) },
  ];
  await insertRows(
    tx,
    dialect,
    'Message',
    columns,
    rows.map((r) => [r.id, r.dedupeKey, r.channel, r.contactId, r.identityId, r.bodyEnc, new Date(base + r.delayMs)]),
  );
}

/** Adds again the jobs of every queued row of a broadcast (after a crash between commit and add). */
export async function requeue(deps: Pick<FanoutDeps, 'db' | 'queues'>, broadcastId: string, priority: number): Promise<number> {
  let after: string | undefined;
  let total = 0;
  for (;;) {
    const rows = await deps.db.message.findMany({
      where: { broadcastId, status: 'queued', ...(after ? { id: { gt: after } } : {}) },
      orderBy: { id: 'asc' },
      take: 5000,
      select: { id: true, channel: true, createdAt: true },
    });
    if (rows.length === 0) return total;
    const now = Date.now();
    await addSendJobs(deps.queues, rows.map((r) => ({ id: r.id, channel: r.channel, delayMs: Math.max(0, r.createdAt.getTime() - now) })), priority);
    total += rows.length;
    after = rows[rows.length - 1]!.id;
  }
}
