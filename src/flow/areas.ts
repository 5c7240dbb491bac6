/**
 * The gazetteer as the flow engine sees it: finding an area by name or alias, by its number in a
 * listed menu, or as the nearest to a GPS position.
 */
import { fold, foldedWords } from './normalize.js';

/** An area of the gazetteer, as the caller builds it (from the database, or from the file: src/areas/gazetteer.ts). */
export interface AreaView {
  id: string;
  name: string;
  /** Other names people use, any language or script. */
  aliases: string[];
  level: 'nation' | 'region' | 'locality';
  parentId: string | null;
  latitude: number | null;
  longitude: number | null;
}

type Level = AreaView['level'];

const LEVELS: readonly Level[] = ['nation', 'region', 'locality'];

/** Scripts whose speakers read place names better in that script than in Latin letters. */
const SCRIPT_OF_LANGUAGE: Record<string, RegExp> = {
  ar: /\p{Script=Arabic}/u,
  fa: /\p{Script=Arabic}/u,
  ur: /\p{Script=Arabic}/u,
  ps: /\p{Script=Arabic}/u,
  he: /\p{Script=Hebrew}/u,
  am: /\p{Script=Ethiopic}/u,
  ti: /\p{Script=Ethiopic}/u,
};

const EARTH_RADIUS_KM = 6371;

/** Great-circle distance in kilometres. */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Longest place name, in words, looked for inside a longer answer ("near the Kanzi market"). */
const MAX_NAME_WORDS = 4;

/** The gazetteer indexed for answers; `replace` swaps in a new one (a gazetteer loaded while running). */
export class AreaIndex {
  private byId = new Map<string, AreaView>();
  private byName = new Map<string, AreaView[]>();
  private list: readonly AreaView[] = [];

  constructor(areas: readonly AreaView[]) {
    this.replace(areas);
  }

  /** Every area, in gazetteer order. */
  get areas(): readonly AreaView[] {
    return this.list;
  }

  /** Indexes `areas` instead of the areas indexed so far (at once: no call sees half of each). */
  replace(areas: readonly AreaView[]): void {
    const byId = new Map<string, AreaView>();
    const byName = new Map<string, AreaView[]>();
    for (const area of areas) {
      byId.set(area.id, area);
      for (const name of new Set([area.name, ...area.aliases].map(fold).filter((n) => n.length > 0))) {
        const list = byName.get(name) ?? [];
        list.push(area);
        byName.set(name, list);
      }
    }
    this.byId = byId;
    this.byName = byName;
    this.list = areas;
  }

  get(id: string): AreaView | undefined {
    return this.byId.get(id);
  }

  /** Areas of one level, in gazetteer order (the order of a listed menu). */
  listed(level: Level): AreaView[] {
    return this.areas.filter((area) => area.level === level);
  }

  /**
   * The area an answer names, among the accepted levels: the whole answer is a name or alias, or
   * else exactly one accepted area is named somewhere in it, not counting areas that contain it
   * ("Kanzi, Nord": a place and its region is the place). Null when none or ambiguous.
   */
  find(text: string, levels: readonly Level[]): AreaView | null {
    const accepted = (list: AreaView[] | undefined) => (list ?? []).filter((area) => levels.includes(area.level));
    const whole = accepted(this.byName.get(fold(text)));
    if (whole.length === 1) return whole[0] ?? null;
    if (whole.length > 1) return null;
    const words = foldedWords(text);
    const found = new Map<string, AreaView>();
    for (let start = 0; start < words.length; start += 1) {
      for (let size = 1; size <= MAX_NAME_WORDS && start + size <= words.length; size += 1) {
        for (const area of accepted(this.byName.get(words.slice(start, start + size).join(' ')))) found.set(area.id, area);
      }
    }
    const innermost = [...found.values()].filter((area) => ![...found.values()].some((other) => this.contains(area, other)));
    return innermost.length === 1 ? (innermost[0] ?? null) : null;
  }

  /** Whether `outer` encloses `inner` (is its parent, or a parent of its parent...). */
  contains(outer: AreaView, inner: AreaView): boolean {
    let parentId = inner.parentId;
    for (let depth = 0; parentId !== null && depth < LEVELS.length + 8; depth += 1) {
      if (parentId === outer.id) return true;
      parentId = this.byId.get(parentId)?.parentId ?? null;
    }
    return false;
  }

  /**
   * The area nearest to a position, at the finest accepted level that has areas with coordinates
   * (a locality rather than the region around it). Null when no accepted area has coordinates.
   */
  nearest(latitude: number, longitude: number, levels: readonly Level[]): AreaView | null {
    for (const level of [...LEVELS].reverse()) {
      if (!levels.includes(level)) continue;
      const area = this.nearestOfLevel(latitude, longitude, level);
      if (area) return area;
    }
    return null;
  }

  private nearestOfLevel(latitude: number, longitude: number, level: Level): AreaView | null {
    let best: AreaView | null = null;
    let bestDistance = Infinity;
    for (const area of this.areas) {
      if (area.level !== level || area.latitude === null || area.longitude === null) continue;
      const distance = distanceKm(latitude, longitude, area.latitude, area.longitude);
      if (distance < bestDistance) {
        best = area;
        bestDistance = distance;
      }
    }
    return best;
  }

  /** The name shown to a contact: an alias in the script of the contact's language if there is one. */
  displayName(area: AreaView, language: string): string {
    const script = SCRIPT_OF_LANGUAGE[language.split('-')[0] ?? language];
    if (script) {
      const alias = area.aliases.find((name) => script.test(name));
      if (alias) return alias;
    }
    return area.name;
  }
}
