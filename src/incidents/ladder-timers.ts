/**
 * The timers of the escalation ladder: BullMQ delayed jobs whose ids derive from the incident's
 * Escalation row (`escalate-<incident>-<level>-<round>`, `acktimeout-<incident>-<round>`), so the
 * same step always has the same job id and a restart loses none. `pendingTimer` reads which timer
 * a row waits on (null: none); `retime` swaps timers after commit; `ensureTimer` makes sure a
 * row's timer is in Redis. Times are Dates on the capability's clock.
 */
import { jobId, type TimerJob } from '../jobs/queues.js';
import type { AfterCommit, IncidentDeps } from './deps.js';

export const ESCALATE = 'incident-escalate';
export const ACK_TIMEOUT = 'incident-ack-timeout';

export function escalateTimerId(incidentId: string, level: number, round: number): string {
  return jobId('escalate', incidentId, level, round);
}

export function ackTimerId(incidentId: string, round: number): string {
  return jobId('acktimeout', incidentId, round);
}

/** The part of an Escalation row that says which step runs next and when. */
export interface EscalationRow {
  incidentId: string;
  policyId: string;
  level: number;
  round: number;
  triggerRound: number;
  trigger: string;
  notifiedLevel: number | null;
  timerKind: string | null;
  timerAt: Date | null;
  assignedCommitteeId: string | null;
}

/** The timer an escalation row waits on, if any. */
export function pendingTimer(row: EscalationRow): { id: string; data: TimerJob; at: Date } | null {
  if (!row.timerAt) return null;
  if (row.timerKind === 'escalate') {
    return { id: escalateTimerId(row.incidentId, row.level, row.round), data: { kind: ESCALATE, incidentId: row.incidentId, level: row.level, round: row.round }, at: row.timerAt };
  }
  if (row.timerKind === 'ack_timeout') {
    return { id: ackTimerId(row.incidentId, row.round), data: { kind: ACK_TIMEOUT, incidentId: row.incidentId, round: row.round }, at: row.timerAt };
  }
  return null;
}

/** Adds a timer due at `at` on the capability's clock (BullMQ waits real time: the difference). */
export async function scheduleTimer(deps: IncidentDeps, timer: { id: string; data: TimerJob; at: Date }): Promise<void> {
  const delay = Math.max(0, timer.at.getTime() - deps.now().getTime());
  await deps.queues.schedule(timer.id, timer.data, new Date(Date.now() + delay));
}

/** Schedules the row's timer after commit, and cancels the one it replaces. */
export function retime(deps: IncidentDeps, after: AfterCommit, next: EscalationRow, previous?: EscalationRow | null): void {
  const old = previous ? pendingTimer(previous) : null;
  const timer = pendingTimer(next);
  after.push(async () => {
    if (old && old.id !== timer?.id) await deps.queues.cancel(old.id);
    if (timer) await scheduleTimer(deps, timer);
  });
}

/**
 * Makes sure the row's pending timer is in Redis: adds it when missing, retries it when it
 * failed for good, re-adds it when a finished job still holds its id.
 */
export async function ensureTimer(deps: IncidentDeps, row: EscalationRow): Promise<'present' | 'scheduled' | 'retried' | 'none'> {
  const timer = pendingTimer(row);
  if (!timer) return 'none';
  const state = await deps.queues.timers.getJobState(timer.id);
  if (state === 'unknown') {
    await scheduleTimer(deps, timer);
    return 'scheduled';
  }
  if (state === 'failed') {
    const job = await deps.queues.timers.getJob(timer.id);
    await job?.retry('failed');
    return 'retried';
  }
  if (state === 'completed') {
    const job = await deps.queues.timers.getJob(timer.id);
    await job?.remove().catch(() => undefined);
    await scheduleTimer(deps, timer);
    return 'scheduled';
  }
  return 'present';
}
