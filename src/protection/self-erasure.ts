/**
 * Erasure asked by the person: a message that is exactly an erase keyword (DELETE ME, SUPPRIMER,
 * احذف..., trimmed, any case, any language) gets a confirmation question; a yes within
 * ERASE_CONFIRM_MINUTES erases the contact (erase.ts) and a last message says so. Anything else
 * cancels. The pending confirmation is a Redis key with a time to live (no database record),
 * deleted once the answer's transaction has committed.
 * The last message is sent straight through the channel adapter once the erasure has committed,
 * since the person's address is gone from the database by then.
 */
import type { Redis } from 'ioredis';
import type { ChannelAdapter } from '../channels/adapter.js';
import type { Translator } from '../i18n.js';
import type { Middleware } from '../inbound/pipeline/context.js';
import type { Logger } from '../logger.js';
import { inboundText } from '../messages.js';
import type { PersonalData } from '../personal-data.js';
import type { Db } from '../db/client.js';
import type { Queues } from '../jobs/queues.js';
import { cleanUpAfterErasure, eraseRecords } from './erase.js';

export interface SelfErasureDeps {
  db: Db;
  queues: Queues;
  redis: Redis;
  prefix: string;
  personalData: PersonalData;
  translator: Translator;
  adapters: Map<string, ChannelAdapter>;
  logger: Logger;
  keywords: string[];
  yes: string[];
  confirmMinutes: number;
}

function normalise(text: string): string {
  return text
    .trim()
    .normalize('NFC')
    .replace(/[\s.!?؟،,]+$/u, '')
    .replace(/\s+/g, ' ')
    .toLocaleUpperCase();
}

export function selfErasure(deps: SelfErasureDeps): Middleware {
  const keywords = new Set(deps.keywords.map(normalise));
  const yes = new Set(deps.yes.map(normalise));
  return async (ctx, next) => {
    const key = `${deps.prefix}:erase-confirm:${ctx.contactId}`;
    const text = ctx.input.type === 'text' ? normalise(inboundText(ctx.input)) : ctx.input.type === 'choice' ? normalise(ctx.input.choiceId) : '';
    const say = (name: string) => ctx.outbox.push({ message: { type: 'text', text: deps.translator.t(ctx.language, `system:protection.erase.${name}`) } });
    if (keywords.has(text)) {
      await deps.redis.set(key, '1', 'EX', deps.confirmMinutes * 60);
      say('confirm');
      return;
    }
    if ((await deps.redis.get(key)) === null) return next();
    // The pending confirmation is used up once this message's transaction has committed: Redis
    // does not roll back, and a transaction that rolls back (a group of inbound messages with one
    // that failed, src/jobs/group-commit.ts) runs this message again, which must find it.
    ctx.afterCommit.push(async () => void (await deps.redis.del(key)));
    if (!yes.has(text)) {
      say('kept');
      return;
    }
    const identity = await ctx.tx.contactIdentity.findUniqueOrThrow({ where: { id: ctx.identityId } });
    const address = deps.personalData.decrypt(identity.addressEnc);
    const goodbye = deps.translator.t(ctx.language, 'system:protection.erase.done');
    const { trace } = await eraseRecords(ctx.tx, ctx.contactId, 'self', ctx.now);
    const adapter = deps.adapters.get(ctx.channel);
    ctx.afterCommit.push(async () => {
      await cleanUpAfterErasure(deps.db, deps.queues, trace);
      try {
        await adapter?.send(address, { type: 'text', text: goodbye }, { messageId: `erased-${ctx.messageId}`, queuedAt: new Date() });
      } catch (error) {
        deps.logger.warn({ err: { name: (error as Error).name, message: (error as Error).message }, channel: ctx.channel }, 'last message after an erasure not sent');
      }
    });
  };
}
