/**
 * Raw statements (src/db/raw.ts) on the suite's database: one SQL text for both databases, dates
 * written as the client writes them (compared and ordered with its own, read back by it
 * unchanged), a Date column read back as a Date, and the count of rows an UPDATE changed.
 */
import { describe, expect, it } from 'vitest';
import { rawExecute, rawQuery, rawText } from '../../src/db/raw.js';
import { useTestDatabase } from '../support/database.js';

const database = useTestDatabase();

describe('raw statements', () => {
  it('qualifies tables and numbers placeholders on PostgreSQL only', () => {
    const sql = 'SELECT "id" FROM {Message} m JOIN {Contact} c ON c."id" = m."contactId" WHERE m."id" = ? AND m."status" = ?';
    expect(rawText({ provider: 'sqlite' }, sql)).toBe('SELECT "id" FROM "Message" m JOIN "Contact" c ON c."id" = m."contactId" WHERE m."id" = ? AND m."status" = ?');
    expect(rawText({ provider: 'postgres', schema: 't_1' }, sql)).toBe(
      'SELECT "id" FROM "t_1"."Message" m JOIN "t_1"."Contact" c ON c."id" = m."contactId" WHERE m."id" = $1 AND m."status" = $2',
    );
  });

  it('compares, writes and reads dates as the client does', async () => {
    const { db, dialect } = database();
    const contact = await db.contact.create({ data: {} });
    const identity = await db.contactIdentity.create({ data: { contactId: contact.id, channel: 'sms', addressHash: 'raw-test', addressEnc: 'x' } });
    const base = Date.UTC(2026, 11, 7, 6, 0, 0, 0);
    const rows = [];
    for (const [i, offset] of [0, 1, 999, 60_000].entries()) {
      rows.push(
        await db.message.create({
          data: { dedupeKey: `raw-${i}`, direction: 'in', channel: 'sms', contactId: contact.id, identityId: identity.id, bodyEnc: 'x', status: 'received', createdAt: new Date(base + offset) },
        }),
      );
    }
    // Compared with the client's own: strictly between the first and the last, by the millisecond.
    const between = await rawQuery<{ dedupeKey: string; createdAt: Date }>(
      db,
      dialect,
      'SELECT "dedupeKey", "createdAt" FROM {Message} WHERE "contactId" = ? AND "createdAt" > ? AND "createdAt" < ? ORDER BY "createdAt"',
      contact.id,
      new Date(base),
      new Date(base + 60_000),
    );
    expect(between.map((r) => r.dedupeKey)).toEqual(['raw-1', 'raw-2']);
    expect(between[0]!.createdAt).toBeInstanceOf(Date);
    expect(between.map((r) => r.createdAt.getTime())).toEqual([base + 1, base + 999]);

    // Written raw, read back by the client unchanged, and a changed-row count.
    const at = new Date(base + 123_456);
    expect(await rawExecute(db, dialect, 'UPDATE {Message} SET "status" = ?, "sentAt" = ?, "segments" = ? WHERE "id" = ?', 'sent', at, 2, rows[0]!.id)).toBe(1);
    expect(await rawExecute(db, dialect, 'UPDATE {Message} SET "status" = ? WHERE "id" = ?', 'sent', 'no-such-id')).toBe(0);
    const read = await db.message.findUniqueOrThrow({ where: { id: rows[0]!.id } });
    expect(read.status).toBe('sent');
    expect(read.sentAt?.getTime()).toBe(at.getTime());
    expect(read.segments).toBe(2);
    // And the client finds it by that date, as it finds its own.
    expect(await db.message.count({ where: { sentAt: { gte: at } } })).toBe(1);
  });
});
