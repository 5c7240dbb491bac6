/**
 * The area tree as routing reads it: names, parents and time zones, cached for a minute (areas
 * change only when the gazetteer is re-seeded). Loaded through whichever client the caller holds,
 * so that a step inside a transaction never waits on another connection.
 */
import type { Db } from '../db/client.js';

export interface AreaInfo {
  id: string;
  name: string;
  parentId: string | null;
  timezone: string;
}

export class AreaTree {
  private cache: { loadedAt: number; areas: Map<string, AreaInfo> } | undefined;

  constructor(private readonly ttlMs = 60_000) {}

  async all(db: Db): Promise<Map<string, AreaInfo>> {
    if (!this.cache || Date.now() - this.cache.loadedAt > this.ttlMs) {
      const rows = await db.area.findMany({ select: { id: true, name: true, parentId: true, timezone: true }, orderBy: { id: 'asc' } });
      this.cache = { loadedAt: Date.now(), areas: new Map(rows.map((r) => [r.id, r])) };
    }
    return this.cache.areas;
  }

  async get(db: Db, id: string | null): Promise<AreaInfo | undefined> {
    return id ? (await this.all(db)).get(id) : undefined;
  }

  /** The area and its ancestors, nearest first; the root areas when there is no area. */
  async path(db: Db, areaId: string | null): Promise<string[]> {
    const areas = await this.all(db);
    if (!areaId || !areas.has(areaId)) return [...areas.values()].filter((a) => a.parentId === null).map((a) => a.id);
    const path: string[] = [];
    let current: string | null = areaId;
    while (current && !path.includes(current)) {
      path.push(current);
      current = areas.get(current)?.parentId ?? null;
    }
    return path;
  }

  /** The area and every area below it. */
  async subtree(db: Db, areaId: string): Promise<string[]> {
    const areas = [...(await this.all(db)).values()];
    const result = [areaId];
    for (let i = 0; i < result.length; i++) for (const a of areas) if (a.parentId === result[i] && !result.includes(a.id)) result.push(a.id);
    return result;
  }
}
