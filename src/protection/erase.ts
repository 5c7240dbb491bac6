/**
 * Erasure of a person: their identities (addresses), messages, sessions, subscriptions, profile
 * fields, rumour reports, broadcast replies, the questions relayed to them with their answers, and
 * their survey invitations are deleted (an open relayed question stays, naming nobody, until it is
 * closed and its asker told); incidents they reported stay, without them, and a wave keeps its
 * count of people invited. The audit entry says that an erasure happened, by whom, and what kinds
 * of record went: never who was erased. Queue jobs that name the person's messages, sessions or
 * identities are removed from Redis, and SQLite's write-ahead log is checkpointed and truncated so
 * that no copy of the deleted pages remains (the database runs with secure_delete).
 */
import type { Db } from '../db/client.js';
import { HttpError } from '../admin/errors.js';
import { transaction } from '../db/transaction.js';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Queues } from '../jobs/queues.js';
import { auditId } from '../audit-ids.js';

/** What stands for an erased person where a row outlives them (an open relayed question). */
const ERASED = 'erased';

/** The case codes of the gateway (src/flow/case-code.ts): R- and six letters or digits. */
const CASE_CODE = /^R-[A-Z2-9]{6}$/i;

export class ErasureError extends HttpError {
  constructor(status: number, message: string, code?: string) {
    super(status, message, undefined, code);
    this.name = 'ErasureError';
  }
}

/** What an erasure removed, by kind of record (counts only). */
export interface ErasureReport {
  identities: number;
  messages: number;
  sessions: number;
  subscriptions: number;
  rumourReports: number;
  feedback: number;
  relayedQuestions: number;
  surveyInvitations: number;
  incidentsKept: number;
  jobs: number;
}

/**
 * The contact a case code or contact id names. Throws ErasureError 404 when there is none (an
 * anonymous case has no reporter to erase).
 */
export async function resolveContact(db: Db, target: string): Promise<string> {
  const text = target.trim();
  if (CASE_CODE.test(text)) {
    const incident = await db.incident.findUnique({ where: { caseCode: text.toUpperCase() }, select: { reporterContactId: true } });
    if (!incident) throw new ErasureError(404, `no case ${text.toUpperCase()}`, 'not_found');
    if (!incident.reporterContactId) throw new ErasureError(404, 'this case has no reporter on record (anonymous, or erased already)', 'not_found');
    return incident.reporterContactId;
  }
  const contact = await db.contact.findUnique({ where: { id: text }, select: { id: true } });
  if (!contact) throw new ErasureError(404, 'no such contact', 'not_found');
  return contact.id;
}

/**
 * Erases a contact, in one transaction. `actor` is who asked (token, CLI user, or `self`).
 * Throws ErasureError 409 for a responder (remove them from the rosters first).
 */
export async function eraseContact(db: Db, queues: Queues | undefined, contactId: string, actor: string, now = new Date()): Promise<ErasureReport> {
  const { counts, trace } = await transaction(db, (tx) => eraseRecords(tx, contactId, actor, now));
  const jobs = await cleanUpAfterErasure(db, queues, trace);
  return { ...counts, jobs };
}

/** The ids an erasure removed, to find their copies outside the database. */
export interface ErasureTrace {
  contactId: string;
  messages: string[];
  sessions: string[];
  identities: string[];
}

/** After the erasure committed: removes the jobs naming the person, truncates SQLite's log. Returns the jobs removed. */
export async function cleanUpAfterErasure(db: Db, queues: Queues | undefined, trace: ErasureTrace): Promise<number> {
  const jobs = queues ? await removeJobs(queues, new Set([...trace.messages, ...trace.sessions, ...trace.identities, trace.contactId])) : 0;
  await flushWriteAheadLog(db);
  return jobs;
}

