/**
 * Raw statements run on better-sqlite3 directly on SQLite (src/db/sqlite-direct.ts): in a
 * transaction they see its uncommitted writes and are rolled back with it; outside one, a write
 * waits for the open transaction and is not undone with it; values come back as Prisma's raw
 * queries give them, and a column of a declared type they do not read is refused with its name.
 * (PostgreSQL: test/core/pg-direct.test.ts; both: test/core/direct-routes.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { runsDirectly } from '../../src/db/direct-routes.js';
import { rawExecute, rawQuery } from '../../src/db/raw.js';
import { transaction } from '../../src/db/transaction.js';
import { useTestDatabase } from '../support/database.js';

const database = useTestDatabase();
const onSqlite = !process.env.TEST_DATABASE_URL;

const LANGUAGE_OF = 'SELECT "language" FROM {Contact} WHERE "id" = ?';
const SET_LANGUAGE = 'UPDATE {Contact} SET "language" = ? WHERE "id" = ?';

describe.runIf(onSqlite)('raw statements on better-sqlite3 directly', () => {
  it('run in the transaction they belong to: its uncommitted writes seen, their own rolled back with it', async () => {
    const { db, dialect } = database();
    const contact = await db.contact.create({ data: { language: 'en' } });
    expect(runsDirectly(db)).toBe(true);
    await expect(
      transaction(db, async (tx) => {
        expect(runsDirectly(tx)).toBe(true);
        await tx.contact.update({ where: { id: contact.id }, data: { language: 'fr' } });
        expect(await rawQuery(tx, dialect, LANGUAGE_OF, contact.id)).toEqual([{ language: 'fr' }]);
        expect(await rawExecute(tx, dialect, SET_LANGUAGE, 'ar', contact.id)).toBe(1);
        expect(await tx.contact.findUnique({ where: { id: contact.id } })).toMatchObject({ language: 'ar' });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await rawQuery(db, dialect, LANGUAGE_OF, contact.id)).toEqual([{ language: 'en' }]);
  });

  it('holds a write outside the open transaction until it ends, and keeps it when that transaction rolls back', async () => {
    const { db, dialect } = database();
    const kept = await db.contact.create({ data: { language: 'en' } });
    const other = await db.contact.create({ data: { language: 'en' } });
    let outsideDone = false;
    let outsideWrite: Promise<number> | undefined;
    await expect(
      transaction(db, async (tx) => {
        await rawExecute(tx, dialect, SET_LANGUAGE, 'fr', other.id);
        outsideWrite = rawExecute(db, dialect, SET_LANGUAGE, 'sw', kept.id);
        void outsideWrite.then(() => (outsideDone = true));
        // More statements in the transaction, giving the outside write every chance to run in it.
        for (let i = 0; i < 50; i++) await rawQuery(tx, dialect, LANGUAGE_OF, kept.id);
        expect(outsideDone).toBe(false);
        expect(await rawQuery(tx, dialect, LANGUAGE_OF, kept.id)).toEqual([{ language: 'en' }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await outsideWrite).toBe(1);
    expect(await rawQuery(db, dialect, LANGUAGE_OF, kept.id)).toEqual([{ language: 'sw' }]);
    expect(await rawQuery(db, dialect, LANGUAGE_OF, other.id)).toEqual([{ language: 'en' }]);
  });

  it('gives values as Prisma raw queries do, by declared type, and refuses a column of a type it does not read', async () => {
    const { db, dialect } = database();
    await db.$executeRawUnsafe(
      'CREATE TABLE IF NOT EXISTS "TypeProbe" ("id" TEXT PRIMARY KEY, "t" TEXT, "i" INTEGER, "b" BOOLEAN, "r" REAL, "d" DATETIME, "big" BIGINT, "blob" BLOB)',
    );
    const at = new Date('2026-03-01T10:20:30.456Z');
    const insert = 'INSERT INTO "TypeProbe" ("id", "t", "i", "b", "r", "d", "big") VALUES (?, ?, ?, ?, ?, ?, ?)';
    await db.$executeRawUnsafe(insert, 'written', 'text', 7, 1, 2.5, at.toISOString().replace('Z', '+00:00'), 5);
    await db.$executeRawUnsafe(insert, 'false', '', 0, 0, -1, at.getTime(), null);
    await db.$executeRawUnsafe(insert, 'empty', null, null, null, null, null, null);
    await db.$executeRawUnsafe('INSERT INTO "TypeProbe" ("id", "d") VALUES (?, CURRENT_TIMESTAMP)', 'sqlite-clock');
    const sql = `SELECT "id", "t", "i", "b", "r", "d", "big", 3 AS "three", 2.5 AS "half", 'x' AS "letter", NULL AS "nothing",
      (SELECT COUNT(*) FROM "TypeProbe") AS "count", CASE WHEN "b" THEN 'yes' ELSE 'no' END AS "answer",
      (SELECT "t" FROM "TypeProbe" WHERE "id" = 'none') AS "missing" FROM "TypeProbe" ORDER BY "id"`;
    const direct = await rawQuery<Record<string, unknown>>(db, dialect, sql);
    const viaPrisma = await db.$queryRawUnsafe<Record<string, unknown>[]>(sql);
    expect(direct).toEqual(viaPrisma);
    expect(direct.find((row) => row.id === 'written')).toEqual({
      id: 'written',
      t: 'text',
      i: 7,
      b: true,
      r: 2.5,
      d: at,
      big: 5n,
      three: 3n,
      half: 2.5,
      letter: 'x',
      nothing: null,
      count: 4n,
      answer: 'yes',
      missing: null,
    });
    expect(direct.find((row) => row.id === 'false')).toMatchObject({ i: 0, b: false, d: at, big: null });
    // SQLite's own clock writes UTC without a zone: read as UTC wherever the gateway runs.
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const [clock] = await rawQuery<{ d: Date; text: string }>(db, dialect, `SELECT "d", "d" || '' AS "text" FROM "TypeProbe" WHERE "id" = 'sqlite-clock'`);
      expect(clock!.d.toISOString()).toBe(`${clock!.text.replace(' ', 'T')}.000Z`);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
    await expect(rawQuery(db, dialect, 'SELECT "blob" FROM "TypeProbe"')).rejects.toThrow(/"blob".*do not read/);
  });
});
