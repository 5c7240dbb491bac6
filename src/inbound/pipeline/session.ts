/** Loads the contact's live conversation (expired ones are closed here). */
import { loadSession } from '../../conversation/step.js';
import type { Dialect } from '../../db/dialect.js';
import type { Logger } from '../../logger.js';
import type { PersonalData } from '../../personal-data.js';
import type { Middleware } from './context.js';

export function session(deps: { logger: Logger; personalData: PersonalData; dialect: Dialect }): Middleware {
  return async (ctx, next) => {
    ctx.session = await loadSession(ctx.tx, ctx.contactId, ctx.now, deps);
    await next();
  };
}
