/**
 * What responders and staff do to an incident: acknowledge, resolve, add a note, verify,
 * reassign, link as a duplicate, ask the reporter a question. One implementation for every way
 * in (channel commands and buttons, admin API, command line). Each runs inside the caller's
 * transaction, records itself in the audit trail, and returns an outcome the caller turns into a
 * reply (an i18n key of the incidents namespace with its parameters). A refused action changes
 * nothing.
 */
import type { Db } from '../db/client.js';
import { parseCaseCode } from '../flow/case-code.js';
import { record, sealNote, type Actor } from './audit.js';
import type { AfterCommit, IncidentDeps } from './deps.js';
import { retime } from './ladder-timers.js';
import { policyOf } from './ladder-step.js';
import { propagateToLinked } from './links.js';
import { notifyReporter } from './reporter-notices.js';
import { enqueueLater, reachOf, text, writeTo } from './notify.js';
import { questionCauseKey } from './relay.js';
import { scheduleExpiry } from './relay-close.js';
import { choosePolicy, committeeAllowed } from './policies.js';
import { assignedLevelIndex, membersOf, rosterCommittees } from './routing.js';

/** Who acts. Responders must be on the incident's rosters; staff tokens are checked by area. */
export interface ActingParty {
  /** Audit actor: responder:<id> | token:<id> | cli:<name> */
  ref: Actor;
  /** Shown to other responders and staff (never to reporters). */
  name: string;
  /** A roster responder acting: the roster rules of the chat commands bind them. */
  responderId?: string;
  /**
   * The roster responder a staff user is (their account is linked to one): not bound by the roster
   * rules, but, like a responder acting, not told of their own action.
   */
  linkedResponderId?: string;
  /** The channel the command came on, for the audit trail. */
  channel?: string;
  /**
   * The role of a staff user (console session) not linked to a roster responder: other responders
   * are told "by a coordinator" (incidents:staff_role.<role>, in their language), not a login name
   * they do not know.
   */
  staffRole?: string;
}

export interface Outcome {
  ok: boolean;
  /** i18n key under incidents: */
  key: string;
  /** The key's parameters; a duration is a number of ms named `…Ms` (see `outcomeText`, notify.ts). */
  params: Record<string, string | number>;
  /** HTTP status for the admin API. */
  status: number;
}

export interface ActionScope {
  tx: Db;
  deps: IncidentDeps;
  after: AfterCommit;
  now: Date;
}

type IncidentRow = NonNullable<Awaited<ReturnType<Db['incident']['findUnique']>>>;

const done = (key: string, params: Record<string, string | number> = {}): Outcome => ({ ok: true, key, params, status: 200 });
const refused = (key: string, params: Record<string, string | number>, status: number): Outcome => ({ ok: false, key, params, status });

export const VERIFICATIONS = ['verified', 'unverified', 'false'] as const;
export type Verification = (typeof VERIFICATIONS)[number];

/** Finds an incident by what someone typed as its code. */
export async function findIncident(tx: Db, typed: string): Promise<{ incident: IncidentRow } | { outcome: Outcome }> {
  const code = parseCaseCode(typed, true);
  if (!code) return { outcome: refused('reply.not_a_code', { text: typed.slice(0, 20) }, 400) };
  const incident = await tx.incident.findUnique({ where: { caseCode: code } });
  if (!incident) return { outcome: refused('reply.unknown_code', { code }, 404) };
  return { incident };
}

/** The refusal for a committee id nobody has (and, in the admin API, for one outside the caller's area). */
export function unknownCommittee(typed: string): Outcome {
  return refused('reply.unknown_committee', { committee: typed.slice(0, 40) }, 404);
}

/**
 * A responder names another incident (link, dismiss): one whose rosters they are not on is
 * answered as an unknown code, so that nothing tells them it exists and nothing is written on it.
 */
async function otherVisible(scope: ActionScope, actor: ActingParty, other: IncidentRow): Promise<Outcome | null> {
  if (!actor.responderId || (await onRoster(scope, other, actor.responderId))) return null;
  return refused('reply.unknown_code', { code: other.caseCode }, 404);
}

