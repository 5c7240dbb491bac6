/**
 * The audience of an announcement: active contacts in an area or anywhere below it, optionally
 * subscribed to a topic, speaking one of some languages, reachable on one of some channels. It is
 * read in pages ordered by contact id (keyset pagination), so a fan-out can stop after any page
 * and resume from the last contact id it wrote. Stopped identities and stopped contacts are never
 * part of an audience.
 */
import type { Db, Prisma } from '../db/client.js';

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

/** The gazetteer as a tree: subtrees, ancestry and time zones. */
export class AreaTree {
  private readonly children = new Map<string, string[]>();
  constructor(readonly areas: Map<string, { parentId: string | null; timezone: string }>) {
    for (const [id, area] of areas) {
      if (area.parentId) this.children.set(area.parentId, [...(this.children.get(area.parentId) ?? []), id]);
    }
  }

  static async load(db: Db): Promise<AreaTree> {
    const rows = await db.area.findMany({ select: { id: true, parentId: true, timezone: true } });
    return new AreaTree(new Map(rows.map((r) => [r.id, { parentId: r.parentId, timezone: r.timezone }])));
  }

  has(id: string): boolean {
    return this.areas.has(id);
  }

  /** The area and every area below it. */
  subtree(id: string): string[] {
    const out: string[] = [];
    const stack = [id];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (out.includes(next)) continue;
      out.push(next);
      stack.push(...(this.children.get(next) ?? []));
    }
    return out;
  }

  /** Whether `id` is `ancestor` or lies below it. */
  within(id: string | null, ancestor: string): boolean {
    let current = id;
    for (let depth = 0; current && depth < 64; depth++) {
      if (current === ancestor) return true;
      current = this.areas.get(current)?.parentId ?? null;
    }
    return false;
  }

  /** The area and its ancestors, nearest first. */
  lineage(id: string): string[] {
    const out: string[] = [];
    let current: string | null = id;
    while (current && out.length < 64 && this.areas.has(current)) {
      out.push(current);
      current = this.areas.get(current)!.parentId;
    }
    return out;
  }

  /**
   * Two areas are related when either is unknown, one contains the other, or they lie in the
   * same area below the top of the tree (two localities of one region; not two regions of the
   * nation).
   */
  related(a: string | null, b: string | null): boolean {
    if (!a || !b) return true;
    if (this.within(a, b) || this.within(b, a)) return true;
    const ancestors = new Set(this.lineage(a));
    const common = this.lineage(b).find((id) => ancestors.has(id));
    return common !== undefined && this.areas.get(common)!.parentId !== null;
  }

  timezone(id: string | null, fallback: string): string {
    return (id && this.areas.get(id)?.timezone) || fallback;
  }
}

export interface PageOptions {
  tree: AreaTree;
  /** Channels the gateway runs (adapters). */
  available: string[];
  defaultLanguage: string;
  pageSize: number;
  /** Read contacts after this id. */
  after: string | null;
}

export interface AudiencePage {
  recipients: Recipient[];
  /** The last contact id read (the cursor to resume after); null when the page is empty. */
  last: string | null;
}

export function channelsOf(spec: AudienceSpec, available: string[]): string[] {
  return spec.channels.length > 0 ? spec.channels.filter((c) => available.includes(c)) : available;
}

function contactWhere(spec: AudienceSpec, options: PageOptions, channels: string[]): Prisma.ContactWhereInput {
  // Identities (stopped or not, on which channel) are checked when they are loaded for the page,
  // not here: a condition on them in this query makes SQLite walk the (channel, addressHash)
  // index for every contact and PostgreSQL hash whole tables for every page. A contact whose
  // identities are all stopped is itself stopped.
  void channels;
  const where: Prisma.ContactWhereInput = { status: 'active' };
  if (options.after) where.id = { gt: options.after };
  if (spec.areaId) where.areaId = { in: options.tree.subtree(spec.areaId) };
  if (spec.topic) where.subscriptions = { some: { topic: spec.topic } };
  if (spec.languages.length > 0) {
    const or: Prisma.ContactWhereInput[] = [{ language: { in: spec.languages } }];
    if (spec.languages.includes(options.defaultLanguage)) or.push({ language: null });
    where.OR = or;
  }
  return where;
}

/** Reads one page of the audience after `options.after`. */
export async function readAudiencePage(db: Db, spec: AudienceSpec, options: PageOptions): Promise<AudiencePage> {
  const channels = channelsOf(spec, options.available);
  if (channels.length === 0) return { recipients: [], last: null };
  const rows = await db.contact.findMany({
    where: contactWhere(spec, options, channels),
    orderBy: { id: 'asc' },
    take: options.pageSize,
    select: {
      id: true,
      language: true,
      areaId: true,
      identities: { where: { stoppedAt: null }, select: { id: true, channel: true }, orderBy: { createdAt: 'asc' } },
      ...(spec.topic ? { subscriptions: { where: { topic: spec.topic }, select: { channel: true } } } : {}),
    },
  });
  const recipients: Recipient[] = [];
  for (const row of rows) {
    const preferred = (row as { subscriptions?: { channel: string | null }[] }).subscriptions?.[0]?.channel ?? null;
    const usable = row.identities.filter((i) => channels.includes(i.channel));
    const identity =
      usable.find((i) => i.channel === preferred) ?? channels.map((c) => usable.find((i) => i.channel === c)).find((i) => i !== undefined);
    if (!identity) continue;
    recipients.push({
      contactId: row.id,
      identityId: identity.id,
      channel: identity.channel,
      language: row.language ?? options.defaultLanguage,
      areaId: row.areaId,
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
