/**
 * Repairs at start (and periodically): timers Redis lost are re-created from the Escalation rows,
 * timers that failed for good are retried, and open incidents whose escalation never started
 * (the process died before the incidentCreated hook ran) are started. Pages of 500 rows.
 */
import type { IncidentDeps } from './deps.js';
import { startEscalation } from './ladder.js';
import { ensureTimer } from './ladder-timers.js';

/** At start: re-creates the timers Redis lost (and retries the ones that failed for good). */
export async function recreateTimers(deps: IncidentDeps): Promise<{ scheduled: number; retried: number }> {
  const counts = { scheduled: 0, retried: 0 };
  let cursor: string | undefined;
  for (;;) {
    const rows = await deps.db.escalation.findMany({
      where: { timerKind: { not: null }, ...(cursor ? { incidentId: { gt: cursor } } : {}) },
      orderBy: { incidentId: 'asc' },
      take: 500,
    });
    if (rows.length === 0) return counts;
    const results = await Promise.all(rows.map((row) => ensureTimer(deps, row)));
    for (const result of results) if (result === 'scheduled' || result === 'retried') counts[result]++;
    cursor = rows[rows.length - 1]!.incidentId;
  }
}

/** Starts the escalation of open incidents that have none (their hook never ran). */
export async function startMissing(deps: IncidentDeps, stopping: () => boolean = () => false): Promise<number> {
  let started = 0;
  let cursor: string | undefined;
  for (;;) {
    const open = await deps.db.incident.findMany({
      where: { status: 'open', duplicateOfId: null, ...(cursor ? { id: { gt: cursor } } : {}) },
      orderBy: { id: 'asc' },
      take: 500,
      select: { id: true },
    });
    if (open.length === 0) return started;
    const known = new Set((await deps.db.escalation.findMany({ where: { incidentId: { in: open.map((i) => i.id) } }, select: { incidentId: true } })).map((r) => r.incidentId));
    for (const incident of open) {
      if (stopping()) return started;
      if (known.has(incident.id)) continue;
      await startEscalation(deps, incident.id);
      started++;
    }
    cursor = open[open.length - 1]!.id;
  }
}
