/**
 * Ingest: an inbound event is stored (deduplicated by channel and provider id) and queued for the
 * inbound worker. The provider gets its 200 only after both, so an acknowledged message is never
 * lost; a repeated delivery is acknowledged and dropped.
 */
import type { InboundEvent, StatusUpdate } from '../channels/adapter.js';
import { findOrCreateContact, isUniqueViolation } from '../conversation/contacts.js';
import type { Db } from '../db/client.js';
import type { Dialect } from '../db/dialect.js';
import { cleanInboundMessage, inboundMessageSchema } from '../messages.js';
import type { PersonalData } from '../personal-data.js';
import type { Queues } from '../jobs/queues.js';

export interface IngestDeps {
  db: Db;
  /** For the batch's bulk inserts (src/inbound/ingest-batch.ts). */
  dialect: Dialect;
  personalData: PersonalData;
  queues: Queues;
  /** Languages the gateway speaks; a provider's language hint is kept only if it is one. */
  languages: string[];
}

export type IngestOutcome = 'queued' | 'duplicate';

/**
 * Stores and queues one event. `options.delayMs` defers the processing of a newly stored message
 * (a sender over its rate limit on a channel whose provider does not retry a refusal).
 */
export async function ingest(deps: IngestDeps, channel: string, event: InboundEvent, options: { delayMs?: number } = {}): Promise<IngestOutcome> {
  const dedupeKey = `in:${channel}:${event.providerId}`;
  const message = cleanInboundMessage(inboundMessageSchema.parse(event.message));
  const hint = event.languageHint?.slice(0, 2).toLowerCase();
  const language = hint && deps.languages.includes(hint) ? hint : null;
  const { contactId, identityId } = await findOrCreateContact(deps.db, deps.personalData, channel, event.address, language);
  let id: string;
  try {
    const row = await deps.db.message.create({
      data: {
        dedupeKey,
        direction: 'in',
        channel,
        contactId,
        identityId,
        providerId: event.providerId,
        chatMessageId: event.chatMessageId ?? null,
        bodyEnc: deps.personalData.encrypt(JSON.stringify(message)),
        status: 'received',
      },
      select: { id: true },
    });
    id = row.id;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Seen before. Stored but maybe never queued (Redis was away when it first came): queue it
    // again. The job id is the message id, so this never runs it twice.
    const seen = await deps.db.message.findUnique({ where: { dedupeKey }, select: { id: true, status: true } });
    if (seen?.status === 'received') await deps.queues.enqueueInbound(seen.id);
    return 'duplicate';
  }
  await deps.queues.enqueueInbound(id, options.delayMs);
  return 'queued';
}

const statusOrder: Record<string, number> = { queued: 0, sending: 1, sent: 2, undelivered: 3, failed: 3, delivered: 4, read: 5 };

/**
 * Applies a provider's delivery report to the stored message. Reports arrive out of order; a
 * report never moves a message back (delivered stays delivered when a late "sent" comes).
 * Returns false when no message has that provider id.
 */
export async function applyStatus(db: Db, channel: string, update: StatusUpdate): Promise<boolean> {
  const message = await db.message.findFirst({
    where: { channel, providerId: update.providerId, direction: 'out' },
    select: { id: true, status: true },
  });
  if (!message) return false;
  if ((statusOrder[update.status] ?? 0) < (statusOrder[message.status] ?? 0)) return true;
  await db.message.update({
    where: { id: message.id },
    data: { status: update.status, errorCode: update.errorCode ?? null, errorMessage: update.errorMessage ?? null },
  });
  return true;
}
