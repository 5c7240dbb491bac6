/**
 * Alerts to administrators: an incident of a category whose rule says `whenNobodyReached: wait`
 * (policies.yaml `categories`) reached nobody at a step of its ladder. The members of the alert
 * desks (policies.yaml `alerts.desks`, committees with `level: desk` in the rosters) are told once
 * per round, in their language, and `incident.admins_alerted` is recorded (with the responders
 * told, or none: the audit trail then shows that nobody could be alerted either). The alert names
 * the case code, category, area and severity, never the reporter.
 */
import { areaNameIn } from '../areas/names.js';
import type { Db } from '../db/client.js';
import { record, SYSTEM } from './audit.js';
import type { AfterCommit, IncidentDeps } from './deps.js';
import { enqueueLater, label, reachMany, writeTo, type IncidentSummary } from './notify.js';
import { membersOf } from './routing.js';

export async function alertAdmins(tx: Db, deps: IncidentDeps, after: AfterCommit, summary: IncidentSummary, step: { level: number; round: number; committees: string[] }, now: Date): Promise<void> {
  const key = `incident:${summary.id}:admins:${step.round}`;
  // Once per round: a later step of the same round that reaches nobody adds an audit entry only.
  const already = await tx.message.count({ where: { dedupeKey: { startsWith: `out:${key}:` } } });
  const desks = await tx.committee.findMany({ where: { level: 'desk', desk: { in: deps.policies.alerts.desks } }, select: { id: true } });
  const admins = await membersOf(tx, desks.map((d) => d.id));
  const reaches = await reachMany(tx, deps, admins.map((a) => ({ contactId: a.contactId, prefer: [a.preferredChannel] })));
  const told: string[] = [];
  for (const admin of admins) {
    const reach = reaches.get(admin.contactId);
    if (!reach) continue;
    told.push(admin.id);
    if (already > 0) continue;
    const message = {
      type: 'text' as const,
      text: deps.translator.t(reach.language, 'incidents:notify.admins_waiting', {
        code: summary.caseCode,
        category: label(deps.translator, reach.language, 'category', summary.category),
        area: areaNameIn(summary.area, reach.language),
        severity: label(deps.translator, reach.language, 'severity', summary.severity),
      }),
    };
    const rows = await writeTo(tx, deps, reach, `${key}:${admin.id}`, [message], summary.id);
    enqueueLater(after, deps.queues, rows);
  }
  await record(tx, {
    actor: SYSTEM,
    action: 'incident.admins_alerted',
    subjectId: summary.id,
    detail: { level: step.level, round: step.round, committees: step.committees, desks: desks.map((d) => d.id), told, repeated: already > 0 },
    at: now,
  });
}
