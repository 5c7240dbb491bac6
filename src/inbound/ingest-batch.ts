/**
 * Group commit of inbound events: webhooks that arrive while a batch is being written wait for
 * the next one, and each batch is stored all or none (identities and dedupe keys read with one
 * SELECT each; new contacts, identities and messages written with one INSERT on PostgreSQL, one
 * per table in a transaction on SQLite: see `storeBatch`) and queued with one addBulk. Each
 * caller's promise settles only after its batch has been stored and queued, so the provider's
 * 200 still comes after the message is stored and queued (the durability of `ingest`).
 *
 * Order: events are written and queued in arrival order, so the messages of one contact keep
 * the order their webhooks came in. A repeated delivery (same channel and provider id), in the
 * batch or already stored, is 'duplicate'; a stored one that was never processed is queued again
 * (the job id is the message id, so it does not run twice).
 *
 * When the batch's write fails on a unique key (another process stored the same contact or
 * message in between), its events are ingested again one by one through `ingest`, which resolves
 * those races.
 */
import { randomUUID } from 'node:crypto';
import type { InboundEvent } from '../channels/adapter.js';
import { isUniqueViolation } from '../conversation/contacts.js';
import { insertRowSets, selectByKeys, type BulkColumn, type BulkValue } from '../db/bulk.js';
import type { Db } from '../db/client.js';
import { transaction } from '../db/transaction.js';
import { cleanInboundMessage, inboundMessageSchema, type InboundMessage } from '../messages.js';
import { ingest, type IngestDeps, type IngestOutcome } from './ingest.js';

/** Most events stored in one transaction. */
const MAX_BATCH = 200;

interface Pending {
  channel: string;
  event: InboundEvent;
  dedupeKey: string;
  message: InboundMessage;
  addressHash: string;
  language: string | null;
  settle: (outcome: IngestOutcome) => void;
  fail: (error: unknown) => void;
}

export interface IngestBatcher {
  /** Stores and queues one event (see `ingest`); malformed messages throw before anything is stored. */
  ingest(channel: string, event: InboundEvent): Promise<IngestOutcome>;
}

export interface IngestBatcherOptions {
  /** Told of each batch that met a unique key and was stored again one by one (its event count): processes raced. */
  onFallback?: (events: number) => void;
}

export function createIngestBatcher(deps: IngestDeps, options: IngestBatcherOptions = {}): IngestBatcher {
  let waiting: Pending[] = [];
  let writing = false;
  const clock: ArrivalClock = { last: 0 };

  const flush = async (): Promise<void> => {
    writing = true;
    while (waiting.length > 0) {
      const batch = waiting.slice(0, MAX_BATCH);
      waiting = waiting.slice(MAX_BATCH);
      try {
        const outcomes = await storeBatch(deps, batch, clock);
        batch.forEach((item, i) => item.settle(outcomes[i]!));
      } catch (error) {
        if (!isUniqueViolation(error)) {
          for (const item of batch) item.fail(error);
          continue;
        }
        options.onFallback?.(batch.length);
        for (const item of batch) {
          await ingest(deps, item.channel, item.event).then(item.settle, item.fail);
        }
      }
    }
    writing = false;
  };

  return {
    ingest(channel, event) {
      const message = cleanInboundMessage(inboundMessageSchema.parse(event.message));
      const hint = event.languageHint?.slice(0, 2).toLowerCase();
      return new Promise<IngestOutcome>((settle, fail) => {
        waiting.push({
          channel,
          event,
          message,
          dedupeKey: `in:${channel}:${event.providerId}`,
          addressHash: deps.personalData.hash(channel, event.address),
          language: hint && deps.languages.includes(hint) ? hint : null,
          settle,
          fail,
        });
        if (!writing) void flush();
      });
    },
  };
}

/**
 * The arrival times a batcher gives its messages (ms since the epoch): a message's `createdAt`
 * orders it among its contact's messages (the inbound worker's order check compares them), so
 * two messages of one contact never share a time. In a batch, a contact's second message is 1 ms
 * after its first, and so on; a batch starts after the last time handed out, so a contact's
 * message in the next batch comes after them. (The times run ahead of the clock by at most a
 * contact's message count in one batch, in ms, while batches follow each other that fast.)
 */
interface ArrivalClock {
  last: number;
}

/**
 * Stores one batch, then queues it; the outcome of each event, in order. Read first (identities
 * and dedupe keys), then written all or none (src/db/bulk.ts `insertRowSets`): on PostgreSQL the
 * write is one statement and needs no transaction (three statements a batch where a transaction
 * took seven: a round trip each, which costs the gateway and the server more CPU than the
 * statement itself); on SQLite the reads and writes share a transaction. Either way, a row stored
 * by another process between the read and the write fails the write on its unique key, and the
 * batch is stored again one event at a time (see the module comment).
 */
