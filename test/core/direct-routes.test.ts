/**
 * What raw statements on the driver directly (src/db/direct-routes.ts) promise on either database
 * the suite runs on: a transaction client's statement is refused once it has ended (and not run),
 * and a unique violation is recognised. What differs by database: test/core/sqlite-direct.test.ts
 * and test/core/pg-direct.test.ts.
 */
import { expect, it } from 'vitest';
import { isUniqueViolation } from '../../src/conversation/contacts.js';
import { runsDirectly } from '../../src/db/direct-routes.js';
import { rawExecute, rawQuery } from '../../src/db/raw.js';
import { transaction } from '../../src/db/transaction.js';
import type { Db } from '../../src/db/client.js';
import { useTestDatabase } from '../support/database.js';

const database = useTestDatabase();

const LANGUAGE_OF = 'SELECT "language" FROM {Contact} WHERE "id" = ?';
const SET_LANGUAGE = 'UPDATE {Contact} SET "language" = ? WHERE "id" = ?';

it('refuses a statement on a transaction client once it has ended, without running it', async () => {
  const { db, dialect } = database();
  const contact = await db.contact.create({ data: { language: 'en' } });
  let kept: Db | undefined;
  await transaction(db, async (tx) => {
    kept = tx;
  });
  expect(runsDirectly(kept!)).toBe(true);
  await expect(rawExecute(kept!, dialect, SET_LANGUAGE, 'fr', contact.id)).rejects.toThrow(/Transaction already closed/);
  expect(await rawQuery(db, dialect, LANGUAGE_OF, contact.id)).toEqual([{ language: 'en' }]);
});

it('throws a unique violation that isUniqueViolation recognises', async () => {
  const { db, dialect } = database();
  const contact = await db.contact.create({ data: { language: 'en' } });
  const error = await rawExecute(db, dialect, 'INSERT INTO {Contact} ("id", "status", "fields", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?)', contact.id, 'active', '{}', new Date(), new Date()).catch((e: unknown) => e);
  expect(isUniqueViolation(error)).toBe(true);
});
