/**
 * Flows started by staff or by a schedule (a survey wave, a follow-up): the contact did not
 * write first. A start runs as a `flow-start` timer job (deterministic id per start and
 * contact, so asking twice starts once) on the contact's most recently used channel that it has
 * not opted out of. A contact in the middle of a conversation (any flow but the catch-all menu)
 * is tried again later (the job retries with backoff, for about three hours).
 */
import { UnrecoverableError } from 'bullmq';
import { HttpError } from '../admin/errors.js';
import { AreaTree } from '../areas/tree.js';
import type { ConversationDeps } from './step.js';
import type { Db } from '../db/client.js';
import { jobId, type Queues } from '../jobs/queues.js';
import { runSystemStep } from './system-steps.js';
import { z } from 'zod';
import { defineTimer, onTimer, type TimerRegistration } from '../jobs/timers.js';

export interface FlowStart {
  flowId: string;
  /** Start parameters the flow reads (e.g. `wave` of a survey). */
  params: Record<string, string>;
  /** Names this start (e.g. `survey-wave-6`): one start per key and contact. */
  key: string;
  /** When to start; now when absent. */
  at?: Date;
}

/** The contact is in a conversation; the start is tried again later. */
export class ContactBusyError extends Error {
  constructor() {
    super('the contact is in a conversation; the flow start is tried again later');
    this.name = 'ContactBusyError';
  }
}

/** The `flow-start` timer: one start of a flow for one contact. `params` is a JSON object of strings. */
export const FLOW_START = defineTimer('flow-start', z.object({ contactId: z.string(), flowId: z.string(), params: z.string(), key: z.string() }));

/** Tries of a start that finds the contact busy: with backoff capped at 5 minutes, about 3 hours. */
const START_ATTEMPTS = 40;

/** A start that cannot be made as asked (answered 400 by the admin API). */
export class FlowStartError extends HttpError {
  constructor(message: string) {
    super(400, message);
    this.name = 'FlowStartError';
  }
}

/** Contacts in an area and everything below it who are not stopped, in pages of ids. */
export async function* contactsInArea(db: Db, areaId: string, pageSize = 1000): AsyncGenerator<string[]> {
  const areas = (await AreaTree.load(db)).subtree(areaId);
  let cursor: string | undefined;
  for (;;) {
    const page = await db.contact.findMany({
      where: { areaId: { in: areas }, status: 'active', ...(cursor ? { id: { gt: cursor } } : {}) },
      orderBy: { id: 'asc' },
      take: pageSize,
      select: { id: true },
    });
    if (page.length === 0) return;
    yield page.map((c) => c.id);
    cursor = page.at(-1)!.id;
  }
}

/** Schedules a flow start for each contact; returns how many were scheduled. */
export async function scheduleFlowStarts(queues: Queues, flowIds: Set<string>, start: FlowStart, contactIds: Iterable<string> | AsyncIterable<string[]>): Promise<number> {
  if (!flowIds.has(start.flowId)) throw new FlowStartError(`unknown flow "${start.flowId}"; flows: ${[...flowIds].sort().join(', ')}`);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(start.key)) throw new FlowStartError('the start key takes 1-64 letters, digits, _ and -');
  if (start.at && start.at.getTime() < Date.now() - 60_000) throw new FlowStartError('the start time is in the past');
  const delay = Math.max(0, (start.at?.getTime() ?? Date.now()) - Date.now());
  let count = 0;
  const add = async (ids: string[]) => {
    await queues.timers.addBulk(
      ids.map((contactId) => ({
        name: FLOW_START.kind,
        data: FLOW_START.data({ contactId, flowId: start.flowId, params: JSON.stringify(start.params), key: start.key }),
        opts: { jobId: jobId('flowstart', start.key, contactId), delay, attempts: START_ATTEMPTS },
      })),
    );
    count += ids.length;
  };
  if (Symbol.asyncIterator in contactIds) for await (const page of contactIds) await add(page);
  else await add([...contactIds]);
  return count;
}

export function flowStartTimer(db: Db, queues: Queues, deps: ConversationDeps): TimerRegistration {
  return onTimer(FLOW_START, async (data) => {
    const { contactId, flowId } = data;
    const params = z.record(z.string(), z.string()).parse(JSON.parse(data.params));
    const contact = await db.contact.findUnique({ where: { id: contactId } });
    if (!contact || contact.status !== 'active') return;
    const lastUsed = await db.message.findFirst({
      where: { contactId, direction: 'in', identity: { stoppedAt: null } },
      orderBy: { createdAt: 'desc' },
      select: { identity: true },
    });
    const identity = lastUsed?.identity ?? (await db.contactIdentity.findFirst({ where: { contactId, stoppedAt: null }, orderBy: { createdAt: 'asc' } }));
    if (!identity) return; // opted out everywhere
    await runSystemStep(db, queues, deps, {
      target: { contactId, identityId: identity.id, channel: identity.channel },
      input: { type: 'start', flowId, params },
      causeKey: `start:${data.key}:${contactId}`,
      // A start never cuts into a conversation (a report half told would be lost): while the
      // contact is in a flow other than the catch-all menu, the job fails and tries again later
      // (thrown inside the transaction, so nothing is stored). An open menu is simply replaced.
      accept: (session) => {
        if (session && session.state.flowId !== deps.catalog.defaultFlowId) throw new ContactBusyError();
        return true;
      },
      check: (outcome) => {
        if (outcome.startRefused?.reason === 'unknown_flow') throw new UnrecoverableError(`unknown flow "${flowId}"`);
        if (outcome.startRefused?.reason === 'busy') throw new ContactBusyError();
      },
    });
  });
}
