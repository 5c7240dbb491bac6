/**
 * Relayed questions that end without an answer, and telling whoever asked. A question is closed:
 *   - `expired`: nobody answered within `relay.expiresAfter` (policy file, default 3 d). A timer
 *     (`relay-expire-<relay>`, scheduled when the question is asked) closes it on time;
 *   - `undeliverable`: it could not be put, or can no longer be answered: the message carrying it
 *     failed or was not delivered (the provider refused it, the reporter blocked the bot or opted
 *     out at the provider), the reporter opted out on that channel (a stopped identity's messages
 *     are not read), or the reporter was erased (the message is gone).
 * A sweep (every `relaySweepMs`, and at start) finds the undeliverable ones, and any expired one
 * whose timer Redis lost. Closing is a conditional update, so a question is closed once and its
 * asker (a responder) is told once, in their language, on their preferred channel; each closing
 * is in the audit trail as `incident.question_closed`. A question asked by staff through the API
 * is closed the same way; its asker reads it in the incident's timeline.
 */
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { transaction } from '../db/transaction.js';
import { jobId } from '../jobs/queues.js';
import { defineTimer } from '../jobs/timers.js';
import { record, SYSTEM } from './audit.js';
import { runAfterCommit, type AfterCommit, type IncidentDeps } from './deps.js';
import { scheduleTimer } from './ladder-timers.js';
import { duration, enqueueLater, reachOf, text, writeTo } from './notify.js';
import { questionMessageKey } from './relay.js';

export type CloseReason = 'expired' | 'undeliverable';

/** A question's expiry comes due. */
export const RELAY_EXPIRE_TIMER = defineTimer('incident-relay-expire', z.object({ relayId: z.string().min(1) }));

export function relayTimerId(relayId: string): string {
  return jobId('relayexpire', relayId);
}

/** Schedules, after commit, the expiry of a question just asked. */
export function scheduleExpiry(deps: IncidentDeps, after: AfterCommit, relay: { id: string; expiresAt: Date }): void {
  after.push(() => scheduleTimer(deps, { id: relayTimerId(relay.id), data: RELAY_EXPIRE_TIMER.data({ relayId: relay.id }), at: relay.expiresAt }));
}

/** Delivery states of a message that did not reach the person. */
const NOT_DELIVERED = ['failed', 'undelivered'];

/** Longest quotation of the question in the notice to the asker (characters). */
const QUESTION_QUOTE_MAX = 80;

function cut(value: string, max: number): string {
  const chars = Array.from(value.trim());
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Closes an open question inside `tx` and tells the responder who asked. Returns false when it
 * was answered or closed already (nothing is written then).
 */
export async function closeRelay(tx: Db, deps: IncidentDeps, after: AfterCommit, relayId: string, reason: CloseReason, now: Date): Promise<boolean> {
  const claimed = await tx.incidentRelay.updateMany({ where: { id: relayId, answeredAt: null, closedAt: null }, data: { closedAt: now, closedReason: reason } });
  if (claimed.count === 0) return false;
  const relay = await tx.incidentRelay.findUniqueOrThrow({ where: { id: relayId } });
  const incident = await tx.incident.findUniqueOrThrow({ where: { id: relay.incidentId }, select: { id: true, caseCode: true } });
  await record(tx, { actor: SYSTEM, action: 'incident.question_closed', subjectId: incident.id, detail: { relayId, reason }, at: now });
  if (!relay.askedBy.startsWith('responder:')) return true;
  const responder = await tx.responder.findUnique({ where: { id: relay.askedBy.slice('responder:'.length) } });
  const reach = responder?.active ? await reachOf(tx, deps, responder.contactId, [responder.preferredChannel]) : null;
  if (!reach) return true;
  const question = cut(deps.personalData.decrypt(relay.questionEnc), QUESTION_QUOTE_MAX);
  const params = {
    code: incident.caseCode,
    question: deps.translator.t(reach.language, 'incidents:notify.quote', { text: question }),
    duration: duration(deps.translator, reach.language, deps.policies.relay.expiresAfter),
  };
  const rows = await writeTo(tx, deps, reach, `relay:${relayId}:closed`, [text(deps.translator, reach.language, `relay.${reason}`, params)], incident.id);
  enqueueLater(after, deps.queues, rows);
  return true;
}

/** The expiry timer's handler: closes the question if nobody answered it. */
export async function runRelayExpiry(deps: IncidentDeps, relayId: string): Promise<void> {
  const after: AfterCommit = [];
  await transaction(deps.db, async (tx) => {
    const relay = await tx.incidentRelay.findUnique({ where: { id: relayId } });
    if (!relay || relay.answeredAt || relay.closedAt) return;
    await closeRelay(tx, deps, after, relayId, 'expired', deps.now());
  });
  await runAfterCommit(after);
}

/** Open questions looked at per sweep page. */
const PAGE = 200;

/**
 * Closes the open questions that can no longer be answered (see the module comment), and the
 * expired ones whose timer did not run. Returns how many it closed, by reason.
 */
export async function sweepRelays(deps: IncidentDeps, stopping: () => boolean = () => false): Promise<Record<CloseReason, number>> {
  const closed: Record<CloseReason, number> = { expired: 0, undeliverable: 0 };
  let cursor: string | undefined;
  for (;;) {
    const open = await deps.db.incidentRelay.findMany({
      where: { answeredAt: null, closedAt: null, ...(cursor ? { id: { gt: cursor } } : {}) },
      orderBy: { id: 'asc' },
      take: PAGE,
      select: { id: true, expiresAt: true },
    });
    if (open.length === 0) return closed;
    cursor = open[open.length - 1]!.id;
    const now = deps.now();
    const messages = await deps.db.message.findMany({
      where: { dedupeKey: { in: open.map((r) => questionMessageKey(r.id)) } },
      select: { dedupeKey: true, status: true, identity: { select: { stoppedAt: true } } },
    });
    const byKey = new Map(messages.map((m) => [m.dedupeKey, m]));
    for (const relay of open) {
      if (stopping()) return closed;
      const message = byKey.get(questionMessageKey(relay.id));
      let reason: CloseReason | null = null;
      if (relay.expiresAt <= now) reason = 'expired';
      else if (!message || !message.identity || message.identity.stoppedAt || NOT_DELIVERED.includes(message.status)) reason = 'undeliverable';
      if (!reason) continue;
      const after: AfterCommit = [];
      const done = await transaction(deps.db, (tx) => closeRelay(tx, deps, after, relay.id, reason, now));
      await runAfterCommit(after);
      if (done) closed[reason]++;
    }
  }
}
