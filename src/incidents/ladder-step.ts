/**
 * One step of the escalation ladder: the responders of one level are told (each notification
 * recorded, unreachable responders audited), then the Escalation row moves to its next step (the
 * next level, the next round when the policy repeats, or the end) and that step's timer is
 * scheduled after commit. A level nobody could be reached at escalates at once, unless the
 * category's rule says `wait` (policies.yaml `categories`): then the next level keeps its delay
 * and the administrators are alerted (admin-alerts.ts). Runs inside the caller's transaction,
 * which must own the step.
 */
import type { Db } from '../db/client.js';
import { record, SYSTEM } from './audit.js';
import type { AfterCommit, IncidentDeps } from './deps.js';
import { retime, type EscalationRow } from './ladder-timers.js';
import { enqueueLater, reachMany, responderNotification, UNKNOWN_AREA, writeTo, type IncidentSummary } from './notify.js';
import { alertAdmins } from './admin-alerts.js';
import { categoryRule, choosePolicy, outsideQuietHours, policyById, type Policy } from './policies.js';
import { assignedLevelIndex, committeesForLevel, membersOf } from './routing.js';

export function policyOf(deps: IncidentDeps, row: { policyId: string }, incident: { severity: string; category: string }): Policy {
  // A policy removed from the file since the incident started: its severity's policy takes over.
  return policyById(deps.policies, row.policyId) ?? choosePolicy(deps.policies, incident.severity, incident.category);
}

/** When a step due after `delayMs` may run (quiet hours respected for low severities). */
export async function dueAt(db: Db, deps: IncidentDeps, policy: Policy, incident: { severity: string; areaId: string | null }, from: Date, delayMs: number): Promise<Date> {
  const at = new Date(from.getTime() + delayMs);
  return outsideQuietHours(at, policy, incident.severity, (await deps.areas.get(db, incident.areaId))?.timezone ?? 'UTC');
}

/** The summary responders read in a notification. */
export async function summarize(tx: Db, deps: IncidentDeps, incident: { id: string; caseCode: string; severity: string; category: string; areaId: string | null; affected: number | null; occurredAt: string | null; descriptionEnc: string }): Promise<IncidentSummary> {
  const area = await deps.areas.get(tx, incident.areaId);
  const links = await tx.incidentLink.findMany({ where: { incidentId: incident.id, status: 'suggested' }, select: { candidateId: true } });
  const codes = links.length
    ? (await tx.incident.findMany({ where: { id: { in: links.map((l) => l.candidateId) } }, select: { caseCode: true } })).map((i) => i.caseCode)
    : [];
  let description = '';
  try {
    description = deps.personalData.decrypt(incident.descriptionEnc);
  } catch {
    description = '';
  }
  return {
    id: incident.id,
    caseCode: incident.caseCode,
    severity: incident.severity,
    category: incident.category,
    area: area ?? UNKNOWN_AREA,
    affected: incident.affected,
    occurredAt: incident.occurredAt,
    description,
    possibleDuplicates: codes.sort(),
  };
}

type IncidentRow = NonNullable<Awaited<ReturnType<Db['incident']['findUnique']>>>;

/**
 * Tells the responders of one level (inside the caller's transaction, which owns the step), then
 * moves the escalation to its next step (or ends it) and schedules that step's timer.
 */
export async function notifyStep(tx: Db, deps: IncidentDeps, after: AfterCommit, row: EscalationRow, incident: IncidentRow, level: number, round: number, now: Date): Promise<void> {
  const incidentId = incident.id;
  const policy = policyOf(deps, row, incident);
  const levelIndex = Math.min(level, policy.levels.length - 1);
  const assignedCommittee = row.assignedCommitteeId ? await tx.committee.findUnique({ where: { id: row.assignedCommitteeId } }) : null;
  const assigned = assignedCommittee ? { committeeId: assignedCommittee.id, level: assignedLevelIndex(policy, assignedCommittee) } : null;
  const committees = await committeesForLevel(tx, deps.areas, deps.policies, policy, incident, levelIndex, assigned);
  const responders = await membersOf(tx, committees.map((c) => c.id));
  const summary = await summarize(tx, deps, incident);
  // The first step of a re-trigger or reassignment says so.
  const fresh = round === row.triggerRound && round > 0 && (await tx.incidentNotification.count({ where: { incidentId, round } })) === 0;
  const step = {
    level: levelIndex,
    levels: policy.levels.length,
    escalated: levelIndex > 0 || round > 0,
    retriggered: fresh && row.trigger === 'retriggered',
    reassigned: fresh && row.trigger === 'reassigned',
  };
  const reached: string[] = [];
  const unreachable: string[] = [];
  const reaches = await reachMany(tx, deps, responders.map((r) => ({ contactId: r.contactId, prefer: [r.preferredChannel] })));
  for (const responder of responders) {
    const reach = reaches.get(responder.contactId) ?? null;
    let messageId: string | null = null;
    if (reach) {
      const message = responderNotification(deps.translator, reach.language, summary, step);
      const rows = await writeTo(tx, deps, reach, `incident:${incidentId}:notify:${round}:${levelIndex}:${responder.id}`, [message], incidentId);
      enqueueLater(after, deps.queues, rows);
      messageId = rows[0]?.id ?? null;
      reached.push(responder.id);
    } else {
      unreachable.push(responder.id);
    }
    // The step was claimed in this transaction: this row cannot exist yet.
    await tx.incidentNotification.create({
      data: { incidentId, round, level: levelIndex, responderId: responder.id, channel: reach?.channel ?? null, identityId: reach?.identityId ?? null, messageId },
    });
  }
  await record(tx, {
    actor: SYSTEM,
    action: 'incident.notified',
    subjectId: incidentId,
    detail: { level: levelIndex, round, committees: committees.map((c) => c.id), reached, unreachable },
    at: now,
  });
  let delay = policy.levels[levelIndex]?.delay ?? 0;
  if (reached.length === 0) {
    const waits = categoryRule(deps.policies, incident.category).whenNobodyReached === 'wait';
    if (!waits) delay = 0;
    await record(tx, {
      actor: SYSTEM,
      action: 'incident.level_unreachable',
      subjectId: incidentId,
      detail: { level: levelIndex, round, committees: committees.map((c) => c.id), responders: unreachable.length, then: waits ? 'wait' : 'escalate' },
      at: now,
    });
    if (waits) await alertAdmins(tx, deps, after, summary, { level: levelIndex, round, committees: committees.map((c) => c.id) }, now);
  }
  let next: { level: number; round: number } | null = null;
  if (levelIndex + 1 < policy.levels.length) next = { level: levelIndex + 1, round };
  else if (round - row.triggerRound < policy.repeat) next = { level: 0, round: round + 1 };
  if (next) {
    const at = await dueAt(tx, deps, policy, incident, now, delay);
    const updated = await tx.escalation.update({
      where: { incidentId },
      data: { level: next.level, round: next.round, notifiedLevel: levelIndex, timerKind: 'escalate', timerAt: at },
    });
    retime(deps, after, updated);
  } else {
    await tx.escalation.update({ where: { incidentId }, data: { notifiedLevel: levelIndex, timerKind: null, timerAt: null, exhaustedAt: now } });
    await record(tx, { actor: SYSTEM, action: 'incident.escalation_exhausted', subjectId: incidentId, detail: { level: levelIndex, round }, at: now });
  }
}
