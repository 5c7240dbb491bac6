/**
 * The gazetteer as a tree (locality -> region -> nation): subtrees, ancestry and time zones.
 * Loaded once per use from the Area table; shared by broadcasts, rumours and flow starts.
 */
import type { Db } from '../db/client.js';

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