/** The database part of an erasure, inside the caller's transaction. */
export async function eraseRecords(tx: Db, contactId: string, actor: string, now: Date): Promise<{ counts: Omit<ErasureReport, 'jobs'>; trace: ErasureTrace }> {
  const trace: ErasureTrace = { contactId, messages: [], sessions: [], identities: [] };
  {
    const contact = await tx.contact.findUnique({ where: { id: contactId }, include: { identities: { select: { id: true } } } });
    if (!contact) throw new ErasureError(404, 'no such contact', 'not_found');
    if (await tx.responder.findUnique({ where: { contactId } })) {
      throw new ErasureError(409, 'this contact is a responder: remove them from the rosters before erasing', 'responder');
    }
    trace.identities = contact.identities.map((i) => i.id);
    trace.messages = (await tx.message.findMany({ where: { OR: [{ contactId }, { identityId: { in: trace.identities } }] }, select: { id: true } })).map((m) => m.id);
    trace.sessions = (await tx.session.findMany({ where: { contactId }, select: { id: true } })).map((s) => s.id);
    const incidents = await tx.incident.updateMany({ where: { reporterContactId: contactId }, data: { reporterContactId: null, reporterChannel: null } });
    const messages = await tx.message.deleteMany({ where: { id: { in: trace.messages } } });
    const rumourReports = await tx.rumourReport.deleteMany({ where: { contactId } });
    const feedback = await tx.broadcastFeedback.deleteMany({ where: { contactId } });
    // Questions relayed to them: answered or closed ones go with their texts; an open one stays,
    // no longer naming them, until the incidents' sweep closes it as undeliverable and tells the
    // responder who asked (src/incidents/relay-close.ts).
    const relaysGone = await tx.incidentRelay.deleteMany({ where: { reporterContactId: contactId, OR: [{ answeredAt: { not: null } }, { closedAt: { not: null } }] } });
    const relaysOpen = await tx.incidentRelay.updateMany({ where: { reporterContactId: contactId }, data: { reporterContactId: ERASED } });
    const relayedQuestions = { count: relaysGone.count + relaysOpen.count };
    const surveyInvitations = await tx.surveyInvitation.deleteMany({ where: { contactId } });
    const subscriptions = await tx.subscription.deleteMany({ where: { contactId } });
    const sessions = await tx.session.deleteMany({ where: { contactId } });
    const identities = await tx.contactIdentity.deleteMany({ where: { contactId } });
    await tx.contact.delete({ where: { id: contactId } });
    const counts = {
      identities: identities.count,
      messages: messages.count,
      sessions: sessions.count,
      subscriptions: subscriptions.count,
      rumourReports: rumourReports.count,
      feedback: feedback.count,
      relayedQuestions: relayedQuestions.count,
      surveyInvitations: surveyInvitations.count,
      incidentsKept: incidents.count,
    };
    // Who asked and what went, never whom: the subject is the erasure itself.
    await tx.auditEntry.create({ data: { id: auditId(), actor, action: 'contact.erased', subjectType: 'erasure', subjectId: 'contact', detail: JSON.stringify(counts), at: now } });
    return { counts, trace };
  }
}

/** Removes every job (any state) whose id or data names one of `ids`. Returns how many. */
async function removeJobs(queues: Queues, ids: Set<string>): Promise<number> {
  let removed = 0;
  const names = (text: string) => [...ids].some((id) => text.includes(id));
  for (const queue of queues.all()) {
    const jobs = await queue.getJobs(['completed', 'failed', 'delayed', 'waiting', 'prioritized', 'wait']);
    for (const job of jobs) {
      if (!job?.id) continue;
      if (!names(job.id) && !names(JSON.stringify(job.data ?? {}))) continue;
      await job.remove().catch(() => undefined);
      removed += 1;
    }
    // BullMQ's event stream of the queue names job ids too.
    const client = (await (queue as Queue).getBackend().client) as unknown as Redis;
    const stream = queue.toKey('events');
    const entries = await client.xrange(stream, '-', '+');
    const naming = entries.filter(([, fields]: [string, string[]]) => names(fields.join(' '))).map(([id]: [string, string[]]) => id);
    if (naming.length > 0) await client.xdel(stream, ...naming);
  }
  return removed;
}

/** SQLite: rebuilds the database file and truncates its log, so deleted rows leave no copy in either. */
export async function flushWriteAheadLog(db: Db): Promise<void> {
  try {
    // Rebuilding the file leaves no old copy of the rows in index or free pages; the checkpoint
    // then empties the log the rebuild went through.
    await db.$executeRawUnsafe('VACUUM');
    await db.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)');
  } catch {
    // PostgreSQL has no such pragma; its WAL is recycled by the server.
  }
}
