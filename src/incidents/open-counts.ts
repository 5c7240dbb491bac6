/**
 * How many incidents are still open, by status and by the escalation level last notified, counted
 * in SQL (for the metrics endpoint: numbers only, never a case code or a person).
 */
import type { Db } from '../db/client.js';

export interface OpenIncidentCount {
  /** open | acknowledged */
  status: string;
  /** Index of the escalation level last notified (0 is the first), null before any was notified. */
  level: number | null;
  count: number;
}

/** Open and acknowledged incidents, linked duplicates left out (they follow their original). */
export async function openIncidentCounts(db: Db): Promise<OpenIncidentCount[]> {
  const rows = await db.$queryRaw<{ status: string; level: number | bigint | null; n: number | bigint }[]>`
    SELECT i."status" AS "status", e."notifiedLevel" AS "level", COUNT(*) AS "n"
    FROM "Incident" i LEFT JOIN "Escalation" e ON e."incidentId" = i."id"
    WHERE i."status" IN ('open', 'acknowledged') AND i."duplicateOfId" IS NULL
    GROUP BY i."status", e."notifiedLevel"`;
  return rows.map((row) => ({ status: row.status, level: row.level === null ? null : Number(row.level), count: Number(row.n) }));
}
