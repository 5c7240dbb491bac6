/**
 * The `session-timeout` timer: when a flow waits with a timeout, the engine gets a timeout input
 * at that time (re-prompt or the timeout branch). A timer that no longer matches the session
 * (answered meanwhile, ended, expired) does nothing.
 */
import { conversationStep, loadSession, type ConversationDeps } from './conversation.js';
import type { Db } from './db/client.js';
import { enqueueAll, writeOutbox, type QueuedMessage } from './outbox.js';
import type { Queues } from './queues.js';
import type { TimerHandler } from './workers/timers.js';

export function sessionTimeoutHandler(db: Db, queues: Queues, deps: ConversationDeps): TimerHandler {
  return async (data) => {
    const sessionId = String(data.sessionId);
    const at = String(data.at);
    const row = await db.session.findUnique({ where: { id: sessionId } });
    if (!row || row.status !== 'active') return;
    const target = { contactId: row.contactId, identityId: row.identityId, channel: row.channel };
    let afterCommit: (() => Promise<void>)[] = [];
    const queued = await db.$transaction(
      async (tx): Promise<QueuedMessage[]> => {
        const now = new Date();
        const session = await loadSession(tx as Db, row.contactId, now, deps.logger);
        if (!session || session.id !== sessionId || session.state.timeoutAt !== at) return [];
        const outcome = await conversationStep(deps, tx as Db, target, session, { type: 'timeout' }, now);
        afterCommit = outcome.afterCommit;
        const timeout = outcome.timeout;
        if (timeout) {
          afterCommit.push(() => queues.schedule(timeout.id, { kind: 'session-timeout', sessionId: timeout.sessionId, at: timeout.at.toISOString() }, timeout.at));
        }
        return writeOutbox(tx as Db, deps.personalData, target, `timeout:${sessionId}:${at}`, outcome.replies.map((message) => ({ message })), sessionId);
      },
      { maxWait: 20_000, timeout: 30_000 },
    );
    await enqueueAll(queues, queued);
    for (const task of afterCommit) await task();
  };
}
