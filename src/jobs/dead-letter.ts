/**
 * The dead-letter list: jobs that failed for good (a permanent provider error, retries used up,
 * an interrupted send). Listed and retried from the CLI and the admin API.
 */
import type { Db } from '../db/client.js';
import type { Queues } from './queues.js';

export interface DeadLetter {
  queue: string;
  jobId: string;
  name: string;
  /** The job's data: ids only, never bodies or addresses. */
  data: Record<string, unknown>;
  reason: string;
  attempts: number;
  failedAt: string | null;
}

export async function listDeadLetters(queues: Queues, limit = 100): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  for (const queue of queues.all()) {
    for (const job of await queue.getFailed(0, limit - 1)) {
      if (!job) continue;
      letters.push({
        queue: queue.name,
        jobId: String(job.id),
        name: job.name,
        data: job.data as Record<string, unknown>,
        reason: job.failedReason,
        attempts: job.attemptsMade,
        failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
      });
    }
  }
  return letters.sort((a, b) => (b.failedAt ?? '').localeCompare(a.failedAt ?? ''));
}

/**
 * Puts a failed job back to work. An outbound message is set back to queued first (a person
 * decided that sending it again is right). Returns false when there is no such failed job.
 */
export async function retryDeadLetter(queues: Queues, db: Db, queueName: string, jobId: string): Promise<boolean> {
  const queue = queues.all().find((q) => q.name === queueName);
  if (!queue) return false;
  const job = await queue.getJob(jobId);
  if (!job || !(await job.isFailed())) return false;
  if (queueName.startsWith('outbound-') && typeof job.data.messageId === 'string') {
    await db.message.updateMany({ where: { id: job.data.messageId, status: { in: ['failed', 'unconfirmed'] } }, data: { status: 'queued' } });
  }
  await job.retry('failed');
  return true;
}

/**
 * Removes a failed job for good (a person decided it should not run again). The message it was
 * sending, if any, keeps its failed state. Returns false when there is no such failed job.
 */
export async function discardDeadLetter(queues: Queues, queueName: string, jobId: string): Promise<boolean> {
  const queue = queues.all().find((q) => q.name === queueName);
  if (!queue) return false;
  const job = await queue.getJob(jobId);
  if (!job || !(await job.isFailed())) return false;
  await job.remove();
  return true;
}
