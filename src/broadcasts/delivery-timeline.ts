/**
 * When a broadcast's messages went out and settled, counted per time bucket from the stored
 * times, for the console's delivery chart (which otherwise could only show when it looked):
 * - sent: messages that left, by `sentAt`;
 * - delivered: delivered or read, by `updatedAt` (when the provider's delivery report came);
 * - failed: failed, undelivered or unconfirmed, by `updatedAt`.
 * Buckets are seconds when the messages left within 15 minutes, else minutes, so a broadcast
 * paced over hours stays a few hundred points. Counts are per bucket, not running totals.
 */
import type { Db } from '../db/client.js';
import type { Dialect } from '../db/dialect.js';
import { tableName } from '../db/dialect.js';

export interface TimelinePoint {
  /** Start of the bucket, UTC ISO 8601. */
  at: string;
  sent: number;
  delivered: number;
  failed: number;
}

export interface DeliveryTimeline {
  bucket: 'second' | 'minute';
  /** Buckets with something in them, oldest first. */
  points: TimelinePoint[];
}

const DELIVERED = ['delivered', 'read'];
const FAILED = ['failed', 'undelivered', 'unconfirmed'];
/** Longest span shown in seconds (minutes beyond). */
const SECONDS_SPAN = 15 * 60;

/** A timestamp column cut to its bucket, as text "YYYY-MM-DDTHH:MM[:SS]" (UTC). */
function bucketOf(dialect: Dialect, column: string, bucket: DeliveryTimeline['bucket']): string {
  // SQLite holds the client's ISO text (2026-12-07T04:00:00.000+00:00); PostgreSQL a timestamp(3) of UTC wall time.
  if (dialect.provider === 'postgres') return `to_char("${column}", '${bucket === 'second' ? 'YYYY-MM-DD"T"HH24:MI:SS' : 'YYYY-MM-DD"T"HH24:MI'}')`;
  return `substr("${column}", 1, ${bucket === 'second' ? 19 : 16})`;
}

async function counts(db: Db, dialect: Dialect, broadcastId: string, bucket: DeliveryTimeline['bucket']) {
  const message = tableName(dialect, 'Message');
  const param = dialect.provider === 'postgres' ? '$1' : '?';
  const sent = await db.$queryRawUnsafe<{ at: string; n: number | bigint }[]>(
    `SELECT ${bucketOf(dialect, 'sentAt', bucket)} AS "at", COUNT(*) AS "n" FROM ${message} WHERE "broadcastId" = ${param} AND "sentAt" IS NOT NULL GROUP BY 1`,
    broadcastId,
  );
  const settled = await db.$queryRawUnsafe<{ at: string; status: string; n: number | bigint }[]>(
    `SELECT ${bucketOf(dialect, 'updatedAt', bucket)} AS "at", "status", COUNT(*) AS "n" FROM ${message} WHERE "broadcastId" = ${param} AND "status" IN (${[...DELIVERED, ...FAILED].map((s) => `'${s}'`).join(', ')}) GROUP BY 1, 2`,
    broadcastId,
  );
  return { sent, settled };
}

/** The delivery timeline of a broadcast (empty points when nothing has left yet). */
export async function deliveryTimeline(db: Db, dialect: Dialect, broadcastId: string): Promise<DeliveryTimeline> {
  let bucket: DeliveryTimeline['bucket'] = 'minute';
  let rows = await counts(db, dialect, broadcastId, bucket);
  // Nothing left or settled yet (a held announcement, polled while it waits): no second read.
  if (rows.sent.length === 0 && rows.settled.length === 0) return { bucket: 'second', points: [] };
  const minutes = rows.sent.map((r) => Date.parse(`${r.at}:00Z`));
  if (minutes.length === 0 || Math.max(...minutes) - Math.min(...minutes) < SECONDS_SPAN * 1000) {
    bucket = 'second';
    rows = await counts(db, dialect, broadcastId, bucket);
  }
  const iso = (at: string) => new Date(`${at}${bucket === 'minute' ? ':00' : ''}Z`).toISOString();
  const points = new Map<string, TimelinePoint>();
  const point = (at: string) => {
    const key = iso(at);
    let found = points.get(key);
    if (!found) points.set(key, (found = { at: key, sent: 0, delivered: 0, failed: 0 }));
    return found;
  };
  for (const row of rows.sent) point(row.at).sent += Number(row.n);
  for (const row of rows.settled) point(row.at)[DELIVERED.includes(row.status) ? 'delivered' : 'failed'] += Number(row.n);
  return { bucket, points: [...points.values()].sort((a, b) => a.at.localeCompare(b.at)) };
}
