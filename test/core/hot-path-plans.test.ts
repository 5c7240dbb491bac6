/**
 * The hot path's lookups by contact are planned on the contact's index (contactId, createdAt),
 * whatever the table's statistics. A plan made before the table's first ANALYZE (a new database)
 * once took the smaller (channel, providerId) index for the outbox's "latest message not left"
 * and read every message of the channel: 1-4 ms a call after 20,000 messages on PostgreSQL,
 * growing with the table. On PostgreSQL the plans checked are the generic plans a named
 * statement keeps (src/db/pg-statements.ts), on a Message table filled with 2,000 contacts'
 * messages and never analysed; on SQLite, the planner's plans on the same table.
 */
import { describe, expect, it } from 'vitest';
import { rawText } from '../../src/db/raw.js';
import { transaction } from '../../src/db/transaction.js';
import { FEEDBACK_CONTEXT } from '../../src/broadcasts/feedback.js';
import { TAKE_WITH_EARLIER } from '../../src/inbound/worker.js';
import { EARLIER_NOT_LEFT } from '../../src/outbound/outbox.js';
import { useTestDatabase } from '../support/database.js';

const database = useTestDatabase();
const CONTACTS = 2000;

/** Statements to check, with arguments for EXPLAIN (PostgreSQL literals; SQLite binds them). */
const STATEMENTS = [
  { name: 'outbox: latest message not left', sql: EARLIER_NOT_LEFT, args: ['c-1', 'sms', 'out:reply:m-1:%'] },
  { name: 'inbound: the message with an earlier one unprocessed', sql: TAKE_WITH_EARLIER, args: ['2026-01-01T00:00:00.000Z', 'm-1'] },
  { name: 'announcement feedback: the latest announcement', sql: FEEDBACK_CONTEXT, args: ['c-1', '2026-01-01T00:00:00.000Z', 'c-1', '2026-01-01T00:00:00.000Z'] },
];

/** 2,000 contacts with an inbound and an outbound SMS each, ids as long as the gateway's (UUIDs), no ANALYZE. */
async function fill(): Promise<void> {
  const { db, dialect } = database();
  if (dialect.provider === 'postgres') {
    await db.$executeRawUnsafe(`ALTER TABLE ${rawText(dialect, '{Message}')} SET (autovacuum_enabled = false)`);
    await db.$executeRawUnsafe(`INSERT INTO ${rawText(dialect, '{Contact}')} ("id", "status", "fields", "createdAt", "updatedAt")
      SELECT gen_random_uuid()::text, 'active', '{}', now(), now() FROM generate_series(1, ${CONTACTS})`);
  } else {
    await db.$executeRawUnsafe(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${CONTACTS})
      INSERT INTO "Contact" ("id", "status", "fields", "createdAt", "updatedAt")
      SELECT lower(hex(randomblob(18))), 'active', '{}', 0, 0 FROM n`);
  }
  const uuid = dialect.provider === 'postgres' ? 'gen_random_uuid()::text' : 'lower(hex(randomblob(18)))';
  const now = dialect.provider === 'postgres' ? 'now()' : '0';
  await db.$executeRawUnsafe(`INSERT INTO ${rawText(dialect, '{Message}')} ("id", "dedupeKey", "direction", "channel", "contactId", "bodyEnc", "status", "kind", "createdAt", "updatedAt")
    SELECT ${uuid}, ${uuid}, d.v, 'sms', c."id", 'x', 'processed', 'reply', ${now}, ${now}
    FROM ${rawText(dialect, '{Contact}')} c, (SELECT 'in' AS v UNION ALL SELECT 'out') d`);
}

/** The plan of `sql` (as src/db/raw.ts runs it): PostgreSQL's generic plan, or SQLite's plan. */
async function planOf(sql: string, args: string[]): Promise<string> {
  const { db, dialect } = database();
  const text = rawText(dialect, sql);
  if (dialect.provider === 'sqlite') {
    const rows = await db.$queryRawUnsafe<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${text}`, ...args);
    return rows.map((row) => row.detail).join('\n');
  }
  return transaction(db, async (tx) => {
    await tx.$executeRawUnsafe('SET LOCAL plan_cache_mode = force_generic_plan');
    await tx.$executeRawUnsafe(`PREPARE plan_check AS ${text}`);
    const literals = args.map((arg) => `'${arg}'`).join(', ');
    const rows = await tx.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN EXECUTE plan_check(${literals})`);
    await tx.$executeRawUnsafe('DEALLOCATE plan_check');
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  });
}

describe('hot-path plans on a table never analysed', () => {
  it.each(STATEMENTS)('$name reads the contact index, not the channel index nor the whole table', async ({ sql, args }) => {
    const { db } = database();
    if ((await db.message.count()) === 0) await fill();
    const plan = await planOf(sql, args);
    expect(plan).toContain('Message_contactId_createdAt_idx');
    expect(plan).not.toContain('Message_channel_providerId_idx');
    expect(plan).not.toMatch(/Seq Scan on "?Message"?|SCAN (m|e|Message)\b(?! USING)/);
  });
});
