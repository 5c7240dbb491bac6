/**
 * The outbox (src/outbound/outbox.ts) on the suite's database: rows written by raw statements
 * read back by the client as its own; a retried write finds its rows and writes nothing twice; a
 * write's first row waits for the contact's last row not yet left, even for rows written in the
 * same millisecond; a cause key with LIKE's wildcards in it leaves out only its own rows.
 */
import { expect, it, vi } from 'vitest';
import { createPersonalData } from '../../src/personal-data.js';
import { writeOutbox, type OutboxTarget } from '../../src/outbound/outbox.js';
import { useTestDatabase } from '../support/database.js';

const database = useTestDatabase();
const personalData = createPersonalData(Buffer.alloc(32, 7));

async function newTarget(): Promise<OutboxTarget> {
  const { db } = database();
  const contact = await db.contact.create({ data: {} });
  const identity = await db.contactIdentity.create({ data: { contactId: contact.id, channel: 'sms', addressHash: `outbox-${contact.id}`, addressEnc: 'x' } });
  return { contactId: contact.id, identityId: identity.id, channel: 'sms' };
}

it('writes rows the client reads as its own, and a retried write writes nothing twice', async () => {
  const { db, dialect } = database();
  const deps = { personalData, dialect };
  const target = await newTarget();
  const before = Date.now();
  const entries = [{ message: { type: 'text' as const, text: 'un' } }, { message: { type: 'text' as const, text: 'deux' }, kind: 'help', threadOf: 'root-1' }];
  const first = await writeOutbox(db, deps, target, 'outbox:a', entries, 'cause-1');
  expect(first).toHaveLength(2);
  expect(first[1]!.after).toBe(first[0]!.id);

  const rows = await db.message.findMany({ where: { contactId: target.contactId }, orderBy: { createdAt: 'asc' } });
  expect(rows.map((r) => [r.id, r.dedupeKey, r.direction, r.status, r.kind, r.causeId, r.threadOf, r.channel, r.identityId])).toEqual([
    [first[0]!.id, 'out:outbox:a:0', 'out', 'queued', 'reply', 'cause-1', null, 'sms', target.identityId],
    [first[1]!.id, 'out:outbox:a:1', 'out', 'queued', 'help', 'cause-1', 'root-1', 'sms', target.identityId],
  ]);
  expect(JSON.parse(personalData.decrypt(rows[1]!.bodyEnc))).toEqual({ type: 'text', text: 'deux' });
  for (const row of rows) {
    expect(row.createdAt).toBeInstanceOf(Date);
    expect(row.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(row.updatedAt.getTime()).toBe(row.createdAt.getTime());
  }

  // The same write again (a retried step): the same rows, queued again, none added.
  const again = await writeOutbox(db, deps, target, 'outbox:a', entries, 'cause-1');
  expect(again.map((r) => r.id)).toEqual(first.map((r) => r.id));
  expect(await db.message.count({ where: { contactId: target.contactId } })).toBe(2);
  // A row that has left is not queued again, and the next one still follows it.
  await db.message.update({ where: { id: first[0]!.id }, data: { status: 'sent' } });
  const third = await writeOutbox(db, deps, target, 'outbox:a', entries, 'cause-1');
  expect(third).toEqual([{ id: first[1]!.id, channel: 'sms', after: first[0]!.id }]);
});

it('makes a write wait for the last row not yet left, written in the same millisecond or not', async () => {
  const { db, dialect } = database();
  const deps = { personalData, dialect };
  const target = await newTarget();
  const text = (t: string) => ({ message: { type: 'text' as const, text: t } });
  // All in one millisecond, as a fast machine writes them: the clock stands still.
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 60_000 });
  let a, b, c;
  try {
    a = await writeOutbox(db, deps, target, 'burst:a', [text('a0'), text('a1'), text('a2')]);
    b = await writeOutbox(db, deps, target, 'burst:b', [text('b0'), text('b1')]);
    c = await writeOutbox(db, deps, target, 'burst:c', [text('c0')]);
  } finally {
    vi.useRealTimers();
  }
  expect(b[0]!.after).toBe(a[2]!.id);
  expect(c[0]!.after).toBe(b[1]!.id);
  const times = (await db.message.findMany({ where: { contactId: target.contactId }, orderBy: { createdAt: 'asc' }, select: { dedupeKey: true } })).map((r) => r.dedupeKey);
  expect(times).toEqual(['out:burst:a:0', 'out:burst:a:1', 'out:burst:a:2', 'out:burst:b:0', 'out:burst:b:1', 'out:burst:c:0']);

  // Broadcasts and messages that have left are not waited for.
  await db.message.updateMany({ where: { id: { in: [b[1]!.id, c[0]!.id] } }, data: { status: 'sent' } });
  await db.message.update({ where: { id: b[0]!.id }, data: { kind: 'broadcast' } });
  const d = await writeOutbox(db, deps, target, 'burst:d', [text('d0')]);
  expect(d[0]!.after).toBe(a[2]!.id);
});

it('leaves out only its own rows when its cause key holds LIKE wildcards', async () => {
  const { db, dialect } = database();
  const deps = { personalData, dialect };
  const target = await newTarget();
  const text = (t: string) => ({ message: { type: 'text' as const, text: t } });
  // `out:k_1:` as a bare LIKE prefix would also match `out:kx1:`, and `%` anything.
  const other = await writeOutbox(db, deps, target, 'kx1', [text('other')]);
  const own = await writeOutbox(db, deps, target, 'k_1', [text('own')]);
  expect(own[0]!.after).toBe(other[0]!.id);
  const percent = await writeOutbox(db, deps, target, '%', [text('percent')]);
  expect(percent[0]!.after).toBe(own[0]!.id);
  // Retried, each still waits for the row before it, never for its own.
  expect((await writeOutbox(db, deps, target, 'k_1', [text('own')]))[0]!.after).toBe(percent[0]!.id);
  expect((await writeOutbox(db, deps, target, '%!', [text('bang')]))[0]!.after).toBe(percent[0]!.id);
});
