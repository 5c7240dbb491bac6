/**
 * Named prepared statements on PostgreSQL (src/db/pg-statements.ts): one name per SQL text of
 * src/db/raw.ts, none for other texts nor past the limit, and the URL's `pgbouncer` and `schema`
 * read and written. On the suite's PostgreSQL database: a raw statement prepared once per
 * connection that answers each call with its own arguments, the client's model queries and a bulk
 * statement left unnamed, and nothing prepared by name with `pgbouncer=true` in the URL. The
 * naming and the URL's reading run in both suites; the server's part runs where the suite's
 * database is PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { openDatabase, postgresTarget, withSchema, type Database } from '../../src/db/client.js';
import { queryText, rawQuery, rawText } from '../../src/db/raw.js';
import { transaction } from '../../src/db/transaction.js';
import { isPreparedByName, statementNames } from '../../src/db/pg-statements.js';
import { useTestDatabase } from '../support/database.js';

const database = useTestDatabase();
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

const LANGUAGE_OF = 'SELECT "language" FROM {Contact} WHERE "id" = ?';

/** The statements prepared by the protocol on the connection of `tx` (not by SQL PREPARE). */
async function prepared(tx: Database['db']): Promise<{ name: string; statement: string }[]> {
  return tx.$queryRawUnsafe('SELECT "name", "statement" FROM pg_prepared_statements WHERE NOT "from_sql"');
}

describe('statement names', () => {
  it('gives one name per SQL text, the same each time, and none past the limit', () => {
    const name = statementNames(() => true, 2);
    const first = name({ sql: 'SELECT 1' });
    expect(first).toEqual(expect.any(String));
    expect(name({ sql: 'SELECT 2' })).not.toBe(first);
    expect(name({ sql: 'SELECT 1' })).toBe(first);
    expect(name({ sql: 'SELECT 3' })).toBeUndefined();
    expect(name({ sql: 'SELECT 3' })).toBeUndefined();
    expect(name({ sql: 'SELECT 2' })).toBe(name({ sql: 'SELECT 2' }));
  });

  it('names only the texts it is told to, and those others do not use up the limit', () => {
    const name = statementNames((sql) => sql.startsWith('SELECT'), 1);
    expect(name({ sql: 'INSERT 1' })).toBeUndefined();
    expect(name({ sql: 'INSERT 2' })).toBeUndefined();
    expect(name({ sql: 'SELECT 1' })).toEqual(expect.any(String));
  });

  it('tells the raw statements written for PostgreSQL from any other text', () => {
    const text = rawText({ provider: 'postgres', schema: 's_named' }, 'SELECT "id" FROM {Contact} WHERE "id" = ?');
    expect(isPreparedByName(text)).toBe(true);
    expect(isPreparedByName(rawText({ provider: 'sqlite' }, 'SELECT "id" FROM {Session} WHERE "id" = ?'))).toBe(false);
    expect(isPreparedByName('SELECT "id" FROM "s_named"."Contact" WHERE "id" = $2')).toBe(false);
  });

  it('reads pgbouncer=true off the URL, beside the schema, and passes on the rest', () => {
    expect(postgresTarget('postgres://u@h:5432/db?schema=s1')).toEqual({ connectionString: 'postgres://u@h:5432/db', schema: 's1', namedStatements: true });
    const pooled = postgresTarget('postgres://u@h:5432/db?pgbouncer=true&schema=s1&application_name=gw');
    expect(pooled).toEqual({ connectionString: 'postgres://u@h:5432/db?application_name=gw', schema: 's1', namedStatements: false });
    expect(postgresTarget('postgres://u@h/db?pgbouncer=false').namedStatements).toBe(true);
  });

  it('names a schema in a URL that has other parameters, or a schema already', () => {
    const url = withSchema('postgres://u@h/db?host=%2Frun%2Fpostgresql&schema=old', 'new');
    expect(postgresTarget(url)).toEqual({ connectionString: 'postgres://u@h/db?host=%2Frun%2Fpostgresql', schema: 'new', namedStatements: true });
    expect(withSchema('postgres://u@h:5432/db', 't_1')).toBe('postgres://u@h:5432/db?schema=t_1');
  });
});

describe.runIf(onPostgres)('prepared statements on PostgreSQL', () => {
  it('prepares a statement once per connection and answers each call with its own arguments', async () => {
    const { db, dialect } = database();
    const ids: string[] = [];
    for (const language of ['fr', 'ar', 'sw']) ids.push((await db.contact.create({ data: { language } })).id);
    await transaction(db, async (tx) => {
      for (let round = 0; round < 2; round++) {
        for (const [i, id] of ids.entries()) {
          const [row] = await rawQuery<{ language: string }>(tx, dialect, LANGUAGE_OF, id);
          expect(row?.language).toBe(['fr', 'ar', 'sw'][i]);
        }
      }
      const ours = (await prepared(tx)).filter((s) => s.statement.includes('SELECT "language" FROM'));
      expect(ours).toHaveLength(1);
      expect(ours[0]!.name).not.toBe('');
    });
  });

  it("leaves the client's model queries and the bulk statements unnamed", async () => {
    const { db } = database();
    const contact = await db.contact.create({ data: { language: 'fr' } });
    await transaction(db, async (tx) => {
      const before = await prepared(tx);
      for (let round = 0; round < 2; round++) {
        expect((await tx.contact.findUnique({ where: { id: contact.id }, select: { language: true } }))?.language).toBe('fr');
        // As src/db/bulk.ts runs its statements (on pg directly, src/db/pg-direct.ts).
        const rows = await queryText<{ value: string }>(tx, 'SELECT "value" FROM unnest($1::text[]) AS t("value")', [['a', 'b']]);
        expect(rows.map((r) => r.value)).toEqual(['a', 'b']);
      }
      expect(await prepared(tx)).toEqual(before);
    });
  });

  it('prepares none by name with pgbouncer=true in the URL', async () => {
    // The suite's schema, read through a second pool that must not name its statements.
    const pooled = await openDatabase(`${withSchema(process.env.TEST_DATABASE_URL!, database().dialect.schema!)}&pgbouncer=true`);
    try {
      const contact = await pooled.db.contact.create({ data: { language: 'fr' } });
      await transaction(pooled.db, async (tx) => {
        for (let round = 0; round < 3; round++) {
          const [row] = await rawQuery<{ language: string }>(tx, pooled.dialect, LANGUAGE_OF, contact.id);
          expect(row?.language).toBe('fr');
        }
        expect(await prepared(tx)).toEqual([]);
      });
    } finally {
      await pooled.close();
    }
  });
});
