/**
 * The escalation ladder. The Escalation row of an incident is the truth: which step (level,
 * round) the pending timer runs, or that it waits for an acknowledgement to time out (timer ids:
 * ladder-timers.ts). So:
 *   - a timer's handler first claims its step with a conditional update; a step that ran already,
 *     or an incident acknowledged meanwhile, makes a late or repeated timer a no-op;
 *   - starting twice (the incidentCreated hook after a crash) finds the row and only makes sure
 *     its timer exists;
 *   - at start, a sweep re-creates the timer of every escalation whose job Redis does not have
 *     (timer-repair.ts).
 * A level whose responders are all unreachable escalates at once, and that is recorded.
 */
import { isUniqueViolation } from '../conversation/contacts.js';
import { transaction } from '../db/transaction.js';
import { record, SYSTEM } from './audit.js';
import { runAfterCommit, type AfterCommit, type IncidentDeps } from './deps.js';
import { ensureTimer, retime } from './ladder-timers.js';
import { dueAt, notifyStep, policyOf } from './ladder-step.js';
import { propagateToLinked, suggestDuplicates } from './links.js';
import { choosePolicy } from './policies.js';
import { notifyReporter } from './reporter-notices.js';

/**
 * Starts the escalation of a new incident: chooses its policy, suggests duplicates, tells the
 * reporter the case was received, and schedules the first step (at once, or after quiet hours).
 * Idempotent: a second call only makes sure the pending timer exists.
 */
export async function startEscalation(deps: IncidentDeps, incidentId: string): Promise<void> {
  const after: AfterCommit = [];
  try {
    await transaction(deps.db, async (tx) => {
      const incident = await tx.incident.findUnique({ where: { id: incidentId } });
      if (!incident || incident.status === 'resolved' || incident.duplicateOfId) return;
      const existing = await tx.escalation.findUnique({ where: { incidentId } });
      if (existing) {
        after.push(async () => void (await ensureTimer(deps, existing)));
        return;
      }
      const now = deps.now();
      const policy = choosePolicy(deps.policies, incident.severity, incident.category);
      const at = await dueAt(tx, deps, policy, incident, now, 0);
      const row = await tx.escalation.create({
        data: { incidentId, policyId: policy.id, level: 0, round: 0, triggerRound: 0, timerKind: 'escalate', timerAt: at, startedAt: now },
      });
      await record(tx, {
        actor: SYSTEM,
        action: 'incident.routed',
        subjectId: incidentId,
        detail: { policy: policy.id, severity: incident.severity, category: incident.category, areaId: incident.areaId, firstStepAt: at.toISOString() },
        at: now,
      });
      await suggestDuplicates(tx, deps, incident, now);
      const told = await notifyReporter(tx, deps, after, incident, 'reporter.received', `incident:${incidentId}:received`);
      if (told) await record(tx, { actor: SYSTEM, action: 'incident.reporter_notified', subjectId: incidentId, detail: { what: 'received' }, at: now });
      // Due now: the first level is told in this transaction; otherwise (quiet hours) a timer waits.
      if (at.getTime() <= now.getTime()) await notifyStep(tx, deps, after, row, incident, 0, 0, now);
      else retime(deps, after, row);
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Started concurrently by another call: make sure its timer exists.
    const row = await deps.db.escalation.findUnique({ where: { incidentId } });
    if (row) await ensureTimer(deps, row);
    return;
  }
  await runAfterCommit(after);
}

/**
 * The `incident-escalate` timer: tells the responders of one level, then schedules the next
 * level (or the next round when the policy repeats). Does nothing unless the incident is still
 * waiting on exactly this step.
 */
export async function runStep(deps: IncidentDeps, incidentId: string, level: number, round: number): Promise<void> {
  const after: AfterCommit = [];
  await transaction(deps.db, async (tx) => {
    const now = deps.now();
    // Claim the step first: this row lock orders us against acknowledgements.
    const claimed = await tx.escalation.updateMany({ where: { incidentId, timerKind: 'escalate', level, round }, data: { updatedAt: now } });
    if (claimed.count === 0) return;
    const row = await tx.escalation.findUniqueOrThrow({ where: { incidentId } });
    const incident = await tx.incident.findUnique({ where: { id: incidentId } });
    if (!incident || incident.status !== 'open' || incident.duplicateOfId) {
      await tx.escalation.update({ where: { incidentId }, data: { timerKind: null, timerAt: null } });
      return;
    }
    await notifyStep(tx, deps, after, row, incident, level, round, now);
  });
  await runAfterCommit(after);
}

/**
 * The `incident-ack-timeout` timer: an acknowledged incident still unresolved re-triggers. It
 * opens again and the ladder restarts, in a new round, at the level last told.
 */
export async function runAckTimeout(deps: IncidentDeps, incidentId: string, round: number): Promise<void> {
  const after: AfterCommit = [];
  await transaction(deps.db, async (tx) => {
    const now = deps.now();
    const claimed = await tx.escalation.updateMany({ where: { incidentId, timerKind: 'ack_timeout', round }, data: { updatedAt: now } });
    if (claimed.count === 0) return;
    const incident = await tx.incident.findUniqueOrThrow({ where: { id: incidentId } });
    const row = await tx.escalation.findUniqueOrThrow({ where: { incidentId } });
    if (incident.status !== 'acknowledged') {
      await tx.escalation.update({ where: { incidentId }, data: { timerKind: null, timerAt: null } });
      return;
    }
    await tx.incident.update({ where: { id: incidentId }, data: { status: 'open', acknowledgedBy: null, acknowledgedAt: null } });
    const policy = policyOf(deps, row, incident);
    const nextRound = row.round + 1;
    const level = Math.min(row.notifiedLevel ?? 0, policy.levels.length - 1);
    const updated = await tx.escalation.update({
      where: { incidentId },
      data: { level, round: nextRound, triggerRound: nextRound, trigger: 'retriggered', timerKind: 'escalate', timerAt: now, exhaustedAt: null },
    });
    await record(tx, {
      actor: SYSTEM,
      action: 'incident.retriggered',
      subjectId: incidentId,
      detail: { reason: 'ack_timeout', acknowledgedBy: incident.acknowledgedBy, level, round: nextRound },
      at: now,
    });
    await propagateToLinked(tx, deps, after, incident.id, { status: 'open', acknowledgedBy: null, acknowledgedAt: null }, null, now);
    retime(deps, after, updated);
  });
  await runAfterCommit(after);
}
