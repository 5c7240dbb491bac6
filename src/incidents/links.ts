/**
 * Duplicate reports of one event: suggestions made when a report arrives (same area and category,
 * still open, within the policies' duplicates window; at most three, audited), and status changes
 * of a primary incident carried to the reports linked to it as duplicates.
 */
import type { Db } from '../db/client.js';
import { record, SYSTEM } from './audit.js';
import type { AfterCommit, IncidentDeps } from './deps.js';
import { notifyReporter } from './reporter-notices.js';

/** Links up to three recent open reports of the same area and category as possible duplicates. */
export async function suggestDuplicates(
  tx: Db,
  deps: IncidentDeps,
  incident: { id: string; areaId: string | null; category: string; createdAt: Date },
  now: Date,
): Promise<void> {
  if (!incident.areaId) return;
  const since = new Date(incident.createdAt.getTime() - deps.policies.duplicates.window);
  const candidates = await tx.incident.findMany({
    where: {
      id: { not: incident.id },
      areaId: incident.areaId,
      category: incident.category,
      status: { not: 'resolved' },
      duplicateOfId: null,
      createdAt: { gte: since, lte: incident.createdAt },
    },
    orderBy: { createdAt: 'desc' },
    take: 3,
    select: { id: true, caseCode: true },
  });
  for (const candidate of candidates) {
    await tx.incidentLink.upsert({
      where: { incidentId_candidateId: { incidentId: incident.id, candidateId: candidate.id } },
      create: { incidentId: incident.id, candidateId: candidate.id },
      update: {},
    });
  }
  if (candidates.length > 0) {
    await record(tx, { actor: SYSTEM, action: 'incident.duplicate_suggested', subjectId: incident.id, detail: { candidates: candidates.map((c) => c.caseCode) }, at: now });
  }
}

/**
 * Applies a status change of an incident to the reports linked to it as duplicates, and tells
 * their reporters (`reporterKey`: reporter.acknowledged / reporter.resolved).
 */
export async function propagateToLinked(
  tx: Db,
  deps: IncidentDeps,
  after: AfterCommit,
  primaryId: string,
  data: { status: string; acknowledgedBy?: string | null; acknowledgedAt?: Date | null; resolvedBy?: string | null; resolvedAt?: Date | null },
  reporterKey: 'reporter.acknowledged' | 'reporter.resolved' | null,
  now: Date,
): Promise<void> {
  const linked = await tx.incident.findMany({ where: { duplicateOfId: primaryId } });
  for (const incident of linked) {
    if (incident.status === data.status || incident.status === 'resolved') continue;
    await tx.incident.update({ where: { id: incident.id }, data });
    await record(tx, { actor: SYSTEM, action: `incident.${data.status === 'open' ? 'retriggered' : data.status}`, subjectId: incident.id, detail: { via: primaryId }, at: now });
    if (reporterKey) {
      const told = await notifyReporter(tx, deps, after, incident, reporterKey, `incident:${incident.id}:${data.status}:${now.getTime()}`);
      if (told) await record(tx, { actor: SYSTEM, action: 'incident.reporter_notified', subjectId: incident.id, detail: { what: data.status }, at: now });
    }
  }
}
