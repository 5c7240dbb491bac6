/**
 * Opt-out, opt-in and help keywords. Opt-out and help take precedence over any running flow.
 *
 * A message is a keyword when, once whitespace and punctuation around it are trimmed, it is
 * exactly one of the words, in any case ("Stop.", " STOP! ", "stop" all opt out; "stop please"
 * and "Stopped at the market" do not). This follows the carriers' practice (REFERENCE.md
 * "Opt-out words": FCC rule on revoking consent, applied by Twilio from 2025).
 *
 * - Opt-out stops the identity and ends its conversations; the confirmation says how to come back.
 * - Help is answered to anyone, a stopped identity included (kind `help`, which the outbound
 *   worker sends to stopped identities like the opt-out confirmation). A capability may answer
 *   it instead for the people it serves differently (`helpers`, asked in order; responders get
 *   their commands); nobody's help replaces the stopped identity's, which says how to come back.
 *   After the community help, the question waiting in the conversation is asked again
 *   (`repeatQuestion`): the conversation goes on where it was.
 * - Opt-in words (START, YES...) resume a stopped identity, whose menu is then shown (`showMenu`),
 *   and are ordinary answers from anyone else.
 * Nothing else reaches a stopped identity; its other messages are stored and not answered.
 * Replies are in the contact's language (the language middleware runs first).
 */
import { resumeIdentity, stopIdentity } from '../../conversation/contacts.js';
import { inboundText } from '../../messages.js';
import type { Translator } from '../../i18n.js';
import type { OutboundMessage } from '../../messages.js';
import type { InboundContext, Middleware } from './context.js';

/**
 * Answers HELP for someone a capability serves differently, in `ctx.language`, or null to leave
 * it to the next helper and finally the community help.
 */
export type HelpProvider = (ctx: InboundContext) => Promise<OutboundMessage | null>;

/** What the conversation does after a consent keyword's reply (both add their replies to `ctx.outbox`). */
export interface ConsentFollowUps {
  /** After HELP: asks the waiting question again (the conversation goes on); nothing when none waits. */
  repeatQuestion?: (ctx: InboundContext) => Promise<void>;
  /** After an opt-in: shows the menu, so that the next answer ("2") picks from it. */
  showMenu?: (ctx: InboundContext) => Promise<void>;
}

export interface ConsentKeywords {
  optOut: string[];
  optIn: string[];
  help: string[];
}

export type KeywordKind = 'opt_out' | 'opt_in' | 'help';

/** Whitespace, punctuation and symbols trimmed around a keyword (and Arabic tatweel). */
const AROUND = /^[\s\p{P}\p{S}\u0640]+|[\s\p{P}\p{S}\u0640]+$/gu;

/** The comparable form of a keyword or a message: trimmed of punctuation, NFC, upper case. */
export function keywordForm(text: string): string {
  return text.normalize('NFC').replace(AROUND, '').replace(/\s+/g, ' ').toLocaleUpperCase();
}

/** The keyword kind a text is, if it is exactly one of the keywords (see the module comment). */
export function matchKeyword(keywords: ConsentKeywords, text: string): KeywordKind | null {
  const word = keywordForm(text);
  if (word.length === 0) return null;
  if (keywords.optOut.some((k) => keywordForm(k) === word)) return 'opt_out';
  if (keywords.optIn.some((k) => keywordForm(k) === word)) return 'opt_in';
  if (keywords.help.some((k) => keywordForm(k) === word)) return 'help';
  return null;
}

export function consent(
  keywords: ConsentKeywords,
  translator: Translator,
  helpers: HelpProvider[] = [],
  followUps: ConsentFollowUps = {},
): Middleware {
  return async (ctx, next) => {
    const kind = ctx.input.type === 'text' ? matchKeyword(keywords, inboundText(ctx.input)) : null;
    const say = (key: string, kindOfMessage = 'reply') =>
      ctx.outbox.push({ message: { type: 'text', text: translator.t(ctx.language, key) }, kind: kindOfMessage });
    if (kind === 'opt_out') {
      await stopIdentity(ctx.tx, ctx.identityId, ctx.now);
      await ctx.tx.session.deleteMany({ where: { contactId: ctx.contactId, status: 'active' } });
      if (!ctx.stopped) say('system:consent.stopped', 'opt_out_confirmation');
      return;
    }
    if (kind === 'help') {
      if (!ctx.stopped) {
        for (const helper of helpers) {
          const message = await helper(ctx);
          if (message) {
            ctx.outbox.push({ message, kind: 'help' });
            return;
          }
        }
      }
      say(ctx.stopped ? 'system:consent.help_stopped' : 'system:consent.help', 'help');
      if (!ctx.stopped) await followUps.repeatQuestion?.(ctx);
      return;
    }
    // Opt-in words resume a stopped contact; from anyone else they are ordinary answers ("yes").
    if (kind === 'opt_in' && ctx.stopped) {
      await resumeIdentity(ctx.tx, ctx.identityId);
      ctx.stopped = false;
      say('system:consent.resumed');
      await followUps.showMenu?.(ctx);
      return;
    }
    if (ctx.stopped) return;
    await next();
  };
}
