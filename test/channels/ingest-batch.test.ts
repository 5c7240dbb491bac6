/**
 * One batch of several events (src/inbound/ingest-batch.ts), made for certain: events given to a
 * batcher in the same tick wait for the write in progress and are then stored together (a burst of
 * webhooks only sometimes lands so). The batcher here is a second one over the running gateway's
 * database and queues, as a second web process has; the gateway's workers answer at the fake
 * Telegram API. In one batch: a known sender's new message, two new senders, a repeat within the
 * batch and a repeat of a message stored before. Each event gets its own outcome, each message is
 * stored once under its own sender, each sender is answered in their own chat, and no job is
 * queued for a message that is not there (it would fail, and wait in the dead-letter list). With
 * no other process writing, the batch stores its events itself: a mistake in its lookups would
 * meet a unique key and have them stored again one by one (the same rows, far slower).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundEvent } from '../../src/channels/adapter.js';
import { createIngestBatcher, type IngestBatcher } from '../../src/inbound/ingest-batch.js';
import { listDeadLetters } from '../../src/jobs/dead-letter.js';
import { eventually, startTestGateway, type TestGateway } from '../support/gateway.js';
import { waitForIdle } from '../support/idle.js';
import { startProviders, type Providers } from '../support/providers.js';

let providers: Providers<'telegram'>;
let gateway: TestGateway;
let batcher: IngestBatcher;
/** Batches stored again one by one: each would mean a race, and there is none here. */
let fallbacks = 0;
beforeAll(async () => {
  providers = await startProviders(['telegram']);
  gateway = await startTestGateway(providers.env);
  const deps = { db: gateway.db, dialect: gateway.database.dialect, personalData: gateway.personalData, queues: gateway.queues, languages: gateway.translator.languages };
  batcher = createIngestBatcher(deps, { onFallback: () => (fallbacks += 1) });
});
afterAll(async () => {
  await gateway?.close();
  await providers?.close();
});

const text = (chat: number, updateId: number, body: string, languageHint = 'en'): InboundEvent => ({
  providerId: String(updateId),
  address: String(chat),
  message: { type: 'text', text: body },
  languageHint,
  chatMessageId: String(updateId),
});

const repliesTo = (chat: number) => providers.telegram.calls('sendMessage').filter((c) => String(c.payload.chat_id) === String(chat));

async function identityOf(chat: number) {
  return gateway.db.contactIdentity.findUnique({ where: { channel_addressHash: { channel: 'telegram', addressHash: gateway.personalData.hash('telegram', String(chat)) } } });
}

describe('a batch of several events', () => {
  it('gives each event its outcome, stores each message once under its sender, and answers each sender in their chat', async () => {
    // A known sender, answered once before.
    const known = 7601;
    const earlier = text(known, 960100, 'hi');
    expect(await batcher.ingest('telegram', earlier)).toBe('queued');
    await eventually(() => repliesTo(known).length > 0, 15_000, 'a first reply');
    await waitForIdle(gateway);
    const knownIdentity = await identityOf(known);
    const repliedBefore = repliesTo(known).length;

    // The first event is written alone; the others, given in the same tick, wait and go together.
    const lead = batcher.ingest('telegram', text(7600, 960101, 'hi'));
    const together = [
      text(known, 960102, 'hi'),
      text(7602, 960103, 'hi'),
      text(7603, 960104, 'bonjour', 'fr'),
      text(7602, 960103, 'hi'), // the same update again, in the same batch
      earlier, // an update stored before
    ].map((event) => batcher.ingest('telegram', event));
    expect(await lead).toBe('queued');
    expect(await Promise.all(together)).toEqual(['queued', 'queued', 'queued', 'duplicate', 'duplicate']);
    await waitForIdle(gateway);

    for (const chat of [7600, 7602, 7603]) expect(repliesTo(chat).length, `replies in chat ${chat}`).toBeGreaterThan(0);
    expect(repliesTo(known).length).toBeGreaterThan(repliedBefore);
    expect(await identityOf(known)).toEqual(knownIdentity);
    for (const [chat, updateId] of [[7600, 960101], [known, 960100], [known, 960102], [7602, 960103], [7603, 960104]] as const) {
      const stored = await gateway.db.message.findMany({ where: { channel: 'telegram', direction: 'in', providerId: String(updateId) } });
      expect(stored.map((m) => m.identityId), `update ${updateId}`).toEqual([(await identityOf(chat))!.id]);
    }
    expect(await gateway.db.contactIdentity.count({ where: { channel: 'telegram' } })).toBe(4);
    expect((await gateway.db.contact.findUniqueOrThrow({ where: { id: (await identityOf(7603))!.contactId } })).language).toBe('fr');
    expect(await listDeadLetters(gateway.queues)).toEqual([]);
    expect(fallbacks).toBe(0);
  });
});