async function storeBatch(deps: IngestDeps, batch: Pending[], clock: ArrivalClock): Promise<IngestOutcome[]> {
  const store = (db: Db) => writeBatch(deps, db, batch, clock);
  const { outcomes, toQueue } = deps.dialect.provider === 'postgres' ? await store(deps.db) : await transaction(deps.db, store);
  await deps.queues.enqueueInboundMany(toQueue);
  return outcomes;
}

/** Reads and writes one batch on `db` (see storeBatch): the outcome of each event, and the message ids to queue. */
async function writeBatch(deps: IngestDeps, db: Db, batch: Pending[], clock: ArrivalClock): Promise<{ outcomes: IngestOutcome[]; toQueue: string[] }> {
  const { personalData } = deps;
  const toQueue: string[] = [];
  const base = Math.max(Date.now(), clock.last + 1);
  let latest = base;
  const identityKey = (channel: string, hash: string) => `${channel}\u0000${hash}`;
  const pairs = new Map(batch.map((item) => [identityKey(item.channel, item.addressHash), [item.channel, item.addressHash]]));
  const identities = await selectByKeys(db, deps.dialect, 'ContactIdentity', ['id', 'contactId', 'channel', 'addressHash'], ['channel', 'addressHash'], [...pairs.values()]);
  const known = new Map(identities.map((i) => [identityKey(i.channel, i.addressHash), { contactId: i.contactId, identityId: i.id }]));
  const keys = [...new Set(batch.map((b) => b.dedupeKey))].map((key) => [key]);
  const seen = await selectByKeys(db, deps.dialect, 'Message', ['id', 'dedupeKey', 'status'], ['dedupeKey'], keys);
  const stored = new Map(seen.map((m) => [m.dedupeKey, m]));

  const contacts: BulkValue[][] = [];
  const newIdentities: BulkValue[][] = [];
  const messages: BulkValue[][] = [];
  const result: IngestOutcome[] = [];
  const inBatch = new Set<string>();
  /** Messages of each contact so far in this batch: the next one arrives that many ms after `base`. */
  const perContact = new Map<string, number>();
  for (const item of batch) {
    const earlier = stored.get(item.dedupeKey);
    if (earlier || inBatch.has(item.dedupeKey)) {
      if (earlier?.status === 'received') toQueue.push(earlier.id);
      result.push('duplicate');
      continue;
    }
    inBatch.add(item.dedupeKey);
    const key = identityKey(item.channel, item.addressHash);
    let ref = known.get(key);
    if (!ref) {
      ref = { contactId: randomUUID(), identityId: randomUUID() };
      contacts.push([ref.contactId, item.language]);
      newIdentities.push([ref.identityId, ref.contactId, item.channel, item.addressHash, personalData.encrypt(item.event.address)]);
      known.set(key, ref);
    }
    const id = randomUUID();
    const arrived = base + (perContact.get(ref.contactId) ?? 0);
    perContact.set(ref.contactId, arrived - base + 1);
    latest = Math.max(latest, arrived);
    messages.push([
      id,
      item.dedupeKey,
      item.channel,
      ref.contactId,
      ref.identityId,
      item.event.providerId,
      item.event.chatMessageId ?? null,
      personalData.encrypt(JSON.stringify(item.message)),
      new Date(arrived),
    ]);
    toQueue.push(id);
    result.push('queued');
  }
  const now = new Date(base);
  const stamps: BulkColumn[] = [
    { name: 'createdAt', type: 'timestamp', constant: now },
    { name: 'updatedAt', type: 'timestamp', constant: now },
  ];
  await insertRowSets(db, deps.dialect, [
    { table: 'Contact', columns: [{ name: 'id' }, { name: 'language' }, { name: 'status', constant: 'active' }, { name: 'fields', constant: '{}' }, ...stamps], rows: contacts },
    {
      table: 'ContactIdentity',
      columns: [{ name: 'id' }, { name: 'contactId' }, { name: 'channel' }, { name: 'addressHash' }, { name: 'addressEnc' }, stamps[0]!],
      rows: newIdentities,
    },
    {
      table: 'Message',
      columns: [
        { name: 'id' },
        { name: 'dedupeKey' },
        { name: 'direction', constant: 'in' },
        { name: 'channel' },
        { name: 'contactId' },
        { name: 'identityId' },
        { name: 'providerId' },
        { name: 'chatMessageId' },
        { name: 'bodyEnc' },
        { name: 'status', constant: 'received' },
        { name: 'kind', constant: 'reply' },
        { name: 'createdAt', type: 'timestamp' },
        { name: 'updatedAt', type: 'timestamp', constant: now },
      ],
      rows: messages,
    },
  ]);
  clock.last = Math.max(clock.last, latest);
  return { outcomes: result, toQueue };
}
