/**
 * Retention: the `retention` timer runs every RETENTION_SWEEP_MINUTES and reschedules itself
 * (a repeating typed timer; its id is the time slot, so two gateways starting together add it
 * once). Each run:
 * - erases contacts inactive for RETENTION_DAYS (no message in or out since, no change to the
 *   contact since): identities, texts, sessions, subscriptions go, incidents stay (erase.ts);
 *   responders are kept (they are staff, managed through the rosters);
 * - deletes sessions that are no longer running (ended, expired, or past their expiry) once
 *   SESSION_RETENTION_HOURS have passed since their last change.
 */
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { jobId, type Queues } from '../jobs/queues.js';
import { defineTimer, onTimer, type TimerRegistration } from '../jobs/timers.js';
import type { Logger } from '../logger.js';
import { eraseContact, flushWriteAheadLog } from './erase.js';

export const RETENTION = defineTimer('retention', z.object({ slot: z.number() }));

export interface RetentionPolicy {
  retentionDays: number;
  sessionRetentionHours: number;
  sweepMinutes: number;
}

const DAY_MS = 24 * 3600_000;

export interface RetentionOutcome {
  contactsErased: number;
  sessionsDeleted: number;
}

/** One retention sweep at `now`. */
export async function sweepRetention(db: Db, queues: Queues | undefined, policy: RetentionPolicy, now: Date): Promise<RetentionOutcome> {
  const sessionCutoff = new Date(now.getTime() - policy.sessionRetentionHours * 3600_000);
  const sessions = await db.session.deleteMany({
    where: {
      updatedAt: { lt: sessionCutoff },
      OR: [{ status: { not: 'active' } }, { expiresAt: { lt: sessionCutoff } }],
    },
  });
  const cutoff = new Date(now.getTime() - policy.retentionDays * DAY_MS);
  const inactive = await db.contact.findMany({
    where: {
      updatedAt: { lt: cutoff },
      createdAt: { lt: cutoff },
      messages: { none: { createdAt: { gte: cutoff } } },
      sessions: { none: { status: 'active', expiresAt: { gte: now } } },
    },
    select: { id: true },
    take: 500,
  });
  const responders = new Set((await db.responder.findMany({ where: { contactId: { in: inactive.map((c) => c.id) } }, select: { contactId: true } })).map((r) => r.contactId));
  let erased = 0;
  for (const { id } of inactive) {
    if (responders.has(id)) continue;
    await eraseContact(db, queues, id, 'retention', now);
    erased += 1;
  }
  if (sessions.count > 0 && erased === 0) await flushWriteAheadLog(db);
  return { contactsErased: erased, sessionsDeleted: sessions.count };
}

/**
 * Adds the timer of the sweep slot after `now`, and after slot `after` (the sweep that schedules
 * it; idempotent per slot). A sweep that ran early, before its own slot began (a clock standing
 * still in tests, a queue clock ahead of this process's), would otherwise compute its own slot
 * again, whose job id exists: the add is ignored and the sweeps stop.
 */
export async function scheduleRetention(queues: Queues, policy: RetentionPolicy, now: Date, after = 0): Promise<void> {
  const period = policy.sweepMinutes * 60_000;
  const slot = Math.max(Math.floor(now.getTime() / period) + 1, after + 1);
  await queues.schedule(jobId('retention', slot), RETENTION.data({ slot }), new Date(Date.now() + (slot * period - now.getTime())));
}

export function retentionTimer(db: Db, queues: Queues, policy: RetentionPolicy, clock: () => Date, logger: Logger): TimerRegistration {
  return onTimer(RETENTION, async ({ slot }) => {
    const now = clock();
    const outcome = await sweepRetention(db, queues, policy, now);
    if (outcome.contactsErased > 0 || outcome.sessionsDeleted > 0) logger.info(outcome, 'retention sweep');
    await scheduleRetention(queues, policy, now, slot);
  });
}