/** Whether a responder is a member of a committee on the incident's rosters. */
export async function onRoster(scope: ActionScope, incident: IncidentRow, responderId: string): Promise<boolean> {
  const { tx, deps } = scope;
  const escalation = await tx.escalation.findUnique({ where: { incidentId: incident.id } });
  const policy = escalation ? policyOf(deps, escalation, incident) : choosePolicy(deps.policies, incident.severity, incident.category);
  const committees = await rosterCommittees(tx, deps.areas, deps.policies, policy, incident, escalation?.assignedCommitteeId);
  if (committees.length === 0) return false;
  const member = await tx.committeeMember.findFirst({ where: { responderId, committeeId: { in: committees.map((c) => c.id) } } });
  return member !== null;
}

/** Refuses a responder who is not on the incident's rosters (staff pass). */
async function authorize(scope: ActionScope, incident: IncidentRow, actor: ActingParty): Promise<Outcome | null> {
  if (!actor.responderId) return null;
  if (await onRoster(scope, incident, actor.responderId)) return null;
  await record(scope.tx, { actor: actor.ref, action: 'incident.refused', subjectId: incident.id, detail: { reason: 'not_on_roster', channel: actor.channel }, at: scope.now });
  return refused('reply.not_on_roster', { code: incident.caseCode }, 403);
}

/** Display name of an actor reference, for "already acknowledged by ...". */
export async function nameOf(tx: Db, ref: string | null): Promise<string> {
  if (!ref) return '?';
  if (ref.startsWith('responder:')) return (await tx.responder.findUnique({ where: { id: ref.slice(10) }, select: { displayName: true } }))?.displayName ?? ref;
  if (ref.startsWith('token:')) return (await tx.apiToken.findUnique({ where: { id: ref.slice(6) }, select: { name: true } }))?.name ?? ref;
  if (ref.startsWith('cli:')) return ref.slice(4);
  return ref;
}

async function primaryOf(tx: Db, incident: IncidentRow): Promise<IncidentRow | null> {
  return incident.duplicateOfId ? tx.incident.findUnique({ where: { id: incident.duplicateOfId } }) : null;
}

/** Tells the responders notified about the incident (except the actor) what happened. */
async function tellOtherResponders(scope: ActionScope, incident: IncidentRow, actor: ActingParty, key: string, tag: string): Promise<void> {
  const { tx, deps, after } = scope;
  const notified = await tx.incidentNotification.findMany({ where: { incidentId: incident.id, channel: { not: null } }, select: { responderId: true }, distinct: ['responderId'] });
  const self = actor.responderId ?? actor.linkedResponderId;
  const ids = notified.map((n) => n.responderId).filter((id) => id !== self);
  if (ids.length === 0) return;
  const responders = await tx.responder.findMany({ where: { id: { in: ids }, active: true } });
  for (const responder of responders) {
    const reach = await reachOf(tx, deps, responder.contactId, [responder.preferredChannel]);
    if (!reach) continue;
    const name = actor.staffRole ? deps.translator.t(reach.language, `incidents:staff_role.${actor.staffRole}`, { defaultValue: actor.name }) : actor.name;
    const rows = await writeTo(tx, deps, reach, `incident:${incident.id}:${tag}:${responder.id}`, [text(deps.translator, reach.language, key, { code: incident.caseCode, name })], incident.id);
    enqueueLater(after, deps.queues, rows);
  }
}

