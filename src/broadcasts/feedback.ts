/**
 * Feedback on announcements. The rule: a message from a contact who has no active flow session,
 * arriving within BROADCAST_FEEDBACK_HOURS after an announcement that asked for feedback was sent
 * to that contact, with nothing but announcements written to the contact since, is feedback on
 * the most recent such announcement when it is
 *   - a rating: the button "Yes"/"No", or the text "1"/"2" or the localised word "Yes"/"No", and
 *     the contact has not rated that announcement yet; or
 *   - (feedback mode `free` only) any other text, when the contact has not sent a free reply to
 *     that announcement yet.
 * It is recorded against the broadcast (a free reply encrypted) and thanked. Anything else goes
 * on to the flows, so a second message, or a message during a conversation, is never swallowed.
 */
import { rawQuery } from '../db/raw.js';
import type { Translator } from '../i18n.js';
import { inboundText } from '../messages.js';
import type { PersonalData } from '../personal-data.js';
import type { Middleware } from '../inbound/pipeline/context.js';
import { keywordForm } from './keywords.js';
import { FEEDBACK_NO, FEEDBACK_YES } from './render.js';

/**
 * Read on every inbound message, in one statement (src/db/raw.ts): the broadcast of the latest
 * announcement that left for the contact since a time and after which nothing else was written
 * to the contact (a reply, a responder's question: an answer then answers that), only when the
 * contact has no active, unexpired session (`broadcastId`; null when it has one, or when there
 * is no such announcement): (contactId, since, contactId, now).
 */
export const FEEDBACK_CONTEXT = `SELECT CASE WHEN a."id" IS NULL THEN (SELECT m."broadcastId" FROM {Message} m
    WHERE m."contactId" = ? AND m."direction" = 'out' AND m."kind" = 'broadcast' AND m."status" IN ('sent', 'delivered', 'read') AND m."sentAt" >= ?
    AND NOT EXISTS (SELECT 1 FROM {Message} r WHERE r."contactId" = m."contactId" AND r."direction" = 'out' AND r."kind" <> 'broadcast' AND r."createdAt" > m."sentAt")
    ORDER BY m."sentAt" DESC LIMIT 1) END AS "broadcastId"
  FROM (SELECT (SELECT "id" FROM {Session}
    WHERE "contactId" = ? AND "status" = 'active' AND ("expiresAt" IS NULL OR "expiresAt" > ?) LIMIT 1) AS "id") a`;

export function feedbackMiddleware(translator: Translator, personalData: PersonalData, windowHours: number): Middleware {
  const labels = (key: string) => new Set(translator.languages.map((l) => keywordForm(translator.t(l, key))));
  const yesWords = new Set([...labels('broadcasts:feedback.yes'), '1']);
  const noWords = new Set([...labels('broadcasts:feedback.no'), '2']);

  return async (ctx, next) => {
    const since = new Date(ctx.now.getTime() - windowHours * 3600_000);
    const [read] = await rawQuery<{ broadcastId: string | null }>(
      ctx.tx,
      ctx.dialect,
      FEEDBACK_CONTEXT,
      ctx.contactId,
      since,
      ctx.contactId,
      ctx.now,
    );
    if (!read?.broadcastId) return next();
    const broadcast = await ctx.tx.broadcast.findUnique({ where: { id: read.broadcastId }, select: { id: true, feedback: true } });
    if (!broadcast || broadcast.feedback === 'none') return next();

    let answer: 'yes' | 'no' | 'text' | null = null;
    if (ctx.input.type === 'choice' && (ctx.input.choiceId === FEEDBACK_YES || ctx.input.choiceId === FEEDBACK_NO)) {
      answer = ctx.input.choiceId === FEEDBACK_YES ? 'yes' : 'no';
    } else if (ctx.input.type === 'text') {
      const form = keywordForm(inboundText(ctx.input));
      if (yesWords.has(form)) answer = 'yes';
      else if (noWords.has(form)) answer = 'no';
      else if (broadcast.feedback === 'free' && form.length > 0) answer = 'text';
    }
    if (!answer) return next();
    const kinds = answer === 'text' ? ['text'] : ['yes', 'no'];
    const given = await ctx.tx.broadcastFeedback.findFirst({ where: { broadcastId: broadcast.id, contactId: ctx.contactId, answer: { in: kinds } }, select: { id: true } });
    if (given) return next();
    await ctx.tx.broadcastFeedback.create({
      data: {
        broadcastId: broadcast.id,
        contactId: ctx.contactId,
        messageId: ctx.messageId,
        answer,
        textEnc: answer === 'text' ? personalData.encrypt(inboundText(ctx.input)) : null,
      },
    });
    ctx.outbox.push({ message: { type: 'text', text: translator.t(ctx.language, 'broadcasts:feedback.thanks') } });
  };
}
