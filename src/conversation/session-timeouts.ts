/**
 * The `session-timeout` timer: when a flow waits with a timeout, the engine gets a timeout input
 * at that time (re-prompt or the timeout branch). A timer that no longer matches the session
 * (answered meanwhile, ended, expired) does nothing.
 */
import type { ConversationDeps } from './step.js';
import type { Db } from '../db/client.js';
import type { Queues } from '../jobs/queues.js';
import { runSystemStep, SESSION_TIMEOUT } from './system-steps.js';
import { onTimer, type TimerRegistration } from '../jobs/timers.js';

export function sessionTimeoutTimer(db: Db, queues: Queues, deps: ConversationDeps): TimerRegistration {
  return onTimer(SESSION_TIMEOUT, async ({ sessionId, at }) => {
    const row = await db.session.findUnique({ where: { id: sessionId } });
    if (!row || row.status !== 'active') return;
    await runSystemStep(db, queues, deps, {
      target: { contactId: row.contactId, identityId: row.identityId, channel: row.channel },
      input: { type: 'timeout' },
      causeKey: `timeout:${sessionId}:${at}`,
      accept: (session) => session?.id === sessionId && session.state.timeoutAt === at,
    });
  });
}
