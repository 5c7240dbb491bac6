/**
 * The bulk statements of the hot paths (src/db/bulk.ts), on the database the suite runs on: rows
 * written in one INSERT read back through the client exactly as the client would have written
 * them (text, NULL, timestamps that compare and order as the client's own), a unique key still
 * refused as the client refuses it, and keys of one or two columns found in one SELECT.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { insertRows, selectByKeys, type BulkColumn } from '../../src/db/bulk.js';
import { isUniqueViolation } from '../../src/conversation/contacts.js';
import { useTestDatabase } from '../support/database.js';

const database = useTestDatabase();

const contactColumns = (at: Date): BulkColumn[] => [
  { name: 'id' },
  { name: 'language' },
  { name: 'status', constant: 'active' },
  { name: 'fields', constant: '{}' },
  { name: 'createdAt', type: 'timestamp' },
  { name: 'updatedAt', type: 'timestamp', constant: at },
];

describe('bulk statements', () => {
  it('writes rows the client reads back unchanged: text, NULL, timestamps to the millisecond', async () => {
    const { db, dialect } = database();
    const at = new Date('2026-03-04T05:06:07.089Z');
    const later = new Date(at.getTime() + 1);
    const [a, b] = [randomUUID(), randomUUID()];
    await insertRows(db, dialect, 'Contact', contactColumns(at), [
      [a, 'fr', at],
      [b, null, later],
    ]);
    const rows = await db.contact.findMany({ where: { id: { in: [a, b] } }, orderBy: { createdAt: 'asc' } });
    expect(rows.map((r) => [r.id, r.language, r.status, r.fields, r.createdAt.toISOString(), r.updatedAt.toISOString()])).toEqual([
      [a, 'fr', 'active', '{}', at.toISOString(), at.toISOString()],
      [b, null, 'active', '{}', later.toISOString(), at.toISOString()],
    ]);
    // Compared by the client against a Date, as the inbound worker's order check does.
    expect(await db.contact.count({ where: { id: { in: [a, b] }, createdAt: { lt: later } } })).toBe(1);
    // Rows the client writes itself sort among them by time.
    const own = await db.contact.create({ data: { createdAt: new Date(at.getTime() + 2) } });
    const ordered = await db.contact.findMany({ where: { id: { in: [a, b, own.id] } }, orderBy: { createdAt: 'desc' }, select: { id: true } });
    expect(ordered.map((r) => r.id)).toEqual([own.id, b, a]);
  });

  it('writes nothing for no rows, and is refused whole on a unique key like the client', async () => {
    const { db, dialect } = database();
    const at = new Date();
    await insertRows(db, dialect, 'Contact', contactColumns(at), []);
    const id = randomUUID();
    await insertRows(db, dialect, 'Contact', contactColumns(at), [[id, null, at]]);
    const fresh = randomUUID();
    const error = await insertRows(db, dialect, 'Contact', contactColumns(at), [
      [fresh, null, at],
      [id, null, at],
    ]).catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
    expect(await db.contact.count({ where: { id: fresh } })).toBe(0);
  });

  it('finds rows by keys of one and of two columns, and nothing for no keys', async () => {
    const { db, dialect } = database();
    const contact = await db.contact.create({ data: {} });
    const identities = await Promise.all(
      [
        ['sms', 'hash-1'],
        ['sms', 'hash-2'],
        ['telegram', 'hash-1'],
      ].map(([channel, addressHash]) => db.contactIdentity.create({ data: { contactId: contact.id, channel: channel!, addressHash: addressHash!, addressEnc: 'x' } })),
    );
    const found = await selectByKeys(db, dialect, 'ContactIdentity', ['id', 'channel', 'addressHash'], ['channel', 'addressHash'], [
      ['sms', 'hash-2'],
      ['telegram', 'hash-1'],
      ['telegram', 'hash-2'],
    ]);
    expect(found.map((r) => r.id).sort()).toEqual([identities[1]!.id, identities[2]!.id].sort());
    expect(found.find((r) => r.id === identities[2]!.id)).toEqual({ id: identities[2]!.id, channel: 'telegram', addressHash: 'hash-1' });
    const byOne = await selectByKeys(db, dialect, 'ContactIdentity', ['id'], ['addressHash'], [['hash-1']]);
    expect(byOne.map((r) => r.id).sort()).toEqual([identities[0]!.id, identities[2]!.id].sort());
    expect(await selectByKeys(db, dialect, 'ContactIdentity', ['id'], ['addressHash'], [])).toEqual([]);
  });
});
