/**
 * A definite signal for "nothing else happens": resolves once the gateway has nothing left to do
 * for the messages it has seen, so a test asserts on a settled state instead of after a sleep.
 *
 * Idle means, seen several times in a row:
 * - the inbound queue and every channel's outbound queue have no waiting, prioritized or active
 *   job, and no delayed job due within `horizonMs` (a retry backoff, a send gap);
 * - the timers queue has no waiting or active job (a timer firing now still sends), and no delayed
 *   job due within `timerHorizonMs` (0 by default: a session timeout hours away is not pending);
 * - the outbox holds nothing pending: no Message row with status `queued` or `sending`.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Gateway } from '../../src/gateway.js';

export interface IdleOptions {
  /** Delayed inbound/outbound jobs due sooner than this count as pending (ms, default 5,000). */
  horizonMs?: number;
  /** Delayed timers due sooner than this count as pending (ms, default 0). */
  timerHorizonMs?: number;
  /** Give up after this long (ms, default 15,000). */
  timeoutMs?: number;
  /** Idle checks in a row needed, 50 ms apart (default 3): a job moving between lists is not idle. */
  settle?: number;
}

type IdleGateway = Pick<Gateway, 'queues' | 'db' | 'adapters' | 'redis'>;

/** BullMQ scores a delayed job `dueAt * 0x1000 + n` (bullmq/commands/includes/getDelayedScore.lua). */
const SCORE_PER_MS = 0x1000;

async function delayedDueWithin(redis: Redis, queue: Queue, horizonMs: number): Promise<number> {
  if (horizonMs <= 0) return 0;
  return redis.zcount(queue.keys.delayed!, '-inf', `(${(Date.now() + horizonMs) * SCORE_PER_MS}`);
}

async function pendingIn(redis: Redis, queue: Queue, horizonMs: number): Promise<number> {
  // A paused queue keeps its jobs in the waiting list.
  const counts = await queue.getJobCounts('waiting', 'prioritized', 'active', 'waiting-children');
  const busy = Object.values(counts).reduce((a, b) => a + b, 0);
  return busy + (await delayedDueWithin(redis, queue, horizonMs));
}

/** What is still pending, as a readable list (empty when idle). */
export async function pendingWork(gateway: IdleGateway, options: IdleOptions = {}): Promise<string[]> {
  const horizonMs = options.horizonMs ?? 5_000;
  const queues: [string, Queue, number][] = [
    ['inbound', gateway.queues.inbound as Queue, horizonMs],
    ['timers', gateway.queues.timers as Queue, options.timerHorizonMs ?? 0],
    ...[...gateway.adapters.keys()].map((channel): [string, Queue, number] => [`outbound-${channel}`, gateway.queues.outbound(channel) as Queue, horizonMs]),
  ];
  const pending: string[] = [];
  for (const [name, queue, horizon] of queues) {
    const n = await pendingIn(gateway.redis, queue, horizon);
    if (n > 0) pending.push(`${n} job(s) in ${name}`);
  }
  const outbox = await gateway.db.message.count({ where: { direction: 'out', status: { in: ['queued', 'sending'] } } });
  if (outbox > 0) pending.push(`${outbox} outbound message(s) queued or sending`);
  return pending;
}

/**
 * Resolves when the gateway is idle (see the file comment); rejects after `timeoutMs` naming what
 * is still pending.
 */
export async function waitForIdle(gateway: IdleGateway, options: IdleOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const settle = options.settle ?? 3;
  const started = Date.now();
  let quiet = 0;
  let last: string[] = [];
  while (Date.now() - started < timeoutMs) {
    last = await pendingWork(gateway, options);
    quiet = last.length === 0 ? quiet + 1 : 0;
    if (quiet >= settle) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gateway not idle after ${timeoutMs} ms: ${last.join(', ')}`);
}
