/**
 * Questions relayed between a responder and a reporter, under the case code only. A question
 * waits on the incident as a pending relay (until it expires, 3 days by default). The reporter's
 * next text that is not part of a running conversation (no active flow session) answers the most
 * recent pending question: it is relayed back to whoever asked, and the reporter is thanked
 * ("your answer about R-... was passed on", so a message meant for something else is noticed and
 * can be sent again). A bare case code is not an answer (the reporter is asking for the status).
 * Neither side ever learns the other's address or name.
 */
import type { Db } from '../db/client.js';
import { parseCaseCode } from '../flow/case-code.js';
import { record, sealNote } from './audit.js';
import type { ActionScope } from './actions.js';
import { enqueueLater, reachOf, text, writeTo } from './notify.js';

/** The reporter's pending question, if their message should answer one. */
export async function pendingRelay(tx: Db, contactId: string, now: Date) {
  return tx.incidentRelay.findFirst({
    where: { reporterContactId: contactId, answeredAt: null, expiresAt: { gt: now } },
    orderBy: { askedAt: 'desc' },
  });
}

/** Whether the contact is in the middle of a flow (its message belongs to the flow then). */
export async function inConversation(tx: Db, contactId: string, now: Date): Promise<boolean> {
  const session = await tx.session.findFirst({ where: { contactId, status: 'active' }, select: { expiresAt: true } });
  return session !== null && (session.expiresAt === null || session.expiresAt > now);
}

/**
 * Consumes a pending relay with the reporter's answer. Returns the reply for the reporter, or
 * null when there was nothing to answer.
 */
export async function answerRelay(scope: ActionScope, contactId: string, answer: string, channel: string): Promise<{ key: string; params: Record<string, string> } | null> {
  const { tx, deps, after, now } = scope;
  if (!answer.trim() || parseCaseCode(answer) !== null) return null;
  const relay = await pendingRelay(tx, contactId, now);
  if (!relay) return null;
  const claimed = await tx.incidentRelay.updateMany({
    where: { id: relay.id, answeredAt: null },
    data: { answeredAt: now, answerEnc: deps.personalData.encrypt(answer.trim()) },
  });
  if (claimed.count === 0) return null;
  const incident = await tx.incident.findUniqueOrThrow({ where: { id: relay.incidentId }, select: { id: true, caseCode: true } });
  await record(tx, { actor: 'reporter', action: 'incident.answer', subjectId: incident.id, detail: { relayId: relay.id, channel, ...sealNote(deps.personalData, answer) }, at: now });
  if (relay.askedBy.startsWith('responder:')) {
    const responder = await tx.responder.findUnique({ where: { id: relay.askedBy.slice('responder:'.length) } });
    const reach = responder ? await reachOf(tx, deps, responder.contactId, [responder.preferredChannel]) : null;
    if (reach) {
      const rows = await writeTo(tx, deps, reach, `relay:${relay.id}:answer`, [text(deps.translator, reach.language, 'relay.answer', { code: incident.caseCode, answer: answer.trim() })], incident.id);
      enqueueLater(after, deps.queues, rows);
    }
  }
  return { key: 'reporter.answer_thanks', params: { code: incident.caseCode } };
}
