/**
 * Opt-out, opt-in and help keywords. Opt-out and help take precedence over any running flow: a
 * message that is exactly one of them (trimmed, any case) is handled here and goes no further.
 * Opt-in words (START, YES...) resume a stopped identity and are ordinary answers from anyone
 * else. Nothing but the opt-out confirmation reaches a stopped identity; its other messages are
 * stored and not answered.
 */
import { resumeIdentity, stopIdentity } from '../../conversation/contacts.js';
import { inboundText } from '../../messages.js';
import type { Translator } from '../../i18n.js';
import type { Middleware } from './context.js';

export interface ConsentKeywords {
  optOut: string[];
  optIn: string[];
  help: string[];
}

export type KeywordKind = 'opt_out' | 'opt_in' | 'help';

function normalise(text: string): string {
  return text.trim().normalize('NFC').toLocaleUpperCase();
}

/** The keyword kind a text is, if it is exactly one of the keywords. */
export function matchKeyword(keywords: ConsentKeywords, text: string): KeywordKind | null {
  const word = normalise(text);
  if (word.length === 0) return null;
  if (keywords.optOut.some((k) => normalise(k) === word)) return 'opt_out';
  if (keywords.optIn.some((k) => normalise(k) === word)) return 'opt_in';
  if (keywords.help.some((k) => normalise(k) === word)) return 'help';
  return null;
}

export function consent(keywords: ConsentKeywords, translator: Translator): Middleware {
  return async (ctx, next) => {
    const kind = ctx.input.type === 'text' ? matchKeyword(keywords, inboundText(ctx.input)) : null;
    const say = (key: string, kindOfMessage = 'reply') =>
      ctx.outbox.push({ message: { type: 'text', text: translator.t(ctx.language, key) }, kind: kindOfMessage });
    if (kind === 'opt_out') {
      await stopIdentity(ctx.tx, ctx.identityId, ctx.now);
      await ctx.tx.session.updateMany({ where: { contactId: ctx.contactId, status: 'active' }, data: { status: 'ended' } });
      if (!ctx.stopped) say('system:consent.stopped', 'opt_out_confirmation');
      return;
    }
    // Opt-in words resume a stopped contact; from anyone else they are ordinary answers ("yes").
    if (kind === 'opt_in' && ctx.stopped) {
      await resumeIdentity(ctx.tx, ctx.identityId);
      ctx.stopped = false;
      say('system:consent.resumed');
      return;
    }
    if (ctx.stopped) return;
    if (kind === 'help') {
      say('system:consent.help');
      return;
    }
    await next();
  };
}
