/**
 * The gazetteer as a tree (locality -> region -> nation): names, subtrees, ancestry and time
 * zones. A snapshot of the Area table: broadcasts, rumours and flow starts load one per use;
 * incidents read it through an {@link AreaTreeCache}.
 */
import type { Db } from '../db/client.js';

/** An area as the tree holds it. */
export interface AreaNode {
  id: string;
  name: string;
  /** Other names, comma-separated, as stored (read by `load`; src/areas/names.ts names an area in a language from them). */
  aliases?: string;
  parentId: string | null;
  /** IANA time zone (e.g. Africa/Nairobi). */
  timezone: string;
}

/** The gazetteer as a tree: subtrees, ancestry and time zones. Areas keep the order given. */
export class AreaTree {
  private readonly nodes = new Map<string, AreaNode>();
  private readonly children = new Map<string, string[]>();

  constructor(areas: Iterable<AreaNode>) {
    for (const area of areas) this.nodes.set(area.id, area);
    for (const area of this.nodes.values()) {
      if (area.parentId) this.children.set(area.parentId, [...(this.children.get(area.parentId) ?? []), area.id]);
    }
  }

  /** Reads every area, in id order, through the given client (a transaction's, when inside one). */
  static async load(db: Db): Promise<AreaTree> {
    return new AreaTree(await db.area.findMany({ select: { id: true, name: true, aliases: true, parentId: true, timezone: true }, orderBy: { id: 'asc' } }));
  }

  has(id: string): boolean {
    return this.nodes.has(id);
  }

  get(id: string | null): AreaNode | undefined {
    return id ? this.nodes.get(id) : undefined;
  }

  /** The area and every area below it, nearest first (the area itself even when unknown). */
  subtree(id: string): string[] {
    const out = [id];
    for (let i = 0; i < out.length; i++) {
      for (const child of this.children.get(out[i]!) ?? []) if (!out.includes(child)) out.push(child);
    }
    return out;
  }

  /** Whether `id` is `ancestor` or lies below it. */
  within(id: string | null, ancestor: string): boolean {
    let current = id;
    for (let depth = 0; current && depth < 64; depth++) {
      if (current === ancestor) return true;
      current = this.nodes.get(current)?.parentId ?? null;
    }
    return false;
  }

  /** The area and its ancestors, nearest first; empty when the area is unknown. */
  lineage(id: string): string[] {
    const out: string[] = [];
    let current: string | null = id;
    while (current && out.length < 64 && this.nodes.has(current) && !out.includes(current)) {
      out.push(current);
      current = this.nodes.get(current)!.parentId;
    }
    return out;
  }

  /** The area and its ancestors, nearest first; the root areas when there is no known area. */
  path(id: string | null): string[] {
    if (!id || !this.nodes.has(id)) return [...this.nodes.values()].filter((a) => a.parentId === null).map((a) => a.id);
    return this.lineage(id);
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
    return common !== undefined && this.nodes.get(common)!.parentId !== null;
  }

  /** The area's time zone, or `fallback` when the area is unknown or has none. */
  timezone(id: string | null, fallback: string): string {
    return (id && this.nodes.get(id)?.timezone) || fallback;
  }
}

/**
 * The area tree kept for a while (default one minute: areas change only when the gazetteer is
 * re-seeded). Loaded through whichever client the caller holds, so that a step inside a
 * transaction never waits on another connection.
 */
export class AreaTreeCache {
  private cache: { loadedAt: number; tree: AreaTree } | undefined;

  constructor(private readonly ttlMs = 60_000) {}

  async tree(db: Db): Promise<AreaTree> {
    if (!this.cache || Date.now() - this.cache.loadedAt > this.ttlMs) {
      const tree = await AreaTree.load(db);
      this.cache = { loadedAt: Date.now(), tree };
    }
    return this.cache.tree;
  }

  async get(db: Db, id: string | null): Promise<AreaNode | undefined> {
    return id ? (await this.tree(db)).get(id) : undefined;
  }

  /** See {@link AreaTree.path}. */
  async path(db: Db, areaId: string | null): Promise<string[]> {
    return (await this.tree(db)).path(areaId);
  }

  /** See {@link AreaTree.subtree}. */
  async subtree(db: Db, areaId: string): Promise<string[]> {
    return (await this.tree(db)).subtree(areaId);
  }
}
