/**
 * Questions relayed between a responder and a reporter, under the case code only. A question
 * (`ASK <code> <question>`, actions.ts) waits on the incident as an open relay until it is
 * answered, expires (`relay.expiresAfter` in the policy file, 3 days by default) or turns out
 * not to reach the reporter (relay-close.ts).
 *
 * The reporter answers by starting a message with the case code: "R-7K3M9P near the well",
 * "r-7k3m9p: near the well", "(R 7K3M9P) near the well", with Arabic-Indic digits, in any
 * language. That works on every channel (SMS has no "reply to this message") and in the middle of
 * a conversation: only such a message is taken as an answer, so a survey answer stays a survey
 * answer and a question never takes over the conversation. A bare case code is not an answer
 * (it asks for the status). The answer is relayed to whoever asked, kept encrypted on the relay
 * and in the audit trail, and never logged; the reporter is told it was passed on. A code-prefixed
 * message about a question that is no longer open is not lost silently: the reporter is told it
 * was not passed on. A reporter who writes without the code while a question waits is reminded,
 * once per question, how to answer (the message still goes on to the flows). Neither side ever
 * learns the other's address or name.
 */
import type { Db } from '../db/client.js';
import type { Dialect } from '../db/dialect.js';
import { rawQuery } from '../db/raw.js';
import { parseCaseCode } from '../flow/case-code.js';
import { record, sealNote } from './audit.js';
import type { AfterCommit, IncidentDeps } from './deps.js';
import { enqueueLater, reachOf, text, writeTo } from './notify.js';

/** The outbox cause key of a relay's question to the reporter (its message is `out:<key>:0`). */
export function questionCauseKey(relayId: string): string {
  return `relay:${relayId}:question`;
}

/** The dedupe key of the message that put a relay's question to the reporter. */
export function questionMessageKey(relayId: string): string {
  return `out:${questionCauseKey(relayId)}:0`;
}

/** A character of a case code as typed: a Latin letter or digit, or an Arabic-Indic or Persian digit. */
const CODE_CHAR = '[A-Z0-9\\u0660-\\u0669\\u06f0-\\u06f9]';
/**
 * Leading punctuation, symbols, spaces or format marks (the bidirectional marks phones put around
 * Latin text in right-to-left messages), a code-shaped token, separators, then the rest as typed.
 */
const PREFIXED = new RegExp(
  `^[\\s\\p{P}\\p{S}\\p{Cf}]*?(R[\\s\\-_.\\p{Cf}]*(?:${CODE_CHAR}\\p{Cf}*){5}${CODE_CHAR})(?!${CODE_CHAR})[\\s\\p{P}\\p{S}\\p{Cf}]*([\\s\\S]*)$`,
  'iu',
);

/**
 * A message that begins with a case code: the canonical code and the text after it (trimmed,
 * otherwise as typed; empty for a bare code). Null when the message does not begin with a case
 * code. A run-together code without a digit ("Respect them") is not taken for one (see
 * parseCaseCode).
 */
export function codePrefixed(message: string): { code: string; rest: string } | null {
  const match = PREFIXED.exec(message);
  if (!match) return null;
  const code = parseCaseCode(match[1]!);
  if (!code) return null;
  return { code, rest: match[2]!.trim() };
}

/** Whether the contact is in the middle of a flow (its other messages belong to the flow). */
export async function inConversation(tx: Db, contactId: string, now: Date): Promise<boolean> {
  const session = await tx.session.findFirst({ where: { contactId, status: 'active' }, select: { expiresAt: true } });
  return session !== null && (session.expiresAt === null || session.expiresAt > now);
}

/** What relaying runs with: the transaction, the capability's parts, after-commit work, the time. */
export interface RelayScope {
  tx: Db;
  deps: IncidentDeps;
  after: AfterCommit;
  now: Date;
}

/** Whether a relay still waits for its answer at `now`. */
export function relayOpen(relay: { answeredAt: Date | null; closedAt: Date | null; expiresAt: Date }, now: Date): boolean {
  return relay.answeredAt === null && relay.closedAt === null && relay.expiresAt > now;
}

