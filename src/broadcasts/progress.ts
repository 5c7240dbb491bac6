/**
 * Progress of a broadcast and the delivery state of each recipient, for the admin API and CLI.
 * Never the text or the address: a recipient is its contact id, channel and delivery state.
 */
import type { Db } from '../db/client.js';
import { heldUntil } from './hold.js';

export interface Progress {
  /** Recipients written so far (one outbound message each). */
  written: number;
  /** Contacts skipped because their language had no text and no fallback was allowed. */
  skipped: number;
  /** Messages by delivery state: queued, sending, sent, delivered, read, undelivered, failed, unconfirmed, cancelled. */
  byStatus: Record<string, number>;
  /** Messages no longer waiting (not queued or sending). */
  finished: number;
  /** Fan-out over and nothing left waiting. */
  done: boolean;
  /** Replies to the announcement: yes, no, free text. */
  feedback: Record<string, number>;
  /** When the next queued message is released (quiet hours or pacing hold it until then); null when none is queued. */
  nextReleaseAt: Date | null;
  /** Until when quiet hours hold what is left (src/broadcasts/hold.ts); null when nothing is held. */
  heldUntil: Date | null;
}

/** What still waits per broadcast: messages queued or sending, and the earliest release of a queued one. */
export interface Waiting {
  waiting: number;
  nextReleaseAt: Date | null;
}

/** `Waiting` of several broadcasts in one query (broadcasts with nothing waiting are absent). */
export async function waitingOf(db: Db, broadcastIds: string[]): Promise<Map<string, Waiting>> {
  const groups = await db.message.groupBy({ by: ['broadcastId', 'status'], where: { broadcastId: { in: broadcastIds }, status: { in: ['queued', 'sending'] } }, _count: { _all: true }, _min: { createdAt: true } });
  const out = new Map<string, Waiting>();
  for (const group of groups) {
    if (!group.broadcastId) continue;
    const entry = out.get(group.broadcastId) ?? { waiting: 0, nextReleaseAt: null };
    entry.waiting += group._count._all;
    const release = group.status === 'queued' ? group._min.createdAt : null;
    if (release && (!entry.nextReleaseAt || release < entry.nextReleaseAt)) entry.nextReleaseAt = release;
    out.set(group.broadcastId, entry);
  }
  return out;
}

export async function broadcastProgress(db: Db, broadcastId: string): Promise<Progress | null> {
  const broadcast = await db.broadcast.findUnique({ where: { id: broadcastId }, select: { status: true, urgent: true, written: true, skipped: true } });
  if (!broadcast) return null;
  const groups = await db.message.groupBy({ by: ['status'], where: { broadcastId }, _count: { _all: true } });
  const byStatus: Record<string, number> = {};
  for (const group of groups) byStatus[group.status] = group._count._all;
  const waiting = (byStatus.queued ?? 0) + (byStatus.sending ?? 0);
  const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
  const feedbackGroups = await db.broadcastFeedback.groupBy({ by: ['answer'], where: { broadcastId }, _count: { _all: true } });
  const feedback: Record<string, number> = {};
  for (const group of feedbackGroups) feedback[group.answer] = group._count._all;
  const fannedOut = broadcast.status === 'dispatched' || broadcast.status === 'cancelled';
  const next = await db.message.aggregate({ where: { broadcastId, status: 'queued' }, _min: { createdAt: true } });
  const nextReleaseAt = next._min.createdAt;
  return {
    written: broadcast.written,
    skipped: broadcast.skipped,
    byStatus,
    finished: total - waiting,
    done: fannedOut && waiting === 0,
    feedback,
    nextReleaseAt,
    heldUntil: heldUntil(broadcast.urgent, nextReleaseAt),
  };
}

export interface RecipientRow {
  messageId: string;
  contactId: string | null;
  channel: string;
  status: string;
  errorCode: string | null;
  errorMessage: string | null;
  segments: number | null;
  sentAt: Date | null;
  updatedAt: Date;
}

/** One page of recipients (by message id), optionally of one status; `next` continues. */
export async function broadcastRecipients(
  db: Db,
  broadcastId: string,
  options: { status?: string; after?: string; limit?: number } = {},
): Promise<{ items: RecipientRow[]; next: string | null }> {
  const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
  const rows = await db.message.findMany({
    where: { broadcastId, ...(options.status ? { status: options.status } : {}), ...(options.after ? { id: { gt: options.after } } : {}) },
    orderBy: { id: 'asc' },
    take: limit,
    select: { id: true, contactId: true, channel: true, status: true, errorCode: true, errorMessage: true, segments: true, sentAt: true, updatedAt: true },
  });
  return {
    items: rows.map((r) => ({ messageId: r.id, contactId: r.contactId, channel: r.channel, status: r.status, errorCode: r.errorCode, errorMessage: r.errorMessage, segments: r.segments, sentAt: r.sentAt, updatedAt: r.updatedAt })),
    next: rows.length === limit ? rows[rows.length - 1]!.id : null,
  };
}
