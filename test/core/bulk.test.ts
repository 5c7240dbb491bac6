/**
 * The bulk statements of the hot paths (src/db/bulk.ts), on the database the suite runs on: rows
 * written in one INSERT read back through the client exactly as the client would have written
 * them (text, NULL, timestamps that compare and order as the client's own), a unique key still
 * refused as the client refuses it, and keys of one or two columns found in one SELECT; several
 * tables' rows written all or none, children beside their parents.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { insertRowSets, insertRows, selectByKeys, type BulkColumn, type RowSet } from '../../src/db/bulk.js';
import { transaction } from '../../src/db/transaction.js';
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

  describe('several tables at once', () => {
    const identityColumns: BulkColumn[] = [{ name: 'id' }, { name: 'contactId' }, { name: 'channel', constant: 'sms' }, { name: 'addressHash' }, { name: 'addressEnc', constant: 'x' }, { name: 'createdAt', type: 'timestamp', constant: new Date() }];
    const sets = (contacts: string[], identities: [string, string, string][]): RowSet[] => {
      const at = new Date();
      return [
        { table: 'Contact', columns: contactColumns(at), rows: contacts.map((id) => [id, null, at]) },
        { table: 'ContactIdentity', columns: identityColumns, rows: identities },
      ];
    };
    /** As the ingest batch runs it: alone on PostgreSQL (one statement), in a transaction on SQLite. */
    const write = (rowSets: RowSet[]) => {
      const { db, dialect } = database();
      return dialect.provider === 'postgres' ? insertRowSets(db, dialect, rowSets) : transaction(db, (tx) => insertRowSets(tx, dialect, rowSets));
    };

    it('writes parents and the children that point at them, the children of a parent stored before among them', async () => {
      const { db } = database();
      const older = await db.contact.create({ data: {} });
      const [a, b] = [randomUUID(), randomUUID()];
      const hashes = [randomUUID(), randomUUID(), randomUUID()];
      await write(sets([a, b], [[randomUUID(), a, hashes[0]!], [randomUUID(), b, hashes[1]!], [randomUUID(), older.id, hashes[2]!]]));
      const stored = await db.contactIdentity.findMany({ where: { addressHash: { in: hashes } }, select: { contactId: true, addressHash: true } });
      expect(stored.map((r) => [r.addressHash, r.contactId]).sort()).toEqual([[hashes[0], a], [hashes[1], b], [hashes[2], older.id]].sort());
    });

    it('leaves out sets without rows, and writes nothing when none has any', async () => {
      const { db } = database();
      await write(sets([], []));
      const a = randomUUID();
      await write(sets([], [[randomUUID(), (await db.contact.create({ data: {} })).id, a]]));
      await write(sets([randomUUID()], []));
      expect(await db.contactIdentity.count({ where: { addressHash: a } })).toBe(1);
    });

    it('writes none of the sets when a later one meets a unique key, nor when a child points at no parent', async () => {
      const { db } = database();
      const taken = randomUUID();
      const owner = await db.contact.create({ data: {} });
      await db.contactIdentity.create({ data: { contactId: owner.id, channel: 'sms', addressHash: taken, addressEnc: 'x' } });
      const fresh = randomUUID();
      const error = await write(sets([fresh], [[randomUUID(), fresh, taken]])).catch((e: unknown) => e);
      expect(isUniqueViolation(error)).toBe(true);
      expect(await db.contact.count({ where: { id: fresh } })).toBe(0);

      const orphan = randomUUID();
      await expect(write(sets([orphan], [[randomUUID(), randomUUID(), randomUUID()]]))).rejects.toThrow();
      expect(await db.contact.count({ where: { id: orphan } })).toBe(0);
    });
  });
});
