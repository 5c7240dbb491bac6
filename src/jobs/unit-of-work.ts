/**
 * The unit of work: one database transaction that decides what happens, then, once it has
 * committed, the outbound messages it wrote are queued and its after-commit tasks (timers,
 * notifications of other parts) run in order. Queueing is idempotent by message id, so running
 * the unit again after a crash between commit and queueing queues nothing twice.
 */
import type { Db } from '../db/client.js';
import { transaction, type TransactionLimits } from '../db/transaction.js';
import type { OutboundRef, Queues } from './queues.js';

export interface Work {
  tx: Db;
  /** Outbound messages written in this transaction (status queued), to queue after commit. */
  send(messages: OutboundRef[]): void;
  /** Work that needs the commit first (timers, queue jobs). */
  afterCommit(task: () => Promise<void>): void;
}

/** What a committed transaction left to do: its messages to queue and its tasks, in order. */
export interface Committed<T> {
  result: T;
  outbound: OutboundRef[];
  tasks: (() => Promise<void>)[];
}

/** The transaction half of a unit of work: resolves once `fn`'s transaction has committed. */
export async function commitWork<T>(db: Db, fn: (work: Work) => Promise<T>, limits?: TransactionLimits): Promise<Committed<T>> {
  let outbound: OutboundRef[] = [];
  let tasks: (() => Promise<void>)[] = [];
  const result = await transaction(
    db,
    async (tx) => {
      // A retried transaction starts over: forget what a rolled-back try collected.
      outbound = [];
      tasks = [];
      return fn({ tx, send: (messages) => void outbound.push(...messages), afterCommit: (task) => void tasks.push(task) });
    },
    limits,
  );
  return { result, outbound, tasks };
}

/** The after-commit half: queues the messages (in bulk, in order per channel), then runs the tasks. */
export async function carryOut(queues: Queues, committed: Committed<unknown>): Promise<void> {
  await queues.enqueueOutboundMany(committed.outbound);
  for (const task of committed.tasks) await task();
}

export async function unitOfWork<T>(db: Db, queues: Queues, fn: (work: Work) => Promise<T>, limits?: TransactionLimits): Promise<T> {
  const committed = await commitWork(db, fn, limits);
  await carryOut(queues, committed);
  return committed.result;
}
