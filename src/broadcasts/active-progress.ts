/**
 * Recipients of the announcements under way, by delivery state (for the metrics endpoint): the
 * broadcasts fanning out now and those dispatched within the last `recentMs`. Counts only.
 */
import type { Db } from '../db/client.js';

export interface RecipientCount {
  broadcastId: string;
  /** Delivery state of the recipient's message: queued, sending, sent, delivered, failed, ... */
  state: string;
  count: number;
}

export async function activeBroadcastRecipients(db: Db, now: Date, recentMs = 24 * 3600_000): Promise<RecipientCount[]> {
  const active = await db.broadcast.findMany({
    where: { OR: [{ status: 'sending' }, { status: 'dispatched', dispatchedAt: { gte: new Date(now.getTime() - recentMs) } }] },
    select: { id: true },
    take: 100,
  });
  if (active.length === 0) return [];
  const groups = await db.message.groupBy({ by: ['broadcastId', 'status'], where: { broadcastId: { in: active.map((b) => b.id) } }, _count: { _all: true } });
  return groups.map((g) => ({ broadcastId: g.broadcastId!, state: g.status, count: g._count._all }));
}
