/**
 * An inbound worker under test that groups: the real worker (src/inbound/worker.ts) on a test
 * gateway's database, Redis and queues, with a pipeline of the test's own, taking up to 16 jobs
 * at once into groups of up to 16 on one lane. And the sign that a message has joined the group
 * waiting for the transaction in progress: its contact's lock is held (taken just before it joins).
 */
import type { Worker } from 'bullmq';
import type { InboundContext } from '../../src/inbound/pipeline/context.js';
import { startInboundWorker } from '../../src/inbound/worker.js';
import { combineObservers } from '../../src/observer.js';
import { eventually, type TestGateway } from './gateway.js';

/** Starts the worker; each transaction's end is pushed to `ends` as [messages, committed]. */
export function startGroupingWorker(gateway: TestGateway, pipeline: (ctx: InboundContext) => Promise<void>, ends: [number, boolean][]): Worker {
  return startInboundWorker({
    db: gateway.db,
    dialect: gateway.database.dialect,
    redis: gateway.redis,
    queues: gateway.queues,
    personalData: gateway.personalData,
    logger: gateway.logger,
    pipeline,
    observe: combineObservers([{ inboundGroup: (messages, committed) => ends.push([messages, committed]) }]),
    defaultLanguage: 'en',
    concurrency: 16,
    groupSize: 16,
    lanes: 1,
    lockDurationMs: 5_000,
    backoffMs: 50,
  });
}

/** Resolves once the contact of each SMS number in `numbers` has its lock held; `what` names the wait. */
export async function waitUntilLocked(gateway: TestGateway, numbers: string[], what: string): Promise<void> {
  const locked = async (number: string) => {
    const identity = await gateway.db.contactIdentity.findUnique({ where: { channel_addressHash: { channel: 'sms', addressHash: gateway.personalData.hash('sms', number) } } });
    return identity ? gateway.redis.exists(`${gateway.queues.settings.prefix}:lock:contact:${identity.contactId}`) : 0;
  };
  await eventually(async () => (await Promise.all(numbers.map(locked))).every((n) => n === 1), 10_000, what);
}