export async function acknowledge(scope: ActionScope, incident: IncidentRow, actor: ActingParty): Promise<Outcome> {
  const { tx, deps, after, now } = scope;
  const denied = await authorize(scope, incident, actor);
  if (denied) return denied;
  const primary = await primaryOf(tx, incident);
  if (primary) return refused('reply.linked_elsewhere', { code: incident.caseCode, primary: primary.caseCode }, 409);
  const claimed = await tx.incident.updateMany({ where: { id: incident.id, status: 'open' }, data: { status: 'acknowledged', acknowledgedBy: actor.ref, acknowledgedAt: now } });
  if (claimed.count === 0) {
    const current = await tx.incident.findUniqueOrThrow({ where: { id: incident.id } });
    if (current.status === 'resolved') return refused('reply.already_resolved', { code: incident.caseCode, name: await nameOf(tx, current.resolvedBy) }, 409);
    if (current.acknowledgedBy === actor.ref) return refused('reply.already_acknowledged_by_you', { code: incident.caseCode }, 409);
    return refused('reply.already_acknowledged', { code: incident.caseCode, name: await nameOf(tx, current.acknowledgedBy) }, 409);
  }
  const previous = await tx.escalation.findUnique({ where: { incidentId: incident.id } });
  const policy = previous ? policyOf(deps, previous, incident) : choosePolicy(deps.policies, incident.severity, incident.category);
  const timerAt = new Date(now.getTime() + policy.ackTimeout);
  const updated = previous
    ? await tx.escalation.update({ where: { incidentId: incident.id }, data: { timerKind: 'ack_timeout', timerAt } })
    : await tx.escalation.create({ data: { incidentId: incident.id, policyId: policy.id, level: 0, round: 0, timerKind: 'ack_timeout', timerAt, startedAt: now } });
  retime(deps, after, updated, previous);
  await record(tx, {
    actor: actor.ref,
    action: 'incident.acknowledged',
    subjectId: incident.id,
    detail: { level: previous?.notifiedLevel ?? null, round: updated.round, channel: actor.channel, ackTimeoutAt: timerAt.toISOString() },
    at: now,
  });
  // The reporter hears of the first acknowledgement only (not again after a re-trigger).
  const told = await notifyReporter(tx, deps, after, incident, 'reporter.acknowledged', `incident:${incident.id}:acknowledged`);
  if (told) await record(tx, { actor: 'system', action: 'incident.reporter_notified', subjectId: incident.id, detail: { what: 'acknowledged' }, at: now });
  await propagateToLinked(tx, deps, after, incident.id, { status: 'acknowledged', acknowledgedBy: actor.ref, acknowledgedAt: now }, 'reporter.acknowledged', now);
  await tellOtherResponders(scope, incident, actor, 'notify.acknowledged_by', `acked:${updated.round}`);
  return done('reply.acknowledged', { code: incident.caseCode, timeoutMs: policy.ackTimeout });
}

export async function resolve(scope: ActionScope, incident: IncidentRow, actor: ActingParty, note?: string): Promise<Outcome> {
  const { tx, deps, after, now } = scope;
  const denied = await authorize(scope, incident, actor);
  if (denied) return denied;
  const primary = await primaryOf(tx, incident);
  if (primary) return refused('reply.linked_elsewhere', { code: incident.caseCode, primary: primary.caseCode }, 409);
  const claimed = await tx.incident.updateMany({
    where: { id: incident.id, status: { in: ['open', 'acknowledged'] } },
    data: { status: 'resolved', resolvedBy: actor.ref, resolvedAt: now },
  });
  if (claimed.count === 0) {
    const current = await tx.incident.findUniqueOrThrow({ where: { id: incident.id } });
    return refused('reply.already_resolved', { code: incident.caseCode, name: await nameOf(tx, current.resolvedBy) }, 409);
  }
  if (!incident.acknowledgedBy) await tx.incident.update({ where: { id: incident.id }, data: { acknowledgedBy: actor.ref, acknowledgedAt: now } });
  const previous = await tx.escalation.findUnique({ where: { incidentId: incident.id } });
  if (previous) {
    const updated = await tx.escalation.update({ where: { incidentId: incident.id }, data: { timerKind: null, timerAt: null } });
    retime(deps, after, updated, previous);
  }
  await record(tx, { actor: actor.ref, action: 'incident.resolved', subjectId: incident.id, detail: { channel: actor.channel, ...sealNote(deps.personalData, note) }, at: now });
  const told = await notifyReporter(tx, deps, after, incident, 'reporter.resolved', `incident:${incident.id}:resolved`);
  if (told) await record(tx, { actor: 'system', action: 'incident.reporter_notified', subjectId: incident.id, detail: { what: 'resolved' }, at: now });
  await propagateToLinked(tx, deps, after, incident.id, { status: 'resolved', resolvedBy: actor.ref, resolvedAt: now }, 'reporter.resolved', now);
  await tellOtherResponders(scope, incident, actor, 'notify.resolved_by', 'resolved');
  return done('reply.resolved', { code: incident.caseCode });
}

