/** Runs the message through the flow engine and collects its replies and timers. */
import { conversationStep, loadSession, type ConversationDeps } from '../../conversation/step.js';
import type { Queues } from '../../jobs/queues.js';
import { scheduleSessionTimeout } from '../../conversation/system-steps.js';
import type { Middleware } from './context.js';

export function flow(deps: ConversationDeps, queues: Queues): Middleware {
  return async (ctx, next) => {
    const outcome = await conversationStep(
      deps,
      ctx.tx,
      { contactId: ctx.contactId, identityId: ctx.identityId, channel: ctx.channel },
      ctx.session,
      ctx.input,
      ctx.now,
      ctx.contact,
    );
    ctx.language = outcome.language;
    for (const message of outcome.replies) ctx.outbox.push({ message });
    ctx.afterCommit.push(...outcome.afterCommit);
    const timeout = outcome.timeout;
    if (timeout) ctx.afterCommit.push(() => scheduleSessionTimeout(queues, timeout));
    await next();
  };
}

/** Asks the waiting question again (after a HELP reply): the engine's `repeat` input, in the same transaction. */
export function repeatQuestion(deps: ConversationDeps, queues: Queues): (ctx: Parameters<Middleware>[0]) => Promise<void> {
  return async (ctx) => {
    const session = await loadSession(ctx.tx, ctx.contactId, ctx.now, deps);
    if (session === null) return;
    const outcome = await conversationStep(
      deps,
      ctx.tx,
      { contactId: ctx.contactId, identityId: ctx.identityId, channel: ctx.channel },
      session,
      { type: 'repeat' },
      ctx.now,
      ctx.contact,
    );
    for (const message of outcome.replies) ctx.outbox.push({ message });
    const timeout = outcome.timeout;
    if (timeout) ctx.afterCommit.push(() => scheduleSessionTimeout(queues, timeout));
  };
}
