/** Picks the language of the replies: the contact's own, else the gateway's default. */
import type { Middleware } from './context.js';

export function language(defaultLanguage: string, supported: string[]): Middleware {
  return async (ctx, next) => {
    const language = ctx.contact.language;
    ctx.language = language && supported.includes(language) ? language : defaultLanguage;
    await next();
  };
}