export async function addNote(scope: ActionScope, incident: IncidentRow, actor: ActingParty, note: string): Promise<Outcome> {
  if (!note.trim()) return refused('reply.note_missing', { code: incident.caseCode }, 400);
  const denied = await authorize(scope, incident, actor);
  if (denied) return denied;
  await record(scope.tx, { actor: actor.ref, action: 'incident.note', subjectId: incident.id, detail: { channel: actor.channel, ...sealNote(scope.deps.personalData, note) }, at: scope.now });
  return done('reply.note_added', { code: incident.caseCode });
}

/** Reads `true|false|unverified` (and the stored words) as a verification value. */
export function parseVerification(word: string): Verification | null {
  const value = word.trim().toLowerCase();
  if (['true', 'verified', 'vrai', 'verifie', 'vérifié', 'صحيح'].includes(value)) return 'verified';
  if (['false', 'faux', 'كاذب', 'خطأ'].includes(value)) return 'false';
  if (['unverified', 'non-verifie', 'non_verifie', 'non-vérifié', 'unconfirmed', 'غير_مؤكد', 'غير-مؤكد'].includes(value)) return 'unverified';
  return null;
}

export async function verify(scope: ActionScope, incident: IncidentRow, actor: ActingParty, value: Verification, note?: string): Promise<Outcome> {
  const denied = await authorize(scope, incident, actor);
  if (denied) return denied;
  await scope.tx.incident.update({ where: { id: incident.id }, data: { verification: value } });
  await record(scope.tx, {
    actor: actor.ref,
    action: 'incident.verified',
    subjectId: incident.id,
    detail: { from: incident.verification, to: value, channel: actor.channel, ...sealNote(scope.deps.personalData, note) },
    at: scope.now,
  });
  return done(`reply.verified_${value}`, { code: incident.caseCode });
}

export async function reassign(scope: ActionScope, incident: IncidentRow, actor: ActingParty, committeeId: string): Promise<Outcome> {
  const { tx, deps, after, now } = scope;
  const committee = await tx.committee.findUnique({ where: { id: committeeId.trim().toLowerCase() } });
  if (!committee) return unknownCommittee(committeeId);
  const denied = await authorize(scope, incident, actor);
  if (denied) return denied;
  // Never to a committee the category excludes (a report about security forces to their liaison).
  if (!committeeAllowed(deps.policies, incident.category, committee)) {
    await record(tx, { actor: actor.ref, action: 'incident.refused', subjectId: incident.id, detail: { reason: 'committee_excluded', committee: committee.id, channel: actor.channel }, at: now });
    return refused('reply.reassign_excluded', { code: incident.caseCode, committee: committee.name }, 409);
  }
  if (incident.duplicateOfId) {
    const primary = await primaryOf(tx, incident);
    return refused('reply.linked_elsewhere', { code: incident.caseCode, primary: primary?.caseCode ?? '?' }, 409);
  }
  const claimed = await tx.incident.updateMany({
    where: { id: incident.id, status: { in: ['open', 'acknowledged'] } },
    data: { status: 'open', acknowledgedBy: null, acknowledgedAt: null },
  });
  if (claimed.count === 0) return refused('reply.already_resolved', { code: incident.caseCode, name: await nameOf(tx, incident.resolvedBy) }, 409);
  const previous = await tx.escalation.findUnique({ where: { incidentId: incident.id } });
  const policy = previous ? policyOf(deps, previous, incident) : choosePolicy(deps.policies, incident.severity, incident.category);
  const level = assignedLevelIndex(policy, committee);
  const round = previous ? previous.round + 1 : 0;
  const data = { policyId: policy.id, level, round, triggerRound: round, trigger: 'reassigned', assignedCommitteeId: committee.id, timerKind: 'escalate', timerAt: now, exhaustedAt: null };
  const updated = previous
    ? await tx.escalation.update({ where: { incidentId: incident.id }, data })
    : await tx.escalation.create({ data: { incidentId: incident.id, startedAt: now, ...data } });
  retime(deps, after, updated, previous);
  await record(tx, {
    actor: actor.ref,
    action: 'incident.reassigned',
    subjectId: incident.id,
    detail: { committee: committee.id, level, round, previouslyAcknowledgedBy: incident.acknowledgedBy, channel: actor.channel },
    at: now,
  });
  if (incident.status === 'acknowledged') {
    await propagateToLinked(tx, deps, after, incident.id, { status: 'open', acknowledgedBy: null, acknowledgedAt: null }, null, now);
  }
  return done('reply.reassigned', { code: incident.caseCode, committee: committee.name });
}

