/**
 * What a responder reads about incidents in the chat, in their language:
 *   - HELP: the responder commands (instead of the community help);
 *   - LIST (LISTE, الحوادث): the open incidents of their committees (told to a member of one of
 *     their committees, on the responder's own rosters, open or acknowledged, not linked to
 *     another), most severe first, then the longest waiting: code, severity, category, area,
 *     state and how long it has waited; at most LIST_MAX lines and a count of the rest;
 *   - a case code: the responder's view of that incident (state, who acknowledged, time waiting,
 *     people affected, description, verification, open questions to the reporter, the link to
 *     another report) when they are on its rosters. Each such view is in the audit trail
 *     (`incident.viewed`, via chat), as every view of a report by staff is.
 */
import { areaNameIn } from '../areas/names.js';
import type { Db } from '../db/client.js';
import { shownDay } from '../flow/shown-values.js';
import type { OutboundMessage } from '../messages.js';
import { nameOf, onRoster, type ActionScope } from './actions.js';
import { record } from './audit.js';
import type { IncidentDeps } from './deps.js';
import { duration, label, UNKNOWN_AREA } from './notify.js';
import { relayOpen } from './relay.js';

/** Most incidents one LIST shows (an SMS stays within a few segments). */
export const LIST_MAX = 8;

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low'];

type IncidentRow = NonNullable<Awaited<ReturnType<Db['incident']['findUnique']>>>;

interface ResponderRef {
  id: string;
}

function tr(deps: IncidentDeps, language: string) {
  return (key: string, params?: Record<string, string | number>) => deps.translator.t(language, `incidents:${key}`, params);
}

/** The responder commands, when the contact is an active responder; null otherwise. */
export async function responderHelp(tx: Db, deps: IncidentDeps, contactId: string, language: string): Promise<OutboundMessage | null> {
  const responder = await tx.responder.findUnique({ where: { contactId }, select: { active: true } });
  if (!responder?.active) return null;
  return { type: 'text', text: tr(deps, language)('responder.help') };
}

/** How long an incident has waited: since its escalation started (or since it was stored). */
async function waitingSince(tx: Db, incidents: IncidentRow[]): Promise<Map<string, Date>> {
  const rows = await tx.escalation.findMany({ where: { incidentId: { in: incidents.map((i) => i.id) } }, select: { incidentId: true, startedAt: true } });
  const started = new Map(rows.map((r) => [r.incidentId, r.startedAt]));
  return new Map(incidents.map((i) => [i.id, started.get(i.id) ?? i.createdAt]));
}

/** The open incidents of the responder's committees, as one message (see the module comment). */
export async function listForResponder(scope: ActionScope, responder: ResponderRef, language: string): Promise<OutboundMessage> {
  const { tx, deps, now } = scope;
  const t = tr(deps, language);
  const committees = (await tx.committeeMember.findMany({ where: { responderId: responder.id }, select: { committeeId: true } })).map((m) => m.committeeId);
  const members = committees.length
    ? [...new Set((await tx.committeeMember.findMany({ where: { committeeId: { in: committees } }, select: { responderId: true } })).map((m) => m.responderId))]
    : [responder.id];
  const open = await tx.incident.findMany({ where: { status: { in: ['open', 'acknowledged'] }, duplicateOfId: null }, select: { id: true } });
  const told = open.length
    ? new Set((await tx.incidentNotification.findMany({ where: { incidentId: { in: open.map((i) => i.id) }, responderId: { in: members } }, select: { incidentId: true }, distinct: ['incidentId'] })).map((n) => n.incidentId))
    : new Set<string>();
  const candidates = await tx.incident.findMany({ where: { id: { in: [...told] } } });
  const mine: IncidentRow[] = [];
  for (const incident of candidates) if (await onRoster(scope, incident, responder.id)) mine.push(incident);
  if (mine.length === 0) return { type: 'text', text: t('responder.list_empty') };
  const since = await waitingSince(tx, mine);
  const rank = (severity: string) => (SEVERITY_ORDER.includes(severity) ? SEVERITY_ORDER.indexOf(severity) : SEVERITY_ORDER.length);
  mine.sort((a, b) => rank(a.severity) - rank(b.severity) || since.get(a.id)!.getTime() - since.get(b.id)!.getTime() || a.caseCode.localeCompare(b.caseCode));
  const lines = [t('responder.list_header', { count: mine.length })];
  for (const incident of mine.slice(0, LIST_MAX)) {
    const area = areaNameIn((await deps.areas.get(tx, incident.areaId)) ?? UNKNOWN_AREA, language);
    const age = duration(deps.translator, language, Math.max(0, now.getTime() - since.get(incident.id)!.getTime()));
    const common = {
      code: incident.caseCode,
      severity: label(deps.translator, language, 'severity', incident.severity),
      category: label(deps.translator, language, 'category', incident.category),
      area,
      age,
    };
    lines.push(
      incident.status === 'acknowledged'
        ? t('responder.list_acknowledged', { ...common, name: await nameOf(tx, incident.acknowledgedBy) })
        : t('responder.list_open', common),
    );
  }
  if (mine.length > LIST_MAX) lines.push(t('responder.list_more', { count: mine.length - LIST_MAX }));
  lines.push(t('responder.list_footer'));
  return { type: 'text', text: lines.join('\n') };
}

