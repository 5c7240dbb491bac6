/**
 * Conversation steps that no inbound message caused: a wait that timed out, a flow started by
 * staff or a schedule. One transaction loads the session, steps the engine, stores the session
 * and writes the replies to the outbox; queue work follows the commit.
 */
import { conversationStep, loadSession, type ActiveSession, type ConversationDeps, type StepOutcome } from './step.js';
import type { Db } from '../db/client.js';
import { unitOfWork } from '../jobs/unit-of-work.js';
import type { EngineInput } from '../flow/engine.js';
import { writeOutbox, type OutboxTarget } from '../outbound/outbox.js';
import type { Queues } from '../jobs/queues.js';
import { z } from 'zod';
import { defineTimer } from '../jobs/timers.js';

/** The `session-timeout` timer: `at` is the session's `timeoutAt` (ISO time) it was set for. */
export const SESSION_TIMEOUT = defineTimer('session-timeout', z.object({ sessionId: z.string(), at: z.string() }));

/** Schedules the timer of a session that waits with a timeout. */
export function scheduleSessionTimeout(queues: Queues, timeout: NonNullable<StepOutcome['timeout']>): Promise<void> {
  return queues.schedule(timeout.id, SESSION_TIMEOUT.data({ sessionId: timeout.sessionId, at: timeout.at.toISOString() }), timeout.at);
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
  let accepted = true;
  await unitOfWork(db, queues, async ({ tx, send, afterCommit }) => {
    const now = new Date();
    const session = await loadSession(tx, step.target.contactId, now, deps);
    accepted = !step.accept || step.accept(session);
    if (!accepted) return;
    const outcome = await conversationStep(deps, tx, step.target, session, step.input, now);
    step.check?.(outcome);
    for (const task of outcome.afterCommit) afterCommit(task);
    const timeout = outcome.timeout;
    if (timeout) afterCommit(() => scheduleSessionTimeout(queues, timeout));
    send(await writeOutbox(tx, deps, step.target, step.causeKey, outcome.replies.map((message) => ({ message }))));
  });
  return accepted;
}
