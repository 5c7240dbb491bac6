/**
 * Timers: delayed jobs on the timers queue (session timeouts, escalation steps, scheduled
 * broadcasts), each of a `kind` declared with the zod schema of its data. Timers live in Redis
 * with its append-only file, so a restart loses none; a timer whose time passed while the
 * gateway was down runs as soon as the worker starts.
 *
 *   const ESCALATE = defineTimer('escalate', z.object({ incidentId: z.string(), level: z.number() }));
 *   await queues.schedule(id, ESCALATE.data({ incidentId, level: 1 }), at);
 *   onTimer(ESCALATE, async ({ incidentId, level }) => ...)   // in a capability's `timers`
 *
 * A job whose data does not match its kind's schema fails for good (UnrecoverableError) and
 * stays in the dead-letter list.
 */
import { UnrecoverableError, type Job, type Worker } from 'bullmq';
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import { QUEUE_NAMES, type Queues, type TimerJob } from './queues.js';
import { startWorker, type WorkerOptions } from './worker.js';

/** Values a timer's data may hold (job data carries ids and small values, never bodies). */
type TimerValue = string | number | boolean;

export interface TimerKind<S extends z.ZodObject> {
  readonly kind: string;
  readonly schema: S;
  /** The job data of a timer of this kind. */
  data(values: z.input<S> & Record<string, TimerValue>): TimerJob;
}

export function defineTimer<S extends z.ZodObject>(kind: string, schema: S): TimerKind<S> {
  return { kind, schema, data: (values) => ({ ...values, kind }) as TimerJob };
}

/** A timer kind with its handler, as a capability registers it. */
export interface TimerRegistration {
  kind: string;
  run(data: TimerJob, job: Job<TimerJob>): Promise<void>;
}

export function onTimer<S extends z.ZodObject>(timer: TimerKind<S>, handler: (data: z.output<S>, job: Job<TimerJob>) => Promise<void>): TimerRegistration {
  return {
    kind: timer.kind,
    run: async (data, job) => {
      const parsed = timer.schema.safeParse(data);
      if (!parsed.success) {
        const fields = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
        throw new UnrecoverableError(`timer "${timer.kind}" has data that does not match its schema (${fields})`);
      }
      await handler(parsed.data, job);
    },
  };
}

/** Runs timers by kind. Throws at start when two registrations claim one kind. */
export function startTimerWorker(queues: Queues, registrations: TimerRegistration[], logger: Logger, options: WorkerOptions): Worker<TimerJob> {
  const handlers = new Map<string, TimerRegistration>();
  for (const registration of registrations) {
    if (handlers.has(registration.kind)) throw new Error(`two handlers for timer kind "${registration.kind}"`);
    handlers.set(registration.kind, registration);
  }
  return startWorker<TimerJob>(
    queues,
    {
      queue: QUEUE_NAMES.timers,
      label: 'timer',
      processor: async (job) => {
        const handler = handlers.get(job.data.kind);
        if (!handler) throw new UnrecoverableError(`no handler for timer kind "${job.data.kind}"`);
        await handler.run(job.data, job);
      },
      describe: (job) => ({ kind: job?.data.kind }),
    },
    { ...options, concurrency: options.concurrency ?? 4 },
    logger,
  );
}
