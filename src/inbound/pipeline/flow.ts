/** Runs the message through the flow engine and collects its replies and timers. */
import { conversationStep, loadSession, type ConversationDeps } from '../../conversation/step.js';
import type { Queues } from '../../jobs/queues.js';
import { scheduleSessionTimeout } from '../../conversation/system-steps.js';
import type { Middleware } from './context.js';
import type { EngineInput } from '../../flow/engine.js';

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

type Context = Parameters<Middleware>[0];

/** Asks the waiting question again (after a HELP reply): the engine's `repeat` input, in the same transaction. */
export function repeatQuestion(deps: ConversationDeps, queues: Queues): (ctx: Context) => Promise<void> {
  return async (ctx) => {
    const session = await loadSession(ctx.tx, ctx.contactId, ctx.now, deps);
    if (session === null) return;
    await stepWith(deps, queues, ctx, session, { type: 'repeat' });
  };
}

/** Starts the catch-all flow (the menu) for the contact (after an opt-in), in the same transaction. */
export function showMenu(deps: ConversationDeps, queues: Queues): (ctx: Context) => Promise<void> {
  return async (ctx) => {
    const flowId = deps.catalog.defaultFlowId;
    if (flowId === null) return;
    const session = await loadSession(ctx.tx, ctx.contactId, ctx.now, deps);
    await stepWith(deps, queues, ctx, session, { type: 'start', flowId });
  };
}

async function stepWith(
  deps: ConversationDeps,
  queues: Queues,
  ctx: Context,
  session: Awaited<ReturnType<typeof loadSession>>,
  input: EngineInput,
): Promise<void> {
  const target = { contactId: ctx.contactId, identityId: ctx.identityId, channel: ctx.channel };
  const outcome = await conversationStep(deps, ctx.tx, target, session, input, ctx.now, ctx.contact);
  for (const message of outcome.replies) ctx.outbox.push({ message });
  ctx.afterCommit.push(...outcome.afterCommit);
  const timeout = outcome.timeout;
  if (timeout) ctx.afterCommit.push(() => scheduleSessionTimeout(queues, timeout));
}
