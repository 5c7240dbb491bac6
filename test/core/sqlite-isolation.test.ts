/**
 * A write outside a transaction is not part of the transaction open at the time
 * (src/db/sqlite-isolation.ts). On SQLite's one connection a raw statement used to be: its write
 * was undone when the transaction rolled back. On PostgreSQL each runs on a connection of its
 * own, so the same holds there by nature.
 */
import { expect, it } from 'vitest';
import { tableName } from '../../src/db/dialect.js';
import { useTestDatabase } from '../support/database.js';

const database = useTestDatabase();

it('keeps a write made outside an open transaction when that transaction rolls back', async () => {
  const { db, dialect } = database();
  const kept = await db.contact.create({ data: { language: 'en' } });
  let outsideWrite: Promise<unknown> | undefined;
  let inside = '';
  await expect(
    db.$transaction(async (tx) => {
      const mine = await tx.contact.create({ data: { language: 'fr' } });
      inside = mine.id;
      outsideWrite = db.$executeRawUnsafe(`UPDATE ${tableName(dialect, 'Contact')} SET "language" = 'sw' WHERE "id" = '${kept.id}'`);
      // More statements in the transaction, giving the outside write every chance to run in it.
      let done = false;
      void outsideWrite.then(() => (done = true));
      for (let i = 0; i < 50 && !done; i++) await tx.contact.count();
      throw new Error('roll back');
    }),
  ).rejects.toThrow('roll back');
  await outsideWrite;
  expect((await db.contact.findUniqueOrThrow({ where: { id: kept.id } })).language).toBe('sw');
  expect(await db.contact.findUnique({ where: { id: inside } })).toBeNull();
});

it('keeps a model write made outside an open transaction when that transaction rolls back', async () => {
  const { db } = database();
  const kept = await db.contact.create({ data: { language: 'en' } });
  let outsideWrite: Promise<unknown> | undefined;
  await expect(
    db.$transaction(async (tx) => {
      await tx.contact.update({ where: { id: kept.id }, data: { areaId: null, language: 'fr' } });
      let done = false;
      // A model query runs once awaited or given a callback.
      outsideWrite = db.contact.update({ where: { id: kept.id }, data: { language: 'am' } }).then(() => (done = true));
      for (let i = 0; i < 50 && !done; i++) await tx.contact.count();
      throw new Error('roll back');
    }),
  ).rejects.toThrow('roll back');
  await outsideWrite;
  // The outside write ran after the rollback, not inside the transaction and undone with it.
  expect((await db.contact.findUniqueOrThrow({ where: { id: kept.id } })).language).toBe('am');
});