/** What the reporter is told about a code-prefixed message (an i18n key of incidents:). */
export interface RelayReply {
  key: string;
  params: Record<string, string>;
}

/**
 * Takes `answer`, given under `code` by the contact, as the answer to the most recent open
 * question about that case put to them. Returns the reply for the reporter, or null when the
 * contact was never asked about that case (the message is then none of the relay's business).
 * `inConversation` words the thanks so that the reporter goes on with the conversation.
 */
export async function answerRelay(
  scope: RelayScope,
  contactId: string,
  code: string,
  answer: string,
  context: { channel: string; inConversation: boolean },
): Promise<RelayReply | null> {
  const { tx, deps, after, now } = scope;
  const trimmed = answer.trim();
  if (!trimmed) return null;
  const incident = await tx.incident.findUnique({ where: { caseCode: code }, select: { id: true, caseCode: true } });
  if (!incident) return null;
  const relays = await tx.incidentRelay.findMany({ where: { incidentId: incident.id, reporterContactId: contactId }, orderBy: { askedAt: 'desc' } });
  if (relays.length === 0) return null;
  const relay = relays.find((r) => relayOpen(r, now));
  const closed = { key: 'reporter.question_closed', params: { code: incident.caseCode } };
  if (!relay) return closed;
  const claimed = await tx.incidentRelay.updateMany({
    where: { id: relay.id, answeredAt: null, closedAt: null },
    data: { answeredAt: now, answerEnc: deps.personalData.encrypt(trimmed) },
  });
  if (claimed.count === 0) return closed;
  await record(tx, { actor: 'reporter', action: 'incident.answer', subjectId: incident.id, detail: { relayId: relay.id, channel: context.channel, ...sealNote(deps.personalData, trimmed) }, at: now });
  if (relay.askedBy.startsWith('responder:')) {
    const responder = await tx.responder.findUnique({ where: { id: relay.askedBy.slice('responder:'.length) } });
    const reach = responder ? await reachOf(tx, deps, responder.contactId, [responder.preferredChannel]) : null;
    if (reach) {
      const rows = await writeTo(tx, deps, reach, `relay:${relay.id}:answer`, [text(deps.translator, reach.language, 'relay.answer', { code: incident.caseCode, answer: trimmed })], incident.id);
      enqueueLater(after, deps.queues, rows);
    }
  }
  return { key: context.inConversation ? 'reporter.answer_thanks_in_conversation' : 'reporter.answer_thanks', params: { code: incident.caseCode } };
}

/**
 * The latest open question to a reporter not reminded of yet, as a subquery of the statement that
 * reads what a contact is to this capability (src/incidents/middleware.ts): (contactId, now).
 */
export const OPEN_QUESTION_NOT_REMINDED = `SELECT "id", "incidentId" FROM {IncidentRelay}
  WHERE "reporterContactId" = ? AND "answeredAt" IS NULL AND "closedAt" IS NULL AND "remindedAt" IS NULL AND "expiresAt" > ?
  ORDER BY "askedAt" DESC LIMIT 1`;

/**
 * The reminder for a reporter who writes without the case code while a question waits for them
 * (`open`, read by OPEN_QUESTION_NOT_REMINDED in this transaction): once per question (the
 * relay's `remindedAt`), the most recent open one. Null when there is nothing to remind (or it
 * was reminded already).
 */
export async function answerHint(scope: RelayScope, open: { id: string; incidentId: string } | null): Promise<RelayReply | null> {
  const { tx, now } = scope;
  if (!open) return null;
  const claimed = await tx.incidentRelay.updateMany({ where: { id: open.id, remindedAt: null }, data: { remindedAt: now } });
  if (claimed.count === 0) return null;
  const incident = await tx.incident.findUniqueOrThrow({ where: { id: open.incidentId }, select: { caseCode: true } });
  return { key: 'reporter.answer_hint', params: { code: incident.caseCode } };
}