/**
 * Confirms that `incident` reports the same event as `other`: it is linked to the other's
 * primary, stops escalating, follows the primary's status, and its reporter hears when the
 * primary is acknowledged or resolved.
 */
export async function link(scope: ActionScope, incident: IncidentRow, actor: ActingParty, other: IncidentRow): Promise<Outcome> {
  const { tx, deps, after, now } = scope;
  const denied = await authorize(scope, incident, actor);
  if (denied) return denied;
  const hidden = await otherVisible(scope, actor, other);
  if (hidden) return hidden;
  const primary = (await primaryOf(tx, other)) ?? other;
  if (primary.id === incident.id) return refused('reply.link_same', { code: incident.caseCode }, 400);
  if (incident.duplicateOfId === primary.id) return refused('reply.already_linked', { code: incident.caseCode, primary: primary.caseCode }, 409);
  await tx.incident.update({ where: { id: incident.id }, data: { duplicateOfId: primary.id } });
  // Reports linked to this one follow it to the primary.
  await tx.incident.updateMany({ where: { duplicateOfId: incident.id }, data: { duplicateOfId: primary.id } });
  await tx.incidentLink.upsert({
    where: { incidentId_candidateId: { incidentId: incident.id, candidateId: primary.id } },
    create: { incidentId: incident.id, candidateId: primary.id, status: 'confirmed', decidedBy: actor.ref, decidedAt: now },
    update: { status: 'confirmed', decidedBy: actor.ref, decidedAt: now },
  });
  const previous = await tx.escalation.findUnique({ where: { incidentId: incident.id } });
  if (previous) {
    const updated = await tx.escalation.update({ where: { incidentId: incident.id }, data: { timerKind: null, timerAt: null } });
    retime(deps, after, updated, previous);
  }
  await record(tx, { actor: actor.ref, action: 'incident.linked', subjectId: incident.id, detail: { primary: primary.caseCode, channel: actor.channel }, at: now });
  await record(tx, { actor: actor.ref, action: 'incident.duplicate_linked', subjectId: primary.id, detail: { duplicate: incident.caseCode }, at: now });
  if (incident.status !== 'resolved' && primary.status !== 'open' && primary.status !== incident.status) {
    const status = primary.status;
    await tx.incident.update({
      where: { id: incident.id },
      data: { status, acknowledgedBy: primary.acknowledgedBy, acknowledgedAt: primary.acknowledgedAt, resolvedBy: primary.resolvedBy, resolvedAt: primary.resolvedAt },
    });
    const key = status === 'resolved' ? 'reporter.resolved' : 'reporter.acknowledged';
    await notifyReporter(tx, deps, after, incident, key, `incident:${incident.id}:${status}`);
  }
  return done('reply.linked', { code: incident.caseCode, primary: primary.caseCode });
}

