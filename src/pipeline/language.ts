/** Picks the language of the replies: the contact's own, else the gateway's default. */
import type { Middleware } from './context.js';

export function language(defaultLanguage: string, supported: string[]): Middleware {
  return async (ctx, next) => {
    const contact = await ctx.tx.contact.findUniqueOrThrow({ where: { id: ctx.contactId }, select: { language: true } });
    ctx.language = contact.language && supported.includes(contact.language) ? contact.language : defaultLanguage;
    await next();
  };
}
