/**
 * The audience of an announcement: active contacts in an area or anywhere below it, optionally
 * subscribed to a topic, speaking one of some languages, reachable on one of some channels. It is
 * read in pages ordered by contact id (keyset pagination), so a fan-out can stop after any page
 * and resume from the last contact id it wrote. Stopped identities and stopped contacts are never
 * part of an audience.
 */
import type { AreaTree } from '../areas/tree.js';
import type { Db } from '../db/client.js';
import { tableName } from '../db/dialect.js';
import type { Dialect } from '../db/dialect.js';
import { Prisma } from '../db/generated/sqlite/client.js';

export interface AudienceSpec {
  areaId: string | null;
  topic: string | null;
  /** Effective languages to keep (empty: all). */
  languages: string[];
  /** Channels to use, in order of preference (empty: every channel the gateway runs). */
  channels: string[];
}

export interface Recipient {
  contactId: string;
  identityId: string;
  channel: string;
  /** The contact's language, or the gateway's default when the contact has none. */
  language: string;
  areaId: string | null;
}


/** The SQL dialect raw queries speak, and the PostgreSQL schema holding the tables. */
export type { Dialect };

/** A table name as raw SQL (schema-qualified on PostgreSQL). */
export function table(dialect: Dialect, name: string): Prisma.Sql {
  return Prisma.raw(tableName(dialect, name));
}

export interface PageOptions {
  tree: AreaTree;
  /** Channels the gateway runs (adapters). */
  available: string[];
  defaultLanguage: string;
  pageSize: number;
  /** Read contacts after this id. */
  after: string | null;
  dialect: Dialect;
}

export interface AudiencePage {
  recipients: Recipient[];
  /** The last contact id read (the cursor to resume after); null when the page is empty. */
  last: string | null;
}

export function channelsOf(spec: AudienceSpec, available: string[]): string[] {
  return spec.channels.length > 0 ? spec.channels.filter((c) => available.includes(c)) : available;
}

interface PageRow {
  id: string;
  language: string | null;
  areaId: string | null;
  identityId: string | null;
  channel: string | null;
  preferred: string | null;
}

/**
 * Reads one page of the audience after `options.after`: one query, the page of contacts (by id)
 * joined to their identities that are not stopped (and their subscription to the topic, for the
 * channel it was made on). Identities are filtered here rather than in the contact query: a
 * condition on them there makes SQLite walk the (channel, addressHash) index for every contact
 * and PostgreSQL hash whole tables for every page. A contact whose identities are all stopped
 * is itself stopped.
 */
export async function readAudiencePage(db: Db, spec: AudienceSpec, options: PageOptions): Promise<AudiencePage> {
  const channels = channelsOf(spec, options.available);
  if (channels.length === 0) return { recipients: [], last: null };
  const { dialect } = options;
  const conditions: Prisma.Sql[] = [Prisma.sql`c."status" = 'active'`];
  if (options.after) conditions.push(Prisma.sql`c."id" > ${options.after}`);
  if (spec.areaId) conditions.push(Prisma.sql`c."areaId" IN (${Prisma.join(options.tree.subtree(spec.areaId))})`);
  if (spec.topic) conditions.push(Prisma.sql`EXISTS (SELECT 1 FROM ${table(dialect, 'Subscription')} s WHERE s."contactId" = c."id" AND s."topic" = ${spec.topic})`);
  if (spec.languages.length > 0) {
    const listed = Prisma.sql`c."language" IN (${Prisma.join(spec.languages)})`;
    conditions.push(spec.languages.includes(options.defaultLanguage) ? Prisma.sql`(${listed} OR c."language" IS NULL)` : listed);
  }
  const preferred = spec.topic
    ? Prisma.sql`(SELECT s."channel" FROM ${table(dialect, 'Subscription')} s WHERE s."contactId" = p."id" AND s."topic" = ${spec.topic})`
    : Prisma.sql`NULL`;
  const rows = await db.$queryRaw<PageRow[]>`
    SELECT p."id", p."language", p."areaId", i."id" AS "identityId", i."channel", ${preferred} AS "preferred"
    FROM (SELECT c."id", c."language", c."areaId" FROM ${table(dialect, 'Contact')} c
          WHERE ${Prisma.join(conditions, ' AND ')} ORDER BY c."id" LIMIT ${options.pageSize}) p
    LEFT JOIN ${table(dialect, 'ContactIdentity')} i ON i."contactId" = p."id" AND i."stoppedAt" IS NULL
    ORDER BY p."id", i."createdAt", i."id"`;
  const recipients: Recipient[] = [];
  let index = 0;
  while (index < rows.length) {
    const contact = rows[index]!;
    const identities: { id: string; channel: string }[] = [];
    for (; index < rows.length && rows[index]!.id === contact.id; index++) {
      const row = rows[index]!;
      if (row.identityId && row.channel && channels.includes(row.channel)) identities.push({ id: row.identityId, channel: row.channel });
    }
    const identity =
      identities.find((i) => i.channel === contact.preferred) ?? channels.map((c) => identities.find((i) => i.channel === c)).find((i) => i !== undefined);
    if (!identity) continue;
    recipients.push({
      contactId: contact.id,
      identityId: identity.id,
      channel: identity.channel,
      language: contact.language ?? options.defaultLanguage,
      areaId: contact.areaId,
    });
  }
  return { recipients, last: rows.length > 0 ? rows[rows.length - 1]!.id : null };
}

/** Every page of the audience, from the start or after a cursor. */
export async function* audiencePages(db: Db, spec: AudienceSpec, options: PageOptions): AsyncGenerator<AudiencePage> {
  let after = options.after;
  for (;;) {
    const page = await readAudiencePage(db, spec, { ...options, after });
    if (page.last === null) return;
    yield page;
    after = page.last;
  }
}
