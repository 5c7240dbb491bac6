/**
 * The `session-timeout` timer: when a flow waits with a timeout, the engine gets a timeout input
 * at that time (re-prompt or the timeout branch). A timer that no longer matches the session
 * (answered meanwhile, ended, expired) does nothing.
 */
import type { ConversationDeps } from './step.js';
import type { Db } from '../db/client.js';
import type { Queues } from '../jobs/queues.js';
import { runSystemStep } from './system-steps.js';
import type { TimerHandler } from '../jobs/timers.js';

export function sessionTimeoutHandler(db: Db, queues: Queues, deps: ConversationDeps): TimerHandler {
  return async (data) => {
    const sessionId = String(data.sessionId);
    const at = String(data.at);
    const row = await db.session.findUnique({ where: { id: sessionId } });
    if (!row || row.status !== 'active') return;
    await runSystemStep(db, queues, deps, {
      target: { contactId: row.contactId, identityId: row.identityId, channel: row.channel },
      input: { type: 'timeout' },
      causeKey: `timeout:${sessionId}:${at}`,
      accept: (session) => session?.id === sessionId && session.state.timeoutAt === at,
    });
  };
}