/** Marks a duplicate suggestion dismissed (the reports are different events). */
export async function dismissSuggestion(scope: ActionScope, incident: IncidentRow, actor: ActingParty, other: IncidentRow): Promise<Outcome> {
  const denied = await authorize(scope, incident, actor);
  if (denied) return denied;
  const hidden = await otherVisible(scope, actor, other);
  if (hidden) return hidden;
  const updated = await scope.tx.incidentLink.updateMany({
    where: { incidentId: incident.id, candidateId: other.id, status: 'suggested' },
    data: { status: 'dismissed', decidedBy: actor.ref, decidedAt: scope.now },
  });
  if (updated.count === 0) return refused('reply.no_suggestion', { code: incident.caseCode, other: other.caseCode }, 404);
  await record(scope.tx, { actor: actor.ref, action: 'incident.duplicate_dismissed', subjectId: incident.id, detail: { other: other.caseCode }, at: scope.now });
  return done('reply.dismissed', { code: incident.caseCode, other: other.caseCode });
}

/**
 * Relays a question to the reporter under the case code. The reporter answers with a message
 * that starts with the case code (relay.ts); the question expires after `relay.expiresAfter`, and
 * its asker is told when it expires or cannot reach the reporter (relay-close.ts). Refused at
 * once (nothing is sent) for anonymous reporters, reporters who did not agree to be contacted
 * back, and reporters who are erased or reachable on no channel.
 */
export async function ask(scope: ActionScope, incident: IncidentRow, actor: ActingParty, question: string): Promise<Outcome> {
  const { tx, deps, after, now } = scope;
  if (!question.trim()) return refused('reply.question_missing', { code: incident.caseCode }, 400);
  const denied = await authorize(scope, incident, actor);
  if (denied) return denied;
  if (!incident.reporterContactId || incident.anonymous || !incident.callbackAllowed) return refused('reply.reporter_unreachable', { code: incident.caseCode }, 409);
  const reach = await reachOf(tx, deps, incident.reporterContactId, [incident.reporterChannel]);
  if (!reach) return refused('reply.reporter_unreachable', { code: incident.caseCode }, 409);
  const relay = await tx.incidentRelay.create({
    data: {
      incidentId: incident.id,
      reporterContactId: incident.reporterContactId,
      askedBy: actor.ref,
      questionEnc: deps.personalData.encrypt(question.trim()),
      askedAt: now,
      expiresAt: new Date(now.getTime() + deps.policies.relay.expiresAfter),
    },
  });
  const rows = await writeTo(tx, deps, reach, questionCauseKey(relay.id), [text(deps.translator, reach.language, 'reporter.question', { code: incident.caseCode, question: question.trim() })], incident.id);
  enqueueLater(after, deps.queues, rows);
  scheduleExpiry(deps, after, relay);
  await record(tx, { actor: actor.ref, action: 'incident.question', subjectId: incident.id, detail: { relayId: relay.id, channel: actor.channel, ...sealNote(deps.personalData, question) }, at: now });
  return done('reply.question_sent', { code: incident.caseCode });
}

/** Responders of the incident's rosters (for the admin API's view). */
export async function rosterOf(scope: ActionScope, incident: IncidentRow) {
  const escalation = await scope.tx.escalation.findUnique({ where: { incidentId: incident.id } });
  const policy = escalation ? policyOf(scope.deps, escalation, incident) : choosePolicy(scope.deps.policies, incident.severity, incident.category);
  const committees = await rosterCommittees(scope.tx, scope.deps.areas, scope.deps.policies, policy, incident, escalation?.assignedCommitteeId);
  const members = await membersOf(scope.tx, committees.map((c) => c.id));
  return { policy: policy.id, committees: committees.map((c) => ({ id: c.id, name: c.name, level: c.level, desk: c.desk, areaId: c.areaId })), responders: members.map((m) => ({ id: m.id, name: m.displayName })) };
}
