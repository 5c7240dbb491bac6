/**
 * The timer worker: runs delayed jobs (session timeouts, escalation steps, scheduled broadcasts)
 * by `kind`. Timers live in Redis with its append-only file, so a restart loses none; a timer
 * whose time passed while the gateway was down runs as soon as the worker starts.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from '../logger.js';
import { QUEUE_NAMES, backoffDelay, type Queues, type TimerJob } from './queues.js';

export type TimerHandler = (data: TimerJob, job: Job<TimerJob>) => Promise<void>;

export function startTimerWorker(
  queues: Queues,
  handlers: Map<string, TimerHandler>,
  logger: Logger,
  options: { lockDurationMs: number; backoffMs: number; concurrency?: number },
): Worker<TimerJob> {
  const worker = new Worker<TimerJob>(
    QUEUE_NAMES.timers,
    async (job) => {
      const handler = handlers.get(job.data.kind);
      if (!handler) throw new UnrecoverableError(`no handler for timer kind "${job.data.kind}"`);
      await handler(job.data, job);
    },
    {
      connection: queues.settings.connection,
      prefix: queues.settings.prefix,
      concurrency: options.concurrency ?? 4,
      lockDuration: options.lockDurationMs,
      stalledInterval: Math.max(1000, Math.floor(options.lockDurationMs / 2)),
      settings: { backoffStrategy: (attemptsMade: number) => backoffDelay(attemptsMade, options.backoffMs) },
    },
  );
  worker.on('failed', (job, error) => logger.error({ jobId: job?.id, kind: job?.data.kind, err: { name: error.name, message: error.message } }, 'timer job failed'));
  worker.on('error', (error) => logger.error({ err: { name: error.name, message: error.message } }, 'timer worker error'));
  return worker;
}