/**
 * The responder's view of one incident, or null when the responder is not on its rosters (the
 * code then gets the status any holder of the code gets).
 */
export async function viewForResponder(scope: ActionScope, responder: ResponderRef, incident: IncidentRow, language: string, channel: string): Promise<OutboundMessage | null> {
  const { tx, deps, now } = scope;
  if (!(await onRoster(scope, incident, responder.id))) return null;
  const t = tr(deps, language);
  const area = areaNameIn((await deps.areas.get(tx, incident.areaId)) ?? UNKNOWN_AREA, language);
  const since = (await waitingSince(tx, [incident])).get(incident.id)!;
  const lines = [
    t('notify.headline', {
      severity: label(deps.translator, language, 'severity', incident.severity),
      code: incident.caseCode,
      category: label(deps.translator, language, 'category', incident.category),
      area,
    }),
  ];
  const age = duration(deps.translator, language, Math.max(0, now.getTime() - since.getTime()));
  if (incident.status === 'resolved') lines.push(t('responder.view_resolved', { name: await nameOf(tx, incident.resolvedBy) }));
  else if (incident.status === 'acknowledged') lines.push(t('responder.view_acknowledged', { name: await nameOf(tx, incident.acknowledgedBy), age }));
  else lines.push(t('responder.view_open', { age }));
  if (incident.affected !== null) lines.push(t('notify.affected', { count: incident.affected }));
  if (incident.occurredAt) lines.push(t('notify.when', { when: shownDay(incident.occurredAt, language) }));
  let description = '';
  try {
    description = deps.personalData.decrypt(incident.descriptionEnc);
  } catch {
    description = '';
  }
  if (description.trim()) lines.push(t('notify.quote', { text: description.trim() }));
  lines.push(t('responder.view_verification', { verification: label(deps.translator, language, 'verification', incident.verification) }));
  if (incident.duplicateOfId) {
    const primary = await tx.incident.findUnique({ where: { id: incident.duplicateOfId }, select: { caseCode: true } });
    if (primary) lines.push(t('responder.view_linked', { primary: primary.caseCode }));
  }
  const relays = await tx.incidentRelay.findMany({ where: { incidentId: incident.id }, select: { answeredAt: true, closedAt: true, expiresAt: true } });
  const waiting = relays.filter((r) => relayOpen(r, now)).length;
  if (waiting > 0) lines.push(t('responder.view_questions', { count: waiting }));
  // What is left to do: taking it, or (acknowledged) resolving it.
  if (incident.status === 'acknowledged') lines.push(t('notify.commands_acknowledged', { code: incident.caseCode }));
  else if (incident.status !== 'resolved') lines.push(t('notify.commands', { code: incident.caseCode }));
  await record(tx, { actor: `responder:${responder.id}`, action: 'incident.viewed', subjectId: incident.id, detail: { via: 'chat', channel }, at: now });
  return { type: 'text', text: lines.join('\n') };
}
