/**
 * The trail a conversation leaves. Once a report or survey answers are recorded, what the person
 * said lives in the incident or the answers; the conversation's own copies go:
 * - unlinked (an anonymous report, survey answers): each stored message of the conversation loses
 *   its text (replaced by an empty text, encrypted) and its contact and identity;
 * - a report on a channel that can delete (Telegram): the chat is cleared by the `clear-chat`
 *   timer, which deletes the conversation's messages on both sides, all but the closing message
 *   with the case code (written after the ids are collected, so never among them).
 */
import { z } from 'zod';
import type { ChannelAdapter } from '../channels/adapter.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { PersonalData } from '../personal-data.js';
import { defineTimer, onTimer, type TimerRegistration } from '../jobs/timers.js';

/** The `clear-chat` timer: chat message ids (comma-separated) to delete from an identity's chat. */
export const CLEAR_CHAT = defineTimer('clear-chat', z.object({ identityId: z.string(), ids: z.string() }));

/** Statuses of outbound messages whose send is still to come: left as they are. */
const PENDING = ['queued', 'sending'];

export interface ConversationMessage {
  id: string;
  direction: string;
  identityId: string | null;
  providerId: string | null;
  chatMessageId: string | null;
  status: string;
}

/** The conversation's stored messages of a contact: replies and inbound messages from `since` to `until`. */
export async function conversationMessages(tx: Db, contactId: string, since: Date, until: Date): Promise<ConversationMessage[]> {
  // The message that opened the conversation was stored before its session: start from it.
  const opening = await tx.message.findFirst({
    where: { contactId, direction: 'in', createdAt: { lte: since } },
    orderBy: { createdAt: 'desc' },
    select: { createdAt: true },
  });
  return tx.message.findMany({
    where: { contactId, kind: 'reply', createdAt: { gte: opening?.createdAt ?? since, lte: until } },
    select: { id: true, direction: true, identityId: true, providerId: true, chatMessageId: true, status: true },
  });
}

/** The ids a channel can delete in the person's chat: the bot's (provider id) and the person's (chat message id). */
export function chatIds(messages: ConversationMessage[], identityId: string): string[] {
  return messages
    .filter((m) => m.identityId === identityId)
    .map((m) => (m.direction === 'out' ? m.providerId : m.chatMessageId))
    .filter((id): id is string => id !== null && id !== '');
}

/** Empties the texts of messages and detaches them from the contact (pending sends excepted). */
export async function unlinkMessages(tx: Db, personalData: PersonalData, messages: ConversationMessage[]): Promise<void> {
  const ids = messages.filter((m) => !(m.direction === 'out' && PENDING.includes(m.status))).map((m) => m.id);
  if (ids.length === 0) return;
  await tx.message.updateMany({
    where: { id: { in: ids } },
    data: { bodyEnc: personalData.encrypt(JSON.stringify({ type: 'text', text: '' })), contactId: null, identityId: null, chatMessageId: null },
  });
}

/** Handles `clear-chat`: deletes the messages through the identity's channel adapter, if it can. */
export function clearChatTimer(db: Db, personalData: PersonalData, adapters: Map<string, ChannelAdapter>, logger: Logger): TimerRegistration {
  return onTimer(CLEAR_CHAT, async ({ identityId, ids }) => {
    const identity = await db.contactIdentity.findUnique({ where: { id: identityId } });
    const adapter = identity ? adapters.get(identity.channel) : undefined;
    if (!identity || !adapter?.deleteMessages) return;
    const list = ids.split(',').filter(Boolean);
    await adapter.deleteMessages(personalData.decrypt(identity.addressEnc), list);
    logger.info({ channel: identity.channel, count: list.length }, 'report conversation deleted from the chat');
  });
}
