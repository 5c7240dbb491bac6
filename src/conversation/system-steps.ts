/**
 * Conversation steps that no inbound message caused: a wait that timed out, a flow started by
 * staff or a schedule. One transaction loads the session, steps the engine, stores the session
 * and writes the replies to the outbox; queue work follows the commit.
 */
import { conversationStep, loadSession, type ActiveSession, type ConversationDeps, type StepOutcome } from './step.js';
import type { Db } from '../db/client.js';
import type { EngineInput } from '../flow/engine.js';
import { enqueueAll, writeOutbox, type OutboxTarget, type QueuedMessage } from '../outbound/outbox.js';
import type { Queues } from '../jobs/queues.js';

/** Schedules the timer of a session that waits with a timeout. */
export function scheduleSessionTimeout(queues: Queues, timeout: NonNullable<StepOutcome['timeout']>): Promise<void> {
  return queues.schedule(timeout.id, { kind: 'session-timeout', sessionId: timeout.sessionId, at: timeout.at.toISOString() }, timeout.at);
}

export interface SystemStep {
  target: OutboxTarget;
  input: EngineInput;
  /** Dedupe key of the replies (`out:<causeKey>:<n>`): the same step retried writes nothing new. */
  causeKey: string;
  /** Whether to step at all, given the live session (e.g. the timer still matches it). */
  accept?: (session: ActiveSession | null) => boolean;
  /** Checks the outcome inside the transaction; throwing rolls the step back. */
  check?: (outcome: StepOutcome) => void;
}

/** Runs one system step; returns false when `accept` declined it. */
export async function runSystemStep(db: Db, queues: Queues, deps: ConversationDeps, step: SystemStep): Promise<boolean> {
  let afterCommit: (() => Promise<void>)[] = [];
  let accepted = true;
  const queued = await db.$transaction(
    async (tx): Promise<QueuedMessage[]> => {
      const now = new Date();
      const session = await loadSession(tx as Db, step.target.contactId, now, deps.logger);
      if (step.accept && !step.accept(session)) {
        accepted = false;
        return [];
      }
      const outcome = await conversationStep(deps, tx as Db, step.target, session, step.input, now);
      step.check?.(outcome);
      afterCommit = outcome.afterCommit;
      const timeout = outcome.timeout;
      if (timeout) afterCommit.push(() => scheduleSessionTimeout(queues, timeout));
      const entries = outcome.replies.map((message) => ({ message }));
      return writeOutbox(tx as Db, deps.personalData, step.target, step.causeKey, entries);
    },
    { maxWait: 20_000, timeout: 30_000 },
  );
  await enqueueAll(queues, queued);
  for (const task of afterCommit) await task();
  return accepted;
}
