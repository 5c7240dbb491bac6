/**
 * The SQLite connection's statement cache (src/db/statement-cache.ts), on a SQLite database of its
 * own in both suites: the gateway's client is served from it, a reused statement answers with its
 * own arguments each time (inside and outside transactions, after a refused write), and it keeps
 * at most its size, dropping the least recently used.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.js';
import { keepStatements } from '../../src/db/statement-cache.js';
import { isUniqueViolation } from '../../src/conversation/contacts.js';

let dir: string;
let database: Database;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gateway-statements-'));
  database = await openDatabase(`file:${join(dir, 'test.db')}`);
});
afterAll(async () => {
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('statement cache', () => {
  it('serves the client: the same query with other arguments is prepared once and answers with its own', async () => {
    const { db } = database;
    const ids: string[] = [];
    for (const language of ['en', 'fr', 'ar', 'sw']) ids.push((await db.contact.create({ data: { language } })).id);
    const before = database.statements!()!;
    const prepared = before.prepared;
    const reused = before.reused;
    for (let round = 0; round < 3; round++) {
      for (const [i, id] of ids.entries()) {
        expect((await db.contact.findUnique({ where: { id }, select: { language: true } }))?.language).toBe(['en', 'fr', 'ar', 'sw'][i]);
      }
    }
    const after = database.statements!()!;
    expect(after.prepared - prepared).toBeLessThanOrEqual(1);
    expect(after.reused - reused).toBeGreaterThanOrEqual(11);
  });

  it('keeps answering right through transactions, a rolled-back one and a refused write', async () => {
    const { db } = database;
    const contact = await db.contact.create({ data: {} });
    const identity = { contactId: contact.id, channel: 'sms', addressHash: 'h-1', addressEnc: 'x' };
    await db.$transaction(async (tx) => {
      await tx.contactIdentity.create({ data: identity });
    });
    const refused = await db.contactIdentity.create({ data: identity }).catch((error: unknown) => error);
    expect(isUniqueViolation(refused)).toBe(true);
    await expect(
      db.$transaction(async (tx) => {
        await tx.contactIdentity.create({ data: { ...identity, addressHash: 'h-2' } });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await db.$transaction(async (tx) => {
      await tx.contactIdentity.create({ data: { ...identity, addressHash: 'h-3' } });
    });
    const hashes = await db.contactIdentity.findMany({ where: { contactId: contact.id }, orderBy: { addressHash: 'asc' }, select: { addressHash: true } });
    expect(hashes.map((h) => h.addressHash)).toEqual(['h-1', 'h-3']);
    expect(await db.$queryRawUnsafe<{ n: bigint | number }[]>('SELECT COUNT(*) AS n FROM ContactIdentity WHERE contactId = ?', contact.id)).toEqual([{ n: 2n }]);
  });

  it('keeps at most its size, dropping the least recently used statement', () => {
    const client = new Sqlite(':memory:');
    const counts = keepStatements({ client }, 2)!;
    const value = (sql: string, arg: number) => (client.prepare(sql).bind([arg]).raw().all() as unknown[][])[0]![0];
    expect(value('SELECT ? + 1', 1)).toBe(2);
    expect(value('SELECT ? + 2', 1)).toBe(3);
    expect(value('SELECT ? + 1', 5)).toBe(6); // reused: the most recent now
    expect(value('SELECT ? + 3', 1)).toBe(4); // drops "+ 2", the least recently used
    expect(counts).toMatchObject({ prepared: 3, reused: 1 });
    expect(value('SELECT ? + 1', 7)).toBe(8);
    expect(value('SELECT ? + 2', 7)).toBe(9);
    expect(counts).toMatchObject({ prepared: 4, reused: 2 });
    client.close();
  });

  it('leaves a connection it does not recognise alone', () => {
    expect(keepStatements(null)).toBeNull();
    expect(keepStatements({ client: {} })).toBeNull();
  });
});
