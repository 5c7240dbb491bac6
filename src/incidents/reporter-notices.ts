/**
 * Closing the loop with the reporter: a notice about their case (received, acknowledged,
 * resolved...) in their language, on the channel they reported from when it is still reachable.
 * Anonymous reports have no reporter contact and are never told.
 */
import type { Db } from '../db/client.js';
import type { AfterCommit, IncidentDeps } from './deps.js';
import { enqueueLater, reachOf, text, writeTo } from './notify.js';

/** Tells the reporter (if any, and reachable) about their case, in their language. */
export async function notifyReporter(
  tx: Db,
  deps: IncidentDeps,
  after: AfterCommit,
  incident: { id: string; caseCode: string; reporterContactId: string | null; reporterChannel: string | null },
  key: string,
  causeKey: string,
  params: Record<string, string | number> = {},
): Promise<boolean> {
  if (!incident.reporterContactId) return false;
  const reach = await reachOf(tx, deps, incident.reporterContactId, [incident.reporterChannel]);
  if (!reach) return false;
  const rows = await writeTo(tx, deps, reach, causeKey, [text(deps.translator, reach.language, key, { code: incident.caseCode, ...params })], incident.id);
  enqueueLater(after, deps.queues, rows);
  return true;
}
