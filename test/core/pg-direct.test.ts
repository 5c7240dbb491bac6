/**
 * Raw statements run on pg directly on PostgreSQL (src/db/pg-direct.ts): on the connection of the
 * transaction they are in (they see its uncommitted writes and are rolled back with it, and two
 * transactions at once each see their own), with values shaped as Prisma's raw queries give
 * them, and a column of another type refused with its name. (SQLite:
 * test/core/sqlite-direct.test.ts; both: test/core/direct-routes.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { runsDirectly } from '../../src/db/direct-routes.js';
import { rawExecute, rawQuery } from '../../src/db/raw.js';
import { transaction } from '../../src/db/transaction.js';
import { useTestDatabase } from '../support/database.js';

const database = useTestDatabase();
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

const LANGUAGE_OF = 'SELECT "language" FROM {Contact} WHERE "id" = ?';
const SET_LANGUAGE = 'UPDATE {Contact} SET "language" = ? WHERE "id" = ?';

describe.runIf(onPostgres)('raw statements on pg directly', () => {
  it('run on the transaction connection: its uncommitted writes seen, their own rolled back with it', async () => {
    const { db, dialect } = database();
    const contact = await db.contact.create({ data: { language: 'en' } });
    await expect(
      transaction(db, async (tx) => {
        expect(runsDirectly(tx)).toBe(true);
        await tx.contact.update({ where: { id: contact.id }, data: { language: 'fr' } });
        expect(await rawQuery(tx, dialect, LANGUAGE_OF, contact.id)).toEqual([{ language: 'fr' }]);
        expect(await rawExecute(tx, dialect, SET_LANGUAGE, 'ar', contact.id)).toBe(1);
        expect(await tx.contact.findUnique({ where: { id: contact.id } })).toMatchObject({ language: 'ar' });
        // Outside the transaction, nothing of it yet.
        expect(await rawQuery(db, dialect, LANGUAGE_OF, contact.id)).toEqual([{ language: 'en' }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await rawQuery(db, dialect, LANGUAGE_OF, contact.id)).toEqual([{ language: 'en' }]);
  });

  it('keeps two transactions at once apart, each on its own connection', async () => {
    const { db, dialect } = database();
    const contact = await db.contact.create({ data: { language: 'en' } });
    const other = await db.contact.create({ data: { language: 'en' } });
    // Both write, then both read, then both commit: neither may commit before the other has read
    // (a read after the other's COMMIT would see its write, as it should).
    const barrier = () => {
      let arrived = 0;
      let open!: () => void;
      const opened = new Promise<void>((resolve) => (open = resolve));
      return () => (++arrived === 2 && open(), opened);
    };
    const [bothWrote, bothRead] = [barrier(), barrier()];
    const run = (id: string, language: string) =>
      transaction(db, async (tx) => {
        await rawExecute(tx, dialect, SET_LANGUAGE, language, id);
        await bothWrote();
        const seen = [await rawQuery(tx, dialect, LANGUAGE_OF, contact.id), await rawQuery(tx, dialect, LANGUAGE_OF, other.id)];
        await bothRead();
        return seen;
      });
    const [first, second] = await Promise.all([run(contact.id, 'sw'), run(other.id, 'so')]);
    expect(first).toEqual([[{ language: 'sw' }], [{ language: 'en' }]]);
    expect(second).toEqual([[{ language: 'en' }], [{ language: 'so' }]]);
  });

  it('gives values as Prisma raw queries do, and refuses a column of a type it does not read', async () => {
    const { db, dialect } = database();
    const at = new Date('2026-03-01T10:20:30.456Z');
    const contact = await db.contact.create({ data: { language: 'en', createdAt: at } });
    const sql = `SELECT "id", "language", "areaId", "createdAt", 3 AS "three", 2.5::float8 AS "half", true AS "yes",
      (SELECT count(*) FROM {Contact} WHERE "id" = ?) AS "count", now() AS "stamp" FROM {Contact} WHERE "id" = ?`;
    const [direct] = await rawQuery<Record<string, unknown>>(db, dialect, sql, contact.id, contact.id);
    const text = sql.replace(/\{Contact\}/g, `"${dialect.schema}"."Contact"`).replace('= ?', '= $1').replace('= ?', '= $2');
    const [viaPrisma] = await db.$queryRawUnsafe<Record<string, unknown>[]>(text, contact.id, contact.id);
    expect(direct).toEqual({ ...viaPrisma, stamp: expect.any(Date) });
    expect(direct).toMatchObject({ id: contact.id, language: 'en', areaId: null, createdAt: at, three: 3, half: 2.5, yes: true, count: 1n });
    expect(Math.abs((direct!.stamp as Date).getTime() - Date.now())).toBeLessThan(60_000);
    await expect(rawQuery(db, dialect, 'SELECT 1.5::numeric AS "amount"')).rejects.toThrow(/"amount".*do not read/);
  });
});
