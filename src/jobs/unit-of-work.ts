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

export async function unitOfWork<T>(db: Db, queues: Queues, fn: (work: Work) => Promise<T>, limits?: TransactionLimits): Promise<T> {
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
  for (const message of outbound) await queues.enqueueOutbound(message.channel, message.id, { after: message.after });
  for (const task of tasks) await task();
  return result;
}
