/**
 * One way to start a BullMQ worker: the queue's connection and prefix, the job lock
 * (JOB_LOCK_MS, renewed while the job runs; a crashed worker's job is taken over once it lapses),
 * the stalled-job check at half the lock, capped exponential backoff between tries
 * (JOB_BACKOFF_MS, see `backoffDelay`), and failures logged without job data beyond ids.
 */
import { Worker, type Job, type Processor } from 'bullmq';
import type { Logger } from '../logger.js';
import { backoffDelay, type Queues } from './queues.js';

export interface WorkerOptions {
  /** How long a worker holds a job before another may take it over, in ms. */
  lockDurationMs: number;
  /** First retry delay in ms; doubles each try up to MAX_BACKOFF_MS. */
  backoffMs: number;
  /** Jobs run at once by this worker (default 1). */
  concurrency?: number;
  /** Told of every failed try, with the queue's name (metrics). */
  onFailure?: (queue: string) => void;
  /**
   * Whether the processor may hold the whole queue with `queue.rateLimit(ms)` and
   * `Worker.RateLimitError` (a provider's 429). BullMQ honours a manual rate limit only for a
   * worker given `limiter.max` (docs.bullmq.io, "Rate limiting", "Manual rate-limit"); the limiter
   * set here allows far more jobs than any pace, so it never holds a job by count.
   */
  rateLimitable?: boolean;
}

/** A job count per second no queue reaches: the limiter exists only for manual rate limits. */
const UNREACHED_JOBS_PER_SECOND = 1_000_000;

/** What a worker is. */
export interface WorkerSpec<T> {
  /** Queue name (QUEUE_NAMES). */
  queue: string;
  /** Names the worker in log lines: "<label> job failed". */
  label: string;
  processor: Processor<T>;
  /** The ids worth logging from a failed job (never a body or an address). */
  describe: (job: Job<T> | undefined) => Record<string, unknown>;
  /** Log level of a failed try (default error; a send that will be retried is a warning). */
  failedLevel?: 'warn' | 'error';
}

export function startWorker<T>(queues: Queues, spec: WorkerSpec<T>, options: WorkerOptions, logger: Logger): Worker<T> {
  const { connection, release } = queues.workerConnection();
  const worker = new Worker<T>(spec.queue, spec.processor, {
    connection,
    prefix: queues.settings.prefix,
    concurrency: options.concurrency ?? 1,
    limiter: options.rateLimitable ? { max: UNREACHED_JOBS_PER_SECOND, duration: 1000 } : undefined,
    lockDuration: options.lockDurationMs,
    stalledInterval: Math.max(1000, Math.floor(options.lockDurationMs / 2)),
    settings: { backoffStrategy: (attemptsMade: number) => backoffDelay(attemptsMade, options.backoffMs) },
  });
  worker.on('closed', release);
  worker.on('failed', (job, error) => {
    options.onFailure?.(spec.queue);
    const fields = { ...spec.describe(job), jobId: job?.id, attempts: job?.attemptsMade, err: { name: error.name, message: error.message } };
    logger[spec.failedLevel ?? 'error'](fields, `${spec.label} job failed`);
  });
  worker.on('error', (error) => logger.error({ ...spec.describe(undefined), err: { name: error.name, message: error.message } }, `${spec.label} worker error`));
  return worker;
}
