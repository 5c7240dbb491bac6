/**
 * The escalation ladder. The Escalation row of an incident is the truth: which step (level,
 * round) the pending timer runs, or that it waits for an acknowledgement to time out. Timers are
 * BullMQ delayed jobs with ids derived from that row (`escalate-<incident>-<level>-<round>`,
 * `acktimeout-<incident>-<round>`), so:
 *   - a timer's handler first claims its step with a conditional update; a step that ran already,
 *     or an incident acknowledged meanwhile, makes a late or repeated timer a no-op;
 *   - starting twice (the incidentCreated hook after a crash) finds the row and only makes sure
 *     its timer exists;
 *   - at start, a sweep re-creates the timer of every escalation whose job Redis does not have.
 * A level whose responders are all unreachable escalates at once, and that is recorded.
 */
import type { Db } from '../db/client.js';
import { isUniqueViolation } from '../conversation/contacts.js';
import { jobId, type TimerJob } from '../jobs/queues.js';
import { record, SYSTEM } from './audit.js';
import { runAfterCommit, type AfterCommit, type IncidentDeps } from './deps.js';
import { enqueueLater, reachMany, reachOf, responderNotification, text, writeTo, type IncidentSummary } from './notify.js';
import { choosePolicy, outsideQuietHours, policyById, type Policy } from './policies.js';
import { assignedLevelIndex, committeesForLevel, membersOf } from './routing.js';

export const ESCALATE = 'incident-escalate';
export const ACK_TIMEOUT = 'incident-ack-timeout';

export function escalateTimerId(incidentId: string, level: number, round: number): string {
  return jobId('escalate', incidentId, level, round);
}

export function ackTimerId(incidentId: string, round: number): string {
  return jobId('acktimeout', incidentId, round);
}

interface EscalationRow {
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

export function policyOf(deps: IncidentDeps, row: { policyId: string }, incident: { severity: string; category: string }): Policy {
  // A policy removed from the file since the incident started: its severity's policy takes over.
  return policyById(deps.policies, row.policyId) ?? choosePolicy(deps.policies, incident.severity, incident.category);
}

/** When a step due after `delayMs` may run (quiet hours respected for low severities). */
async function dueAt(db: Db, deps: IncidentDeps, policy: Policy, incident: { severity: string; areaId: string | null }, from: Date, delayMs: number): Promise<Date> {
  const at = new Date(from.getTime() + delayMs);
  return outsideQuietHours(at, policy, incident.severity, (await deps.areas.get(db, incident.areaId))?.timezone ?? 'UTC');
}

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

/**
 * Starts the escalation of a new incident: chooses its policy, suggests duplicates, tells the
 * reporter the case was received, and schedules the first step (at once, or after quiet hours).
 * Idempotent: a second call only makes sure the pending timer exists.
 */
export async function startEscalation(deps: IncidentDeps, incidentId: string): Promise<void> {
  const after: AfterCommit = [];
  try {
    await deps.db.$transaction(
      async (t) => {
        const tx = t as Db;
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
      },
      { maxWait: 20_000, timeout: 30_000 },
    );
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Started concurrently by another call: make sure its timer exists.
    const row = await deps.db.escalation.findUnique({ where: { incidentId } });
    if (row) await ensureTimer(deps, row);
    return;
  }
  await runAfterCommit(after);
}

async function suggestDuplicates(
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
    areaName: area?.name ?? '?',
    affected: incident.affected,
    occurredAt: incident.occurredAt,
    description,
    possibleDuplicates: codes.sort(),
  };
}

/**
 * The `incident-escalate` timer: tells the responders of one level, then schedules the next
 * level (or the next round when the policy repeats). Does nothing unless the incident is still
 * waiting on exactly this step.
 */
export async function runStep(deps: IncidentDeps, incidentId: string, level: number, round: number): Promise<void> {
  const after: AfterCommit = [];
  await deps.db.$transaction(
    async (t) => {
      const tx = t as Db;
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
    },
    { maxWait: 20_000, timeout: 30_000 },
  );
  await runAfterCommit(after);
}

type IncidentRow = NonNullable<Awaited<ReturnType<Db['incident']['findUnique']>>>;

/**
 * Tells the responders of one level (inside the caller's transaction, which owns the step), then
 * moves the escalation to its next step (or ends it) and schedules that step's timer.
 */
async function notifyStep(tx: Db, deps: IncidentDeps, after: AfterCommit, row: EscalationRow, incident: IncidentRow, level: number, round: number, now: Date): Promise<void> {
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
    delay = 0;
    await record(tx, {
      actor: SYSTEM,
      action: 'incident.level_unreachable',
      subjectId: incidentId,
      detail: { level: levelIndex, round, committees: committees.map((c) => c.id), responders: unreachable.length },
      at: now,
    });
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

/**
 * The `incident-ack-timeout` timer: an acknowledged incident still unresolved re-triggers. It
 * opens again and the ladder restarts, in a new round, at the level last told.
 */
export async function runAckTimeout(deps: IncidentDeps, incidentId: string, round: number): Promise<void> {
  const after: AfterCommit = [];
  await deps.db.$transaction(
    async (t) => {
      const tx = t as Db;
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
    },
    { maxWait: 20_000, timeout: 30_000 },
  );
  await runAfterCommit(after);
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
